use super::prelude::*;

rule! {
    /// ## What it checks
    /// Data crossing regions: a dependency between two resources in different regions where
    /// either side stores data (database, cache, bucket, queue, topic), other than an access
    /// grant (an IAM binding or policy), and where neither region holds the other (a `US`
    /// bucket and a service in `us-central1` keep the data in one place). With the option
    /// `allowed_regions` (a list of globs such as `["eu-*", "europe-*"]`), also every data store
    /// outside those regions. A resource's region is its own `region`/`location`, else its
    /// stack's provider region.
    ///
    /// ## Why it matters
    /// Data residency rules (GDPR, contracts, sovereignty requirements) bind where personal and
    /// customer data is stored and processed. Cross-region replication, a service in one region
    /// reading a database in another, or a bucket created in the wrong region moves data out of
    /// its jurisdiction, and adds inter-region transfer charges and latency.
    ///
    /// ## Example
    /// ```strata
    /// stack eu { provider = aws { region = "eu-west-1" } }
    /// stack us { provider = aws { region = "us-east-1" } }
    /// resource role: aws.iam.Role { stack = eu, assumed_by = { service = ["lambda.amazonaws.com"] } }
    /// resource exports: aws.s3.Bucket { stack = us }
    /// resource export_job: aws.lambda.Function { stack = eu, role = role, image = "acme/export:1.0", environment = { BUCKET = exports.name } }
    /// ```
    ///
    /// ## Fix
    /// Keep the data in the region that processes it (or, when the transfer is intended, record the
    /// decision with `// strata-ignore GRAPH003: DR copy approved by ...`, or list the allowed
    /// regions in `[rules.data-residency]` of `strata.toml`):
    /// ```strata
    /// stack eu { provider = aws { region = "eu-west-1" } }
    /// stack us { provider = aws { region = "us-east-1" } }
    /// resource role: aws.iam.Role { stack = eu, assumed_by = { service = ["lambda.amazonaws.com"] } }
    /// resource exports: aws.s3.Bucket { stack = eu }
    /// resource export_job: aws.lambda.Function { stack = eu, role = role, image = "acme/export:1.0", environment = { BUCKET = exports.name } }
    /// ```
    pub static RULE = {
        code: "GRAPH003",
        name: "data-residency",
        category: Graph,
        severity: Warning,
        applies: Applies::All,
        check: Check::Model(check),
    }
}

fn is_data(kind: &str) -> bool {
    matches!(kind, DATABASE | CACHE | BUCKET | QUEUE | TOPIC)
}

/// `us-east-1` and `us-east1` are the same place for this purpose.
fn norm(region: &str) -> String {
    region
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase()
}

/// Google's multi-regions and predefined dual-regions, by the regions they store data in
/// (https://cloud.google.com/storage/docs/locations): a bucket in `US` and a service in
/// `us-central1` keep the data in one place.
const MULTI_REGIONS: &[(&str, &[&str])] = &[
    ("us", &["us"]),
    ("eu", &["europe"]),
    ("asia", &["asia"]),
    ("nam4", &["uscentral1", "useast1"]),
    ("eur4", &["europenorth1", "europewest4"]),
    ("eur5", &["europewest1", "europewest2"]),
    ("eur7", &["europewest2", "europewest3"]),
    ("eur8", &["europewest3", "europewest6"]),
    ("asia1", &["asianortheast1", "asianortheast2"]),
];

/// The same place for residency: one region, or a region inside the other's multi-region.
fn same_place(a: &str, b: &str) -> bool {
    let (a, b) = (norm(a), norm(b));
    if a == b {
        return true;
    }
    let inside = |multi: &str, region: &str| {
        MULTI_REGIONS.iter().any(|(m, regions)| {
            *m == multi
                && regions.iter().any(|r| {
                    if *m == "us" || *m == "eu" || *m == "asia" {
                        region.starts_with(r) && region.len() > r.len()
                    } else {
                        region == *r
                    }
                })
        })
    };
    inside(&a, &b) || inside(&b, &a)
}

fn check(cx: &Cx<'_>, out: &mut Sink<'_>) {
    let f = cx.facts;
    let allowed = cx.option_strs("allowed_regions");
    if let Some(allowed) = &allowed {
        for r in &cx.model.resources {
            if f.superseded.contains(r.id) || !is_data(f.kind(r.id)) {
                continue;
            }
            let Some(region) = f.region(r.id) else {
                continue;
            };
            if allowed.iter().any(|g| crate::config::glob_match(g, region)) {
                continue;
            }
            let span = if r.prop_spans.contains_key("region") {
                r.prop_span("region")
            } else if r.prop_spans.contains_key("location") {
                r.prop_span("location")
            } else {
                r.name_span
            };
            out.report(span, format!("{} `{}` is in `{region}`, outside the allowed regions ({})", f.kind(r.id), r.name, allowed.join(", ")))
                .label("outside the allowed regions")
                .help(format!("place `{}` in an allowed region, e.g. `region = \"{}\"` when that is a region name", r.name, allowed.first().copied().unwrap_or("?").trim_end_matches('*')));
        }
    }
    for (from, to, e) in cx.graph.edges() {
        if f.superseded.contains(from) || f.superseded.contains(to) {
            continue;
        }
        if !is_data(f.kind(from)) && !is_data(f.kind(to)) {
            continue;
        }
        // An access grant on a store (a bucket's IAM member, a policy) moves no data.
        if f.kind(from) == IAM || f.kind(to) == IAM {
            continue;
        }
        let (Some(ra), Some(rb)) = (f.region(from), f.region(to)) else {
            continue;
        };
        if same_place(ra, rb) {
            continue;
        }
        let (Some(a), Some(b)) = (cx.resource(from), cx.resource(to)) else {
            continue;
        };
        out.report(e.span, format!("data crosses regions: `{}` ({ra}) depends on `{}` ({rb})", a.name, b.name))
            .label(format!("{ra} → {rb}"))
            .secondary(b.name_span, format!("`{}` is in {rb}", b.name))
            .help(format!("keep `{}` and `{}` in one region, or record that the transfer is approved with `// strata-ignore GRAPH003: <approval>`", a.name, b.name));
    }
}
