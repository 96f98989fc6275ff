#!/usr/bin/env bash
# Runs node with the Node 24 the tests install (scripts/install-test-tools.sh, npm package node@24,
# pinned, under test/tools/): the tests, the demo and the bench run rekey on it, whatever `node`
# the machine has. Installs it first if it is missing.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
node24="$root/test/tools/node24/node_modules/node/bin/node"
[ -x "$node24" ] || bash "$root/scripts/install-test-tools.sh" >&2
exec "$node24" "$@"
