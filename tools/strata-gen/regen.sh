#!/usr/bin/env bash
# Regenerates generated/ from the pinned sources: fetch (cached, sha256-checked), then
# strata-gen. With --check, writes nothing and fails when generated/ differs (the tests run it).
set -euo pipefail
cd "$(dirname "$0")/../.."
src="$(tools/strata-gen/fetch.sh | tail -1)"
cargo run --quiet --release -p strata-gen -- --sources "$src" "$@"
