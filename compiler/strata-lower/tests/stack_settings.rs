//! A stack setting that lowered resources need and the stack leaves unset (`tenant_id` of an
//! Azure stack) is one `L0014` at the stack naming every resource that needs it, not an
//! `L0002` per lowered resource about a property the portable type does not have.

mod common;

const PROGRAM: &str = r#"
import portable.{Postgres, Secret, Service}
stack shop { provider = azure { location = "westeurope" TENANT } }
resource db: Postgres {}
resource key: Secret {}
resource api: Service { image = "nginx:1.27", port = 8080, env = { DB = db.host, KEY = key.value } }
"#;

#[test]
fn a_missing_tenant_is_one_finding_at_the_stack() {
    let a = common::analyse(&PROGRAM.replace(" TENANT", ""), None);
    let (_, diags) = strata_lower::lower_portable(a.model, &a.schemas);
    let codes: Vec<&str> = diags.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(codes, ["L0014"], "{diags:#?}");
    let d = &diags[0];
    assert_eq!(d.message, "stack `shop` sets no `tenant_id`");
    let text = |s: strata_base::Span| {
        a.sources.get(s.file).text[s.start as usize..s.end as usize].to_string()
    };
    assert_eq!(text(d.primary.span), "shop");
    let named: Vec<String> = d.secondary.iter().map(|l| text(l.span)).collect();
    assert_eq!(named, ["db", "key", "api"]);
    assert!(
        d.secondary[0]
            .message
            .contains("azure.postgres.FlexibleServer"),
        "{:?}",
        d.secondary
    );
}

#[test]
fn with_the_tenant_nothing_is_reported() {
    let a = common::analyse(
        &PROGRAM.replace(
            " TENANT",
            ", tenant_id = \"3f2a1c9e-8b7d-4e6f-9a0b-1c2d3e4f5a6b\"",
        ),
        None,
    );
    let (_, diags) = strata_lower::lower_portable(a.model, &a.schemas);
    assert!(diags.is_empty(), "{diags:#?}");
}
