//! The type reference behind `strata schema list`, `strata schema show TYPE` and `strata explain
//! TYPE`: every type of the three layers — generated (`cfn`, `tf`, `kube`, `dm`, from the
//! embedded generated layer), curated (`aws`, `gcp`, `azure`, `k8s`) and portable (from the
//! stdlib's schemas) — with its properties, attributes and documentation link.

use serde::Serialize;
use std::sync::OnceLock;
use strata_model::{FieldSchema, ResourceSchema, Schemas, Target, Ty};
use strata_stdlib::generated;

/// The layer a type belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Layer {
    Generated,
    Curated,
    Portable,
}

/// One line of `strata schema list`.
#[derive(Clone, Debug, Serialize)]
pub struct TypeEntry {
    #[serde(rename = "type")]
    pub name: String,
    /// `cfn`, `tf`, `kube`, `dm`, `aws`, `gcp`, `azure`, `k8s`, `portable`.
    pub family: String,
    pub layer: Layer,
    /// The target it is written to (the first of `targets` for curated types, which reach
    /// several).
    pub target: &'static str,
    /// The targets it is written to (`cloudformation`, ...); for portable types, every target
    /// some cloud lowers it to.
    pub targets: Vec<&'static str>,
}

/// The families `--family` accepts, in documentation order.
pub const FAMILIES: &[&str] = &[
    "cfn", "tf", "kube", "dm", "aws", "gcp", "azure", "k8s", "portable",
];

/// The stdlib's own schemas (curated and portable), analysed once per process.
pub fn stdlib_schemas() -> &'static Schemas {
    static CELL: OnceLock<Schemas> = OnceLock::new();
    CELL.get_or_init(|| {
        let mut sources = strata_base::SourceMap::default();
        let (analysis, _) = strata_semantics::analyze(
            &mut sources,
            &[],
            &strata_semantics::NoImports,
            &strata_semantics::Options::default(),
        );
        analysis.schemas
    })
}

fn curated_targets(s: &ResourceSchema) -> Vec<&'static str> {
    match s.provider {
        strata_model::Provider::Portable => vec![
            "cloudformation",
            "deployment-manager",
            "terraform",
            "kubernetes",
        ],
        p => strata_lower::targets_of(p)
            .iter()
            .map(|t| t.dir_name())
            .collect(),
    }
}

