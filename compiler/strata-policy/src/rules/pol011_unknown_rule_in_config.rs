use super::prelude::*;

rule! {
    /// ## What it checks
    /// A key of the `[rules]` table that is not a rule code, a rule name, a category
    /// (`security`, `graph`, `cost`, `deploy`, `policy`) or `all`.
    ///
    /// ## Why it matters
    /// The setting has no effect, so the rule the author meant keeps its default level.
    ///
    /// ## Example
    /// ```toml
    /// [rules]
    /// bucket-versionning = "off"
    /// ```
    ///
    /// ## Fix
    /// Use a name or code from `strata explain`:
    /// ```toml
    /// [rules]
    /// bucket-versioning = "off"
    /// ```
    pub static RULE = {
        code: "POL011",
        name: "unknown-rule-in-config",
        category: Policy,
        severity: Warning,
        applies: Applies::All,
        check: Check::Builtin,
    }
}
