use super::prelude::*;

rule! {
    /// ## What it checks
    /// A production resource that references (or `depends_on`) a resource of another
    /// environment. A resource's environment is its `env`/`environment` tag, else its stack's,
    /// else the `--env` the model was evaluated for; names like `prod`, `production` and
    /// `*-prod` count as production.
    ///
    /// ## Why it matters
    /// Non-production resources are changed, reset and torn down freely, with weaker access
    /// controls. Production traffic or data flowing into them is an outage or a leak waiting to
    /// happen (a prod service writing to a staging queue, a prod key used by a dev bucket).
    ///
    /// ## Example
    /// ```strata
    /// stack prod {
    ///   provider = aws { region = "eu-west-1" }
    ///   tags     = { env = "prod" }
    /// }
    /// stack staging {
    ///   provider = aws { region = "eu-west-1" }
    ///   tags     = { env = "staging" }
    /// }
    /// resource role: aws.iam.Role { stack = prod, assumed_by = { service = ["lambda.amazonaws.com"] } }
    /// resource staging_jobs: aws.sqs.Queue { stack = staging }
    /// resource worker: aws.lambda.Function { stack = prod, role = role, image = "acme/worker:1.0", environment = { QUEUE = staging_jobs.url } }
    /// ```
    ///
    /// ## Fix
    /// Give production its own copy of the dependency and reference that instead:
    /// ```strata
    /// stack prod {
    ///   provider = aws { region = "eu-west-1" }
    ///   tags     = { env = "prod" }
    /// }
    /// stack staging {
    ///   provider = aws { region = "eu-west-1" }
    ///   tags     = { env = "staging" }
    /// }
    /// resource role: aws.iam.Role { stack = prod, assumed_by = { service = ["lambda.amazonaws.com"] } }
    /// resource prod_jobs: aws.sqs.Queue { stack = prod }
    /// resource worker: aws.lambda.Function { stack = prod, role = role, image = "acme/worker:1.0", environment = { QUEUE = prod_jobs.url } }
    /// ```
    pub static RULE = {
        code: "GRAPH002",
        name: "prod-depends-on-non-prod",
        category: Graph,
        severity: Error,
        applies: Applies::All,
        check: Check::Model(check),
    }
}

fn check(cx: &Cx<'_>, out: &mut Sink<'_>) {
    let f = cx.facts;
    for (from, to, e) in cx.graph.edges() {
        if f.superseded.contains(from)
            || f.superseded.contains(to)
            || !f.is_prod(from)
            || !f.is_non_prod(to)
        {
            continue;
        }
        let (Some(a), Some(b)) = (cx.resource(from), cx.resource(to)) else {
            continue;
        };
        out.report(e.span, format!("production resource `{}` depends on `{}` of environment `{}`", a.name, b.name, f.env(to).unwrap_or("?")))
            .label(format!("`{}` ({}) → `{}` ({})", a.name, f.env(from).unwrap_or("?"), b.name, f.env(to).unwrap_or("?")))
            .secondary(b.name_span, format!("`{}` belongs to `{}`", b.name, f.env(to).unwrap_or("?")))
            .help(format!("reference a production resource instead of `{}` (declare one in the production stack), or tag `{}` with `env = \"prod\"` if it really is production", b.name, b.name));
    }
}
