//! The incremental path (`check_cached` with a cache kept across checks, what the language
//! server runs on every edit) against a check from scratch: after each edit of a sequence —
//! characters typed and deleted (syntax errors made and mended), files added, removed and
//! renamed (file ids renumbered under the cache), an imported module edited, an edit undone —
//! both must give the same diagnostics, the same cross references, the same model and the same
//! schemas. The cache also keeps the stdlib's built schemas, which depend on the names of every
//! schema (a name the stdlib uses for one of its types resolves to a project schema of that
//! name): schemas are declared, renamed and removed too.

use std::path::Path;
use strata_driver::{check, check_cached, CheckOptions, CheckOutcome, MemoryWorld, ParseCache};

const MAIN: &str = r#"import aws
import "./mods/common.strata" as common

/// Which environment to deploy.
param env: "dev" | "prod" = "dev"

let prod = env == "prod"

stack app {
  provider = aws { region = "us-east-1" }
  budget   = 1000 USD/month
  tags     = { project = "inc" }
}

/// Data key.
resource key_0: aws.kms.Key {
  description = common.prefix + "data"
  rotation    = true
  tags        = { tier = "data" }
}

resource bucket_0: aws.s3.Bucket {
  versioning = true
  encryption = key_0
}

resource queue_0: aws.sqs.Queue {
  encryption         = key_0
  visibility_timeout = prod ? 5min : 30s
}
"#;

const OTHER: &str = r#"resource dlq: aws.sqs.Queue {
  encryption = key_0
  retention  = 14d
}

output bucket = bucket_0.arn
"#;

const COMMON: &str = "let prefix = \"inc-\"\n";

/// Text typed into a file: characters, names (defined and not), whole declarations.
const SNIPPETS: &[&str] = &[
    "e",
    "x",
    "\n",
    "}",
    "{",
    " = ",
    "true",
    "\"",
    "key_0",
    "bucket_1",
    "// note\n",
    "\nresource extra: aws.sqs.Queue { retention = 1d }\n",
    "\nlet unused = prod ? 1 : \"no\"\n",
    "\nresource key_0: aws.kms.Key {}\n",
    // A type error (a string where a bool goes), a stack of its own and a resource put in it.
    "\n  rotation = \"yes\"\n",
    "\nstack other {\n  provider = aws { region = \"eu-west-1\" }\n}\n",
    "\n  stack = other\n",
    // A project schema, and one named like a type the stdlib's schemas use (S3 lifecycle rules).
    "\nschema acme.Thing { size: int = 1 }\n",
    "\nschema AwsS3StorageClass { a: int }\n",
];

/// Whole-word replacements: a referenced name renamed (its readers break, or read another
/// declaration), a type error made and mended, a module's value changed, a stack renamed.
const REPLACEMENTS: &[(&str, &str)] = &[
    ("key_0", "key_1"),
    ("key_1", "key_0"),
    ("true", "\"yes\""),
    ("\"yes\"", "true"),
    ("\"inc-\"", "\"other-\""),
    ("\"other-\"", "42"),
    ("42", "\"inc-\""),
    ("stack app", "stack main"),
    ("stack main", "stack app"),
    ("prefix", "prefixes"),
    ("prefixes", "prefix"),
    ("30s", "30"),
    ("30", "30s"),
    ("AwsS3StorageClass", "AwsS3Storage"),
    ("AwsS3Storage ", "AwsS3StorageClass "),
    ("schema acme.Thing", "schema AwsS3StorageClass"),
];

/// A small deterministic generator (xorshift), so a failure replays.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn options() -> CheckOptions {
    CheckOptions {
        record_xrefs: true,
        ..CheckOptions::default()
    }
}

fn text_of(w: &MemoryWorld, path: &str) -> Option<String> {
    strata_driver::World::read(w, Path::new(path), u64::MAX)
        .ok()
        .map(|b| String::from_utf8_lossy(&b).into_owned())
}

