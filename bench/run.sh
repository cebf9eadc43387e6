#!/usr/bin/env bash
# Benchmarks of the `strata` binary on synthetic projects (bench/gen.py):
#   - `strata check` on a ~500-line project (the pre-commit case), and on the projects of
#     tests/generated/projects (generated types, loaded lazily),
#   - `strata check` and `strata compile` on 1,000 / 10,000 / 100,000 resources,
#   - `strata fmt --check` over the repository's examples/ (every .strata file; the pre-commit
#     hook's case, target <= 20 ms) and over each generated project (first put in canonical
#     layout with `strata fmt`, so that --check passes as in a formatted repository),
#   - `strata cost` (table and JSON) and `strata cost --compare-to` (against the project's own
#     JSON estimate) on the same projects (issue 15's target: 10,000 resources <= 200 ms),
#   - peak memory (max RSS) of each, with /usr/bin/time -v.
# Prints a Markdown report (paste it into docs/performance.md) and writes it to
# bench/results/<date>-<time>.md.
#
#   bench/run.sh              # everything (a few minutes on 2 cores)
#   SIZES="1000 10000" bench/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES="${SIZES:-1000 10000 100000}"
WORK="${WORK:-${TMPDIR:-/tmp}/strata-bench}"
RUNS="${RUNS:-10}"

if ! command -v hyperfine >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  apt-get install -y -qq hyperfine >/dev/null 2>&1 || { apt-get update -qq >/dev/null && apt-get install -y -qq hyperfine >/dev/null; } || true
fi
if [ ! -x /usr/bin/time ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  apt-get install -y -qq time >/dev/null 2>&1 || true
fi

. bench/strata-bin.sh   # sets STRATA (STRATA_BIN=path to measure another binary)
mkdir -p "$WORK" bench/results

# mean and stddev in ms of `$@` (hyperfine if present, else a timed loop)
measure() {
  local runs=$1; shift
  if command -v hyperfine >/dev/null 2>&1; then
    hyperfine -N -i --warmup 1 --runs "$runs" --export-json "$WORK/h.json" "$*" >/dev/null 2>&1
    python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%.1f ± %.1f ms" % (r["mean"]*1000, (r["stddev"] or 0)*1000))' "$WORK/h.json"
  else
    python3 - "$runs" "$@" <<'EOF'
import statistics, subprocess, sys, time
runs = int(sys.argv[1]); cmd = sys.argv[2:]
subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
ts = []
for _ in range(runs):
    t = time.perf_counter(); subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); ts.append(time.perf_counter() - t)
print("%.1f ± %.1f ms" % (statistics.mean(ts) * 1000, (statistics.stdev(ts) if len(ts) > 1 else 0) * 1000))
EOF
  fi
}

# peak RSS in MiB and exit code of `$@`
peak() {
  if [ -x /usr/bin/time ]; then
    local code=0
    /usr/bin/time -v "$@" >/dev/null 2>"$WORK/time.txt" || code=$?
    local kb; kb=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$WORK/time.txt")
    echo "$(( ${kb:-0} / 1024 )) MiB (exit $code)"
  else
    echo "n/a"
  fi
}

report="bench/results/$(date -u +%Y-%m-%d-%H%M).md"
{
  echo "## $(date -u '+%Y-%m-%d %H:%M UTC') — $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  if [ -n "${STRATA_BIN:-}" ]; then
    echo
    echo "Binary: $STRATA_BIN (${STRATA_BIN_NOTE:-built from an unrecorded tree})."
  fi
  echo
  echo "Machine: $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1), $(free -g | awk '/Mem:/{print $2}') GiB RAM, $(uname -sr)."
  echo "Timer: $(command -v hyperfine >/dev/null && hyperfine --version || echo 'python loop'); memory: /usr/bin/time -v."
  echo "Load average at the start: $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min)."
  echo
  echo "| project | lines | command | time (mean ± σ) | peak memory |"
  echo "| --- | ---: | --- | ---: | ---: |"

  p="$WORK/lines-500"
  python3 bench/gen.py --lines 500 "$p" 2>/dev/null
  lines=$(cat "$p"/*.strata | wc -l)
  echo "| 500 lines | $lines | check | $(measure 30 "$STRATA" check "$p") | $(peak "$STRATA" check "$p") |"

  # The generated layer: projects written with cfn.*/tf.*/kube.*/dm.* types load only the types
  # they name (each of these names 5-9 of the 7,500).
  for g in cfn-aws tf-gcp kube dm; do
    gp="tests/generated/projects/$g"
    lines=$(cat "$gp"/*.strata | wc -l)
    echo "| generated: $g | $lines | check | $(measure 30 "$STRATA" check "$gp") | $(peak "$STRATA" check "$gp") |"
  done

  # `strata fmt --check` over examples/: the files themselves (a directory argument is not
  # searched recursively, and the examples nest modules in sub-directories).
  mapfile -t ex < <(find examples -name '*.strata' | sort)
  lines=$(cat "${ex[@]}" | wc -l)
  echo "| examples/ (${#ex[@]} files) | $lines | fmt --check | $(measure 30 "$STRATA" fmt --check "${ex[@]}") | $(peak "$STRATA" fmt --check "${ex[@]}") |"

  for n in $SIZES; do
    p="$WORK/n$n"
    python3 bench/gen.py "$n" "$p" 2>/dev/null
    lines=$(cat "$p"/*.strata | wc -l)
    rm -rf "$p-fmt" && cp -r "$p" "$p-fmt" && "$STRATA" fmt "$p-fmt" >/dev/null 2>&1
    runs=$RUNS
    [ "$n" -ge 100000 ] && runs=3
    echo "| $n resources | $lines | check | $(measure $runs "$STRATA" check "$p") | $(peak "$STRATA" check "$p") |"
    echo "| $n resources | $lines | compile (all targets) | $(measure $runs "$STRATA" compile "$p" --out "$WORK/out-$n") | $(peak "$STRATA" compile "$p" --out "$WORK/out-$n") |"
    echo "| $n resources | $lines | compile --target cloudformation | $(measure $runs "$STRATA" compile "$p" --target cloudformation --out "$WORK/out-cfn-$n") | $(peak "$STRATA" compile "$p" --target cloudformation --out "$WORK/out-cfn-$n") |"
    "$STRATA" cost "$p" --format json >"$WORK/base-$n.json" 2>/dev/null || true
    echo "| $n resources | $lines | cost | $(measure $runs "$STRATA" cost "$p") | $(peak "$STRATA" cost "$p") |"
    echo "| $n resources | $lines | cost --format json | $(measure $runs "$STRATA" cost "$p" --format json) | $(peak "$STRATA" cost "$p" --format json) |"
    echo "| $n resources | $lines | cost --compare-to (markdown) | $(measure $runs "$STRATA" cost "$p" --compare-to "$WORK/base-$n.json" --format markdown) | $(peak "$STRATA" cost "$p" --compare-to "$WORK/base-$n.json" --format markdown) |"
    echo "| $n resources, formatted | $(cat "$p-fmt"/*.strata | wc -l) | fmt --check | $(measure $runs "$STRATA" fmt --check "$p-fmt") | $(peak "$STRATA" fmt --check "$p-fmt") |"
  done
  echo
  stripped="$WORK/strata-stripped"
  if strip -o "$stripped" "$STRATA" 2>/dev/null; then
    echo "Binary: $(stat -c %s "$STRATA") bytes as built, $(stat -c %s "$stripped") bytes stripped ($(( $(stat -c %s "$stripped") / 1048576 )) MiB; target <= 40 MiB)."
  fi
  echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
} | tee "$report"
echo "written to $report" >&2
