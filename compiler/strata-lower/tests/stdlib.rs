//! The standard library is consistent, so that schemas and lowering tables cannot drift:
//! schemas analyse clean; every provider schema has a `@kind` and a mapping to every target
//! its provider is written to; every mapping reads only properties its schema declares and
//! maps every `out` of it; every portable type lowers to existing schemas of the right
//! provider, reads only its own properties and maps all its outs.

mod common;

use std::collections::BTreeSet;
use strata_lower::tables;
use strata_lower::targets_of;
use strata_model::{Provider, ResourceSchema};

fn schemas() -> strata_model::Schemas {
    common::analyse("", None).schemas
}

/// `props.NAME` occurrences (first segment only).
fn props_used(body: &str) -> BTreeSet<String> {
    let re = regex_lite::Regex::new(r"\bprops\.([A-Za-z_][A-Za-z0-9_]*)").expect("regex");
    re.captures_iter(body).map(|c| c[1].to_string()).collect()
}

fn is_stdlib_provider(s: &ResourceSchema) -> bool {
    matches!(
        s.provider,
        Provider::Aws | Provider::Gcp | Provider::Azure | Provider::Kubernetes
    )
}

#[test]
fn stdlib_schemas_have_no_errors() {
    let d = common::stdlib_diags();
    assert!(d.is_empty(), "{d}");
    assert!(
        strata_lower::table_errors().is_empty(),
        "{:#?}",
        strata_lower::table_errors()
    );
}