/// Everything the editor shows from a check, in comparable form.
fn shown(o: &CheckOutcome) -> (String, String, String) {
    let diags = o
        .diagnostics
        .iter()
        .map(|d| format!("{} {:?}\n", o.display_name(d.primary.span.file), d))
        .collect();
    let xrefs = o
        .analysis
        .xrefs
        .iter()
        .map(|x| format!("{x:?}\n"))
        .collect();
    (diags, xrefs, format!("{:?}", o.model))
}

#[test]
fn edits_through_the_cache_give_what_a_fresh_check_gives() {
    let mut w = MemoryWorld::new()
        .with("proj/main.strata", MAIN)
        .with("proj/other.strata", OTHER)
        .with("proj/mods/common.strata", COMMON);
    let cache = ParseCache::new();
    let root = Path::new("proj");
    let mut rng = Rng(0x5eed_1234_abcd_0017);
    let mut extra = 0;
    let mut saw_errors = false;
    let mut saw_clean = false;
    let mut codes = std::collections::BTreeSet::new();
    let steps = 120;
    for step in 0..=steps {
        let what;
        if step > 0 {
            let files: Vec<String> = ["proj/main.strata", "proj/other.strata"]
                .iter()
                .map(|s| s.to_string())
                .chain((0..extra).map(|i| format!("proj/extra_{i}.strata")))
                .chain(["proj/mods/common.strata".to_string()])
                .filter(|p| text_of(&w, p).is_some())
                .collect();
            let path = files[rng.below(files.len())].clone();
            let text = text_of(&w, &path).unwrap_or_default();
            match rng.below(12) {
                // Overtype one character (the text keeps its length): a digit of a name, a
                // letter of a keyword or a value.
                10 | 11 if !text.is_empty() => {
                    let at = rng.below(text.len());
                    let c = ["1", "0", "e", "x", "\"", " "][rng.below(6)];
                    let mut t = text.clone();
                    t.replace_range(at..at + 1, c);
                    w.insert(&path, t);
                    what = format!("overtype {at} of {path} with {c:?}");
                }
                // Delete one to three characters (the texts are ASCII).
                0..=2 if !text.is_empty() => {
                    let at = rng.below(text.len());
                    let end = (at + 1 + rng.below(3)).min(text.len());
                    let mut t = text.clone();
                    t.replace_range(at..end, "");
                    w.insert(&path, t);
                    what = format!("delete {at}..{end} of {path}");
                }
                // Type something.
                0..=5 => {
                    let at = rng.below(text.len() + 1);
                    let s = SNIPPETS[rng.below(SNIPPETS.len())];
                    let mut t = text.clone();
                    t.insert_str(at, s);
                    w.insert(&path, t);
                    what = format!("insert {s:?} at {at} of {path}");
                }
                // A new file (the stdlib's file ids move up by one).
                6 => {
                    let p = format!("proj/extra_{extra}.strata");
                    extra += 1;
                    w.insert(
                        &p,
                        format!(
                            "resource extra_{extra}: aws.sqs.Queue {{\n  encryption = key_0\n}}\n"
                        ),
                    );
                    what = format!("add {p}");
                }
                // A file removed (the ids after it move down).
                7 if path != "proj/main.strata" => {
                    w.remove(&path);
                    what = format!("remove {path}");
                }
                // A file renamed: same id, another name.
                8 if path.contains("extra_") || path.ends_with("other.strata") => {
                    w.remove(&path);
                    let p = format!("proj/extra_{extra}.strata");
                    extra += 1;
                    w.insert(&p, text);
                    what = format!("rename {path} to {p}");
                }
                // Replace a name or a value everywhere it is written in the file.
                9 if rng.below(2) == 0 => {
                    let (from, to) = REPLACEMENTS[rng.below(REPLACEMENTS.len())];
                    w.insert(&path, text.replace(from, to));
                    what = format!("replace {from:?} by {to:?} in {path}");
                }
                // Back to the first version (what the cache held some edits ago).
                _ => {
                    let first = match path.as_str() {
                        "proj/main.strata" => MAIN,
                        "proj/other.strata" => OTHER,
                        "proj/mods/common.strata" => COMMON,
                        _ => "",
                    };
                    w.insert(&path, first);
                    what = format!("restore {path}");
                }
            }
        } else {
            what = "the first check".to_string();
        }
        let incremental = check_cached(&w, root, &options(), Some(&cache));
        let fresh = check(&w, root, &options());
        let (a, b) = (shown(&incremental), shown(&fresh));
        assert!(
            a.0 == b.0,
            "step {step} ({what}): diagnostics differ\n--- incremental\n{}\n--- from scratch\n{}",
            a.0,
            b.0
        );
        assert!(a.1 == b.1, "step {step} ({what}): cross references differ");
        assert!(a.2 == b.2, "step {step} ({what}): models differ");
        assert!(
            incremental.analysis.schemas == fresh.analysis.schemas,
            "step {step} ({what}): schemas differ"
        );

        saw_errors |= incremental.has_errors();
        saw_clean |= !incremental.has_errors();
        codes.extend(incremental.diagnostics.iter().map(|d| d.code.clone()));
    }
    // Names that resolve nowhere (E1…) and values of the wrong type (E2…) came and went.
    assert!(
        codes.iter().any(|c| c.starts_with("E1")) && codes.iter().any(|c| c.starts_with("E2")),
        "codes seen: {codes:?}"
    );
    // The sequence went through broken and clean states, and the cache was used.
    assert!(
        saw_errors && saw_clean,
        "errors {saw_errors}, clean {saw_clean}"
    );
    let (files, hits, misses) = cache.stats();
    assert!(
        files > 0 && hits > misses,
        "{files} files, {hits} hits, {misses} misses"
    );
}

