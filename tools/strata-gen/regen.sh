#!/usr/bin/env bash
# Regenerates generated/ from the pinned sources: fetch (cached, sha256-checked), then
# strata-gen. With --check, writes nothing and fails when generated/ differs (the tests run it).
# STRATA_GEN_PROFILE=dev builds the generator unoptimised (the test suite shares its debug build).
set -euo pipefail
cd "$(dirname "$0")/../.."
src="$(tools/strata-gen/fetch.sh | tail -1)"
profile=(--release)
[ "${STRATA_GEN_PROFILE:-release}" = dev ] && profile=()
cargo run --quiet "${profile[@]}" -p strata-gen -- --sources "$src" "$@"
