#!/usr/bin/env bash
# The VS Code extension: install the locked dependencies, type-check and bundle, check the
# TextMate grammar with VS Code's own tokenizer, and package the .vsix with vsce; then check
# the package holds what VS Code needs. Needs Node.js >= 20 and npm (the npm registry).
set -euo pipefail
cd "$(dirname "$0")/../../editors/vscode"

command -v npm >/dev/null || { echo "tests/vscode: npm is missing (install Node.js >= 20)" >&2; exit 1; }
start=$(date +%s)
npm ci --no-audit --no-fund --loglevel=error
npm run --silent build
npm run --silent test
rm -f strata.vsix
npm run --silent package
# List once into a variable: `unzip -l | grep -q` under pipefail fails when grep stops early.
listing=$(unzip -l strata.vsix)
for f in extension/package.json extension/dist/extension.js extension/syntaxes/strata.tmLanguage.json extension/language-configuration.json; do
  grep -q " $f\$" <<<"$listing" || { echo "tests/vscode: $f is missing from strata.vsix" >&2; exit 1; }
done
if grep -q "node_modules/" <<<"$listing"; then
  echo "tests/vscode: node_modules leaked into strata.vsix" >&2
  exit 1
fi
echo "tests/vscode: built, grammar checked and packaged in $(( $(date +%s) - start ))s"
