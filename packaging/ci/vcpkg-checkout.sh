#!/usr/bin/env bash
# Checks out vcpkg at the commit vcpkg.json pins ("builtin-baseline") and bootstraps it, so the
# Windows and macOS release builds get the same library versions on every run, whatever vcpkg
# the runner image carries. Fetches that one commit only (its versions database and ports are
# all manifest mode needs for the baseline's versions).
#   packaging/ci/vcpkg-checkout.sh DIR [--no-bootstrap]   → prints DIR's absolute path
# VCPKG_GIT_URL overrides the repository (e.g. a local mirror).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
dir=${1:?usage: vcpkg-checkout.sh DIR [--no-bootstrap]}
url=${VCPKG_GIT_URL:-https://github.com/microsoft/vcpkg}
baseline=$(sed -n 's/.*"builtin-baseline": *"\([0-9a-f]\{40\}\)".*/\1/p' "$root/vcpkg.json")
if [[ -z $baseline ]]; then
    echo "vcpkg-checkout: vcpkg.json has no 40-digit \"builtin-baseline\"" >&2
    exit 1
fi
mkdir -p "$dir"
git -C "$dir" init -q
git -C "$dir" fetch -q --depth 1 "$url" "$baseline"
git -C "$dir" -c advice.detachedHead=false checkout -q FETCH_HEAD
if [[ $(git -C "$dir" rev-parse HEAD) != "$baseline" ]]; then
    echo "vcpkg-checkout: $url gave $(git -C "$dir" rev-parse HEAD), not $baseline" >&2
    exit 1
fi
if [[ ${2:-} != --no-bootstrap ]]; then
    case "$(uname -s)" in
    MINGW* | MSYS* | CYGWIN*) (cd "$dir" && cmd //c bootstrap-vcpkg.bat -disableMetrics) ;;
    *) "$dir/bootstrap-vcpkg.sh" -disableMetrics ;;
    esac
fi
cd "$dir" && pwd
