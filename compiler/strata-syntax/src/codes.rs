//! The syntax diagnostic codes (`E00xx`) and their documentation for `strata explain`.
//! Codes are stable: never renumber or reuse one.

use strata_base::{CodeDoc, Severity};

pub const UNEXPECTED_TOKEN: &str = "E0001";
pub const UNTERMINATED_STRING: &str = "E0002";
pub const INVALID_ESCAPE: &str = "E0003";
pub const UNKNOWN_UNIT: &str = "E0004";
pub const INVALID_NUMBER: &str = "E0005";
pub const UNCLOSED_DELIMITER: &str = "E0006";
pub const EXPECTED: &str = "E0007";
pub const INVALID_CHARACTER: &str = "E0008";
pub const UNTERMINATED_COMMENT: &str = "E0009";
pub const NESTING_TOO_DEEP: &str = "E0010";
pub const INVALID_CIDR: &str = "E0011";
pub const UNMATCHED_CLOSE: &str = "E0012";
pub const CHAINED_COMPARISON: &str = "E0013";
pub const MISPLACED_ATTRIBUTE: &str = "E0014";
pub const INVALID_CALL: &str = "E0015";
pub const TOO_MANY_ERRORS: &str = "E0016";

/// Documentation of every syntax code, in code order.
pub fn codes() -> Vec<CodeDoc> {
    vec![
        CodeDoc {
            code: UNEXPECTED_TOKEN,
            name: "unexpected-token",
            severity: Severity::Error,
            doc: "## What it checks\nA token that cannot start anything at this place, most often a line at the top level \
of a file (or of a module) that is not an item.\n\n## Why it matters\nA file is a sequence of items: `import`, `param`, \
`let`, `type`, `schema`, `stack`, `resource`, `module`, `output`, `policy`. Anything else is ambiguous, so the parser \
skips it up to the next item.\n\n## Example\n```strata\nresorce db: Postgres { }\n```\n\n## Fix\nCorrect the keyword \
(the help line suggests the nearest one: `resource`), or delete the stray text.",
        },
        CodeDoc {
            code: UNTERMINATED_STRING,
            name: "unterminated-string",
            severity: Severity::Error,
            doc: "## What it checks\nA string literal (or an interpolation `${…}` inside one) that reaches the end of the \
line or the file before its closing `\"`.\n\n## Why it matters\nStrings never span lines, so one missing quote cannot \
swallow the rest of the file; the string is closed at the end of the line and parsing continues.\n\n## Example\n\
```strata\nlet name = \"community-${env}\n```\n\n## Fix\nAdd the closing quote (and `}` of an interpolation). For a line \
break inside a string write `\\n`.",
        },
        CodeDoc {
            code: INVALID_ESCAPE,
            name: "invalid-escape",
            severity: Severity::Error,
            doc: "## What it checks\nA backslash in a string that does not start one of the escapes `\\n \\t \\r \\\" \\\\ \\$ \
\\u{…}`, or a `\\u{…}` that is not 1-6 hex digits of a Unicode scalar value.\n\n## Why it matters\nUnknown escapes are \
usually a Windows path or a regular expression written without doubling the backslash; guessing what was meant would \
silently change the value.\n\n## Example\n```strata\nlet pattern = \"^\\d+$\"\n```\n\n## Fix\nDouble the backslash \
(`\"^\\\\d+$\"`), or use a valid escape. A literal `${` is written `\\${`.",
        },
        CodeDoc {
            code: UNKNOWN_UNIT,
            name: "unknown-unit",
            severity: Severity::Error,
            doc: "## What it checks\nA number directly followed by a word that is not a unit, or by a near-miss of a unit \
(`30 days`, `10 gib`, `5 USD/day`).\n\n## Why it matters\nQuantities are typed by their unit (`Size`, `Duration`, \
`Money`, `MoneyRate`); a misspelt unit would otherwise be an undefined name or a wrong magnitude.\n\n## Example\n\
```strata\nlet retention = 30days\n```\n\n## Fix\nUse one of the units: sizes `B KB MB GB TB KiB MiB GiB TiB`; \
durations `ms s min h d w`; money `USD`, `USD/hour`, `USD/month`, `USD/year`. Units are case-sensitive. Combine \
durations with `+`: `1h + 30min`.",
        },
        CodeDoc {
            code: INVALID_NUMBER,
            name: "invalid-number",
            severity: Severity::Error,
            doc: "## What it checks\nA malformed number: more than one decimal point (`1.2.3`), a misplaced `_` \
(`1__000`, `10_`), an integer that does not fit in 64 bits, or a float that overflows.\n\n## Why it matters\nThe \
value cannot be represented exactly; guessing would change the configuration.\n\n## Example\n```strata\nlet version = \
1.2.3\n```\n\n## Fix\nWrite a valid number (`1_000`, `0.5`, `1e3`). Versions and other dotted values are strings: \
`\"1.2.3\"`.",
        },
        CodeDoc {
            code: UNCLOSED_DELIMITER,
            name: "unclosed-delimiter",
            severity: Severity::Error,
            doc: "## What it checks\nAn opening `{`, `[` or `(` without its closing partner before the end of the file or \
before the next item.\n\n## Why it matters\nThe parser closes the block where the next item (`resource`, `let`, …) \
starts at the beginning of a line, so the rest of the file is still checked; but the block's extent is a guess.\n\n\
## Example\n```strata\nresource db: Postgres {\n  version = \"16\"\n\nresource cache: Redis { }\n```\n\n## Fix\nAdd the \
missing closing delimiter where the block ends.",
        },
        CodeDoc {
            code: EXPECTED,
            name: "expected-token",
            severity: Severity::Error,
            doc: "## What it checks\nThe grammar requires a particular token (a name, `=`, `:`, a type, an expression, a \
closing delimiter, a line break between fields) and found something else.\n\n## Why it matters\nThe construct cannot \
be understood; the parser skips to the next field or item and reports what it expected.\n\n## Example\n```strata\n\
resource db: Postgres {\n  version: \"16\"\n}\n```\n\n## Fix\nFollow the help line. The most common one: fields of a \
block are set with `=` (`version = \"16\"`), while `:` declares a type (in `schema`, `param`, record types).",
        },
        CodeDoc {
            code: INVALID_CHARACTER,
            name: "invalid-character",
            severity: Severity::Error,
            doc: "## What it checks\nA character that is not part of any token outside strings and comments: `;`, `#`, \
`'`, a single `&`, a non-ASCII letter in a name, and so on.\n\n## Why it matters\nNames are ASCII \
(`[A-Za-z_][A-Za-z0-9_]*`) so that they map to every target (CloudFormation logical ids, Terraform names).\n\n\
## Example\n```strata\nlet a = 1;\n```\n\n## Fix\nRemove the character, or put it inside a string. Comments start with \
`//`, items are separated by new lines.",
        },
        CodeDoc {
            code: UNTERMINATED_COMMENT,
            name: "unterminated-comment",
            severity: Severity::Error,
            doc: "## What it checks\nA block comment `/* …` without its closing `*/`. Block comments nest, so every `/*` \
inside needs its own `*/`.\n\n## Why it matters\nEverything up to the end of the file would silently be a comment.\n\n\
## Example\n```strata\n/* disabled for now\nresource old: Queue { }\n```\n\n## Fix\nAdd `*/` where the comment \
ends.",
        },
        CodeDoc {
            code: NESTING_TOO_DEEP,
            name: "nesting-too-deep",
            severity: Severity::Error,
            doc: "## What it checks\nExpressions, types, blocks or modules nested more than 256 levels deep. Each \
bracket, call, index, field access, operator and conditional is one level, and a chain is as deep as it is long: \
`f(f(x))` is three levels, and so is `1 + 2 + 3`, which is `(1 + 2) + 3`.\n\n## Why it matters\nThe limit guarantees that no \
input can exhaust the compiler's stack; real configurations stay far below it. The deeply nested part is skipped.\n\n\
## Example\n```strata\nlet x = ((((((((((((((((( … 300 levels … 1 )))))))))))))))))\n```\n\n## Fix\nSplit the \
expression with intermediate `let` bindings, or generate a flat list instead of a nested one.",
        },
        CodeDoc {
            code: INVALID_CIDR,
            name: "invalid-cidr",
            severity: Severity::Error,
            doc: "## What it checks\nAn IPv4 CIDR literal whose parts are out of range (`10.0.0.300/16`, `10.0.0.0/40`), \
or a bare IPv4 address without `/prefix`.\n\n## Why it matters\nA CIDR literal denotes a network; an invalid one would \
be rejected by every cloud API later, far from where it was written.\n\n## Example\n```strata\nlet vpc = \
10.0.0.0/33\n```\n\n## Fix\nUse four numbers 0-255 and a prefix length 0-32 (`10.0.0.0/16`); for a single host write \
`/32`; for IPv6 use `cidr(\"::/0\")`.",
        },
        CodeDoc {
            code: UNMATCHED_CLOSE,
            name: "unmatched-closing-delimiter",
            severity: Severity::Error,
            doc: "## What it checks\nA closing `}`, `]` or `)` that does not close anything.\n\n## Why it matters\nUsually a \
block was closed twice, or an opening delimiter was deleted; the structure of the file is not what it looks like.\n\n\
## Example\n```strata\nresource key: aws.kms.Key { rotation = true }\n}\n```\n\n## Fix\nDelete the extra delimiter, \
or add the missing opening one.",
        },
        CodeDoc {
            code: CHAINED_COMPARISON,
            name: "chained-comparison",
            severity: Severity::Error,
            doc: "## What it checks\nTwo comparison operators in a row without parentheses: `a < b < c`, `x == y == z`.\n\n\
## Why it matters\nComparisons do not chain: `a < b < c` would compare a boolean with `c`. The grammar makes them \
non-associative so the mistake is caught.\n\n## Example\n```strata\nlet ok = 1 < replicas < 10\n```\n\n## Fix\nWrite \
`1 < replicas && replicas < 10`, or add parentheses if comparing booleans is really meant.",
        },
        CodeDoc {
            code: MISPLACED_ATTRIBUTE,
            name: "misplaced-attribute",
            severity: Severity::Error,
            doc: "## What it checks\n`@key = value` attributes that are not followed by a `schema` declaration.\n\n\
## Why it matters\nAttributes (`@provider = \"aws\"`, `@kind = \"key\"`) describe resource schemas only; anywhere \
else they would be silently ignored.\n\n## Example\n```strata\n@provider = \"aws\"\nresource key: aws.kms.Key { }\n```\n\n\
## Fix\nRemove the attribute, or move it directly above a `schema`.",
        },
        CodeDoc {
            code: INVALID_CALL,
            name: "invalid-call",
            severity: Severity::Error,
            doc: "## What it checks\nA call whose callee is not a plain function name: `a.b(x)`, `xs[0](1)`, `(f)(x)`.\n\n\
## Why it matters\nOnly the built-in functions (`length`, `join`, `merge`, …) can be called; values are not \
functions and there are no methods.\n\n## Example\n```strata\nlet n = names.length()\n```\n\n## Fix\nCall the function \
with the value as an argument: `length(names)`.",
        },
        CodeDoc {
            code: TOO_MANY_ERRORS,
            name: "too-many-errors",
            severity: Severity::Error,
            doc: "## What it checks\nThe file produced so many syntax errors that the rest were not reported.\n\n\
## Why it matters\nBeyond a few hundred errors the file is most likely not Strata at all (a binary file or another \
language), and listing every error would only slow the editor down.\n\n## Example\nRunning `strata check` on a \
directory holding a renamed YAML file as `main.strata`.\n\n## Fix\nFix the first errors (or remove the file) and run \
the check again.",
        },
    ]
}
