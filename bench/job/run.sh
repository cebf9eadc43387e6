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
#   EXAMPLES=0 OTHERS=pkl SIZES=400 bench/job/run.sh    # no example folders; Pkl only
#
# The same job in Pkl and KCL (bench/job/equiv.py) is checked to render the very templates
# `strata compile` writes (bench/compare/verify.py; the run stops if not), then timed the same
# way: `pkl eval` (native binary, pinned in bench/compare/package.json) and KCL through its
# Python API (kcl-lib, pinned in bench/compare/requirements.txt), installed outside the
# repository by bench/compare/tools.sh. A last table gives the ratios the issue asks for.
set -euo pipefail
cd "$(dirname "$0")/../.."

SIZES="${SIZES:-400 4000 40000}"
RUNS="${RUNS:-7}"
IDLE="${IDLE:-4}"
WORK="${WORK:-${TMPDIR:-/tmp}/strata-bench-job}"
SETTINGS="${SETTINGS:-binary eager}"   # binary: as built; eager: MIMALLOC_ARENA_EAGER_COMMIT=2
ENV_NAME="${ENV_NAME:-prod}"
OTHERS="${OTHERS-pkl kcl}"             # which of the other tools to run ("" for none)
TOOLS="${STRATA_TOOLS:-$HOME/.cache/strata-tools}"
python="${PYTHON:-python3}"
log() { echo "job: $*" >&2; }
if [ -n "$OTHERS" ]; then
  . bench/compare/tools.sh   # sets PY and PKL
fi
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

for ex in $([ "${EXAMPLES:-1}" = 1 ] && echo examples/*/); do
  [ -e "$ex/strata.toml" ] || ls "$ex"*.strata >/dev/null 2>&1 || continue
  for s in $SETTINGS; do
    # shellcheck disable=SC2046
    j=$(m $(envs "$s") --label "check $ex" -- "$STRATA" check "$ex")
    row "check ${ex%/}" "$s" "$j" | tee -a "$out"
  done
done
ratios="$WORK/ratios.jsonl"
: > "$ratios"
keep() { echo "$2" | python3 -c 'import json,sys; r=json.load(sys.stdin); r["n"]=int(sys.argv[1]); r["what"]=sys.argv[2]; print(json.dumps(r))' "$1" "$3" >> "$ratios"; }
for n in $SIZES; do
  dir="$WORK/job$n"
  rm -rf "$dir" "$WORK/equiv$n"
  python3 bench/job/gen.py "$n" "$dir"
  python3 bench/job/equiv.py "$n" "$WORK/equiv$n"
  "$STRATA" compile "$dir" --env "$ENV_NAME" --target cloudformation --out "$WORK/out$n" >&2
  for o in $OTHERS; do
    case "$o" in
      pkl) "$PKL" eval -p "env=$ENV_NAME" -o "$WORK/pkl$n.json" "$WORK/equiv$n/main.pkl" ;;
      kcl) "$PY" bench/compare/kcl_run.py "$WORK/equiv$n/main.k" "$WORK/kcl$n.json" "$ENV_NAME" ;;
    esac
    python3 bench/compare/verify.py "$WORK/out$n/cloudformation" "$WORK/$o$n.json" || { log "$o does not render the same templates: no figures"; exit 1; }
  done
  for s in $SETTINGS; do
    # shellcheck disable=SC2046
    j=$(m $(envs "$s") --label "check $n" -- "$STRATA" check "$dir" --env "$ENV_NAME")
    row "check, $n resources" "$s" "$j" | tee -a "$out"
    [ "$s" = binary ] && keep "$n" "$j" check
    # shellcheck disable=SC2046
    j=$(m $(envs "$s") --label "compile $n" -- "$STRATA" compile "$dir" --env "$ENV_NAME" --target cloudformation --out "$WORK/out$n")
    row "compile --target cloudformation, $n resources" "$s" "$j" | tee -a "$out"
    [ "$s" = binary ] && keep "$n" "$j" compile
  done
  for o in $OTHERS; do
    case "$o" in
      pkl) j=$(m --label "pkl $n" -- "$PKL" eval -p "env=$ENV_NAME" -o "$WORK/pkl$n.json" "$WORK/equiv$n/main.pkl") ;;
      kcl) j=$(m --label "kcl $n" -- "$PY" bench/compare/kcl_run.py "$WORK/equiv$n/main.k" "$WORK/kcl$n.json" "$ENV_NAME") ;;
    esac
    row "$o, $n resources" "-" "$j" | tee -a "$out"
    keep "$n" "$j" "$o"
  done
done
if [ -n "$OTHERS" ]; then
  {
    echo
    echo "Versions: $("$PKL" --version | head -1); kcl-lib $("$PY" -c 'import importlib.metadata as m; print(m.version("kcl-lib"))') (Python API)."
    echo
    python3 bench/job/ratios.py "$ratios"
  } | tee -a "$out"
fi
{
  echo
  echo "Load after: $(uptime | sed 's/.*load average/load average/')"
} | tee -a "$out"
echo "written: $out" >&2
