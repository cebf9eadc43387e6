#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs what the tests need (idempotent: a
# second run installs nothing), then runs every test. Used by `.ci/run`.
#
#   1. tests/validators/setup.sh  — pinned validators (cfn-lint, checkov, ... in venvs)
#   2. cargo fmt --all -- --check (rustfmt's default settings) and
#      cargo clippy --workspace --all-targets -- -D warnings
#   3. cargo nextest (or cargo test) over the whole workspace, snapshots must match
#      (INSTA_UPDATE=no), then the doc tests
#   4. every tests/*/suite.sh     — further suites (examples, editors, pre-commit, fuzzing, CI,
#      installation), each installing what it needs
#
# Every step runs even when an earlier one failed; the script fails if any did.
set -uo pipefail
cd "$(dirname "$0")/.."

start=$(date +%s)
failed=()
step() { printf '\n==> %s (at %ss)\n' "$1" "$(( $(date +%s) - start ))"; }
run() {
  local name="$1"
  shift
  step "$name"
  if ! "$@"; then
    echo "==> FAILED: $name"
    failed+=("$name")
  fi
}

if [ -x tests/validators/setup.sh ]; then
  run "install validators" tests/validators/setup.sh
fi

export INSTA_UPDATE="${INSTA_UPDATE:-no}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

run "cargo fmt --all -- --check" cargo fmt --all -- --check
run "cargo clippy --workspace --all-targets -- -D warnings" cargo clippy --workspace --all-targets -- -D warnings

if cargo nextest --version >/dev/null 2>&1; then
  run "cargo nextest run --workspace" cargo nextest run --workspace --no-fail-fast
  run "cargo test --workspace --doc" cargo test --workspace --doc
else
  run "cargo test --workspace" cargo test --workspace --no-fail-fast
fi

shopt -s nullglob
for suite in tests/*/suite.sh; do
  run "$suite" bash "$suite"
done

step "done"
if [ "${#failed[@]}" -gt 0 ]; then
  printf 'tests/run.sh: FAILED steps:\n' >&2
  printf '  %s\n' "${failed[@]}" >&2
  exit 1
fi
echo "tests/run.sh: every step passed in $(( $(date +%s) - start ))s"
