#!/usr/bin/env bash
# Release archives of `strata`, one per target:
#
#   scripts/release.sh [TARGET...]        default: the host's target (x86_64-unknown-linux-gnu here)
#
# For each target, `cargo build --release --locked -p strata-cli` (the release profile: thin
# LTO, no debug information, symbols stripped), then DIST_DIR/strata-VERSION-TARGET.tar.gz
# (`.zip` for Windows targets) holding the directory strata-VERSION-TARGET/ with the binary,
# README.md, docs/cli.md, the man page strata.1 and completion scripts (completions/), and
# beside it the archive's checksum in `sha256sum` format (ARCHIVE.sha256); DIST_DIR/SHA256SUMS
# lists them all. DIST_DIR defaults to dist/. Archives are reproducible: sorted entries, fixed
# times and owners, gzip without a timestamp.
#
# A target other than the host needs its standard library (`rustup target add TARGET`) and a
# linker (and a C compiler: mimalloc is C) for it; a target without them is reported as
# skipped, with the reason, and the script fails only if no archive was built. On the machines
# this repository is developed on only x86_64-unknown-linux-gnu is installed: no cross linkers
# (for aarch64-unknown-linux-gnu, x86_64-unknown-linux-musl's mimalloc, Windows' MSVC or
# mingw-w64, macOS' SDK), so those archives are built on their own platforms.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"

version=$(cargo metadata --no-deps --format-version 1 --manifest-path compiler/strata-cli/Cargo.toml |
  python3 -c 'import json,sys; print(next(p["version"] for p in json.load(sys.stdin)["packages"] if p["name"] == "strata-cli"))')
host=$(rustc -vV | sed -n 's/^host: //p')
targets=("$@")
[ "${#targets[@]}" -gt 0 ] || targets=("$host")
dist="${DIST_DIR:-$repo/dist}"
mkdir -p "$dist"
dist="$(cd "$dist" && pwd)"
target_dir="${CARGO_TARGET_DIR:-$repo/target}"
installed=$(rustup target list --installed 2>/dev/null || echo "$host")
epoch="${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 0)}"

built=()
skipped=()
for t in "${targets[@]}"; do
  if [ "$t" != "$host" ] && ! grep -qx "$t" <<<"$installed"; then
    skipped+=("$t: its standard library is not installed (rustup target add $t), nor a linker for it")
    continue
  fi
  exe=""
  case "$t" in *windows*) exe=".exe" ;; esac
  if [ "$t" = "$host" ]; then
    cargo build --release --locked -p strata-cli
    bin="$target_dir/release/strata$exe"
  elif ! cargo build --release --locked -p strata-cli --target "$t"; then
    skipped+=("$t: the build failed (a linker or C compiler for it is missing?)")
    continue
  else
    bin="$target_dir/$t/release/strata$exe"
  fi
  name="strata-$version-$t"
  stage_root="$(mktemp -d)"
  stage="$stage_root/$name"
  mkdir -p "$stage/completions"
  cp "$bin" "$stage/strata$exe"
  cp README.md "$stage/README.md"
  cp docs/cli.md "$stage/cli.md"
  # The man page and completions come from the binary: only when it runs here.
  if [ "$t" = "$host" ]; then
    "$bin" man >"$stage/strata.1"
    "$bin" completions bash >"$stage/completions/strata.bash"
    "$bin" completions zsh >"$stage/completions/_strata"
    "$bin" completions fish >"$stage/completions/strata.fish"
    "$bin" completions powershell >"$stage/completions/_strata.ps1"
  fi
  find "$stage" -exec touch -h -d "@$epoch" {} +
  if [ -n "$exe" ]; then
    archive="$name.zip"
    rm -f "$dist/$archive"
    (cd "$stage_root" && find "$name" | LC_ALL=C sort | zip -q -X "$dist/$archive" -@)
  else
    archive="$name.tar.gz"
    tar --sort=name --mtime="@$epoch" --owner=0 --group=0 --numeric-owner -C "$stage_root" -cf - "$name" |
      gzip -n -9 >"$dist/$archive"
  fi
  rm -rf "$stage_root"
  (cd "$dist" && sha256sum "$archive" >"$archive.sha256")
  built+=("$archive")
done

(cd "$dist" && cat ./*.sha256 >SHA256SUMS 2>/dev/null || true)
for a in "${built[@]}"; do
  echo "release: $dist/$a ($(du -h "$dist/$a" | cut -f1)), sha256 $(cut -d' ' -f1 "$dist/$a.sha256")"
done
for s in "${skipped[@]}"; do
  echo "release: skipped $s" >&2
done
[ "${#built[@]}" -gt 0 ] || { echo "release: no archive was built" >&2; exit 1; }
