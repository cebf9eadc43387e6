use super::prelude::*;

rule! {
    /// ## What it checks
    /// An endpoint of `deny path(A ~> B)` in a policy that is neither `internet`, nor a known
    /// type name (`Postgres`, `aws.rds.DBInstance`), nor the name of a resource.
    ///
    /// ## Why it matters
    /// A path rule whose endpoint matches nothing can never be violated: the policy looks
    /// enforced but checks nothing, usually because of a typo.
    ///
    /// ## Example
    /// ```strata
    /// policy "no public databases" {
    ///   deny path(internet ~> Postgress)
    /// }
    /// ```
    ///
    /// ## Fix
    /// Name a type, a resource or `internet`:
    /// ```strata
    /// policy "no public databases" {
    ///   deny path(internet ~> Postgres)
    /// }
    /// ```
    pub static RULE = {
        code: "POL004",
        name: "unknown-path-endpoint",
        category: Policy,
        severity: Warning,
        applies: Applies::All,
        check: Check::Builtin,
    }
}
