#!/usr/bin/env bash
# Side-by-side benchmark: Strata against the tools it replaces, on the same architecture.
#
# For each size N (default 1,000 and 10,000 resources) it writes bench/gen.py's project (KMS
# keys, S3 buckets, SQS queues with dead-letter queues, log groups) and the same configuration
# in KCL, Pkl and Jsonnet (bench/compare/gen_equiv.py, which reads that project), checks that all of them render the very
# CloudFormation templates `strata compile` writes, one per stack of at most 400 resources (each
# program renders one JSON object of the templates by stack name; bench/compare/verify.py; the
# run stops if not), then times, each several times (hyperfine, or a timed loop without it):
#
#   strata check / strata compile (CloudFormation + Terraform) / strata compile --target cloudformation
#   pkl eval (native binary)      -> JSON     KCL (kcl_lib.api, Python)  -> JSON
#   jsonnet (C++, Python binding) -> JSON
#   cfn-lint on the CloudFormation templates `strata compile` wrote
#   checkov on the CloudFormation and Terraform `strata compile` wrote
#
# and prints a Markdown table (also written to bench/results/compare-<date>-<time>.md) with the
# machine, load average, tool versions, mean ± σ and each tool's time divided by Strata's.
#
#   bench/compare/run.sh
#   SIZES="1000" RUNS=5 bench/compare/run.sh
#
# Tools are pinned: bench/compare/requirements.txt + constraints.txt (a venv in
# $STRATA_TOOLS/compare), bench/compare/package.json + package-lock.json (node_modules in
# $STRATA_TOOLS/compare-node), cfn-lint and checkov from tests/validators/setup.sh
# (tests/requirements.txt). STRATA_TOOLS defaults to ~/.cache/strata-tools. Nothing is
# installed into the repository.
set -euo pipefail
cd "$(dirname "$0")/../.."

SIZES="${SIZES:-1000 10000}"
RUNS="${RUNS:-10}"           # runs per measurement of commands under ~2 s
RUNS_SLOW="${RUNS_SLOW:-3}"  # runs per measurement of commands that take seconds
RUNS_LARGE="${RUNS_LARGE:-1}" # runs of cfn-lint and checkov at 10,000 resources or more (minutes each)
TIMEOUT="${TIMEOUT:-600}"    # seconds; a run of cfn-lint or checkov that takes longer is stopped
ENV_NAME="${ENV_NAME:-dev}"
TOOLS="${STRATA_TOOLS:-$HOME/.cache/strata-tools}"
WORK="${WORK:-${TMPDIR:-/tmp}/strata-bench-compare}"
here="bench/compare"
python="${PYTHON:-python3}"

log() { echo "compare: $*" >&2; }

# ---------------------------------------------------------------------------- tools
if ! command -v hyperfine >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  apt-get install -y -qq hyperfine >/dev/null 2>&1 || { apt-get update -qq >/dev/null && apt-get install -y -qq hyperfine >/dev/null; } || true
fi

bash tests/validators/setup.sh >&2   # cfn-lint (lint venv), checkov (checkov venv); idempotent

. "$here/tools.sh"   # sets PY (KCL, Jsonnet) and PKL; installs them when missing
CFN_LINT="$TOOLS/lint/bin/cfn-lint"
CHECKOV="$TOOLS/checkov/bin/checkov"
export BC_SKIP_MAPPING=TRUE CKV_SKIP_PACKAGE_UPDATE_CHECK=TRUE

. bench/strata-bin.sh   # sets STRATA (STRATA_BIN=path to measure another binary)

mkdir -p "$WORK" bench/results
results="$WORK/results.tsv"
: > "$results"

# ------------------------------------------------------------------------- measure
# measure N-RESOURCES LABEL RUNS WARMUP CMD... -> a line "n label mean_s stddev_s runs exit" in $results
measure() {
  local n=$1 label=$2 runs=$3 warmup=$4
  shift 4
  log "N=$n: $label ($runs runs): $*"
  if command -v hyperfine >/dev/null 2>&1; then
    hyperfine -N -i --warmup "$warmup" --runs "$runs" --export-json "$WORK/h.json" "$(printf '%q ' "$@")" >/dev/null 2>&1
    "$python" - "$WORK/h.json" "$n" "$label" >>"$results" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
codes = sorted(set(r.get("exit_codes") or [0]))
print("\t".join([sys.argv[2], sys.argv[3], repr(r["mean"]), repr(r["stddev"] or 0.0), str(len(r["times"])), ",".join(map(str, codes))]))
EOF
  else
    "$python" - "$n" "$label" "$runs" "$warmup" "$@" >>"$results" <<'EOF'
import statistics, subprocess, sys, time
n, label, runs, warmup, cmd = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5:]
for _ in range(warmup):
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
ts, codes = [], set()
for _ in range(runs):
    t = time.perf_counter()
    codes.add(subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode)
    ts.append(time.perf_counter() - t)
sd = statistics.stdev(ts) if len(ts) > 1 else 0.0
print("\t".join([n, label, repr(statistics.mean(ts)), repr(sd), str(runs), ",".join(map(str, sorted(codes)))]))
EOF
  fi
}

load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
started="$(date -u '+%Y-%m-%d %H:%M UTC')"

