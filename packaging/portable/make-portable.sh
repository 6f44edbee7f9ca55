#!/usr/bin/env bash
# Makes a self-contained Arbor for Linux desktops whose distribution has no Qt 6.4 (or none at
# all): the two programs, the Qt libraries, plugins and QML modules they load, and every other
# library they need except those every desktop has (glibc, the X11/xcb core, OpenGL/EGL,
# fontconfig/freetype). Every ELF file gets an $ORIGIN-relative RUNPATH (patchelf), so nothing
# has to set LD_LIBRARY_PATH, which would leak into the programs Arbor starts (MCP servers,
# browsers); the launchers in bin/ only keep the host's Qt settings from mixing in.
#
# Why not an AppImage: neither appimagetool nor linuxdeploy is packaged for Debian 12 or on npm.
#
#   packaging/portable/make-portable.sh [BUILD_DIR]   (default build/release, after its build)
#   → BUILD_DIR/arbor-VERSION-linux-x86_64.tar.gz
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
build=${1:-build/release}
log() { printf 'make-portable: %s\n' "$*" >&2; }

version=$("$build/bin/arbord" --version | awk '{ print $NF; exit }')
name="arbor-$version-linux-$(uname -m)"
stage="$build/portable/$name"
qt_plugins=$(qtpaths6 --query QT_INSTALL_PLUGINS)
qt_qml=$(qtpaths6 --query QT_INSTALL_QML)

rm -rf "$stage"
mkdir -p "$stage"/{bin,libexec,lib,plugins,qml}
install -m 0755 "$build/bin/arbor" "$build/bin/arbord" "$stage/libexec/"
strip --strip-unneeded "$stage"/libexec/*

# Plugins Qt loads at run time (the rest of the plugin folders are not used by Arbor).
for plugin in platforms/libqxcb.so platforms/libqoffscreen.so platforms/libqminimal.so \
    xcbglintegrations/libqxcb-glx-integration.so xcbglintegrations/libqxcb-egl-integration.so \
    imageformats/libqsvg.so iconengines/libqsvgicon.so sqldrivers/libqsqlite.so \
    tls/libqopensslbackend.so tls/libqcertonlybackend.so \
    platforminputcontexts/libcomposeplatforminputcontextplugin.so \
    networkinformation/libqnetworkmanager.so; do
    if [[ -f $qt_plugins/$plugin ]]; then
        mkdir -p "$stage/plugins/$(dirname "$plugin")"
        cp -L "$qt_plugins/$plugin" "$stage/plugins/$plugin"
    fi
done
# The QML modules the app imports (qml/: QtQuick, Controls, Layouts, Templates, Window,
# Dialogs, Shapes, QtQml models and WorkerScript, Qt.labs.qmlmodels), whole folders.
for module in QtQuick QtQml Qt/labs/qmlmodels; do
    mkdir -p "$stage/qml/$(dirname "$module")"
    cp -a "$qt_qml/$module" "$stage/qml/$module"
done
rm -rf "$stage/qml/QtQuick/VirtualKeyboard" "$stage/qml/QtQuick/Scene3D"
# Compiled QML caches and type information are not needed to run.
find "$stage/qml" \( -name '*.qmltypes' -o -name 'designer' -o -name '*.qmlc' \) -prune -exec rm -rf {} +

# Libraries every Linux desktop has, and which must come from the host (the driver-specific GL
# stack, glibc, the X server's protocol libraries, the font configuration).
is_host_library() {
    case $1 in
    ld-linux* | libc.so* | libm.so* | libdl.so* | libpthread.so* | librt.so* | libresolv.so* | \
        libutil.so* | libGL.so* | libGLX.so* | libGLdispatch.so* | libOpenGL.so* | libEGL.so* | \
        libgbm.so* | libdrm.so* | libX11.so* | libX11-xcb.so* | libxcb.so* | libXau.so* | \
        libXdmcp.so* | libfontconfig.so* | libfreetype.so* | libexpat.so* | libz.so*)
        return 0 ;;
    esac
    return 1
}

# Copies every library the ELF files in the stage need, until nothing new turns up.
copy_dependencies() {
    local changed=1 file lib path
    while ((changed)); do
        changed=0
        while IFS= read -r file; do
            while read -r lib path; do
                [[ -n $path && -f $path ]] || continue
                is_host_library "$lib" && continue
                [[ -e $stage/lib/$lib ]] && continue
                cp -L "$path" "$stage/lib/$lib"
                changed=1
            done < <(LD_LIBRARY_PATH="$stage/lib" ldd "$file" 2>/dev/null \
                | awk '$2 == "=>" && $3 ~ /^\// { print $1, $3 }')
        done < <(find "$stage/libexec" "$stage/lib" "$stage/plugins" "$stage/qml" -type f \
            \( -name '*.so*' -o -perm -u+x \) -print)
    done
}
copy_dependencies
# Loaded by name at run time (dlopen), so ldd does not list them: OpenSSL for HTTPS.
for lib in libssl.so.3 libcrypto.so.3; do
    path=$(ldconfig -p | awk -v l="$lib" '$1 == l && /x86-64/ { print $NF; exit }')
    [[ -n $path ]] && cp -L "$path" "$stage/lib/$lib"
done
copy_dependencies

# $ORIGIN-relative search paths, so each file finds lib/ wherever the folder is unpacked.
set_runpath() { patchelf --set-rpath "$2" "$1"; }
for file in "$stage"/libexec/*; do set_runpath "$file" '$ORIGIN/../lib'; done
for file in "$stage"/lib/*; do set_runpath "$file" '$ORIGIN'; done
while IFS= read -r file; do
    rel=$(realpath --relative-to="$(dirname "$file")" "$stage/lib")
    set_runpath "$file" "\$ORIGIN/$rel"
done < <(find "$stage/plugins" "$stage/qml" -name '*.so' -type f)

# qt.conf next to the programs: Qt looks for plugins and QML modules in the bundle.
printf '[Paths]\nPrefix=..\nPlugins=plugins\nQmlImports=qml\n' >"$stage/libexec/qt.conf"

for program in arbor arbord; do
    cat >"$stage/bin/$program" <<LAUNCHER
#!/bin/sh
# Arbor portable launcher: runs the bundled $program with the bundled Qt only.
here=\$(dirname "\$(readlink -f "\$0")")
unset QT_PLUGIN_PATH QML_IMPORT_PATH QML2_IMPORT_PATH QT_QPA_PLATFORM_PLUGIN_PATH
exec "\$here/../libexec/$program" "\$@"
LAUNCHER
    chmod 0755 "$stage/bin/$program"
done
install -m 0644 LICENSE "$stage/LICENSE"
install -m 0644 resources/io.arbor.Arbor.desktop "$stage/io.arbor.Arbor.desktop"
install -m 0644 resources/icons/hicolor/scalable/apps/io.arbor.Arbor.svg "$stage/io.arbor.Arbor.svg"
cat >"$stage/README" <<'README'
Arbor, portable build for Linux (x86_64).

Run bin/arbor (the desktop app) or bin/arbord (the command line) from wherever this folder is.
It carries its own Qt; the desktop must provide glibc 2.36 or newer, X11 (or XWayland), OpenGL
and fontconfig. Data lives where the packaged Arbor keeps it (~/.local/share/Arbor), so the
portable and the packaged app share one store.
README

tar -C "$build/portable" --owner=0 --group=0 --sort=name -czf "$build/$name.tar.gz" "$name"
log "$build/$name.tar.gz ($(du -h "$build/$name.tar.gz" | cut -f1), $(ls "$stage/lib" | wc -l) libraries)"
