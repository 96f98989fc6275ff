#!/usr/bin/env bash
# The main job, on the embedded default backend, end to end, on a fresh machine:
# installs what it needs, then rotates the Anthropic key of a real OpenClaw Gateway.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || bash scripts/npm-install-locked.sh .
npm run build --silent
bash scripts/install-test-tools.sh
# rekey on the Node 24 the tests install (scripts/node24.sh): whatever `node` this machine has
exec bash scripts/node24.sh dist/scripts/demo.js