for n in $SIZES; do
  dir="$WORK/n$n"
  rm -rf "$dir"
  mkdir -p "$dir"
  "$python" bench/gen.py "$n" "$dir/strata"
  "$python" "$here/gen_equiv.py" "$dir/strata" "$dir/equiv"
  # What the after-the-fact tools read: Strata's own output.
  "$STRATA" compile "$dir/strata" --env "$ENV_NAME" --out "$dir/out" >&2
  "$STRATA" compile "$dir/strata" --env "$ENV_NAME" --target cloudformation --out "$dir/out-cfn" >&2
  templates=("$dir"/out/cloudformation/*.template.json)   # one per stack
  # Same output, or no numbers.
  "$PY" "$here/kcl_run.py" "$dir/equiv/main.k" "$dir/kcl.json" "$ENV_NAME"
  "$PKL" eval -p "env=$ENV_NAME" -o "$dir/pkl.json" "$dir/equiv/main.pkl"
  "$PY" "$here/jsonnet_run.py" "$dir/equiv/main.jsonnet" "$dir/jsonnet.json" "$ENV_NAME"
  "$python" "$here/verify.py" "$dir/out/cloudformation" "$dir/kcl.json" "$dir/pkl.json" "$dir/jsonnet.json"
  # Lines of each source, for the table.
  {
    echo -e "$n\tlines:strata\t$(cat "$dir"/strata/*.strata | wc -l)"
    for f in k pkl jsonnet; do echo -e "$n\tlines:$f\t$(wc -l < "$dir/equiv/main.$f")"; done
    echo -e "$n\tbytes:cloudformation\t$(cat "${templates[@]}" | wc -c)"
    echo -e "$n\ttemplates:cloudformation\t${#templates[@]}"
    echo -e "$n\tbytes:terraform\t$(cat "$dir"/out/terraform/*/*.tf | wc -c)"
  } > "$dir/sizes.tsv"

  # cfn-lint and checkov take minutes at 10,000 resources (cfn-lint had not finished after
  # 14 minutes in a trial): one run, no warm-up, stopped after $TIMEOUT seconds (exit 124).
  lint_runs=$RUNS_SLOW lint_warmup=1
  if [ "$n" -ge 10000 ]; then lint_runs=$RUNS_LARGE lint_warmup=0; fi
  measure "$n" "strata check" "$RUNS" 1 "$STRATA" check "$dir/strata" --env "$ENV_NAME"
  measure "$n" "strata compile" "$RUNS" 1 "$STRATA" compile "$dir/strata" --env "$ENV_NAME" --out "$dir/out-bench"
  measure "$n" "strata compile --target cloudformation" "$RUNS" 1 "$STRATA" compile "$dir/strata" --env "$ENV_NAME" --target cloudformation --out "$dir/out-cfn-bench"
  measure "$n" "pkl" "$RUNS" 1 "$PKL" eval -p "env=$ENV_NAME" -o "$dir/pkl-bench.json" "$dir/equiv/main.pkl"
  measure "$n" "kcl" "$RUNS_SLOW" 1 "$PY" "$here/kcl_run.py" "$dir/equiv/main.k" "$dir/kcl-bench.json" "$ENV_NAME"
  measure "$n" "jsonnet" "$RUNS_SLOW" 1 "$PY" "$here/jsonnet_run.py" "$dir/equiv/main.jsonnet" "$dir/jsonnet-bench.json" "$ENV_NAME"
  measure "$n" "cfn-lint" "$lint_runs" "$lint_warmup" timeout "$TIMEOUT" "$CFN_LINT" "${templates[@]}"
  measure "$n" "checkov" "$lint_runs" "$lint_warmup" timeout "$TIMEOUT" "$CHECKOV" -d "$dir/out" --framework cloudformation,terraform \
    --compact --quiet --skip-download --soft-fail -o json
done
# The fixed start-up cost inside the KCL and Jsonnet figures (Python and the binding's import).
measure 0 "python: import kcl_lib.api" "$RUNS" 1 "$PY" -c "import kcl_lib.api"
measure 0 "python: import _jsonnet" "$RUNS" 1 "$PY" -c "import _jsonnet"

# Findings of the after-the-fact tools on Strata's output, once per size below 10,000 (not timed).
for n in $SIZES; do
  dir="$WORK/n$n"
  [ "$n" -lt 10000 ] || continue
  "$CFN_LINT" "$dir"/out/cloudformation/*.template.json > "$dir/cfn-lint.txt" 2>&1 || true
  "$CHECKOV" -d "$dir/out" --framework cloudformation,terraform --compact --quiet --skip-download --soft-fail \
    -o json > "$dir/checkov.json" 2>/dev/null || true
done

load_after="$(cut -d' ' -f1-3 /proc/loadavg)"

versions="$WORK/versions.txt"
{
  if [ -n "${STRATA_BIN:-}" ]; then
    echo "strata: the binary $STRATA_BIN (${STRATA_BIN_NOTE:-built from an unrecorded tree}), tree at $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  else
    echo "strata $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD -- compiler stdlib 2>/dev/null || echo ' (+ uncommitted changes in compiler/ or stdlib/)')"
  fi
  "$PKL" --version | head -1
  echo "kcl-lib $("$PY" -c 'import importlib.metadata as m; print(m.version("kcl-lib"))') (Python API)"
  echo "jsonnet $("$PY" -c 'import _jsonnet; print(_jsonnet.version)') (C++ implementation, Python binding)"
  echo "cfn-lint $("$CFN_LINT" --version | sed 's/^cfn-lint //')"
  echo "checkov $("$CHECKOV" --version)"
  echo "$("$PY" --version) ($PY)"
  command -v hyperfine >/dev/null && hyperfine --version || echo "timer: python loop"
} > "$versions"

report="bench/results/compare-$(date -u +%Y-%m-%d-%H%M).md"
"$python" "$here/report.py" "$results" "$versions" "$WORK" "$started" "$load_before" "$load_after" \
  "$RUNS" "$RUNS_SLOW" "$RUNS_LARGE" "$TIMEOUT" "$ENV_NAME" $SIZES | tee "$report"
log "written to $report"
