#!/usr/bin/env bash
# Neovim headless test of `strata lsp` (through editors/nvim): installs Debian's neovim when
# it is missing (as root, or with sudo), builds strata, and runs tests/nvim/test.lua.
# Fails loudly when nvim cannot be had.
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v nvim >/dev/null 2>&1; then
  echo "tests/nvim: installing Debian's neovim"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq neovim >/dev/null || true
fi
if ! command -v nvim >/dev/null 2>&1; then
  echo "tests/nvim: FAILED: nvim is not installed and could not be installed (apt-get install neovim)" >&2
  exit 1
fi

cargo build -q -p strata-cli
bin="$(pwd)/target/debug/strata"
cache="$(mktemp -d)"
trap 'rm -rf "$cache"' EXIT

out="$cache/nvim.out"
status=0
XDG_CACHE_HOME="$cache" STRATA_BIN="$bin" STRATA_RTP="$(pwd)/editors/nvim" STRATA_FIXTURE="$(pwd)/tests/nvim/fixture/main.strata" \
  timeout 120 nvim --headless --clean -u NONE -i NONE --cmd "set runtimepath^=$(pwd)/editors/nvim" -c "luafile tests/nvim/test.lua" >"$out" 2>&1 || status=$?
cat "$out"
if [ "$status" != 0 ] || ! grep -q "nvim test passed" "$out"; then
  echo "tests/nvim: FAILED (exit $status)" >&2
  exit 1
fi
