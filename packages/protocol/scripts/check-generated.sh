#!/usr/bin/env bash
# Fails when the committed src/generated/ is stale: regenerates from proto/ into a temporary directory
# with the same buf.gen.yaml and compares. Run from anywhere (CI runs it from the repo root).
set -euo pipefail

package_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$package_dir"

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

# Same plugin and options as `pnpm codegen`, only the output directory differs.
sed "s#out: src/generated#out: $scratch/generated#" buf.gen.yaml > "$scratch/buf.gen.yaml"
npx --no-install buf generate --template "$scratch/buf.gen.yaml"

if ! diff -r -u src/generated "$scratch/generated" > "$scratch/diff.txt"; then
  cat "$scratch/diff.txt" >&2
  echo "" >&2
  echo "packages/protocol/src/generated is stale: it does not match what proto/ generates." >&2
  echo "Run 'pnpm --filter @windsock/protocol codegen' and commit the result." >&2
  exit 1
fi
echo "packages/protocol/src/generated is up to date."
