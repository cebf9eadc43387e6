#!/usr/bin/env bash
# The example projects (examples/, one per seed architecture) judged by the real tools.
#
# Every example is compiled for dev, staging and prod (and `strata init`'s starter project for
# its environments), then each validator runs once over the whole output tree:
#   cfn-lint                        CloudFormation           (errors fail; warnings are shown)
#   terraform fmt -check            Terraform layout
#   python-hcl2                     Terraform parses, every file has resources
#   tests/validators/tf_schema_check.py  Terraform arguments and blocks against the provider schemas
#   kubernetes-validate --strict    Kubernetes manifests     (custom resources have no schema)
#   tests/validators/dm_check.py    Deployment Manager structure
#   checkov                         CloudFormation, Terraform, Kubernetes: every failed check must
#                                   be listed in docs/checkov-examples.md with the reason it does not
#                                   apply; any other failed check fails the suite
# The tools are the ones tests/validators/setup.sh pins (run it first; tests/run.sh does). A
# missing tool fails the suite, nothing is skipped. Snapshots, `strata check` cleanliness and
# determinism of the same examples are tested in compiler/strata-cli/tests/examples.rs.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$repo"

tools="${STRATA_TOOLS:-$HOME/.cache/strata-tools}"
fail() { echo "tests/examples: FAILED: $*" >&2; exit 1; }
need() { [ -x "$1" ] || fail "$1 is missing: run tests/validators/setup.sh (STRATA_TOOLS=$tools)"; }
need "$tools/lint/bin/cfn-lint"
need "$tools/lint/bin/kubernetes-validate"
need "$tools/lint/bin/python"
need "$tools/checkov/bin/checkov"
terraform="$(command -v terraform || true)"
[ -n "$terraform" ] || terraform=/usr/local/bin/terraform
need "$terraform"

examples=(deploy-ready/aws deploy-ready/gcp deploy-ready/azure ragonometrics-aws ragonometrics-gcp community-platform community-platform/dr infrastructure-directory circle-core infini-x)
envs=(dev staging prod)

cargo build -q -p strata-cli
strata="$repo/target/debug/strata"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
out="$work/out"
start=$(date +%s)

# 1. Compile everything.
for ex in "${examples[@]}"; do
  for env in "${envs[@]}"; do
    "$strata" compile "examples/$ex" --env "$env" --out "$out/$ex/$env" >/dev/null 2>"$work/stderr" \
      || { cat "$work/stderr" >&2; fail "strata compile examples/$ex --env $env"; }
  done
done
# The starter project `strata init` writes compiles as it is, for each of its environments.
"$strata" init "$work/init" >/dev/null 2>"$work/stderr" || { cat "$work/stderr" >&2; fail "strata init"; }
for env in "${envs[@]}"; do
  "$strata" compile "$work/init" --env "$env" --out "$out/strata-init/$env" >/dev/null 2>"$work/stderr" \
    || { cat "$work/stderr" >&2; fail "strata compile of the strata init project --env $env"; }
done
echo "tests/examples: compiled ${#examples[@]} examples and the init project for ${#envs[@]} environments in $(( $(date +%s) - start ))s"

mapfile -t cfn < <(find "$out" -path '*/cloudformation/*' -type f \( -name '*.json' -o -name '*.yaml' \) | sort)
mapfile -t tf < <(find "$out" -path '*/terraform/*' -type f -name '*.tf' | sort)
mapfile -t k8s < <(find "$out" -path '*/kubernetes/*' -type f -name '*.yaml' | sort)
mapfile -t dm < <(find "$out" -path '*/deployment-manager/*' -type f -name '*.yaml' | sort)
echo "tests/examples: ${#cfn[@]} CloudFormation, ${#tf[@]} Terraform, ${#k8s[@]} Kubernetes, ${#dm[@]} Deployment Manager files"
[ "${#cfn[@]}" -gt 0 ] && [ "${#tf[@]}" -gt 0 ] && [ "${#k8s[@]}" -gt 0 ] && [ "${#dm[@]}" -gt 0 ] || fail "a target is missing from the examples' output"

failed=()
check() {
  local name="$1"
  shift
  local t0
  t0=$(date +%s)
  if "$@" >"$work/log" 2>&1; then
    echo "== $name: ok ($(( $(date +%s) - t0 ))s) $(tail -1 "$work/log")"
  else
    echo "== $name: FAILED"
    sed 's/^/   /' "$work/log" | head -200
    failed+=("$name")
  fi
}

# 2. The validators, one invocation each over the whole tree.
tfrc="$work/terraformrc"
: >"$tfrc"
check "cfn-lint" "$tools/lint/bin/cfn-lint" --non-zero-exit-code error -- "${cfn[@]}"
check "terraform fmt -check" env TF_CLI_CONFIG_FILE="$tfrc" CHECKPOINT_DISABLE=1 "$terraform" fmt -check -diff -recursive "$out"
check "python-hcl2" "$tools/lint/bin/python" -c '
import sys, hcl2
for p in sys.argv[1:]:
    with open(p, encoding="utf-8") as f:
        doc = hcl2.load(f)
    assert doc.get("resource"), p + ": no resources"
