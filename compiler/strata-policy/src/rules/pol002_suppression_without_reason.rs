use super::prelude::*;

rule! {
    /// ## What it checks
    /// A `// strata-ignore CODE` comment without a reason after a colon.
    ///
    /// ## Why it matters
    /// A suppression accepts a risk or a cost. Without the reason, reviewers cannot tell a
    /// deliberate decision from a shortcut, and nobody can revisit it later. The finding is
    /// still suppressed, but this error keeps the check failing until the reason is written.
    ///
    /// ## Example
    /// ```strata
    /// // strata-ignore SEC001
    /// resource site: aws.s3.Bucket { public_read = true }
    /// ```
    ///
    /// ## Fix
    /// Say why the finding is acceptable here:
    /// ```strata
    /// // strata-ignore SEC001: static website, contains only public assets
    /// resource site: aws.s3.Bucket { public_read = true }
    /// ```
    pub static RULE = {
        code: "POL002",
        name: "suppression-without-reason",
        category: Policy,
        severity: Error,
        applies: Applies::All,
        check: Check::Builtin,
    }
}
