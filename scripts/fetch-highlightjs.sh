#!/usr/bin/env bash
# Put the pinned highlight.js (npm: @highlightjs/cdn-assets) into the download cache
# (~/.cache/arbor, or $ARBOR_CACHE_DIR / $XDG_CACHE_HOME/arbor), verified against the npm
# registry's integrity digest. The pin, the cache and the check live in cmake/HighlightJs.cmake;
# configuring the build only reads the cache. Idempotent: with a verified copy in the cache it
# does not touch the network. scripts/deps.sh runs it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
exec cmake -P cmake/HighlightJs.cmake
