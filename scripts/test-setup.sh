#!/usr/bin/env bash
# Run before `npm test` (pretest): on a fresh clone, install the locked npm packages and the real
# parts the tests run against (idempotent and quick once installed), then build.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x node_modules/.bin/vitest ] || bash scripts/npm-install-locked.sh .
bash scripts/install-test-tools.sh
npx --no-install tsc -p tsconfig.build.json
node scripts/build-help.mjs