/// Whether the stdlib's bucket schema reads the project's `schema AwsS3StorageClass` (a name
/// its lifecycle rules use for one of the stdlib's types) rather than the stdlib type.
fn bucket_reads_project_schema(o: &CheckOutcome) -> bool {
    o.analysis
        .schemas
        .get("aws.s3.Bucket")
        .and_then(|s| s.fields.get("lifecycle"))
        .is_some_and(|f| format!("{:?}", f.ty).contains("Ref(Some(\"AwsS3StorageClass\"))"))
}

/// The stdlib's schemas kept in the cache are built again when the set of schema names changes:
/// a project schema declared with the name of a stdlib type, renamed, then removed; and when
/// the stdlib's file ids move (a file added before them).
#[test]
fn stdlib_schemas_follow_the_schema_names() {
    let bucket = "import aws\n\nresource b: aws.s3.Bucket {\n  lifecycle = [{ after = 90d, storage_class = \"GLACIER\" }]\n}\n";
    let steps: &[(&str, Option<&str>, bool)] = &[
        ("proj/main.strata", Some(bucket), false),
        (
            "proj/types.strata",
            Some("schema AwsS3StorageClass { a: int }\n"),
            true,
        ),
        (
            "proj/types.strata",
            Some("schema AwsS3Storage { a: int }\n"),
            false,
        ),
        (
            "proj/types.strata",
            Some("schema AwsS3StorageClass { a: int }\n"),
            true,
        ),
        ("proj/a.strata", Some("let x = 1\n"), true),
        ("proj/types.strata", None, false),
        ("proj/a.strata", None, false),
    ];
    let mut w = MemoryWorld::new();
    let cache = ParseCache::new();
    let root = Path::new("proj");
    for (step, (path, text, reads_project)) in steps.iter().enumerate() {
        match text {
            Some(t) => {
                w.insert(path, t.to_string());
            }
            None => w.remove(path),
        }
        let incremental = check_cached(&w, root, &options(), Some(&cache));
        let fresh = check(&w, root, &options());
        assert_eq!(
            bucket_reads_project_schema(&fresh),
            *reads_project,
            "step {step}: the fresh check"
        );
        assert!(
            incremental.analysis.schemas == fresh.analysis.schemas,
            "step {step}: schemas differ"
        );
        assert_eq!(shown(&incremental), shown(&fresh), "step {step}");
    }
}
