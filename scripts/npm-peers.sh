#!/usr/bin/env bash
# Install the third-party programs the tests run against (tests/package.json: the MCP reference
# servers and the official OpenAI SDK) into tests/node_modules with `npm ci`, exactly as pinned in
# tests/package-lock.json. Idempotent: skips npm when the installed tree matches the lock file.
# scripts/deps.sh runs it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../tests"
stamp=node_modules/.arbor-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [[ -f $stamp && $(cat "$stamp") == "$want" ]]; then
    exit 0
fi
echo "npm-peers.sh: npm ci in tests/" >&2
npm ci --no-audit --no-fund --loglevel=error
echo "$want" >"$stamp"
