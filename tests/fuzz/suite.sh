#!/usr/bin/env bash
# Bounded fuzz smoke test (run by tests/run.sh): every cargo-fuzz target (parse, check, compile,
# render) first replays its regression inputs (fuzz/regressions/TARGET/: each a crash once
# found and fixed), then fuzzes for FUZZ_SECONDS (default 20) seeded with every .strata file of
# the fixtures (tests/ and the crates' tests: lowering's are valid programs, which the compile
# target needs), the init template and the examples, with the dictionary fuzz/strata.dict
# (keywords, units, resource types and properties). Any crash fails the run. Inputs are at
# most 64 KiB, except for `render`: its renderer once failed only past column 65,535.
# The longer local runs and their figures: docs/performance.md, "Fuzzing".
#
# cargo-fuzz needs nightly compiler flags (sanitizers, coverage passes); the machine has one
# stable toolchain, so RUSTC_BOOTSTRAP=1 enables them for this build only.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${FUZZ_SECONDS:-20}"

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "installing cargo-fuzz"
  cargo install cargo-fuzz --locked --quiet
fi

export RUSTC_BOOTSTRAP=1
corpus_root=$(mktemp -d)
trap 'rm -rf "$corpus_root"' EXIT

for target in parse check compile render; do
  corpus="$corpus_root/$target"
  mkdir -p "$corpus"
  n=0
  while IFS= read -r -d '' f; do
    cp "$f" "$corpus/seed-$n.strata"
    n=$((n + 1))
  done < <(find tests/fixtures tests/e2e/fixtures examples compiler/*/tests compiler/strata-cli/templates -name '*.strata' -print0 2>/dev/null)
  regress="fuzz/regressions/$target"
  if compgen -G "$regress/*" >/dev/null; then
    echo "==> $target: replaying $(ls "$regress" | wc -l) regression inputs"
    (cd fuzz && cargo fuzz run --sanitizer none "$target" "../$regress" -- -runs=0)
  fi
  max_len=65536
  if [ "$target" = render ]; then max_len=262144; fi
  echo "==> $target: fuzzing ${seconds}s from $n seeds"
  (cd fuzz && cargo fuzz run --sanitizer none "$target" "$corpus" -- -dict=strata.dict -max_total_time="$seconds" -max_len="$max_len" -timeout=10 -rss_limit_mb=4096 -print_final_stats=1) \
    || { echo "fuzz target $target failed; the crashing input is in fuzz/artifacts/$target/" >&2; exit 1; }
done
echo "fuzz smoke: 4 targets passed"
