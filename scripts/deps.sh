#!/usr/bin/env bash
# Install every Debian/Ubuntu package Arbor needs to build, run, test, screenshot and package,
# then fetch the pinned highlight.js into the download cache (scripts/fetch-highlightjs.sh).
# Idempotent: when everything is already there it only asks dpkg and checks the cached file.
# `scripts/deps.sh package` also installs what making and checking the packages needs
# (scripts/dev package, package-test); the tests do not need it.
set -euo pipefail

PACKAGES=(
    # toolchain
    build-essential cmake ninja-build ccache pkg-config git clang-format
    # HTTPS downloads from the npm registry (highlight.js, scripts/fetch-highlightjs.sh)
    ca-certificates
    # Qt 6 and libraries
    qt6-base-dev qt6-declarative-dev qt6-websockets-dev qtkeychain-qt6-dev
    libqt6sql6-sqlite libqt6sql6-psql libpq-dev sqlite3 libsqlite3-dev libmd4c-dev
    # streaming JSON for big import files, zip archives (ChatGPT exports)
    rapidjson-dev libzip-dev
    qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools libgl-dev libglx-dev
    # QML imports (loaded at run time)
    qml6-module-qtquick qml6-module-qtquick-controls qml6-module-qtquick-layouts
    qml6-module-qtquick-window qml6-module-qtquick-templates qml6-module-qtqml-workerscript
    qml6-module-qttest qml6-module-qtquick-shapes qml6-module-qtquick-dialogs
    qml6-module-qt-labs-qmlmodels qml6-module-qtqml qml6-module-qtqml-models
    # the file dialog (Export, Usage's CSV) where no platform dialog exists, e.g. under Xvfb
    qml6-module-qt-labs-folderlistmodel
    # the SVG image plugin, for the toolbar icons
    libqt6svg6
    # headless runs, Secret Service, screenshots
    xvfb xauth dbus dbus-x11 gnome-keyring libsecret-tools fonts-dejavu-core
    # a desktop notification server for tst_notifications
    dunst
    # driving the window as a person would (scripts/measure-freeze.py)
    xdotool xclip python3
    # PostgreSQL for the team-store tests (falls back to "postgresql" where 15 is not packaged)
    postgresql-15
)

# Prints the packages from "$@" that dpkg does not report as fully installed.
missing_packages() {
    local -A installed=()
    local name status
    while IFS=' ' read -r name status; do
        [[ $status == "install ok installed" ]] && installed[$name]=1
    done < <(dpkg-query -W -f='${Package} ${Status}\n' "$@" 2>/dev/null || true)
    for name in "$@"; do
        if [[ -z ${installed[$name]:-} ]]; then
            # Any installed "postgresql" (another major version, e.g. on Ubuntu) satisfies postgresql-15.
            if [[ $name == postgresql-15 ]] && dpkg-query -W -f='${Status}' postgresql 2>/dev/null \
                | grep -q "install ok installed"; then
                continue
            fi
            printf '%s\n' "$name"
        fi
    done
}

# Installs the packages dpkg does not report as installed (with sudo when not root).
install_missing() {
    mapfile -t missing < <(missing_packages "${PACKAGES[@]}")
    if ((${#missing[@]} == 0)); then
        return 0
    fi

    SUDO=()
    if ((EUID != 0)); then
        if command -v sudo >/dev/null 2>&1; then
            SUDO=(sudo)
        else
            echo "deps.sh: missing packages (${missing[*]}) and not root; sudo is not available" >&2
            exit 1
        fi
    fi

    APT_OPTS=(-o DPkg::Lock::Timeout=600)
    echo "deps.sh: installing ${missing[*]}" >&2
    "${SUDO[@]}" apt-get "${APT_OPTS[@]}" update -qq

    # postgresql-15 is the Debian 12 name; other releases only offer the generic package.
    for i in "${!missing[@]}"; do
        if [[ ${missing[$i]} == postgresql-15 ]]; then
            candidate=$(apt-cache policy postgresql-15 2>/dev/null | awk '/Candidate:/ { print $2 }')
            if [[ -z $candidate || $candidate == "(none)" ]]; then
                echo "deps.sh: postgresql-15 has no candidate here, installing postgresql instead" >&2
                missing[i]=postgresql
            fi
        fi
    done

    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get "${APT_OPTS[@]}" install -y --no-install-recommends "${missing[@]}"
}

if [[ ${1:-} == package ]]; then
    PACKAGES+=(
        # the .rpm (rpmbuild) and its check, the icon sizes, compressed manual pages
        rpm rpmlint librsvg2-bin gzip
        # checking the .deb and its metadata
        lintian appstream desktop-file-utils
        # a clean Debian root to install the .deb into (scripts/package-test.sh)
        debootstrap
        # the portable tarball's run paths (packaging/portable/make-portable.sh)
        patchelf
        # the Windows .ico and macOS .icns (packaging/ci/make-platform-icons.sh)
        icoutils icnsutils
    )
fi

# Node.js and npm run the third-party peers the tests talk to (tests/package.json). A machine
# that already has them (e.g. from NodeSource) keeps its own; Debian's are installed otherwise.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    PACKAGES+=(nodejs npm)
fi

install_missing
"$(dirname "${BASH_SOURCE[0]}")/fetch-highlightjs.sh"
"$(dirname "${BASH_SOURCE[0]}")/npm-peers.sh"
