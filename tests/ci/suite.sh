#!/usr/bin/env bash
# docs/ci.md, run: the commands of its GitHub Actions workflow, in a git repository holding a
# copy of examples/quickstart in infra/ (a base commit, then a pull-request commit that adds a
# resource). Each command must appear on docs/ci.md word for word, so the page and this test
# cannot drift apart.
#   - `strata check --format github`: every line a workflow command with the file relative to
#     the repository root (run from a sub-directory too), exit code as `strata check`;
#   - `strata compile`: the build directory;
#   - `strata cost --compare-to` against the base commit's estimate (skipped, saying so, while
#     `strata cost` has no `--compare-to`);
#   - `strata check --format sarif`: valid for code scanning (tests/validators/sarif/check.py),
#     URIs relative to the repository root, which `%SRCROOT%` names.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$repo"
fail() { echo "tests/ci: FAILED: $*" >&2; exit 1; }

cargo build -q -p strata-cli
export PATH="$repo/target/debug:$PATH"

# The workflow's commands, as docs/ci.md writes them.
check_github='strata check infra --env prod --format github'
compile='strata compile infra --env prod --out build'
cost_base='strata cost base/infra --env prod --format json > base-cost.json'
cost_compare='strata cost infra --env prod --format markdown --compare-to base-cost.json > cost.md'
sarif='strata check infra --env prod --format sarif > strata.sarif'
for c in "$check_github" "$compile" "$cost_base" "$cost_compare" "$sarif"; do
  grep -qF -- "$c" docs/ci.md || fail "docs/ci.md no longer shows \`$c\`: update this suite with the page"
done

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
git init -q ci-repo
cd ci-repo
git config user.name ci
git config user.email ci@example.invalid
cp -r "$repo/examples/quickstart" infra
rm -rf infra/out
git add infra
git commit -q -m base
base=$(git rev-parse HEAD)
# The pull request: one more bucket.
cat >> infra/main.strata <<'STRATA'

resource reports: ObjectStore { versioning = true }
STRATA
git commit -q -am "pull request"

# 1. Check with annotations.
status=0
eval "$check_github" >github.out 2>github.err || status=$?
[ "$status" -le 1 ] || { cat github.err; fail "strata check exited $status"; }
[ -s github.out ] || fail "no annotations for a project with findings"
while IFS= read -r line; do
  [[ "$line" =~ ^::(error|warning|notice)\ (file=([^,]+),line=[0-9]+,col=[0-9]+,endLine=[0-9]+,endColumn=[0-9]+,)?title=[A-Z]+[0-9]+::.+$ ]] \
    || fail "not a workflow command: $line"
  f="${BASH_REMATCH[3]:-}"
  [ -z "$f" ] || [ -f "$f" ] || fail "annotation for a file not relative to the repository root: $f"
done <github.out
grep -q "^::notice .*title=COST006" github.out || fail "the expected COST006 notice is missing: $(cat github.out)"
# The same from a sub-directory: paths stay relative to the repository root.
(cd infra && strata check . --env prod --format github >../github-sub.out 2>/dev/null) || true
cmp -s github.out github-sub.out || fail "annotations differ when run from infra/: $(diff github.out github-sub.out)"
# An error: exit 2 and an ::error line.
cp infra/main.strata main.strata.bak
sed -i 's/versioning = true }/versoning = true }/' infra/main.strata
status=0
strata check infra --env prod --format github >error.out 2>/dev/null || status=$?
[ "$status" = 2 ] || fail "a type error exited $status, not 2"
grep -q '^::error file=infra/main.strata,.*title=E2001::unknown property `versoning`%0Ahelp: did you mean `versioning`?' error.out \
  || fail "the E2001 annotation: $(cat error.out)"
mv main.strata.bak infra/main.strata
echo "tests/ci: $(wc -l <github.out) annotations, paths relative to the repository root"

# 2. Compile.
eval "$compile" >compile.out 2>compile.err || { cat compile.err; fail "strata compile"; }
[ -f build/cloudformation/main.template.json ] || [ -n "$(find build -name '*.tf' -print -quit)" ] || fail "nothing compiled into build/"
echo "tests/ci: compiled $(wc -l <compile.out) files into build/"

# 3. Cost comment against the base branch.
git worktree add -q base "$base"
eval "$cost_base" 2>cost-base.err || { cat cost-base.err; fail "strata cost of the base commit"; }
python3 -c 'import json,sys; d=json.load(open("base-cost.json")); assert d["monthly_total"] > 0, d' || fail "base-cost.json"
if strata cost --help | grep -q -- "--compare-to"; then
  eval "$cost_compare" 2>cost.err || { cat cost.err; fail "strata cost --compare-to"; }
  [ -s cost.md ] || fail "cost.md is empty"
  grep -q "reports" cost.md || fail "the added bucket is not in the cost comparison: $(cat cost.md)"
  echo "tests/ci: cost comment with --compare-to ($(wc -l <cost.md) lines)"
else
  strata cost infra --env prod --format markdown > cost.md
  [ -s cost.md ] || fail "cost.md is empty"
  echo "tests/ci: SKIPPED the cost comparison: \`strata cost --compare-to\` does not exist yet (being added to strata cost); checked \`strata cost --format markdown\` alone"
fi

# 4. SARIF for code scanning.
status=0
eval "$sarif" 2>sarif.err || status=$?
[ "$status" -le 1 ] || { cat sarif.err; fail "strata check --format sarif exited $status"; }
python3 - <<'PY' || fail "strata.sarif"
import json, os
d = json.load(open("strata.sarif"))
run = d["runs"][0]
root = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
assert root == "file://" + os.path.realpath(".") + "/", (root, os.getcwd())
uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]}
assert uris and all(os.path.isfile(u) for u in uris), uris
PY
tools="${STRATA_TOOLS:-$HOME/.cache/strata-tools}"
[ -x "$tools/lint/bin/python" ] || fail "$tools/lint/bin/python is missing: run tests/validators/setup.sh"
"$tools/lint/bin/python" "$repo/tests/validators/sarif/check.py" strata.sarif >sarif-check.out 2>&1 \
  || { cat sarif-check.out; fail "strata.sarif is not valid for code scanning"; }
echo "tests/ci: strata.sarif is valid SARIF 2.1.0 for code scanning, URIs relative to the repository root"
