#!/usr/bin/env bash
# Installs the .deb that `scripts/dev package` made into a clean Debian 12 root (debootstrap,
# then chroot; run as root, or with sudo) and uses it as a new user would:
#   apt-get install ./arbor_*.deb    (the package's dependencies come from Debian)
#   arbord --version
#   arbord chat --provider demo hello
#   arbor under Xvfb, with a screenshot of its window (build/release/package-test.png)
# Before that, in the same root while it has no Qt at all, the portable tarball
# (packaging/portable/make-portable.sh) runs the same three checks
# (build/release/portable-test.png). With ARBOR_OLD_DEB=path/to/older.deb, that package is
# installed first, a store is written with it, and the new package must be installed over it
# and open that store with every message intact (the upgrade test).
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

in_root apt-get update -qq
# Only for the screenshots: an X server and the tool that grabs it (not Arbor's dependencies).
in_root apt-get install -y -q --no-install-recommends xvfb xauth x11-apps imagemagick
# What the portable build expects of every desktop (its README says so): OpenGL/EGL, the X11
# core libraries, fontconfig. The package pulls these in by itself.
in_root apt-get install -y -q --no-install-recommends libgl1 libegl1 libopengl0 libx11-xcb1 libfontconfig1

# The portable build, while the root has no Qt package.
portable=$(ls -t build/release/arbor-*-linux-*.tar.gz 2>/dev/null | head -1 || true)
if [[ -n $portable ]]; then
    qt_packages=$(in_root dpkg-query -W -f='${Package}\n' | grep -c -i 'qt6\|libqt' || true)
    log "portable $(basename "$portable") in a root with $qt_packages Qt packages"
    ((qt_packages == 0)) || { log "the root has Qt packages: the portable test proves nothing"; exit 1; }
    "${SUDO[@]}" tar -C "$root/opt" -xzf "$portable"
    pdir=/opt/$(basename "$portable" .tar.gz)
    in_root "$pdir/bin/arbord" --version
    in_root "$pdir/bin/arbord" chat --db /tmp/portable.db --provider demo hello | tail -3
    in_root sh -c "ARBOR_DB=/tmp/portable-app.db QT_QPA_PLATFORM=xcb xvfb-run -a -s '-screen 0 1280x800x24' \
        sh -c '$pdir/bin/arbor --send \"Hello from the portable build\" & pid=\$!; sleep 12; import -window root /tmp/portable.png; kill \$pid'"
    mkdir -p build/release
    "${SUDO[@]}" cp "$root/tmp/portable.png" build/release/portable-test.png
    log "screenshot: build/release/portable-test.png"
else
    log "no portable tarball in build/release (scripts/dev package makes it): skipping that part"
fi

# The upgrade: an older package writes a store in the user's data folder, the new one opens it.
if [[ -n ${ARBOR_OLD_DEB:-} ]]; then
    "${SUDO[@]}" cp "$ARBOR_OLD_DEB" "$root/tmp/"
    log "apt-get install ./$(basename "$ARBOR_OLD_DEB") (the older version)"
    in_root apt-get install -y -q "/tmp/$(basename "$ARBOR_OLD_DEB")"
    in_root arbord --version
    in_root arbord chat --provider demo "written by the older version" | tail -1
    in_root arbord chat --provider demo "a second conversation" >/dev/null
    in_root arbord list | tee /tmp/arbor-upgrade-before.txt
    in_root sh -c 'for id in $(arbord list | cut -d" " -f1); do arbord show --json "$id"; done' \
        >/tmp/arbor-upgrade-before.json
fi

log "apt-get install ./$(basename "$deb")"
in_root apt-get install -y -q "/tmp/$(basename "$deb")"
if [[ -n ${ARBOR_OLD_DEB:-} ]]; then
    log "the new version on the older version's store"
    in_root arbord --version
    # A read-only command leaves an older store as it is (an older app may still have it open)
    # and says how to upgrade it; the user's next step is opening Arbor, which migrates it.
    if in_root arbord list >/tmp/arbor-upgrade-readonly.txt 2>&1; then
        log "upgrade: arbord list read the older store without upgrading it"
    fi
    cat /tmp/arbor-upgrade-readonly.txt
    log "upgrade: opening Arbor on the older store (it migrates it)"
    in_root sh -c 'QT_QPA_PLATFORM=xcb xvfb-run -a -s "-screen 0 1280x800x24" \
        sh -c "arbor & pid=\$!; sleep 12; import -window root /tmp/upgrade-shot.png; kill \$pid; wait \$pid"' || true
    "${SUDO[@]}" cp "$root/tmp/upgrade-shot.png" build/release/upgrade-test.png
    log "screenshot: build/release/upgrade-test.png"
    in_root arbord list | tee /tmp/arbor-upgrade-after.txt
    in_root sh -c 'for id in $(arbord list | cut -d" " -f1); do arbord show --json "$id"; done' \
        >/tmp/arbor-upgrade-after.json
    diff /tmp/arbor-upgrade-before.txt /tmp/arbor-upgrade-after.txt
    # Every message the older version showed is still there with the same id, role and text
    # (the newer version may show more fields).
    python3 - /tmp/arbor-upgrade-before.json /tmp/arbor-upgrade-after.json <<'PY'
import json, sys
def messages(path):
    text, docs, at = open(path).read(), [], 0
    decoder = json.JSONDecoder()
    while at < len(text):
        while at < len(text) and text[at].isspace():
            at += 1
        if at == len(text):
            break
        doc, at = decoder.raw_decode(text, at)
        docs.append(doc)
    return {m["id"]: (m["role"], m["content"]) for d in docs for m in d["messages"]}
before, after = messages(sys.argv[1]), messages(sys.argv[2])
missing = [i for i, m in before.items() if after.get(i) != m]
print(f"upgrade: {len(before)} messages before, {len(after)} after, {len(missing)} changed or missing")
sys.exit(1 if missing or not before else 0)
PY
    log "upgrade: the same conversations and messages before and after"
fi

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