#[test]
fn every_provider_schema_is_mapped_to_its_targets() {
    let schemas = schemas();
    let mut problems = Vec::new();
    let mut count = 0;
    for s in schemas.map.values().filter(|s| is_stdlib_provider(s)) {
        count += 1;
        if s.attr_str("kind").is_none() {
            problems.push(format!("{}: no @kind", s.name));
        }
        for &t in targets_of(s.provider) {
            let Some(entries) = tables::target_mapping(&s.name, t) else {
                problems.push(format!("{}: no mapping to {}", s.name, t.dir_name()));
                continue;
            };
            let declared: BTreeSet<&str> = entries
                .iter()
                .flat_map(|e| e.outs.iter().map(String::as_str))
                .collect();
            for out in s.outputs.keys() {
                if !declared.contains(out.as_str()) {
                    problems.push(format!(
                        "{} → {}: out `{out}` is not mapped",
                        s.name,
                        t.dir_name()
                    ));
                }
            }
            for e in &entries {
                for p in props_used(&e.body) {
                    if !s.fields.contains_key(&p) {
                        problems.push(format!(
                            "{} → {} (entry `{}`, {}): `props.{p}` is not a property of the schema",
                            s.name,
                            t.dir_name(),
                            e.key,
                            e.file
                        ));
                    }
                }
            }
        }
    }
    assert!(count > 30, "only {count} provider schemas found");
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn every_mapping_belongs_to_a_schema_of_its_provider() {
    let schemas = schemas();
    let mut problems = Vec::new();
    for (name, target) in tables::mapped_schemas() {
        match schemas.get(&name) {
            None => problems.push(format!(
                "mapping of unknown schema `{name}` to {}",
                target.dir_name()
            )),
            Some(s) if !targets_of(s.provider).contains(&target) => problems.push(format!(
                "`{name}` ({}) is mapped to {}, which its provider is not written to",
                s.provider.as_str(),
                target.dir_name()
            )),
            Some(_) => {}
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_portable_type_lowers_consistently() {
    let schemas = schemas();
    let mut problems = Vec::new();
    let portable: Vec<&ResourceSchema> = schemas
        .map
        .values()
        .filter(|s| s.provider == Provider::Portable)
        .map(|s| &**s)
        .collect();
    assert!(
        portable.len() >= 10,
        "only {} portable types",
        portable.len()
    );
    let lowered: Vec<(String, Provider)> = tables::portable_types();
    for s in &portable {
        if s.attr_str("kind").is_none() {
            problems.push(format!("{}: no @kind", s.name));
        }
        let providers: Vec<Provider> = lowered
            .iter()
            .filter(|(t, _)| *t == s.name)
            .map(|(_, p)| *p)
            .collect();
        if providers.is_empty() {
            problems.push(format!("{}: no lowering to any provider", s.name));
        }
        for p in providers {
            let Some((entries, implicit)) = tables::portable_mapping(&s.name, p) else {
                continue;
            };
            let declared: BTreeSet<&str> = entries
                .iter()
                .flat_map(|e| e.outs.iter().map(String::as_str))
                .collect();
            for out in s.outputs.keys() {
                if !declared.contains(out.as_str()) {
                    problems.push(format!(
                        "{} → {}: out `{out}` is not mapped",
                        s.name,
                        p.as_str()
                    ));
                }
            }
            for (prop, ty) in &implicit {
                if !s.fields.contains_key(prop) {
                    problems.push(format!(
                        "{} → {}: implicit `{prop}` is not a property",
                        s.name,
                        p.as_str()
                    ));
                }
                if schemas.get(ty).map(|x| x.provider) != Some(Provider::Portable) {
                    problems.push(format!(
                        "{} → {}: implicit type `{ty}` is not a portable type",
                        s.name,
                        p.as_str()
                    ));
                }
            }
            for e in &entries {
                match schemas.get(&e.ty) {
                    None => problems.push(format!(
                        "{} → {}: entry `{}` has unknown type `{}`",
                        s.name,
                        p.as_str(),
                        e.key,
                        e.ty
                    )),
                    // An entry of another provider is placed in another stack
                    // (`"$stack_of"`: a Kubernetes service's IAM role, in its cloud stack).
                    Some(t) if t.provider != p && !e.body.contains("\"$stack_of\"") => problems
                        .push(format!(
                            "{} → {}: entry `{}` type `{}` belongs to {}",
                            s.name,
                            p.as_str(),
                            e.key,
                            e.ty,
                            t.provider.as_str()
                        )),
                    Some(_) => {}
                }
                for used in props_used(&e.body) {
                    if !s.fields.contains_key(&used) {
                        problems.push(format!("{} → {} (entry `{}`): `props.{used}` is not a property of the portable type", s.name, p.as_str(), e.key));
                    }
                }
            }
        }
    }
    for (ty, p) in &lowered {
        if schemas.get(ty).map(|x| x.provider) != Some(Provider::Portable) {
            problems.push(format!(
                "lowering of `{ty}` to {}: not a portable type",
                p.as_str()
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

fn field_names(schemas: &strata_model::Schemas) -> impl Fn(&str) -> Option<BTreeSet<String>> + '_ {
    |ty| schemas.get(ty).map(|s| s.fields.keys().cloned().collect())
}

/// Every key a structured body (`map`) writes is a property of its type, in the spelling of the
/// target's schema (the generated layer), and every literal fits the property's type.
#[test]
fn every_map_key_is_a_target_property() {
    let schemas = schemas();
    let r = tables::map_problems(&field_names(&schemas));
    assert!(r.checked > 300, "only {} structured bodies", r.checked);
    // A `body` template (the format before `map`) is refused by the engine; the stdlib has
    // none (convert one with `cargo test -p strata-lower convert_stdlib -- --ignored`,
    // stdlib/README.md).
    assert!(
        r.templates.is_empty(),
        "body templates left in the stdlib:\n{}",
        r.templates.join("\n")
    );
    assert!(
        r.problems.is_empty(),
        "{} problems:\n{}",
        r.problems.len(),
        r.problems.join("\n")
    );
    // Types the generated layer does not have (Deployment Manager `gcp-types/...` type
    // providers, the CRDs of the AWS load balancer controller and of the Vertical Pod
    // Autoscaler, the `hashicorp/random` provider's
    // `random_password` that makes the ElastiCache AUTH token in Terraform) are the only ones
    // not checked.
    for t in &r.unchecked {
        assert!(
            t.starts_with("gcp-types/")
                || t.starts_with("elbv2.k8s.aws/")
                || t.starts_with("autoscaling.k8s.io/")
                || t.starts_with("random_password"),
            "{t}: not in the generated layer"
        );
    }
}

/// The check can fail: a misspelled property, a misspelled nested property and a literal of the
/// wrong type seeded into the real S3 lowering are each reported, and so is a misspelled
/// property inside a fragment (the Kubernetes pod fields).
#[test]
fn a_misspelled_map_key_fails_the_check() {
    let schemas = schemas();
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../stdlib/lower/aws/s3.toml"
    );
    let text = std::fs::read_to_string(path).expect("s3.toml");
    for (from, to, expect) in [
        ("\"BucketName\"", "\"BucketNmae\"", "`BucketNmae` is not a property of AWS::S3::Bucket; did you mean `BucketName`?"),
        ("\"SSEAlgorithm\": \"AES256\"", "\"SSEAlgorithn\": \"AES256\"", "`SSEAlgorithn` (in BucketEncryption.ServerSideEncryptionConfiguration.[].ServerSideEncryptionByDefault) is not a property"),
        ("\"force_destroy\"", "\"force_destory\"", "`force_destory` is not a property of aws_s3_bucket"),
        ("\"block_public_acls\": true", "\"block_public_acls\": \"yes\"", "`block_public_acls` of aws_s3_bucket_public_access_block is Bool"),
    ] {
        assert_eq!(text.matches(from).count(), 1, "{from}");
        let seeded = text.replace(from, to);
        let (errors, r) = tables::map_problems_of(
            &[("lower/aws/s3.toml".to_string(), seeded)],
            &field_names(&schemas),
        );
        assert!(errors.is_empty(), "{errors:#?}");
        assert!(
            r.problems.iter().any(|p| p.contains(expect)),
            "{expect}\n{:#?}",
            r.problems
        );
        assert_eq!(r.problems.len(), 1, "{:#?}", r.problems);
    }
    // Inside a fragment, checked where it is used: the pod fields of every workload kind.
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../stdlib/lower/k8s/k8s.toml"
    );
    let text = std::fs::read_to_string(path).expect("k8s.toml");
    assert_eq!(text.matches("\"serviceAccountName\"").count(), 1);
    let seeded = text.replace("\"serviceAccountName\"", "\"serviceAcountName\"");
    let (errors, r) = tables::map_problems_of(
        &[("lower/k8s/k8s.toml".to_string(), seeded)],
        &field_names(&schemas),
    );
    assert!(errors.is_empty(), "{errors:#?}");
    assert!(
        r.problems.iter().any(|p| p.contains(
            "`serviceAcountName` (in spec.template.spec) is not a property of apps/v1/Deployment; did you mean `serviceAccountName`?"
        )),
        "{:#?}",
        r.problems
    );
}
