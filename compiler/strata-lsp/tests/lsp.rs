//! The language server driven over an in-memory connection, as an editor drives it.

mod common;

use common::{pos_of, project, uri, Client};
use lsp_types::request::{self as req};
use lsp_types::*;

/// A project schema with the property kinds completion cares about, and resources using it
/// and a stdlib schema.
const SCHEMAS: &str = r#"/// A bucket of the team's own making.
@provider = "aws"
@kind = "bucket"
schema acme.Store {
  /// Keep every version of every object.
  versioning: bool = false
  /// Storage class of new objects.
  class: "STANDARD" | "GLACIER" = "STANDARD"
  /// The key that encrypts the objects.
  key?: ref<aws.kms.Key>
  /// How long backups are kept.
  backups?: { retention: Duration, point_in_time?: bool }
  lifecycle: list<{ after: Duration, storage_class: "GLACIER" | "DEEP_ARCHIVE" }> = []
  /// Expected size.
  size: Size
  /// Where the store is reached.
  out url: string
  out arn: string
}
"#;

const MAIN: &str = r#"import aws

let retention = 30d

/// Customer data key.
resource key: aws.kms.Key {
  rotation = true
}

resource store: acme.Store {
  versioning = true
  key = key
  size = 10 GiB
  backups = { retention = retention }
}

output store_url = store.url
"#;

fn start_project(main: &str) -> (tempfile::TempDir, std::path::PathBuf, Client, Uri) {
    let (dir, root) = project(&[("schemas.strata", SCHEMAS), ("main.strata", main)]);
    let mut c = Client::start();
    let u = c.open(&root.join("main.strata"), main);
    (dir, root, c, u)
}

#[test]
fn diagnostics_are_those_of_strata_check_and_clear_when_fixed() {
    let bad = MAIN.replace("versioning = true", "versoning = true");
    let (_dir, root, mut c, u) = start_project(&bad);
    let diags = c.diagnostics(&u, 1);
    let e = diags
        .iter()
        .find(|d| d.code == Some(NumberOrString::String("E2001".into())))
        .unwrap_or_else(|| panic!("no E2001 in {diags:#?}"));
    assert_eq!(e.severity, Some(DiagnosticSeverity::ERROR));
    assert_eq!(e.range.start, pos_of(&bad, "versoning", 0, 0));
    assert_eq!(e.range.end, pos_of(&bad, "versoning", 0, 9));
    assert!(
        e.message.starts_with("unknown property `versoning`"),
        "{}",
        e.message
    );
    assert!(
        e.message.contains("help: did you mean `versioning`?"),
        "{}",
        e.message
    );
    assert_eq!(e.source.as_deref(), Some("strata"));
    // The code links to its documentation, written to the cache.
    let href = e
        .code_description
        .as_ref()
        .expect("codeDescription")
        .href
        .as_str()
        .to_string();
    assert!(
        href.starts_with("file://") && href.ends_with("/E2001.md"),
        "{href}"
    );
    let page = std::fs::read_to_string(href.trim_start_matches("file://"))
        .expect("the code's page exists");
    assert!(page.contains("E2001"));

    // The same codes and lines as `strata check` on the directory (the buffer is the disk's text).
    let outcome = strata_driver::check(&strata_driver::DiskWorld, &root, &Default::default());
    let main_file = |d: &strata_base::Diagnostic| {
        outcome.sources.get(d.primary.span.file).name == "main.strata"
    };
    let expected: Vec<(String, u32, String)> = outcome
        .diagnostics
        .iter()
        .filter(|d| main_file(d))
        .map(|d| {
            (
                d.code.clone(),
                outcome
                    .sources
                    .get(d.primary.span.file)
                    .line_col(d.primary.span.start)
                    .line
                    - 1,
                d.message.clone(),
            )
        })
        .collect();
    let got: Vec<(String, u32, String)> = diags
        .iter()
        .map(|d| {
            let code = match &d.code {
                Some(NumberOrString::String(s)) => s.clone(),
                other => panic!("{other:?}"),
            };
            let msg = expected
                .iter()
                .find(|e| e.0 == code && e.1 == d.range.start.line)
                .map(|e| e.2.clone())
                .unwrap_or_default();
            assert!(
                d.message.starts_with(&msg),
                "{} does not start with {msg}",
                d.message
            );
            (code, d.range.start.line, msg)
        })
        .collect();
    assert_eq!(got, expected);

    // Fix it in the buffer: the file is cleared.
    let v = c.change(
        &u,
        Range::new(
            pos_of(&bad, "versoning", 0, 0),
            pos_of(&bad, "versoning", 0, 9),
        ),
        "versioning",
    );
    let diags = c.diagnostics(&u, v);
    assert!(
        diags
            .iter()
            .all(|d| d.severity != Some(DiagnosticSeverity::ERROR)),
        "{diags:#?}"
    );
    c.shutdown();
}

#[test]
fn errors_in_another_file_of_the_project_are_published_for_that_file() {
    let (_dir, root, mut c, u) = start_project(MAIN);
    let _ = c.diagnostics(&u, 1);
    // Break the schema file in its buffer: its diagnostics go to its own URI.
    let su = c.open(
        &root.join("schemas.strata"),
        &SCHEMAS.replace("size: Size", "size: Sise"),
    );
    let d = c.diagnostics(&su, 1);
    assert!(
        d.iter()
            .any(|d| d.severity == Some(DiagnosticSeverity::ERROR)),
        "{d:#?}"
    );
    c.shutdown();
}

