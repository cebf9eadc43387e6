#!/usr/bin/env bash
# The VS Code extension as a user packages it from a fresh clone: `npm ci`, then
# `npx @vscode/vsce package` alone (its `vscode:prepublish` script type-checks and bundles);
# the TextMate grammar checked with VS Code's own tokenizer and the server lookup
# (`strata.server.path`, PATH, ~/.cargo/bin) under Node; then the package must hold what VS Code
# needs and no node_modules. Needs Node.js >= 20 and npm (the npm registry).
set -euo pipefail
cd "$(dirname "$0")/../../editors/vscode"

command -v npm >/dev/null || { echo "tests/vscode: npm is missing (install Node.js >= 20)" >&2; exit 1; }
start=$(date +%s)
npm ci --no-audit --no-fund --loglevel=error
npm run --silent test
# From nothing built: vsce must build through vscode:prepublish.
rm -rf dist out strata.vsix
version=$(node -p 'require("./package.json").version')
vsix="strata-$version.vsix"
rm -f "$vsix"
npx --no-install @vscode/vsce package
[ -f "$vsix" ] || { echo "tests/vscode: npx @vscode/vsce package did not write $vsix" >&2; exit 1; }
# List once into a variable: `unzip -l | grep -q` under pipefail fails when grep stops early.
listing=$(unzip -l "$vsix")
for f in extension/package.json extension/dist/extension.js extension/syntaxes/strata.tmLanguage.json extension/language-configuration.json; do
  grep -q " $f\$" <<<"$listing" || { echo "tests/vscode: $f is missing from $vsix" >&2; exit 1; }
done
if grep -q "node_modules/" <<<"$listing"; then
  echo "tests/vscode: node_modules leaked into $vsix" >&2
  exit 1
fi
# The packaged manifest declares the server setting.
unzip -p "$vsix" extension/package.json | node -e '
  const m = JSON.parse(require("fs").readFileSync(0, "utf8"));
  const p = m.contributes.configuration.properties["strata.server.path"];
  if (!p || p.type !== "string") { console.error("tests/vscode: strata.server.path is not declared"); process.exit(1); }
  if (!m.scripts["vscode:prepublish"]) { console.error("tests/vscode: no vscode:prepublish script"); process.exit(1); }'
rm -f "$vsix"
echo "tests/vscode: built through vscode:prepublish, grammar and server lookup checked, packaged with npx @vscode/vsce package in $(( $(date +%s) - start ))s"
