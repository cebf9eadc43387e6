use super::prelude::*;

rule! {
    /// ## What it checks
    /// A `[rules]` table in `strata.toml` that cannot be read: a level that is not `off`,
    /// `info`, `warning` or `error`, `paths` that is not a table of globs to levels, or a
    /// setting of the wrong type.
    ///
    /// ## Why it matters
    /// A setting that is ignored silently leaves rules on (or off) against the team's intent.
    ///
    /// ## Example
    /// ```toml
    /// [rules]
    /// SEC001 = "loud"
    /// ```
    ///
    /// ## Fix
    /// ```toml
    /// [rules]
    /// SEC001 = "error"
    /// bucket-versioning = { level = "warning", paths = { "sandbox/**" = "off" } }
    /// ```
    pub static RULE = {
        code: "POL010",
        name: "invalid-rules-config",
        category: Policy,
        severity: Error,
        applies: Applies::All,
        check: Check::Builtin,
    }
}
