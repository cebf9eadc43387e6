//! Hover and go-to-definition data recorded by semantics.

use strata_base::SourceMap;
use strata_semantics::{analyze, NoImports, Options, XRefKind};

#[test]
fn records_names_schemas_and_properties() {
    let src = "schema acme.Bucket {\n  /// Keep old versions.\n  versioning: bool = false\n  out arn: string\n}\n/// Production?\nlet prod = true\nresource b: acme.Bucket { versioning = prod }\noutput a = b.arn\n";
    let mut sources = SourceMap::new();
    let id = sources.add("main.strata", src, false);
    let (analysis, diags) = analyze(
        &mut sources,
        &[id],
        &NoImports,
        &Options {
            record_xrefs: true,
            ..Options::default()
        },
    );
    assert!(diags.is_empty(), "{diags:?}");
    let at = |needle: &str, nth: usize| {
        src.match_indices(needle)
            .nth(nth)
            .map(|(i, _)| i as u32)
            .expect("needle")
    };
    let find = |off: u32| {
        analysis
            .xrefs
            .iter()
            .find(|x| x.use_span.start == off)
            .unwrap_or_else(|| panic!("no xref at {off}: {:?}", analysis.xrefs))
    };

    let prod_use = find(at("prod", 1));
    assert_eq!(prod_use.kind, XRefKind::Name);
    assert_eq!(prod_use.def_span.start, at("prod", 0));
    assert!(
        prod_use.hover.contains("let prod = true") && prod_use.hover.contains("Production?"),
        "{}",
        prod_use.hover
    );

    let schema = find(at("acme.Bucket", 1));
    assert_eq!(schema.kind, XRefKind::Schema);
    assert_eq!(schema.def_span.start, at("acme.Bucket", 0));

    let prop = find(at("versioning", 1));
    assert_eq!(prop.kind, XRefKind::Property);
    assert_eq!(prop.def_span.start, at("versioning", 0));
    assert!(
        prop.hover.contains("versioning?: bool = false")
            && prop.hover.contains("Keep old versions."),
        "{}",
        prop.hover
    );

    let out = find(at("arn", 1));
    assert_eq!(out.def_span.start, at("arn", 0));
    assert!(out.hover.contains("out arn: string"));
}
