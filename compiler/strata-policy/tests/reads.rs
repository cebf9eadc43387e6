//! Every type and property path a rule reads exists: in the curated schemas (the stdlib,
//! analysed by semantics) or in the generated layer (`cfn.`, `tf.`, `kube.`, `dm.`). A read of a
//! path that no schema has can never fire; this test fails on it, and on a test that cannot hold
//! for the value's type (`Is::True` on a string, `Is::OneOf(["PublicRead"])` on an enum without
//! that value).

#[path = "support/mod.rs"]
mod support;

use strata_model::{ResourceSchema, Ty, Value};
use strata_policy::facts::{GENERATED_KINDS, PUBLIC};
use strata_policy::reads::{Is, Read};
use strata_policy::registry::rules;

/// The schema of a type, curated or generated.
fn schema(ty: &str) -> Option<ResourceSchema> {
    if strata_stdlib::generated::family_of(ty).is_some() {
        return strata_stdlib::generated::schema(ty).map(|s| (*s).clone());
    }
    support::stdlib().get(ty).cloned()
}

/// The type at `path` in a record of `fields`, or why there is none.
fn resolve(
    fields: &std::collections::BTreeMap<String, strata_model::FieldSchema>,
    path: &str,
) -> Result<Ty, String> {
    let mut cur: Vec<Ty> = vec![Ty::Record(fields.clone())];
    for seg in path.split('.') {
        let i = seg.find(['[', '{']).unwrap_or(seg.len());
        let (name, mut fans) = (&seg[..i], &seg[i..]);
        let mut next = Vec::new();
        for t in &cur {
            for alt in alternatives(t) {
                match alt {
                    Ty::Any => next.push(Ty::Any),
                    Ty::Record(m) => {
                        if let Some(f) = m.get(name) {
                            next.push(f.ty.clone());
                        }
                    }
                    // A key of a map (`resources.limits.cpu`).
                    Ty::Map(x) => next.push((**x).clone()),
                    _ => {}
                }
            }
        }
        if next.is_empty() {
            return Err(format!("no field `{name}`"));
        }
        while !fans.is_empty() {
            let (fan, more) = fans.split_at(2.min(fans.len()));
            let mut inner = Vec::new();
            for t in &next {
                for alt in alternatives(t) {
                    match (fan, alt) {
                        (_, Ty::Any) => inner.push(Ty::Any),
                        ("[]", Ty::List(x)) | ("{}", Ty::Map(x)) => inner.push((**x).clone()),
                        _ => {}
                    }
                }
            }
            if inner.is_empty() {
                return Err(format!(
                    "`{name}` is not a {}",
                    if fan == "[]" { "list" } else { "map" }
                ));
            }
            next = inner;
            fans = more;
        }
        cur = next;
    }
    Ok(if cur.len() == 1 {
        cur.remove(0)
    } else {
        Ty::Union(cur)
    })
}

/// A type and, for unions, its alternatives (names resolved).
fn alternatives(t: &Ty) -> Vec<&Ty> {
    match t.resolved() {
        Ty::Union(ts) => ts.iter().flat_map(alternatives).collect(),
        t => vec![t],
    }
}

/// Whether the test can hold for a value of type `t`.
fn fits(is: &Is, t: &Ty) -> Result<(), String> {
    let alts = alternatives(t);
    if alts.iter().any(|a| matches!(a, Ty::Any)) {
        return Ok(());
    }
    let has = |f: &dyn Fn(&Ty) -> bool| alts.iter().any(|a| f(a));
    let stringy = |a: &Ty| matches!(a, Ty::Str { .. } | Ty::Cidr | Ty::Literal(Value::Str(_)));
    match is {
        Is::True | Is::False | Is::FalseOrUnset | Is::TrueOrUnset => {
            if has(&|a| matches!(a, Ty::Bool | Ty::Literal(Value::Bool(_)))) {
                Ok(())
            } else {
                Err(format!("a bool test on `{t}`"))
            }
        }
        Is::OneOf(set) | Is::NoneOf(set) | Is::NoneOfOrUnset(set) => {
            if !has(&stringy) {
                return Err(format!("a string test on `{t}`"));
            }
            // An enum: every value the rule names must be one of its values.
            if alts.iter().all(|a| matches!(a, Ty::Literal(_))) {
                let lits: Vec<&str> = alts
                    .iter()
                    .filter_map(|a| match a {
                        Ty::Literal(Value::Str(s)) => Some(s.as_str()),
                        _ => None,
                    })
                    .collect();
                if let Some(bad) = set
                    .iter()
                    .find(|x| !lits.iter().any(|l| l.eq_ignore_ascii_case(x)))
                {
                    return Err(format!("`{bad}` is not a value of `{t}`"));
                }
            }
            Ok(())
        }
        Is::Anywhere => {
            if has(&|a| stringy(a) || matches!(a, Ty::List(_))) {
                Ok(())
            } else {
                Err(format!("an address test on `{t}`"))
            }
        }
        Is::Unset | Is::Test(_) | Is::Part => Ok(()),
    }
}

fn check_read(owner: &str, x: &Read, problems: &mut Vec<String>) {
    let Some(s) = schema(x.ty) else {
        problems.push(format!("{owner}: no schema has the type `{}`", x.ty));
        return;
    };
    if x.path.is_empty() {
        return;
    }
    match resolve(&s.fields, x.path) {
        Ok(t) => {
            if let Err(e) = fits(&x.is, &t) {
                problems.push(format!("{owner}: `{}` `{}`: {e}", x.ty, x.path));
            }
        }
        Err(e) => problems.push(format!("{owner}: `{}` has no `{}` ({e})", x.ty, x.path)),
    }
}

#[test]
fn every_read_names_a_type_and_path_that_exist() {
    let mut problems = Vec::new();
    let mut count = 0;
    for rule in rules() {
        for x in (rule.reads)() {
            count += 1;
            check_read(rule.code, x, &mut problems);
        }
    }
    for x in PUBLIC {
        check_read("facts::PUBLIC", x, &mut problems);
    }
    for (ty, _) in GENERATED_KINDS {
        if !strata_stdlib::generated::exists(ty) {
            problems.push(format!("facts::GENERATED_KINDS: no generated type `{ty}`"));
        }
    }
    assert!(count > 0);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_resolver_follows_lists_maps_and_definitions() {
    let s = schema("cfn.AWS.S3.Bucket").expect("cfn.AWS.S3.Bucket");
    assert!(resolve(&s.fields, "PublicAccessBlockConfiguration.BlockPublicAcls").is_ok());
    assert!(resolve(&s.fields, "BucketEncryption.ServerSideEncryptionConfiguration[].ServerSideEncryptionByDefault.KMSMasterKeyID").is_ok());
    assert!(resolve(&s.fields, "PublicAccessBlockConfiguration.BlockPublicAclz").is_err());
    assert!(resolve(&s.fields, "PublicAccessBlockConfiguration[]").is_err());
    let role = schema("aws.iam.Role").expect("aws.iam.Role");
    assert!(resolve(&role.fields, "policies{}[].actions").is_ok());
    let t = resolve(&s.fields, "AccessControl").expect("AccessControl");
    assert!(fits(&Is::OneOf(&["PublicRead"]), &t).is_ok());
    assert!(fits(&Is::OneOf(&["public-read"]), &t).is_err());
    assert!(fits(&Is::True, &t).is_err());
}
