#!/usr/bin/env bash
# `strata cost` on synthetic projects of bench/gen.py (issue 15's target: 10,000 resources in
# <= 200 ms): the table, the JSON, and `--compare-to` against the project's own JSON estimate.
#
#   bench/cost.sh                  # 1,000 and 10,000 resources
#   SIZES=10000 RUNS=20 bench/cost.sh
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES="${SIZES:-1000 10000}"
RUNS="${RUNS:-10}"
WORK="${WORK:-${TMPDIR:-/tmp}/strata-bench-cost}"
. bench/strata-bin.sh
mkdir -p "$WORK"
mean() {
  python3 - "$RUNS" "$@" <<'PY'
import statistics, subprocess, sys, time
runs = int(sys.argv[1]); cmd = sys.argv[2:]
subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
ts = []
for _ in range(runs):
    t = time.perf_counter(); subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); ts.append(time.perf_counter() - t)
print("%.1f ± %.1f ms (min %.1f)" % (statistics.mean(ts) * 1000, (statistics.stdev(ts) if len(ts) > 1 else 0) * 1000, min(ts) * 1000))
PY
}
echo "| resources | command | time (mean ± σ) |"
echo "| ---: | --- | ---: |"
for n in $SIZES; do
  p="$WORK/n$n"
  python3 bench/gen.py "$n" "$p" 2>/dev/null
  "$STRATA" cost "$p" --format json >"$WORK/base-$n.json" 2>/dev/null || true
  echo "| $n | check | $(mean "$STRATA" check "$p") |"
  echo "| $n | cost | $(mean "$STRATA" cost "$p") |"
  echo "| $n | cost --format json | $(mean "$STRATA" cost "$p" --format json) |"
  echo "| $n | cost --compare-to BASE --format markdown | $(mean "$STRATA" cost "$p" --compare-to "$WORK/base-$n.json" --format markdown) |"
done