/// Every type, sorted by name; only those of `family` when given. `Err` for an unknown family.
pub fn list(family: Option<&str>) -> Result<Vec<TypeEntry>, String> {
    if let Some(f) = family {
        if !FAMILIES.contains(&f) {
            return Err(format!(
                "unknown family `{f}` (the families are {})",
                FAMILIES.join(", ")
            ));
        }
    }
    let mut out = Vec::new();
    for s in stdlib_schemas().map.values() {
        let fam = s.name.split('.').next().unwrap_or_default();
        if !strata_stdlib::PACKAGES.contains(&fam) || family.is_some_and(|f| f != fam) {
            continue;
        }
        let layer = if fam == "portable" {
            Layer::Portable
        } else {
            Layer::Curated
        };
        let targets = curated_targets(s);
        out.push(TypeEntry {
            name: s.name.clone(),
            family: fam.to_string(),
            layer,
            target: targets.first().copied().unwrap_or(""),
            targets,
        });
    }
    for f in generated::FAMILIES {
        if family.is_some_and(|x| x != f.name) {
            continue;
        }
        for n in generated::names(Some(f.name)) {
            out.push(TypeEntry {
                name: n.to_string(),
                family: f.name.to_string(),
                layer: Layer::Generated,
                target: f.target.dir_name(),
                targets: vec![f.target.dir_name()],
            });
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// A property or attribute of [`TypeDoc`].
#[derive(Clone, Debug, Serialize)]
pub struct FieldDoc {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: String,
    pub required: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub doc: Option<String>,
}

/// What `strata schema show TYPE` prints.
#[derive(Clone, Debug, Serialize)]
pub struct TypeDoc {
    #[serde(rename = "type")]
    pub name: String,
    pub layer: Layer,
    pub targets: Vec<&'static str>,
    /// The target's own name (`AWS::S3::Bucket`, `aws_s3_bucket`), for generated types.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub doc: Option<String>,
    /// The provider's documentation page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    pub properties: Vec<FieldDoc>,
    pub attributes: Vec<FieldDoc>,
    /// A Terraform data source of this name exists (`existing resource`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub data_source: bool,
}

fn field_doc(name: &str, f: &FieldSchema) -> FieldDoc {
    FieldDoc {
        name: name.to_string(),
        ty: type_text(&f.ty),
        required: f.required,
        default: f.default.as_ref().map(|v| v.to_string()),
        doc: f.doc.clone(),
    }
}

/// A type as one line: named shapes by name, long records abbreviated.
fn type_text(t: &Ty) -> String {
    let s = t.to_string();
    if s.chars().count() > 120 {
        match t.resolved() {
            Ty::Record(f) => format!("{{ {} fields }}", f.len()),
            Ty::List(inner) if matches!(inner.resolved(), Ty::Record(_)) => {
                "list<{ ... }>".to_string()
            }
            _ => {
                let cut: String = s.chars().take(117).collect();
                format!("{cut}...")
            }
        }
    } else {
        s
    }
}

/// The documentation of one type, or the nearest names when there is none of that name.
pub fn show(name: &str) -> Result<TypeDoc, Vec<String>> {
    if let Some(f) = generated::family_of(name) {
        let (Some(g), Some(s)) = (generated::get(name), generated::schema(name)) else {
            return Err(nearest(name));
        };
        return Ok(TypeDoc {
            name: g.name.clone(),
            layer: Layer::Generated,
            targets: vec![f.target.dir_name()],
            target_type: Some(g.target.clone()),
            doc: g.doc.clone(),
            url: g.url.clone(),
            properties: s.fields.iter().map(|(k, f)| field_doc(k, f)).collect(),
            attributes: s.outputs.iter().map(|(k, f)| field_doc(k, f)).collect(),
            data_source: generated::data_exists(name),
        });
    }
    match stdlib_schemas().get(name) {
        Some(s)
            if strata_stdlib::PACKAGES.contains(&name.split('.').next().unwrap_or_default()) =>
        {
            Ok(TypeDoc {
                name: s.name.clone(),
                layer: if s.provider == strata_model::Provider::Portable {
                    Layer::Portable
                } else {
                    Layer::Curated
                },
                targets: curated_targets(s),
                target_type: None,
                doc: s.doc.clone(),
                url: None,
                properties: s.fields.iter().map(|(k, f)| field_doc(k, f)).collect(),
                attributes: s.outputs.iter().map(|(k, f)| field_doc(k, f)).collect(),
                data_source: false,
            })
        }
        _ => Err(nearest(name)),
    }
}

/// Whether `name` looks like a type name rather than a diagnostic code.
pub fn is_type_name(name: &str) -> bool {
    name.contains('.')
        && name
            .split('.')
            .next()
            .is_some_and(|f| FAMILIES.contains(&f))
}

fn nearest(name: &str) -> Vec<String> {
    if name.len() > 200 {
        return Vec::new();
    }
    let fam = name.split('.').next().unwrap_or_default();
    let mut scored: Vec<(f64, String)> = Vec::new();
    let lower = name.to_ascii_lowercase();
    let mut consider = |c: &str| {
        let score = strsim::jaro_winkler(&lower, &c.to_ascii_lowercase());
        if score >= 0.85 {
            scored.push((score, c.to_string()));
        }
    };
    if generated::is_family(fam) {
        generated::names(Some(fam)).for_each(&mut consider);
    } else {
        stdlib_schemas().names().for_each(&mut consider);
        generated::names(None)
            .filter(|n| n.len() < name.len() * 2 + 8)
            .for_each(&mut consider);
    }
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    scored.into_iter().take(3).map(|(_, n)| n).collect()
}

/// `strata schema show` for people: the type, its documentation, then its properties and
/// attributes in aligned columns.
pub fn render(d: &TypeDoc) -> String {
    let mut s = format!(
        "{}  ({} type",
        d.name,
        match d.layer {
            Layer::Generated => "generated",
            Layer::Curated => "curated",
            Layer::Portable => "portable",
        }
    );
    match &d.target_type {
        Some(t) => s.push_str(&format!("; {} `{t}`)\n", d.targets.join(", "))),
        None => s.push_str(&format!("; written to {})\n", d.targets.join(", "))),
    }
    if let Some(doc) = &d.doc {
        s.push('\n');
        s.push_str(doc.trim());
        s.push('\n');
    }
    if let Some(u) = &d.url {
        s.push_str(&format!("\nDocumentation: {u}\n"));
    }
    if d.data_source {
        s.push_str(
            "Also usable as `existing resource` (a Terraform data source of the same name).\n",
        );
    }
    for (title, fields) in [("Properties", &d.properties), ("Attributes", &d.attributes)] {
        if fields.is_empty() {
            continue;
        }
        s.push_str(&format!("\n{title}:\n"));
        let w = fields
            .iter()
            .map(|f| f.name.len() + usize::from(!f.required))
            .max()
            .unwrap_or(0)
            .min(40);
        for f in fields {
            let name = if f.required || title == "Attributes" {
                f.name.clone()
            } else {
                format!("{}?", f.name)
            };
            let mut line = format!("  {name:<w$}  {}", f.ty);
            if let Some(def) = &f.default {
                line.push_str(&format!(" = {def}"));
            }
            s.push_str(&line);
            s.push('\n');
            if let Some(doc) = &f.doc {
                let first = doc.lines().next().unwrap_or_default();
                s.push_str(&format!("  {:<w$}    {first}\n", ""));
            }
        }
    }
    s
}

/// The target a family writes to (for messages).
pub fn family_target(family: &str) -> Option<Target> {
    generated::FAMILIES
        .iter()
        .find(|f| f.name == family)
        .map(|f| f.target)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_every_layer_and_shows_generated_and_curated_types() {
        let all = list(None).unwrap_or_default();
        assert!(all
            .iter()
            .any(|t| t.name == "aws.s3.Bucket" && t.layer == Layer::Curated));
        assert!(all
            .iter()
            .any(|t| t.name == "portable.Postgres" && t.layer == Layer::Portable));
        assert!(all
            .iter()
            .any(|t| t.name == "cfn.AWS.S3.Bucket" && t.targets == ["cloudformation"]));
        assert!(list(Some("nope")).is_err());
        let cfn = list(Some("cfn")).unwrap_or_default();
        assert!(cfn.len() > 1_000 && cfn.iter().all(|t| t.family == "cfn"));
        let d = show("cfn.AWS.S3.Bucket")
            .map_err(|e| e.join(","))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(d.target_type.as_deref(), Some("AWS::S3::Bucket"));
        assert!(d
            .properties
            .iter()
            .any(|p| p.name == "BucketName" && !p.required));
        assert!(d.attributes.iter().any(|p| p.name == "Arn"));
        assert!(render(&d).contains("Documentation: https://docs.aws.amazon.com/"));
        let c = show("aws.s3.Bucket")
            .map_err(|e| e.join(","))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.layer, Layer::Curated);
        assert_eq!(
            show("cfn.AWS.S3.Buckt")
                .err()
                .unwrap_or_default()
                .first()
                .map(String::as_str),
            Some("cfn.AWS.S3.Bucket")
        );
    }
}
