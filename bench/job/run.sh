#!/usr/bin/env bash
# Issue 17's job (bench/job/gen.py: N services of an S3 bucket, an SQS queue, an RDS Postgres
# instance and its security group) at 400 / 4,000 / 40,000 resources, and `strata check` of
# each example: warm (back to back) and cold (after IDLE seconds idle), median, p90 and peak
# RSS (bench/job/measure.py), for the binary's allocator setting and, for comparison, with
# MIMALLOC_ARENA_EAGER_COMMIT=2 (mimalloc's default, what the binary did before). Writes
# bench/results/job-<date>-<time>.md. Nothing here runs in tests/run.sh (timing is not tested).
#
#   bench/job/run.sh
#   SIZES="400 4000" RUNS=5 IDLE=4 bench/job/run.sh
#
# Pkl and KCL versions of the job are not written yet (see docs/performance.md): the side-by-
# side comparison with them is bench/compare/run.sh on the older job shape.
set -euo pipefail
cd "$(dirname "$0")/../.."

SIZES="${SIZES:-400 4000 40000}"
RUNS="${RUNS:-7}"
IDLE="${IDLE:-4}"
WORK="${WORK:-${TMPDIR:-/tmp}/strata-bench-job}"
SETTINGS="${SETTINGS:-binary eager}"   # binary: as built; eager: MIMALLOC_ARENA_EAGER_COMMIT=2
. bench/strata-bin.sh   # sets STRATA (STRATA_BIN=path to measure another binary)
mkdir -p "$WORK" bench/results
out="bench/results/job-$(date -u +%Y-%m-%d-%H%M).md"
m() { python3 bench/job/measure.py --runs "$RUNS" --idle "$IDLE" "$@"; }
envs() { case "$1" in binary) ;; eager) echo "--env MIMALLOC_ARENA_EAGER_COMMIT=2" ;; esac; }

{
  echo "# bench/job/run.sh, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo), Linux $(uname -r). Binary: $STRATA. Runs: $RUNS warm + $RUNS cold (idle ${IDLE} s before each)."
  echo
  echo "Load before: $(uptime | sed 's/.*load average/load average/')"
  echo
  echo "| what | allocator | warm median | warm p90 | cold median | cold p90 | peak RSS |"
  echo "| --- | --- | ---: | ---: | ---: | ---: | ---: |"
} | tee "$out"

row() { # label setting json
  python3 -c 'import json,sys; r=json.loads(sys.argv[3]); w=r["warm_ms"]; c=r["cold_ms"] or {"median":0,"p90":0}
print("| %s | %s | %.0f ms | %.0f ms | %.0f ms | %.0f ms | %.0f MiB |" % (sys.argv[1], sys.argv[2], w["median"], w["p90"], c["median"], c["p90"], r["peak_rss_mib"]))' "$1" "$2" "$3"
}

for ex in examples/*/; do
  [ -e "$ex/strata.toml" ] || ls "$ex"*.strata >/dev/null 2>&1 || continue
  for s in $SETTINGS; do
    # shellcheck disable=SC2046
    j=$(m $(envs "$s") --label "check $ex" -- "$STRATA" check "$ex")
    row "check ${ex%/}" "$s" "$j" | tee -a "$out"
  done
done
for n in $SIZES; do
  dir="$WORK/job$n"
  python3 bench/job/gen.py "$n" "$dir"
  for s in $SETTINGS; do
    # shellcheck disable=SC2046
    j=$(m $(envs "$s") --label "check $n" -- "$STRATA" check "$dir")
    row "check, $n resources" "$s" "$j" | tee -a "$out"
    # shellcheck disable=SC2046
    j=$(m $(envs "$s") --label "compile $n" -- "$STRATA" compile "$dir" --target cloudformation --out "$WORK/out$n")
    row "compile --target cloudformation, $n resources" "$s" "$j" | tee -a "$out"
  done
done
{
  echo
  echo "Load after: $(uptime | sed 's/.*load average/load average/')"
} | tee -a "$out"
echo "written: $out" >&2
