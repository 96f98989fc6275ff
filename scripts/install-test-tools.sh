#!/usr/bin/env bash
# Installs the real parts rekey's integration tests run against:
#  - Node 24 (npm package node@24, pinned) and the openclaw CLI (pinned) under test/tools/
#  - Debian packages: systemd (user manager), gnome-keyring, libsecret, dbus, graphviz (`dot`); promtool (from prometheus)
# Idempotent: a part already installed at the pinned version is left alone.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

need_apt=()
[ -x /lib/systemd/systemd ] || need_apt+=(systemd)
command -v dbus-run-session >/dev/null || need_apt+=(dbus)
command -v gnome-keyring-daemon >/dev/null || need_apt+=(gnome-keyring)
command -v secret-tool >/dev/null || need_apt+=(libsecret-tools)
command -v dot >/dev/null || need_apt+=(graphviz)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "install-test-tools: apt-get install ${need_apt[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

install_dir() {
  local dir=$1
  if [ -f "$dir/package-lock.json" ]; then
    bash "$root/scripts/npm-install-locked.sh" "$dir"
  else
    (cd "$dir" && npm install --no-audit --no-fund --loglevel=error)
  fi
}

node24="$root/test/tools/node24/node_modules/node/bin/node"
if [ ! -x "$node24" ]; then
  install_dir test/tools/node24
fi
"$node24" --version >/dev/null

oc="$root/test/tools/openclaw/node_modules/openclaw/package.json"
if [ ! -f "$oc" ]; then
  PATH="$(dirname "$node24"):$PATH" install_dir test/tools/openclaw
fi
echo "install-test-tools: node $("$node24" --version), openclaw $(node -p "require('$oc').version")" >&2

# promtool (Debian's prometheus package) validates rekey's metrics textfile. Only the binary is
# taken from the package (dpkg-deb -x): installing it would create and try to start a service.
promtool="$root/test/tools/prometheus/usr/bin/promtool"
if [ ! -x "$promtool" ]; then
  tmp=$(mktemp -d)
  (cd "$tmp" && apt-get download prometheus >/dev/null 2>&1 || { apt-get update -qq && apt-get download prometheus >/dev/null 2>&1; })
  mkdir -p test/tools/prometheus
  dpkg-deb -x "$tmp"/prometheus_*.deb "$tmp/x"
  install -D -m 0755 "$tmp/x/usr/bin/promtool" "$promtool"
  rm -rf "$tmp"
fi
echo "install-test-tools: $("$promtool" --version 2>&1 | head -1)" >&2
