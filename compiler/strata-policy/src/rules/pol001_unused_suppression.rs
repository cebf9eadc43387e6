use super::prelude::*;

rule! {
    /// ## What it checks
    /// A `// strata-ignore CODE: reason` comment that suppresses nothing: the rule it names
    /// reports no finding on the line it applies to. A suppression scoped to environments or
    /// clouds (`// strata-ignore[prod] CODE: reason`, `[aws]`) is only reported when the check
    /// is in its scope: elsewhere it is inert.
    ///
    /// ## Why it matters
    /// Stale suppressions hide future findings on that line and mislead readers into thinking
    /// there is something to accept. They usually remain after the finding was fixed or the
    /// code moved.
    ///
    /// ## Example
    /// ```strata
    /// // strata-ignore SEC001: public website
    /// resource logs: aws.s3.Bucket { versioning = true }   // not public: nothing to suppress
    /// ```
    ///
    /// ## Fix
    /// Delete the comment, or move it to the line directly above the finding it is meant for.
    /// If the finding occurs only in some environments or on some clouds, scope it:
    /// `// strata-ignore[prod] SEC014: reason`.
    pub static RULE = {
        code: "POL001",
        name: "unused-suppression",
        category: Policy,
        severity: Warning,
        applies: Applies::All,
        check: Check::Builtin,
    }
}
