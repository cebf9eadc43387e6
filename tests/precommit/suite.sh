#!/usr/bin/env bash
# The real pre-commit tool (pinned in tests/precommit/requirements.txt, in a venv under target/)
# in a temporary git repository that uses this repository's .pre-commit-hooks.yaml:
#   - a commit of a .strata file with a type error is blocked, and the diagnostic is shown;
#   - an unformatted file is blocked by strata-fmt, which names it;
#   - a valid, formatted project commits;
#   - a .toml file other than strata.toml does not trigger strata-check;
#   - an error in a module file (infra/modules/...) blocks the commit: strata-check passes the
#     changed files and `strata check` checks the project that imports the module.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$repo"

venv="$repo/target/test-tools/precommit-venv"
if [ ! -x "$venv/bin/pre-commit" ] || ! cmp -s tests/precommit/requirements.txt "$venv/requirements.txt"; then
  echo "tests/precommit: installing pre-commit into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r tests/precommit/requirements.txt
  cp tests/precommit/requirements.txt "$venv/requirements.txt"
fi

# Why the hooks are `language: system` (docs/editors.md): pre-commit's `language: rust` installs
# a hook repository with `cargo install --bins --root ENV --path .` at the repository's root
# (pre_commit/languages/rust.py; `additional_dependencies: [cli:NAME]` only adds crates.io
# packages to that), and the root manifest here is a virtual workspace, which
# `cargo install --path .` refuses. If the root ever becomes a package, this fails, and the hooks
# can switch to `language: rust`.
root_packages=$(cargo metadata --no-deps --format-version 1 | python3 -c '
import json, os, sys
m = json.load(sys.stdin)
root = os.path.join(m["workspace_root"], "Cargo.toml")
print(" ".join(p["name"] for p in m["packages"] if p["manifest_path"] == root))')
if [ -n "$root_packages" ]; then
  echo "tests/precommit: FAILED: the root Cargo.toml is now a package ($root_packages): pre-commit's language: rust could install it; switch .pre-commit-hooks.yaml to it and update docs/editors.md" >&2
  exit 1
fi
echo "tests/precommit: the root manifest is a virtual workspace (language: rust cannot install it; the hooks use language: system)"

cargo build -q -p strata-cli
export PATH="$repo/target/debug:$venv/bin:$PATH"
command -v strata >/dev/null

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export PRE_COMMIT_HOME="$work/pre-commit-home"

# The hooks as this working tree has them: a repository holding exactly this
# .pre-commit-hooks.yaml, committed (pre-commit needs a revision).
hooks="$work/hooks"
mkdir -p "$hooks"
cp .pre-commit-hooks.yaml "$hooks/"
git -C "$hooks" init -q
git -C "$hooks" add .pre-commit-hooks.yaml
git -C "$hooks" -c user.name=t -c user.email=t@example.invalid commit -q -m hooks
rev="$(git -C "$hooks" rev-parse HEAD)"

proj="$work/project"
mkdir -p "$proj/infra"
cd "$proj"
git init -q
git config user.name tester
git config user.email tester@example.invalid
cat > .pre-commit-config.yaml <<YAML
repos:
  - repo: $hooks
    rev: $rev
    hooks:
      - id: strata-check
      - id: strata-fmt
YAML
pre-commit install >/dev/null
git add .pre-commit-config.yaml
git commit -q -m "pre-commit config" --no-verify

fail() { echo "tests/precommit: FAILED: $*" >&2; exit 1; }

# 1. A type error blocks the commit, and the diagnostic is shown.
cat > infra/main.strata <<'STRATA'
import aws

resource key: aws.kms.Key {
  rotaton = true
}
STRATA
git add infra/main.strata
if git commit -m bad >"$work/out1" 2>&1; then cat "$work/out1"; fail "the commit of a file with an error went through"; fi
grep -q "E2001" "$work/out1" || { cat "$work/out1"; fail "E2001 is not shown"; }
grep -q "rotaton" "$work/out1" || { cat "$work/out1"; fail "the unknown property is not named"; }
grep -q "infra/main.strata" "$work/out1" || { cat "$work/out1"; fail "the file is not named"; }
[ "$(git rev-list --count HEAD)" = 1 ] || fail "a commit was made"
echo "tests/precommit: a type error blocks the commit:"
sed -n '1,12p' "$work/out1" | sed 's/^/    /'

# 2. A valid but unformatted file is blocked by strata-fmt, which names it.
cat > infra/main.strata <<'STRATA'
import aws

resource key:   aws.kms.Key {rotation=true}
STRATA
git add infra/main.strata
if git commit -m unformatted >"$work/out2" 2>&1; then cat "$work/out2"; fail "an unformatted file went through"; fi
grep -q "main.strata" "$work/out2" || { cat "$work/out2"; fail "strata-fmt does not name the file"; }
grep -Eq "strata check.*Passed" "$work/out2" || { cat "$work/out2"; fail "strata check did not pass on a valid file"; }
echo "tests/precommit: an unformatted file is blocked by strata-fmt"

# 3. A valid, formatted project commits.
strata fmt infra/main.strata
git add infra/main.strata
git commit -m good >"$work/out3" 2>&1 || { cat "$work/out3"; fail "a valid, formatted file was blocked"; }
grep -Eq "strata check.*Passed" "$work/out3" && grep -Eq "strata fmt --check.*Passed" "$work/out3" || { cat "$work/out3"; fail "the hooks did not run"; }
[ "$(git rev-list --count HEAD)" = 2 ] || fail "the good commit is missing"
echo "tests/precommit: a valid, formatted file commits"

# 4. Only strata.toml among .toml files triggers strata-check.
printf '[tool.x]\nname = "x"\n' > pyproject.toml
git add pyproject.toml
git commit -m "other toml" >"$work/out4" 2>&1 || { cat "$work/out4"; fail "a commit of another .toml file was blocked"; }
grep -Eq "strata check.*\(no files to check\)Skipped" "$work/out4" || { cat "$work/out4"; fail "strata-check ran for pyproject.toml"; }
echo "tests/precommit: another .toml file does not trigger strata-check"

# 5. A change to a module file checks the project that imports it (infra/, which has the
#    strata.toml), not the module's directory alone (where the module is never instantiated and
#    its error would go unseen).
mkdir -p infra/modules/keys
printf '' > infra/strata.toml
cat > infra/modules/keys/pair.strata <<'STRATA'
import aws

/// Two keys, one for data and one for logs.
module KeyPair {
  param prefix: string
  resource data: aws.kms.Key { description = "${prefix} data" }
  output primary_arn = data.arn
}
STRATA
cat > infra/keys.strata <<'STRATA'
import "./modules/keys" as keys

module main_keys: keys.KeyPair { prefix = "main" }

output primary = main_keys.primary_arn
STRATA
strata fmt infra >/dev/null
git add infra
git commit -m "module" >"$work/out5" 2>&1 || { cat "$work/out5"; fail "a valid project with a module was blocked"; }
sed -i 's/description =/descriptio =/' infra/modules/keys/pair.strata
git add infra/modules/keys/pair.strata
if git commit -m "module typo" >"$work/out6" 2>&1; then cat "$work/out6"; fail "an error in a module file went through"; fi
grep -q "E2001" "$work/out6" && grep -q "infra/modules/keys/pair.strata" "$work/out6" || { cat "$work/out6"; fail "the module's error is not shown"; }
echo "tests/precommit: an error in a module file blocks the commit (its project is checked)"