#[test]
fn policy_findings_carry_a_quick_fix() {
    let (_dir, _root, mut c, u) = start_project(MAIN);
    let diags = c.diagnostics(&u, 1);
    let finding = diags
        .iter()
        .find(|d| d.code == Some(NumberOrString::String("COST006".into())))
        .unwrap_or_else(|| panic!("no COST006 in {diags:#?}"));
    let actions = code_actions(&mut c, &u, finding);
    let action = actions
        .iter()
        .find_map(|a| match a {
            CodeActionOrCommand::CodeAction(a) if a.title.contains("lifecycle") => Some(a.clone()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no lifecycle fix in {actions:#?}"));
    assert_eq!(action.kind, Some(CodeActionKind::QUICKFIX));
    let edits = &action.edit.as_ref().unwrap().changes.as_ref().unwrap()[&u];
    let fixed = apply(MAIN, edits);
    assert!(
        fixed.contains("  lifecycle = [{ after = 90d, storage_class = \"GLACIER\" }]\n}"),
        "{fixed}"
    );
    // Applying it removes the finding.
    let v = c.change_full(&u, &fixed);
    let diags = c.diagnostics(&u, v);
    assert!(
        !diags
            .iter()
            .any(|d| d.code == Some(NumberOrString::String("COST006".into()))),
        "{diags:#?}"
    );
    c.shutdown();
}

#[test]
fn a_security_finding_is_fixed_by_turning_encryption_on() {
    let text = "import aws\n\nresource db: aws.rds.DBInstance {\n  engine            = \"postgres\"\n  engine_version    = \"16\"\n  instance_class    = \"db.t4g.micro\"\n  storage_encrypted = false\n}\n";
    let (_dir, root) = project(&[("main.strata", text)]);
    let mut c = Client::start();
    let u = c.open(&root.join("main.strata"), text);
    let diags = c.diagnostics(&u, 1);
    let finding = diags
        .iter()
        .find(|d| d.code == Some(NumberOrString::String("SEC011".into())))
        .unwrap_or_else(|| panic!("no SEC011 in {diags:#?}"));
    assert_eq!(finding.severity, Some(DiagnosticSeverity::ERROR));
    assert_eq!(finding.range.start.line, 6);
    let actions = code_actions(&mut c, &u, finding);
    let Some(CodeActionOrCommand::CodeAction(a)) = actions.first() else {
        panic!("{actions:#?}")
    };
    assert_eq!(a.title, "Set `storage_encrypted = true` in `db`");
    let fixed = apply(
        text,
        &a.edit.as_ref().unwrap().changes.as_ref().unwrap()[&u],
    );
    assert_eq!(
        fixed,
        text.replace("storage_encrypted = false", "storage_encrypted = true")
    );
    let v = c.change_full(&u, &fixed);
    let diags = c.diagnostics(&u, v);
    assert!(
        !diags
            .iter()
            .any(|d| d.code == Some(NumberOrString::String("SEC011".into()))),
        "{diags:#?}"
    );
    c.shutdown();
}

#[test]
fn secondary_labels_become_related_information() {
    let text = "let a = 1\nlet a = 2\n";
    let (_dir, root) = project(&[("main.strata", text)]);
    let mut c = Client::start();
    let u = c.open(&root.join("main.strata"), text);
    let diags = c.diagnostics(&u, 1);
    let dup = diags
        .iter()
        .find(|d| d.code == Some(NumberOrString::String("E1002".into())))
        .unwrap_or_else(|| panic!("no E1002 in {diags:#?}"));
    assert_eq!(dup.range.start.line, 1);
    let related = dup
        .related_information
        .as_ref()
        .expect("related information");
    assert_eq!(related.len(), 1);
    assert_eq!(related[0].location.uri, u);
    assert_eq!(related[0].location.range.start, Position::new(0, 4));
    assert_eq!(related[0].message, "first defined here");
    c.shutdown();
}

#[test]
fn module_findings_relate_to_the_call_site_argument() {
    let text = "import aws\n\nmodule Edge {\n  param rules\n  resource sg: aws.ec2.SecurityGroup { ingress = rules }\n}\n\nmodule web: Edge {\n  rules = [{ port = 443, cidr = 0.0.0.0/0 }, { port = 22, cidr = 0.0.0.0/0 }]\n}\n";
    let (_dir, root) = project(&[("main.strata", text)]);
    let mut c = Client::start();
    let u = c.open(&root.join("main.strata"), text);
    let diags = c.diagnostics(&u, 1);
    let open = diags
        .iter()
        .find(|d| d.code == Some(NumberOrString::String("SEC020".into())))
        .unwrap_or_else(|| panic!("no SEC020 in {diags:#?}"));
    // At the resource's property in the module, related to the element of the argument.
    assert_eq!(open.range.start, Position::new(4, 39));
    let related = open
        .related_information
        .as_ref()
        .expect("related information");
    assert_eq!(related.len(), 1, "{related:#?}");
    assert_eq!(related[0].location.uri, u);
    assert_eq!(related[0].location.range.start, Position::new(8, 45));
    assert_eq!(
        related[0].message,
        "the value comes from this argument of `web`"
    );
    c.shutdown();
}

#[test]
fn did_you_mean_has_a_quick_fix() {
    let bad = MAIN.replace("rotation = true", "rotaton = true");
    let (_dir, _root, mut c, u) = start_project(&bad);
    let diags = c.diagnostics(&u, 1);
    let e = diags
        .iter()
        .find(|d| d.code == Some(NumberOrString::String("E2001".into())))
        .expect("E2001");
    let actions = code_actions(&mut c, &u, e);
    let Some(CodeActionOrCommand::CodeAction(a)) = actions.first() else {
        panic!("{actions:#?}")
    };
    assert_eq!(a.title, "Replace `rotaton` with `rotation`");
    assert_eq!(
        apply(
            &bad,
            &a.edit.as_ref().unwrap().changes.as_ref().unwrap()[&u]
        ),
        MAIN
    );
    c.shutdown();
}

/// The code actions offered for one diagnostic.
fn code_actions(c: &mut Client, u: &Uri, d: &Diagnostic) -> Vec<CodeActionOrCommand> {
    c.request::<req::CodeActionRequest>(CodeActionParams {
        text_document: TextDocumentIdentifier { uri: u.clone() },
        range: d.range,
        context: CodeActionContext {
            diagnostics: vec![d.clone()],
            only: None,
            trigger_kind: None,
        },
        work_done_progress_params: Default::default(),
        partial_result_params: Default::default(),
    })
    .expect("codeAction succeeds")
    .expect("actions")
}

fn apply(text: &str, edits: &[TextEdit]) -> String {
    let index = strata_base::SourceFile::new(strata_base::FileId(0), "", text, false);
    let mut edits = edits.to_vec();
    edits.sort_by_key(|e| std::cmp::Reverse((e.range.start.line, e.range.start.character)));
    let mut out = text.to_string();
    for e in edits {
        let s = index.offset_of_utf16(e.range.start.line, e.range.start.character);
        let t = index.offset_of_utf16(e.range.end.line, e.range.end.character);
        out.replace_range(s..t, &e.new_text);
    }
    out
}

#[test]
fn hover_shows_declarations_properties_and_schemas() {
    let (_dir, _root, mut c, u) = start_project(MAIN);
    let _ = c.diagnostics(&u, 1);
    // A property: type and doc from the schema.
    let h = c
        .hover(&u, pos_of(MAIN, "versioning", 0, 2))
        .expect("hover on a property");
    assert!(
        h.contains("versioning")
            && h.contains(": bool = false")
            && h.contains("Keep every version"),
        "{h}"
    );
    // A reference to a resource.
    let h = c
        .hover(&u, pos_of(MAIN, "key = key", 0, 7))
        .expect("hover on a reference");
    assert!(
        h.contains("resource key: aws.kms.Key") && h.contains("Customer data key."),
        "{h}"
    );
    // A schema name.
    let h = c
        .hover(&u, pos_of(MAIN, "acme.Store", 0, 6))
        .expect("hover on a schema");
    assert!(
        h.contains("schema acme.Store") && h.contains("A bucket of the team's own making."),
        "{h}"
    );
    // A resource at its declaration.
    let h = c
        .hover(&u, pos_of(MAIN, "resource key", 0, 10))
        .expect("hover on a declaration");
    assert!(h.contains("resource key: aws.kms.Key"), "{h}");
    // Whitespace: nothing.
    assert_eq!(c.hover(&u, Position::new(1, 0)), None);
    c.shutdown();
}

#[test]
fn hover_on_a_priced_resource_shows_its_cost() {
    let (_dir, _root, mut c, u) = start_project(MAIN);
    let _ = c.diagnostics(&u, 1);
    let snap_cost = {
        let (_d, root) = project(&[("schemas.strata", SCHEMAS), ("main.strata", MAIN)]);
        strata_driver::check(&strata_driver::DiskWorld, &root, &Default::default())
            .cost
            .expect("a cost estimate")
    };
    let h = c
        .hover(&u, pos_of(MAIN, "resource key", 0, 10))
        .expect("hover");
    // A customer managed KMS key has a fixed monthly price in the stdlib tables.
    let line = snap_cost
        .resources
        .iter()
        .find(|l| l.name == "key" && l.monthly > 0.0)
        .expect("the key is priced");
    assert!(
        h.contains(&format!(
            "**Estimated cost:** {:.2} USD/month",
            line.monthly
        )),
        "{h}"
    );
    assert!(
        h.contains(&line.details[0].what),
        "the priced components are listed: {h}"
    );
    // The same on a reference to it.
    let h = c.hover(&u, pos_of(MAIN, "key = key", 0, 7)).expect("hover");
    assert!(h.contains("**Estimated cost:**"), "{h}");
    // A resource without a fixed price shows none rather than a made-up one.
    let h = c
        .hover(&u, pos_of(MAIN, "resource store", 0, 10))
        .expect("hover");
    assert!(!snap_cost
        .resources
        .iter()
        .any(|l| l.name == "store" && l.monthly > 0.0));
    assert!(
        h.contains("**Estimated cost:** no fixed monthly price") && !h.contains("0.00"),
        "{h}"
    );
    c.shutdown();
}

#[test]
fn definition_in_the_project_and_in_the_stdlib() {
    let (_dir, root, mut c, u) = start_project(MAIN);
    let _ = c.diagnostics(&u, 1);
    // `key = key`: the reference goes to the resource's name.
    let l = c
        .definition(&u, pos_of(MAIN, "key = key", 0, 7))
        .expect("definition of a resource");
    assert_eq!(l.uri, u);
    assert_eq!(l.range.start, pos_of(MAIN, "key: aws", 0, 0));
    // `retention`: a let.
    let l = c
        .definition(&u, pos_of(MAIN, "= retention", 0, 3))
        .expect("definition of a let");
    assert_eq!(l.range.start, pos_of(MAIN, "retention = 30d", 0, 0));
    // `versioning`: the schema field in the other file.
    let l = c
        .definition(&u, pos_of(MAIN, "versioning", 0, 1))
        .expect("definition of a property");
    assert_eq!(l.uri, uri(&root.join("schemas.strata")));
    assert_eq!(l.range.start, pos_of(SCHEMAS, "versioning: bool", 0, 0));
    // `aws.kms.Key`: the stdlib, copied read-only into the cache.
    let l = c
        .definition(&u, pos_of(MAIN, "aws.kms.Key", 0, 9))
        .expect("definition of a stdlib schema");
    let path = std::path::PathBuf::from(l.uri.as_str().trim_start_matches("file://"));
    assert!(path.starts_with(c.cache.path()), "{path:?}");
    let text = std::fs::read_to_string(&path).expect("the stdlib file exists");
    let line = text
        .lines()
        .nth(l.range.start.line as usize)
        .expect("the line exists");
    assert!(line.contains("schema aws.kms.Key"), "{line}");
    // `rotation`: a stdlib field.
    let l = c
        .definition(&u, pos_of(MAIN, "rotation", 0, 1))
        .expect("definition of a stdlib field");
    let text = std::fs::read_to_string(l.uri.as_str().trim_start_matches("file://")).unwrap();
    assert!(text
        .lines()
        .nth(l.range.start.line as usize)
        .unwrap()
        .trim_start()
        .starts_with("rotation"));
    c.shutdown();
}

fn labels(items: &[CompletionItem]) -> Vec<String> {
    let mut v: Vec<(String, String)> = items
        .iter()
        .map(|i| {
            (
                i.sort_text.clone().unwrap_or_else(|| i.label.clone()),
                i.label.clone(),
            )
        })
        .collect();
    v.sort();
    v.into_iter().map(|(_, l)| l).collect()
}

#[test]
fn completion_of_types_properties_values_members_and_names() {
    let (_dir, _root, mut c, u) = start_project(MAIN);
    let _ = c.diagnostics(&u, 1);
    let mut text = MAIN.to_string();
    let edit = |c: &mut Client, text: &mut String, new: String| {
        *text = new;
        c.change_full(&u, text);
    };

    // After `resource x: ` — schema names, with a text edit over what was typed.
    edit(&mut c, &mut text, format!("{MAIN}\nresource extra: acme.S"));
    let items = c.completion(&u, pos_of(&text, "acme.S", 0, 6));
    let store = items
        .iter()
        .find(|i| i.label == "acme.Store")
        .unwrap_or_else(|| panic!("{:?}", labels(&items)));
    assert!(items.iter().any(|i| i.label == "aws.kms.Key"));
    match &store.text_edit {
        Some(CompletionTextEdit::Edit(e)) => {
            assert_eq!(e.range.start, pos_of(&text, "acme.S", 0, 0))
        }
        other => panic!("{other:?}"),
    }

    // Inside a body: properties not yet set first (required before optional), then set ones.
    edit(
        &mut c,
        &mut text,
        MAIN.replace("  versioning = true\n", "  versioning = true\n  \n"),
    );
    let items = c.completion(&u, pos_of(&text, "  \n", 0, 2));
    let l = labels(&items);
    assert_eq!(
        l,
        vec!["class", "lifecycle", "backups", "key", "size", "versioning"],
        "{l:?}"
    );
    let class = items.iter().find(|i| i.label == "class").unwrap();
    assert_eq!(
        class.detail.as_deref(),
        Some("\"STANDARD\" | \"GLACIER\" = \"STANDARD\"")
    );
    assert!(
        matches!(&class.documentation, Some(Documentation::MarkupContent(m)) if m.value.contains("Storage class"))
    );

    // After `class = ` — the allowed values.
    edit(
        &mut c,
        &mut text,
        MAIN.replace("  versioning = true\n", "  versioning = true\n  class = \n"),
    );
    let items = c.completion(&u, pos_of(&text, "class = ", 0, 8));
    let l = labels(&items);
    assert_eq!(&l[..2], &["\"STANDARD\"", "\"GLACIER\""], "{l:?}");
    assert!(
        l.contains(&"retention".to_string()),
        "names in scope follow: {l:?}"
    );

    // Inside a nested record: the record's fields.
    edit(
        &mut c,
        &mut text,
        MAIN.replace(
            "backups = { retention = retention }",
            "backups = { retention = retention,  }",
        ),
    );
    let items = c.completion(&u, pos_of(&text, "retention,  }", 0, 11));
    assert_eq!(labels(&items), vec!["point_in_time", "retention"]);

    // After `store.` — its attributes, outputs first.
    edit(&mut c, &mut text, MAIN.replace("store.url", "store."));
    let items = c.completion(&u, pos_of(&text, "store.\n", 0, 6));
    let l = labels(&items);
    assert_eq!(&l[..2], &["arn", "url"], "{l:?}");
    assert!(l.contains(&"versioning".to_string()));

    // In an expression: lets, resources, functions.
    edit(&mut c, &mut text, format!("{MAIN}output x = "));
    let items = c.completion(&u, pos_of(&text, "output x = ", 0, 11));
    let l = labels(&items);
    for name in ["retention", "key", "store", "length"] {
        assert!(l.contains(&name.to_string()), "{name} missing from {l:?}");
    }
    // A reference-typed property proposes resources of that type first.
    edit(
        &mut c,
        &mut text,
        MAIN.replace("  key = key\n", "  key = \n"),
    );
    let items = c.completion(&u, pos_of(&text, "key = \n", 0, 6));
    assert_eq!(labels(&items).first().map(String::as_str), Some("key"));
    c.shutdown();
}

#[test]
fn completion_in_a_union_of_records_offers_every_alternative() {
    // `K8sProbe` is an HTTP, a command or a TCP probe: inside `liveness = { }` the fields of
    // the three, the ones that say which first.
    let main = "import k8s\n\nresource w: k8s.Deployment {\n  containers = [{ image = \"x:1.0\", liveness = {  } }]\n}\n";
    let (_dir, _root, mut c, u) = start_project(main);
    let _ = c.diagnostics(&u, 1);
    let items = c.completion(&u, pos_of(main, "liveness = {  }", 0, 13));
    assert_eq!(
        labels(&items),
        vec![
            "command",
            "path",
            "tcp_port",
            "initial_delay",
            "period",
            "port"
        ]
    );
    c.shutdown();
}

#[test]
fn completion_of_modules_and_stacks() {
    let text = r#"import aws

module Site {
  /// The site's name.
  param name: string
  param replicas: int(1..10) = 1
  resource key: aws.kms.Key { rotation = true }
  output key_arn = key.arn
}

module blog: Site {
  name = "blog"
  
}

stack web {
  
}

output arn = blog.
"#;
    let (_dir, root) = project(&[("main.strata", text)]);
    let mut c = Client::start();
    let u = c.open(&root.join("main.strata"), text);
    let _ = c.diagnostics(&u, 1);
    // A module instance's body: the module's parameters, unset required ones first.
    let items = c.completion(&u, pos_of(text, "  \n}", 0, 2));
    assert_eq!(labels(&items), vec!["replicas", "name"]);
    let name = items.iter().find(|i| i.label == "name").unwrap();
    assert_eq!(name.detail.as_deref(), Some("string"));
    // A stack's body: its settings.
    let items = c.completion(&u, pos_of(text, "  \n}", 1, 2));
    assert_eq!(labels(&items), vec!["budget", "provider", "tags"]);
    // After `blog.`: the module's outputs.
    let items = c.completion(&u, pos_of(text, "blog.\n", 0, 5));
    assert_eq!(labels(&items), vec!["key_arn"]);
    // After `module x:`: module names.
    let t2 = format!("{text}module shop: ");
    c.change_full(&u, &t2);
    let items = c.completion(&u, pos_of(&t2, "module shop: ", 0, 13));
    assert_eq!(labels(&items), vec!["Site"]);
    c.shutdown();
}

#[test]
fn document_symbols_and_formatting() {
    let messy = "import aws\nresource   key : aws.kms.Key {rotation=true}\nlet a   = 1\n";
    let (_dir, _root, mut c, u) = start_project(messy);
    let syms = c
        .request::<req::DocumentSymbolRequest>(DocumentSymbolParams {
            text_document: TextDocumentIdentifier { uri: u.clone() },
            work_done_progress_params: Default::default(),
            partial_result_params: Default::default(),
        })
        .unwrap()
        .unwrap();
    let DocumentSymbolResponse::Nested(syms) = syms else {
        panic!("nested symbols expected")
    };
    let names: Vec<&str> = syms.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, vec!["aws", "key", "a"]);
    assert_eq!(syms[1].detail.as_deref(), Some("aws.kms.Key"));
    assert_eq!(syms[1].children.as_ref().unwrap()[0].name, "rotation");

    let fmt = |c: &mut Client| {
        c.request::<req::Formatting>(DocumentFormattingParams {
            text_document: TextDocumentIdentifier { uri: u.clone() },
            options: FormattingOptions {
                tab_size: 2,
                insert_spaces: true,
                ..Default::default()
            },
            work_done_progress_params: Default::default(),
        })
    };
    let edits = fmt(&mut c).unwrap().unwrap();
    let formatted = apply(messy, &edits);
    assert_eq!(formatted, strata_syntax::format_source(messy).unwrap());
    assert!(
        formatted.contains("resource key: aws.kms.Key { rotation = true }"),
        "{formatted}"
    );
    // Already formatted: no edit.
    c.change_full(&u, &formatted);
    assert_eq!(fmt(&mut c).unwrap(), Some(vec![]));
    // A syntax error: refused, with the reason.
    c.change_full(&u, "resource key: aws.kms.Key {\n");
    let err = fmt(&mut c).expect_err("formatting a broken file fails");
    assert!(
        err.message.contains("syntax error at line"),
        "{}",
        err.message
    );
    c.shutdown();
}

#[test]
fn survives_malformed_requests_and_half_typed_files() {
    let (_dir, _root, mut c, u) = start_project(MAIN);
    let _ = c.diagnostics(&u, 1);
    // Parameters of the wrong shape: an error response, not a crash.
    let e = c
        .request_raw("textDocument/hover", serde_json::json!({"nonsense": true}))
        .expect_err("invalid params");
    assert_eq!(e.code, lsp_server::ErrorCode::InvalidParams as i32);
    let e = c
        .request_raw("textDocument/unknown", serde_json::json!({}))
        .expect_err("unknown method");
    assert_eq!(e.code, lsp_server::ErrorCode::MethodNotFound as i32);
    // A document that is not open.
    let other = uri(std::path::Path::new("/nonexistent/x.strata"));
    assert!(c.request_raw("textDocument/hover", serde_json::json!({"textDocument": {"uri": other}, "position": {"line": 0, "character": 0}})).is_err());
    // Malformed notifications are ignored.
    c.send_raw(lsp_server::Message::Notification(
        lsp_server::Notification::new(
            "textDocument/didChange".into(),
            serde_json::json!({"bad": 1}),
        ),
    ));
    // Positions far outside the document.
    assert_eq!(c.hover(&u, Position::new(10_000, 10_000)), None);
    let _ = c.completion(&u, Position::new(10_000, 10_000));
    // Every prefix of the file, typed character by character, with completion and hover at
    // the cursor: never a crash, always an answer.
    let mut v = 1;
    for (i, _) in MAIN.char_indices().step_by(7) {
        let prefix = &MAIN[..i];
        v = c.change_full(&u, prefix);
        let end = pos_of(&format!("{prefix}\u{0}"), "\u{0}", 0, 0);
        let _ = c.completion(&u, end);
        let _ = c.hover(&u, end);
    }
    let _ = c.diagnostics(&u, v);
    c.shutdown();
}

#[test]
fn the_latest_version_is_checked_after_a_burst_of_edits() {
    let (_dir, _root, mut c, u) = start_project(MAIN);
    let _ = c.diagnostics(&u, 1);
    let mut last = 1;
    for i in 0..30 {
        last = c.change_full(
            &u,
            &MAIN.replace("size = 10 GiB", &format!("size = {} GiB", 10 + i)),
        );
    }
    // Finally an error: the last version's diagnostics must show it.
    let bad = MAIN.replace("size = 10 GiB", "size = 10 days");
    last = c.change_full(&u, &bad).max(last);
    let d = c.diagnostics(&u, last);
    assert!(
        d.iter().any(
            |d| d.range.start.line == pos_of(&bad, "size = 10 days", 0, 0).line
                && d.severity == Some(DiagnosticSeverity::ERROR)
        ),
        "{d:#?}"
    );
    c.shutdown();
}

#[test]
fn exit_without_shutdown_is_an_error() {
    let (server_side, client_side) = lsp_server::Connection::memory();
    let cache = tempfile::tempdir().unwrap();
    let t = std::thread::spawn(move || {
        strata_lsp::serve(
            server_side,
            strata_lsp::Config {
                cache: strata_lsp::Cache::new(cache.path().to_path_buf()),
                request_threads: 1,
            },
        )
    });
    client_side
        .sender
        .send(lsp_server::Message::Request(lsp_server::Request::new(
            1.into(),
            "initialize".into(),
            InitializeParams::default(),
        )))
        .unwrap();
    let _ = client_side.receiver.recv().unwrap();
    client_side
        .sender
        .send(lsp_server::Message::Notification(
            lsp_server::Notification::new("initialized".into(), serde_json::json!({})),
        ))
        .unwrap();
    client_side
        .sender
        .send(lsp_server::Message::Notification(
            lsp_server::Notification::new("exit".into(), serde_json::Value::Null),
        ))
        .unwrap();
    assert!(t.join().unwrap().is_err());
}

// Hostile input over the real transport: raw bytes into the server's own framing (pipes, or the
// process on its stdin). After each broken message the server must answer a valid request.

use common::{frame, Wire};
use serde_json::{json, Value};

const SMALL: &str = "import aws\n\nresource key: aws.kms.Key {\n  rotation = true\n}\n";

/// An initialised server with `SMALL` open.
fn wire_with_document(mut w: Wire) -> (tempfile::TempDir, Wire, Value) {
    let (dir, root) = project(&[("main.strata", SMALL)]);
    w.initialize();
    let u = json!(uri(&root.join("main.strata")).as_str());
    w.notify("textDocument/didOpen", json!({ "textDocument": { "uri": u, "languageId": "strata", "version": 1, "text": SMALL } }));
    assert_answers(&mut w, &u, &["aws", "key"]);
    (dir, w, u)
}

/// The server still answers: the document's symbols are `names`.
fn assert_answers(w: &mut Wire, u: &Value, names: &[&str]) {
    let r = w.request(
        "textDocument/documentSymbol",
        json!({ "textDocument": { "uri": u } }),
    );
    let got: Vec<&str> = r["result"]
        .as_array()
        .unwrap_or_else(|| panic!("{r}"))
        .iter()
        .filter_map(|s| s["name"].as_str())
        .collect();
    assert_eq!(got, names, "{r}");
}

fn request_body(id: i64, method: &str, params: Value) -> String {
    json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }).to_string()
}

/// The error responses received so far, as (code, id).
fn errors(w: &mut Wire) -> Vec<(i64, Value)> {
    w.others
        .drain(..)
        .map(|r| {
            (
                r["error"]["code"]
                    .as_i64()
                    .unwrap_or_else(|| panic!("not an error: {r}")),
                r["id"].clone(),
            )
        })
        .collect()
}

#[test]
fn badly_framed_messages_are_answered_and_the_server_reads_on() {
    let (_dir, mut w, u) = wire_with_document(Wire::pipes());
    let hover = request_body(
        41,
        "textDocument/hover",
        json!({ "textDocument": { "uri": u }, "position": { "line": 2, "character": 10 } }),
    );
    let cases: Vec<(String, Vec<u8>, (i64, Value))> = vec![
        (
            "Content-Length too short".into(),
            format!("Content-Length: 20\r\n\r\n{hover}").into_bytes(),
            (-32700, Value::Null),
        ),
        (
            "Content-Length too long".into(),
            format!("Content-Length: {}\r\n\r\n{hover}", hover.len() + 500).into_bytes(),
            (-32600, json!(41)),
        ),
        (
            "Content-Length not a number".into(),
            format!("Content-Length: twelve\r\n\r\n{hover}").into_bytes(),
            (-32700, Value::Null),
        ),
        (
            "Content-Length negative".into(),
            format!("Content-Length: -1\r\n\r\n{hover}").into_bytes(),
            (-32700, Value::Null),
        ),
        (
            "a body that is not JSON".into(),
            frame("{\"jsonrpc\": \"2.0\", \"id\": 41,").into_bytes(),
            (-32700, Value::Null),
        ),
        (
            "a body that is not UTF-8".into(),
            [b"Content-Length: 3\r\n\r\n\"\xff\"".as_slice()].concat(),
            (-32700, Value::Null),
        ),
        (
            "JSON that is not a message".into(),
            frame(r#"{"jsonrpc":"2.0","params":{}}"#).into_bytes(),
            (-32600, Value::Null),
        ),
        (
            "a method that is not a string".into(),
            frame(r#"{"jsonrpc":"2.0","id":41,"method":7}"#).into_bytes(),
            (-32600, json!(41)),
        ),
        (
            "a batch".into(),
            frame(&format!("[{hover}]")).into_bytes(),
            (-32600, Value::Null),
        ),
    ];
    for (what, bytes, expected) in cases {
        w.send(&bytes);
        assert_answers(&mut w, &u, &["aws", "key"]);
        assert_eq!(errors(&mut w), vec![expected], "{what}");
    }
    // A malformed response is not answered (JSON-RPC never answers a response).
    w.send(frame(r#"{"jsonrpc":"2.0","id":[1],"result":null}"#));
    assert_answers(&mut w, &u, &["aws", "key"]);
    assert_eq!(errors(&mut w), vec![]);
    w.shutdown();
    assert_eq!(w.join(), Ok(()));
}

#[test]
fn huge_content_lengths_are_refused_without_allocating_them() {
    let (_dir, mut w, u) = wire_with_document(Wire::pipes());
    for n in [
        "18446744073709551615",
        "1000000000000",
        "340282366920938463463374607431768211456",
        &(64 * 1024 * 1024 + 1).to_string(),
    ] {
        // The refusal comes before any byte of the body is sent: nothing waits for, or
        // allocates, the announced length.
        w.send(format!("Content-Length: {n}\r\n\r\n"));
        let r = w.next_response();
        assert_eq!(
            (r["error"]["code"].as_i64(), &r["id"]),
            (Some(-32600), &Value::Null),
            "{n}: {r}"
        );
        assert!(
            r["error"]["message"]
                .as_str()
                .unwrap_or("")
                .contains("over the limit of 64 MiB"),
            "{r}"
        );
        // What is sent of the body is skipped as it arrives.
        w.send(format!(
            "{{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"x\",\"params\":\"{}\"}}",
            "y".repeat(1 << 20)
        ));
        assert_answers(&mut w, &u, &["aws", "key"]);
        assert_eq!(errors(&mut w), vec![], "{n}");
    }
    w.shutdown();
    assert_eq!(w.join(), Ok(()));
}

#[test]
fn broken_headers_never_stop_the_server() {
    let (_dir, mut w, u) = wire_with_document(Wire::pipes());
    let symbols = request_body(
        42,
        "textDocument/documentSymbol",
        json!({ "textDocument": { "uri": u } }),
    );
    // A header line of 1 MiB without a line end, a header without Content-Length.
    let cases = [
        format!("X-Junk: {}", "x".repeat(1 << 20)),
        format!("Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n{symbols}"),
    ];
    for bytes in cases {
        w.send(&bytes);
        assert_answers(&mut w, &u, &["aws", "key"]);
        assert_eq!(
            errors(&mut w),
            vec![(-32700, Value::Null)],
            "{}",
            &bytes[..40]
        );
    }
    // Content-Type and unknown fields, any case, `\n` line ends: the message is read.
    w.send(format!(
        "content-length: {}\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\nX-Editor: vi\nUser-Agent: x\r\n\r\n{symbols}",
        symbols.len()
    ));
    let r = w.response_to(&json!(42));
    assert!(r["result"].is_array(), "{r}");
    assert_eq!(errors(&mut w), vec![]);
    w.shutdown();
    assert_eq!(w.join(), Ok(()));
}

#[test]
fn the_end_of_the_input_inside_a_message_ends_the_server_without_a_panic() {
    for cut in [
        "Content-Length: 100\r\n\r\n{\"jsonrpc\":\"2.0\"",
        "Content-Length: 100\r\n",
        "Content-Le",
    ] {
        let (_dir, mut w, _u) = wire_with_document(Wire::pipes());
        w.send(cut);
        // As if the client had exited without `shutdown`: an error (exit code 1), no panic.
        let result = w.join();
        assert!(
            result
                .as_ref()
                .is_err_and(|e| e.contains("without a shutdown")),
            "{cut:?}: {result:?}"
        );
    }
}

#[test]
fn hostile_messages_never_stop_the_server() {
    let (_dir, mut w, u) = wire_with_document(Wire::pipes());
    // Parameters that do not match the method: InvalidParams, for every request.
    for method in [
        "textDocument/hover",
        "textDocument/definition",
        "textDocument/completion",
        "textDocument/documentSymbol",
        "textDocument/formatting",
        "textDocument/codeAction",
    ] {
        for params in [
            json!("nonsense"),
            json!([1, 2]),
            json!(null),
            json!({ "textDocument": { "uri": 5 } }),
        ] {
            let r = w.request(method, params.clone());
            assert_eq!(r["error"]["code"], json!(-32602), "{method} {params}: {r}");
        }
    }
    for method in [
        "textDocument/hover",
        "textDocument/definition",
        "textDocument/completion",
    ] {
        let r = w.request(
            method,
            json!({ "textDocument": { "uri": u }, "position": { "line": -1, "character": 0 } }),
        );
        assert_eq!(r["error"]["code"], json!(-32602), "{method}: {r}");
    }
    // Unknown requests: MethodNotFound (`$/` ones too); unknown notifications: ignored.
    assert_eq!(
        w.request("$/unknown", json!({}))["error"]["code"],
        json!(-32601)
    );
    w.notify("$/unknown", json!({}));
    w.notify("custom/thing", json!(null));
    // Notifications for documents that are not open, and with parameters of the wrong shape.
    for other in [
        "file:///nonexistent/x.strata",
        "untitled:Untitled-9",
        "not a uri",
        "file:///",
    ] {
        let doc = json!({ "uri": other, "version": 3 });
        w.notify("textDocument/didChange", json!({ "textDocument": doc, "contentChanges": [{ "text": "x" }, { "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 9, "character": 9 } }, "text": "y" }] }));
        w.notify(
            "textDocument/didSave",
            json!({ "textDocument": { "uri": other } }),
        );
        w.notify(
            "textDocument/didClose",
            json!({ "textDocument": { "uri": other } }),
        );
    }
    w.notify("textDocument/didChange", json!({ "textDocument": { "uri": u, "version": "one" }, "contentChanges": [{ "text": "" }] }));
    w.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": u, "version": 1 }, "contentChanges": 5 }),
    );
    for params in [
        json!(null),
        json!("x"),
        json!([]),
        json!({ "textDocument": { "uri": 5 } }),
    ] {
        for n in [
            "textDocument/didOpen",
            "textDocument/didChange",
            "textDocument/didClose",
            "textDocument/didSave",
            "workspace/didChangeWatchedFiles",
            "$/cancelRequest",
            "initialized",
            "exit-not",
        ] {
            w.notify(n, params.clone());
        }
    }
    w.notify("$/cancelRequest", json!({ "id": [1] }));
    assert_answers(&mut w, &u, &["aws", "key"]);

    // `didChange` with ranges outside the document, reversed, or inside a surrogate pair:
    // clamped, never a panic.
    let change = |w: &mut Wire, version: i64, start: (u64, u64), end: (u64, u64), text: &str| {
        let range = json!({ "start": { "line": start.0, "character": start.1 }, "end": { "line": end.0, "character": end.1 } });
        w.notify("textDocument/didChange", json!({ "textDocument": { "uri": u, "version": version }, "contentChanges": [{ "range": range, "text": text }] }));
    };
    change(&mut w, 2, (1000, 0), (1000, 5), "\nlet far = 1\n");
    change(&mut w, 3, (4, 99), (1, 0), "");
    change(&mut w, 4, (0, 0), (0, 0), "// 😀\n");
    change(&mut w, 5, (0, 4), (0, 4), "");
    change(
        &mut w,
        6,
        (u64::from(u32::MAX), u64::from(u32::MAX)),
        (0, 0),
        "",
    );
    w.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": u, "version": 7 }, "contentChanges": [{ "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 99999999999u64, "character": 0 } }, "text": "" }] }),
    );
    assert_answers(&mut w, &u, &["aws", "key", "far"]);
    w.shutdown();
    assert_eq!(w.join(), Ok(()));
}

#[test]
fn initialisation_follows_the_specification() {
    let (dir, root) = project(&[("main.strata", SMALL)]);
    let mut w = Wire::pipes();
    // Before `initialize`: requests get ServerNotInitialized, notifications are dropped.
    let r = w.request(
        "textDocument/documentSymbol",
        json!({ "textDocument": { "uri": "file:///x.strata" } }),
    );
    assert_eq!(r["error"]["code"], json!(-32002), "{r}");
    w.notify("textDocument/didOpen", json!({ "textDocument": { "uri": "file:///x.strata", "languageId": "strata", "version": 1, "text": "" } }));
    // `initialize`; then a document is opened before `initialized` (clients pipeline them).
    let r = w.request("initialize", json!({ "capabilities": {} }));
    assert!(r["result"]["capabilities"].is_object(), "{r}");
    let u = json!(uri(&root.join("main.strata")).as_str());
    w.notify("textDocument/didOpen", json!({ "textDocument": { "uri": u, "languageId": "strata", "version": 1, "text": SMALL } }));
    w.notify("initialized", json!({}));
    assert_answers(&mut w, &u, &["aws", "key"]);
    // A second `initialize`: InvalidRequest, as gopls answers (the specification only says it
    // may be sent once); not MethodNotFound.
    for _ in 0..2 {
        let r = w.request("initialize", json!({ "capabilities": {} }));
        assert_eq!(r["error"]["code"], json!(-32600), "{r}");
        assert!(
            r["error"]["message"]
                .as_str()
                .unwrap_or("")
                .contains("already initialised"),
            "{r}"
        );
    }
    w.notify("initialized", json!({}));
    assert_answers(&mut w, &u, &["aws", "key"]);
    // After `shutdown`, requests are InvalidRequest.
    assert!(w.request("shutdown", Value::Null).get("error").is_none());
    assert_eq!(
        w.request(
            "textDocument/documentSymbol",
            json!({ "textDocument": { "uri": u } })
        )["error"]["code"],
        json!(-32600)
    );
    w.notify("exit", Value::Null);
    assert_eq!(w.join(), Ok(()));
    drop(dir);
}

/// Not a test of its own: the `strata lsp` process of the tests below. They run this test
/// binary again with only this test and `CHILD_ENV` set, so that it serves on its real
/// stdin/stdout through `strata_lsp::run()`, as `strata lsp` does, and exits as it does.
#[test]
fn stdio_server_process() {
    if std::env::var_os(common::CHILD_ENV).is_some() {
        let _ = strata_lsp::run();
    }
}

#[test]
fn exit_codes_follow_the_specification() {
    // "The server should exit with success code 0 if the shutdown request has been received
    // before; otherwise with error code 1." (LSP 3.17, Exit Notification)
    let mut w = Wire::process();
    w.initialize();
    w.shutdown();
    let (code, stderr) = w.wait();
    assert_eq!(code, Some(0), "{stderr}");

    let mut w = Wire::process();
    w.initialize();
    w.notify("exit", Value::Null);
    let (code, stderr) = w.wait();
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("without a shutdown"), "{stderr}");

    // The client closes stdin, or exits before `initialize`.
    let mut w = Wire::process();
    w.initialize();
    w.close_input();
    assert_eq!(w.wait().0, Some(1));
    let mut w = Wire::process();
    w.notify("exit", Value::Null);
    assert_eq!(w.wait().0, Some(1));
}

#[test]
fn the_stdio_process_survives_hostile_input() {
    let (_dir, mut w, u) = wire_with_document(Wire::process());
    // The length that panicked lsp-server's reader thread, one that made it allocate a
    // terabyte, a header line without an end, a body cut short.
    let hover = request_body(
        43,
        "textDocument/hover",
        json!({ "textDocument": { "uri": u }, "position": { "line": 0, "character": 0 } }),
    );
    for bytes in [
        format!("Content-Length: 18446744073709551615\r\n\r\n{hover}"),
        format!("Content-Length: 1000000000000\r\n\r\n{hover}"),
        "Content-Length: 5".repeat(10_000),
        format!("Content-Length: 10\r\n\r\n{hover}"),
    ] {
        w.send(&bytes);
        assert_answers(&mut w, &u, &["aws", "key"]);
        assert_eq!(errors(&mut w).len(), 1, "{}", &bytes[..30]);
    }
    w.shutdown();
    let (code, stderr) = w.wait();
    assert_eq!(code, Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn generated_types_complete_from_the_index_and_hover_with_their_documentation() {
    let text = "import cfn\n\nstack s {\n  provider = aws { region = \"us-east-1\" }\n}\n\nresource t: cfn.AWS.SNS.Topic {\n  TopicName = \"alerts\"\n}\nresource u: cfn.AWS.S3.\n";
    let (_dir, root) = project(&[("main.strata", text)]);
    let mut c = Client::start();
    let u = c.open(&root.join("main.strata"), text);
    let _ = c.diagnostics(&u, 1);
    let t0 = std::time::Instant::now();
    let items = c.completion(&u, pos_of(text, "cfn.AWS.S3.\n", 0, 11));
    let took = t0.elapsed();
    assert!(
        items.iter().any(|i| i.label == "cfn.AWS.S3.Bucket"),
        "{:?}",
        labels(&items)
    );
    // From the index only what matches the typed prefix (plus the types the program already uses).
    assert!(items
        .iter()
        .filter(|i| i.label.starts_with("cfn."))
        .all(|i| i.label.starts_with("cfn.AWS.S3.") || i.label == "cfn.AWS.SNS.Topic"));
    // Generous: the target is 50 ms; this only catches loading the whole layer per request.
    assert!(took.as_millis() < 2_000, "completion took {took:?}");
    let hover = c
        .hover(&u, pos_of(text, "cfn.AWS.SNS.Topic", 0, 14))
        .unwrap_or_default();
    assert!(
        hover.contains("AWS::SNS::Topic") && hover.contains("https://docs.aws.amazon.com/"),
        "{hover}"
    );
    let hover = c
        .hover(&u, pos_of(text, "TopicName", 0, 2))
        .unwrap_or_default();
    assert!(hover.contains("TopicName"), "{hover}");
    c.shutdown();
}
