#!/usr/bin/env bash
# Renders the app icon (resources/icons/hicolor/scalable/apps/io.arbor.Arbor.svg) into the
# Windows .ico and the macOS .icns the release builds embed (-DARBOR_PLATFORM_ICON=...), on
# Linux, with Debian's rsvg-convert (librsvg2-bin), icotool (icoutils) and png2icns (icnsutils):
# neither Windows nor macOS runners can render an SVG out of the box.
#   packaging/ci/make-platform-icons.sh OUT_DIR   → OUT_DIR/arbor.ico, OUT_DIR/arbor.icns
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
out=${1:?usage: make-platform-icons.sh OUT_DIR}
svg="$root/resources/icons/hicolor/scalable/apps/io.arbor.Arbor.svg"
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for size in 16 24 32 48 64 128 256 512 1024; do
    rsvg-convert -w "$size" -h "$size" -o "$tmp/$size.png" "$svg"
done
icotool -c -o "$out/arbor.ico" "$tmp"/{16,24,32,48,64,128,256}.png
# png2icns picks the icon type from each PNG's size (16…1024).
png2icns "$out/arbor.icns" "$tmp"/{16,32,128,256,512,1024}.png >/dev/null
echo "make-platform-icons: $out/arbor.ico $out/arbor.icns"
