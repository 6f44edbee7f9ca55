#!/usr/bin/env bash
# Installs the .deb that `scripts/dev package` made into a clean Debian 12 root (debootstrap,
# then chroot; run as root, or with sudo) and uses it as a new user would:
#   apt-get install ./arbor_*.deb    (the package's dependencies come from Debian)
#   arbord --version
#   arbord chat --provider demo hello
#   arbor under Xvfb, with a screenshot of its window (build/release/package-test.png)
# Heavy (it downloads a Debian base system and Qt): not part of .ci/run.
#
#   scripts/package-test.sh [DEB] [ROOT]     default DEB: the newest build/release/arbor_*.deb,
#                                            default ROOT: /var/tmp/arbor-package-test
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

deb=${1:-$(ls -t build/release/arbor_*.deb 2>/dev/null | head -1)}
root=${2:-/var/tmp/arbor-package-test}
mirror=${ARBOR_DEBIAN_MIRROR:-http://deb.debian.org/debian}
log() { printf 'package-test: %s\n' "$*" >&2; }

[[ -f $deb ]] || { log "no .deb: run scripts/dev package first"; exit 1; }
SUDO=()
((EUID == 0)) || SUDO=(sudo)

# A fresh base system each time, cached as a tarball so a second run downloads nothing.
cache=${XDG_CACHE_HOME:-$HOME/.cache}/arbor/bookworm-base.tar
mkdir -p "$(dirname "$cache")"
if [[ ! -f $cache ]]; then
    log "debootstrap bookworm (once; cached in $cache)"
    "${SUDO[@]}" debootstrap --variant=minbase --make-tarball="$cache" bookworm "$root.tmp" "$mirror"
    "${SUDO[@]}" rm -rf "$root.tmp"
fi
cleanup() {
    for m in proc dev/pts dev sys; do
        "${SUDO[@]}" umount -l "$root/$m" 2>/dev/null || true
    done
}
trap cleanup EXIT
cleanup
"${SUDO[@]}" rm -rf "$root"
log "unpacking a clean Debian 12 root in $root"
"${SUDO[@]}" debootstrap --variant=minbase --unpack-tarball="$cache" bookworm "$root" "$mirror" >/dev/null
for m in proc sys dev dev/pts; do
    "${SUDO[@]}" mount --bind "/$m" "$root/$m"
done
"${SUDO[@]}" cp /etc/resolv.conf "$root/etc/resolv.conf"
"${SUDO[@]}" cp "$deb" "$root/tmp/"
in_root() { "${SUDO[@]}" chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
    HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"; }

log "apt-get install ./$(basename "$deb")"
in_root apt-get update -qq
in_root apt-get install -y -q "/tmp/$(basename "$deb")"
# Only for the screenshot: an X server and the tool that grabs it (not Arbor's dependencies).
in_root apt-get install -y -q --no-install-recommends xvfb xauth x11-apps imagemagick

log "arbord --version"
in_root arbord --version
log "arbord chat --provider demo hello"
in_root arbord chat --db /tmp/store.db --provider demo hello | tail -3
log "arbor under Xvfb"
in_root sh -c 'ARBOR_DB=/tmp/app.db QT_QPA_PLATFORM=xcb xvfb-run -a -s "-screen 0 1280x800x24" \
    sh -c "arbor --send \"Hello from a clean Debian 12\" & pid=\$!; sleep 12; import -window root /tmp/shot.png; kill \$pid"'
mkdir -p build/release
"${SUDO[@]}" cp "$root/tmp/shot.png" build/release/package-test.png
log "screenshot: build/release/package-test.png"
log "installed files:"
in_root dpkg -L arbor | grep -E 'bin/|man1|applications|metainfo|icons' | head -30
