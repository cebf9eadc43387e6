# Sourced by the benchmark scripts: sets STRATA to the binary to measure.
# STRATA_BIN=path: measure that binary instead of building target/release/strata (e.g. a copy
# made while the shared tree compiled, when someone's work in progress breaks the build).
if [ -n "${STRATA_BIN:-}" ]; then
  STRATA="$STRATA_BIN"
else
  cargo build --release -p strata-cli >&2
  STRATA="${CARGO_TARGET_DIR:-$PWD/target}/release/strata"
fi
