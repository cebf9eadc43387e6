#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs what the tests need (idempotent: a
# second run installs nothing), then runs every test. Used by `.ci/run`.
#
#   1. tests/validators/setup.sh  — pinned validators (cfn-lint, checkov, ... in a venv)
#   2. cargo nextest (or cargo test) over the whole workspace, snapshots must match
#      (INSTA_UPDATE=no), then the doc tests
#   3. every tests/*/suite.sh     — further suites (validators over emitted output, editors)
set -euo pipefail
cd "$(dirname "$0")/.."

start=$(date +%s)
step() { printf '\n==> %s (%ss)\n' "$*" "$(( $(date +%s) - start ))"; }

if [ -x tests/validators/setup.sh ]; then
  step "installing validators"
  tests/validators/setup.sh
fi

export INSTA_UPDATE="${INSTA_UPDATE:-no}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

if cargo nextest --version >/dev/null 2>&1; then
  step "cargo nextest run --workspace"
  cargo nextest run --workspace --no-fail-fast
  step "cargo test --workspace --doc"
  cargo test --workspace --doc
else
  step "cargo test --workspace"
  cargo test --workspace --no-fail-fast
fi

shopt -s nullglob
for suite in tests/*/suite.sh; do
  step "$suite"
  bash "$suite"
done

step "all tests passed"
