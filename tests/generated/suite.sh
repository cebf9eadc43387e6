#!/usr/bin/env bash
# The generated layer (generated/, the `cfn`/`tf`/`kube`/`dm` families), judged from outside:
#
#   1. regeneration: the pinned sources (tools/strata-gen/sources.toml: cfn-lint, kubernetes-
#      validate and google-api-python-client from PyPI, the @cdktf/provider-* packages from
#      npm) are fetched and checked by sha256, strata-gen runs, and generated/ must match it
#      byte for byte (`strata-gen --check`);
#   2. the projects of tests/generated/projects compile, and their output passes
#        cfn-lint                                  CloudFormation
#        terraform fmt -check, python-hcl2         Terraform layout and syntax
#        tests/validators/tf_schema_check.py       Terraform against the provider schemas
#        kubernetes-validate --strict              Kubernetes
#        tests/validators/dm_check.py --discovery  Deployment Manager
#
# check cleanliness, snapshots and --target errors of the same projects are tested in
# compiler/strata-cli/tests/generated.rs. The validators are those tests/validators/setup.sh pins.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$repo"
tools="${STRATA_TOOLS:-$HOME/.cache/strata-tools}"
fail() { echo "tests/generated: FAILED: $*" >&2; exit 1; }
for exe in "$tools/lint/bin/cfn-lint" "$tools/lint/bin/kubernetes-validate" "$tools/lint/bin/python"; do
  [ -x "$exe" ] || fail "$exe is missing: run tests/validators/setup.sh"
done
terraform="$(command -v terraform || echo /usr/local/bin/terraform)"

start=$(date +%s)
failed=()
check() {
  local name="$1"; shift
  if "$@" >"$work/log" 2>&1; then
    echo "== $name: ok $(tail -1 "$work/log")"
  else
    echo "== $name: FAILED"; sed 's/^/   /' "$work/log" | head -100; failed+=("$name")
  fi
}
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# 1. Regeneration from the pinned sources.
check "strata-gen --check (generated/ matches a regeneration)" env STRATA_GEN_PROFILE=dev tools/strata-gen/regen.sh --check

# 2. Compile the projects, then the validators.
cargo build -q -p strata-cli
strata="$repo/target/debug/strata"
for p in tests/generated/projects/*/; do
  name="$(basename "$p")"
  "$strata" compile "$p" --out "$work/out/$name" >/dev/null 2>"$work/stderr" || { cat "$work/stderr" >&2; fail "strata compile $p"; }
done
mapfile -t cfn < <(find "$work/out" -path '*/cloudformation/*' -name '*.json' | sort)
mapfile -t tf < <(find "$work/out" -path '*/terraform/*' -name '*.tf' | sort)
mapfile -t k8s < <(find "$work/out" -path '*/kubernetes/*' -name '*.yaml' | sort)
mapfile -t dm < <(find "$work/out" -path '*/deployment-manager/*' -name '*.yaml' | sort)
[ "${#cfn[@]}" -gt 0 ] && [ "${#tf[@]}" -ge 3 ] && [ "${#k8s[@]}" -gt 0 ] && [ "${#dm[@]}" -gt 0 ] || fail "a target is missing from the output"
tfrc="$work/terraformrc"; : >"$tfrc"
check "cfn-lint" "$tools/lint/bin/cfn-lint" --non-zero-exit-code error -- "${cfn[@]}"
check "terraform fmt -check" env TF_CLI_CONFIG_FILE="$tfrc" CHECKPOINT_DISABLE=1 "$terraform" fmt -check -diff -recursive "$work/out"
check "python-hcl2" "$tools/lint/bin/python" -c 'import sys, hcl2; [hcl2.load(open(p)) for p in sys.argv[1:]]; print("parsed", len(sys.argv) - 1)' "${tf[@]}"
check "tf_schema_check.py" "$tools/lint/bin/python" tests/validators/tf_schema_check.py "${tf[@]}"
check "kubernetes-validate --strict" "$tools/lint/bin/kubernetes-validate" --strict "${k8s[@]}"
discovery="$(ls "$tools"/wheels/google_api_python_client-*.whl 2>/dev/null | head -1)"
check "dm_check.py --discovery" "$tools/lint/bin/python" tests/validators/dm_check.py --discovery "$discovery" "${dm[@]}"

echo "tests/generated: done in $(( $(date +%s) - start ))s"
[ "${#failed[@]}" -eq 0 ] || fail "${failed[*]}"
