#!/usr/bin/env bash
# Installing strata as a user does, from this checkout:
#   1. `cargo install --locked --path compiler/strata-cli --root DIR` (into a temporary root;
#      the build directory is shared with the other suites, so an up-to-date release build is
#      reused), then `DIR/bin/strata --version` and a check of the quickstart;
#   2. the shipped binary is stripped (no symbol table, no debug information) and at most
#      40 MiB;
#   3. the `profiling` profile (release with debug information, for benchmarks and profilers)
#      still inherits the release profile and keeps its symbols (a setting check: building it
#      takes as long as a release build);
#   4. scripts/release.sh builds the host's archive: its checksum verifies, and the binary in it
#      runs, with its man page and completions.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$repo"
fail() { echo "tests/install: FAILED: $*" >&2; exit 1; }
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$repo/target}"
max=$((40 * 1024 * 1024))

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
start=$(date +%s)

# 1. cargo install.
cargo install --locked --path compiler/strata-cli --root "$work/root" --quiet 2>"$work/install.err" \
  || { cat "$work/install.err" >&2; fail "cargo install --locked --path compiler/strata-cli"; }
bin="$work/root/bin/strata"
version=$(cargo metadata --no-deps --format-version 1 --manifest-path compiler/strata-cli/Cargo.toml |
  python3 -c 'import json,sys; print(next(p["version"] for p in json.load(sys.stdin)["packages"] if p["name"] == "strata-cli"))')
got=$("$bin" --version) || fail "strata --version failed"
[ "$got" = "strata $version" ] || fail "strata --version printed \`$got\`, not \`strata $version\`"
"$bin" check examples/quickstart >/dev/null 2>"$work/check.err" || { cat "$work/check.err"; fail "the installed strata cannot check the quickstart"; }
echo "tests/install: cargo install --locked --path compiler/strata-cli → $got"

# 2. Stripped and small.
size=$(stat -c %s "$bin")
[ "$size" -le "$max" ] || fail "the installed binary is $size bytes, over 40 MiB"
sections=$(readelf -S -W "$bin")
if grep -Eq '\.(symtab|debug_info|debug_line)\b' <<<"$sections"; then
  fail "the release binary has a symbol table or debug information (profile.release strip/debug)"
fi
echo "tests/install: $(awk -v s="$size" 'BEGIN { printf "%.1f MiB", s / 1048576 }') stripped ($size bytes, limit 40 MiB)"

# 3. The profiling profile.
python3 - <<'PY' || fail "Cargo.toml: [profile.profiling] must inherit release with debug = 1 (or more) and strip = false"
import tomllib
p = tomllib.load(open("Cargo.toml", "rb"))["profile"]
prof, rel = p["profiling"], p["release"]
assert prof["inherits"] == "release" and prof.get("debug") not in (None, 0, False, "none") and prof.get("strip") in (False, "none"), prof
assert rel.get("strip") in (True, "symbols", "debuginfo") and rel.get("debug") in (False, 0, "none"), rel
PY

# 4. Release archives.
DIST_DIR="$work/dist" scripts/release.sh >"$work/release.out" 2>"$work/release.err" \
  || { cat "$work/release.out" "$work/release.err"; fail "scripts/release.sh"; }
cat "$work/release.out"
host=$(rustc -vV | sed -n 's/^host: //p')
name="strata-$version-$host"
[ -f "$work/dist/$name.tar.gz" ] || fail "no $name.tar.gz"
(cd "$work/dist" && sha256sum -c --quiet "$name.tar.gz.sha256" && sha256sum -c --quiet SHA256SUMS) || fail "checksums do not verify"
mkdir "$work/x"
tar xzf "$work/dist/$name.tar.gz" -C "$work/x"
for f in strata README.md cli.md strata.1 completions/strata.bash completions/_strata completions/strata.fish completions/_strata.ps1; do
  [ -s "$work/x/$name/$f" ] || fail "$f is missing from $name.tar.gz"
done
[ "$("$work/x/$name/strata" --version)" = "strata $version" ] || fail "the archived binary does not run"
grep -q '^\.TH strata 1' "$work/x/$name/strata.1" || fail "strata.1 is not a man page"
# Reproducible: a second run writes the same bytes.
DIST_DIR="$work/dist2" scripts/release.sh >/dev/null 2>&1 || fail "scripts/release.sh (second run)"
cmp -s "$work/dist/$name.tar.gz" "$work/dist2/$name.tar.gz" || fail "two runs of scripts/release.sh differ"
echo "tests/install: scripts/release.sh: $name.tar.gz verifies, runs and is reproducible ($(( $(date +%s) - start ))s)"
