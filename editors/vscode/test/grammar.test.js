// Tokenises Strata samples with the engine VS Code itself uses (vscode-textmate on
// vscode-oniguruma) and checks the scopes of the interesting tokens. Run: `npm test`.
"use strict";
const fs = require("fs");
const path = require("path");
const assert = require("assert");
const vsctm = require("vscode-textmate");
const oniguruma = require("vscode-oniguruma");

const wasm = fs.readFileSync(require.resolve("vscode-oniguruma/release/onig.wasm")).buffer;
const onigLib = oniguruma.loadWASM(wasm).then(() => ({
  createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
  createOnigString: (s) => new oniguruma.OnigString(s),
}));

const registry = new vsctm.Registry({
  onigLib,
  loadGrammar: async (scopeName) => {
    if (scopeName !== "source.strata") return null;
    const file = path.join(__dirname, "..", "syntaxes", "strata.tmLanguage.json");
    return vsctm.parseRawGrammar(fs.readFileSync(file, "utf8"), file);
  },
});

/** Every token of `text` as [text, scopes]. */
async function tokens(text) {
  const grammar = await registry.loadGrammar("source.strata");
  let stack = vsctm.INITIAL;
  const out = [];
  for (const line of text.split("\n")) {
    const r = grammar.tokenizeLine(line, stack);
    for (const t of r.tokens) out.push([line.slice(t.startIndex, t.endIndex), t.scopes]);
    stack = r.ruleStack;
  }
  return out;
}

/** The scopes of the first token whose text is `needle` (after the `skip`-th). */
function scopesOf(toks, needle, skip = 0) {
  const found = toks.filter(([t]) => t.trim() === needle);
  assert.ok(found.length > skip, `no token \`${needle}\` in ${JSON.stringify(toks.map(([t]) => t))}`);
  return found[skip][1];
}

function expectScope(toks, needle, scope, skip = 0) {
  const scopes = scopesOf(toks, needle, skip);
  assert.ok(scopes.some((s) => s.startsWith(scope)), `\`${needle}\`: expected ${scope}, got ${scopes.join(" ")}`);
}

const sample = fs.readFileSync(path.join(__dirname, "sample.strata"), "utf8");

(async () => {
  const t = await tokens(sample);
  expectScope(t, "Which environment to deploy.", "comment.line.documentation.strata");
  expectScope(t, "a plain comment", "comment.line.double-slash.strata");
  expectScope(t, "nested", "comment.block.strata");
  expectScope(t, "import", "keyword.control.import.strata");
  expectScope(t, "portable", "entity.name.namespace.strata");
  expectScope(t, "param", "storage.type.param.strata");
  expectScope(t, "env", "variable.other.definition.strata");
  expectScope(t, "int", "support.type.builtin.strata");
  expectScope(t, "1", "constant.numeric.strata");
  expectScope(t, "resource", "storage.type.resource.strata");
  expectScope(t, "uploads", "variable.other.definition.strata");
  expectScope(t, "aws.s3.Bucket", "entity.name.type.strata");
  expectScope(t, "versioning", "variable.other.property.strata");
  expectScope(t, "true", "constant.language.boolean.strata");
  expectScope(t, "null", "constant.language.null.strata");
  expectScope(t, "100", "constant.numeric.strata");
  expectScope(t, "GiB", "keyword.other.unit.strata");
  expectScope(t, "30", "constant.numeric.strata");
  expectScope(t, "d", "keyword.other.unit.strata");
  expectScope(t, "USD/month", "keyword.other.unit.strata");
  expectScope(t, "10.0.0.0/16", "constant.other.cidr.strata");
  expectScope(t, "\\n", "constant.character.escape.strata");
  expectScope(t, "${", "punctuation.section.interpolation.begin.strata");
  expectScope(t, "name", "meta.interpolation.strata", 1);
  expectScope(t, "upper", "support.function.builtin.strata");
  expectScope(t, "@", "punctuation.definition.annotation.strata");
  expectScope(t, "provider", "entity.other.attribute-name.strata");
  expectScope(t, "schema", "storage.type.schema.strata");
  expectScope(t, "out", "storage.modifier.out.strata");
  expectScope(t, "Size", "support.type.builtin.strata");
  expectScope(t, "policy", "storage.type.policy.strata");
  expectScope(t, "deny", "keyword.control.policy.strata");
  expectScope(t, "~>", "keyword.operator.path.strata");
  expectScope(t, "for", "keyword.control.strata");
  expectScope(t, "1_000", "constant.numeric.strata");
  expectScope(t, "1e3", "constant.numeric.strata");
  // A ternary's `:` is not a type annotation.
  expectScope(t, "small", "variable.other.strata");
  // Strings after an interpolation continue as strings.
  expectScope(t, "-suffix", "string.quoted.double.strata");
  // The line after an unterminated string is code again.
  expectScope(t, "after_bad_string", "variable.other.definition.strata");
  console.log(`grammar: ${t.length} tokens checked`);
})().catch((e) => {
  console.error(e.message || e);
  process.exit(1);
});
