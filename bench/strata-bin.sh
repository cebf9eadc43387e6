# Sourced by the benchmark scripts: sets STRATA to the binary to measure.
# STRATA_BIN=path: measure that binary instead of building target/release/strata (e.g. a copy
# made while the shared tree compiled, when someone's work in progress breaks the build).
# STRATA_PROFILE=profiling: build and measure the `profiling` profile instead (the release
# build with debug information and symbols, for perf or heaptrack; same code, same speed). The
# default is the release profile, which is what ships (stripped); the timings need no symbols.
if [ -n "${STRATA_BIN:-}" ]; then
  STRATA="$STRATA_BIN"
else
  profile="${STRATA_PROFILE:-release}"
  cargo build --profile "$profile" -p strata-cli >&2
  STRATA="${CARGO_TARGET_DIR:-$PWD/target}/$profile/strata"
fi