print("parsed", len(sys.argv) - 1)' "${tf[@]}"
check "tf_schema_check.py (Terraform against the provider schemas of generated/)" "$tools/lint/bin/python" tests/validators/tf_schema_check.py "${tf[@]}"
check "kubernetes-validate --strict" "$tools/lint/bin/kubernetes-validate" --strict "${k8s[@]}"
discovery="$(ls "$tools"/wheels/google_api_python_client-*.whl 2>/dev/null | head -1)"
[ -n "$discovery" ] || fail "the API discovery documents are missing: run tests/validators/setup.sh"
check "dm_check.py" "$tools/lint/bin/python" tests/validators/dm_check.py --discovery "$discovery" "${dm[@]}"
# Every Deployment Manager type the stdlib can write, not only those the examples use (an API
# version starts with a digit: `compute.v1.instance`, not the curated `gcp.vpcaccess.Connector`).
{ grep -rhoE 'gcp-types/[a-z0-9-]+:[a-zA-Z.]+' stdlib/lower; grep -rhoE '^type = "[a-z]+\.v[0-9][0-9a-z]*\.[a-zA-Z]+"' stdlib/lower | cut -d'"' -f2; } | sort -u \
  | awk 'BEGIN { print "resources:" } { printf "- name: t%d\n  type: %s\n  properties: {}\n", NR, $0 }' >"$work/stdlib-types.yaml"
check "dm_check.py (every Deployment Manager type of stdlib/lower)" "$tools/lint/bin/python" tests/validators/dm_check.py --discovery "$discovery" "$work/stdlib-types.yaml"

# 3. checkov: every failed check must be accepted in docs/checkov-examples.md.
# CloudFormation is scanned outside the kubernetes/ folders: checkov's CloudFormation runner
# takes any YAML whose text contains `Resources` for a template (a Kubernetes
# VerticalPodAutoscaler's `controlledResources`) and reports it as a parsing error. (One run
# with a `-d` per folder is no way out: checkov 3.3 then scans the first folder each time.)
checkov_parity() {
  local ckv=(env BC_SKIP_MAPPING=TRUE CKV_SKIP_PACKAGE_UPDATE_CHECK=TRUE "$tools/checkov/bin/checkov"
    -o json --compact --quiet --skip-download --soft-fail)
  "${ckv[@]}" -d "$out" --framework terraform,kubernetes \
    >"$work/checkov.json" 2>"$work/checkov.err" || { cat "$work/checkov.err"; return 1; }
  "${ckv[@]}" -d "$out" --framework cloudformation --skip-path /kubernetes/ \
    >"$work/checkov-cfn.json" 2>"$work/checkov.err" || { cat "$work/checkov.err"; return 1; }
  "$tools/lint/bin/python" - "$work/checkov.json" docs/checkov-examples.md "$out" "$work/checkov-cfn.json" <<'PY'
import json, re, sys
report, parity, root = sys.argv[1], sys.argv[2], sys.argv[3]
reports = []
for path in [report] + sys.argv[4:]:
    # Read every JSON document of the file (checkov may write one after the other).
    text, at, dec = open(path, encoding="utf-8").read(), 0, json.JSONDecoder()
    while text[at:].strip():
        data, end = dec.raw_decode(text[at:].lstrip())
        at = len(text) - len(text[at:].lstrip()) + end
        reports += [r for r in (data if isinstance(data, list) else [data]) if "check_type" in r]
if not reports:
    sys.exit("checkov found nothing to scan")
accepted = set(re.findall(r"^\|\s*`(CKV2?_[A-Z0-9]+_[0-9]+)`", open(parity, encoding="utf-8").read(), re.M))
failed, passed, unknown = {}, 0, []
for r in reports:
    s = r["summary"]
    passed += s["passed"]
    if s.get("parsing_errors"):
        unknown.append(f"{r['check_type']}: {s['parsing_errors']} parsing error(s)")
    for c in r["results"]["failed_checks"]:
        failed.setdefault(c["check_id"], []).append(f"{c['file_abs_path'].replace(root + '/', '')} {c['resource']}")
for cid, where in sorted(failed.items()):
    if cid not in accepted:
        unknown.append(f"{cid} ({len(where)}): " + "; ".join(sorted(set(where))[:5]))
print(f"checkov: {passed} passed, {sum(map(len, failed.values()))} failed in {len(failed)} checks, all of them accepted in docs/checkov-examples.md" if not unknown else "checkov: failed checks not in docs/checkov-examples.md:")
for u in unknown:
    print("  " + u)
stale = sorted(accepted - set(failed))
if stale:
    print("  (listed in the parity doc but not failing here: " + ", ".join(stale) + ")")
sys.exit(1 if unknown else 0)
PY
}
check "checkov (against docs/checkov-examples.md)" checkov_parity

echo "tests/examples: done in $(( $(date +%s) - start ))s"
[ "${#failed[@]}" -eq 0 ] || fail "${failed[*]}"
