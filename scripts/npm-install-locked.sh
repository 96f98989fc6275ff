#!/usr/bin/env bash
# Install exactly what a committed package-lock.json pins, in the directory given (default: .).
# `npm ci` first; if it refuses the lock only because the registry reachable here does not serve
# every platform's optional packages (npm then leaves them out of the lock, e.g. rollup's
# android/darwin/win32 builds, and `npm ci` reports them "Missing"), fall back to `npm install`,
# which still installs every recorded package at its locked version.
set -euo pipefail
cd "${1:-.}"
if ! out=$(npm ci --no-audit --no-fund --loglevel=error 2>&1); then
  if grep -q "Missing: .* from lock file" <<<"$out"; then
    echo "npm-install-locked: npm ci refused a lock without other platforms' optional packages; using npm install with the same lock" >&2
    npm install --no-save --no-audit --no-fund --loglevel=error
  else
    echo "$out" >&2
    exit 1
  fi
fi
