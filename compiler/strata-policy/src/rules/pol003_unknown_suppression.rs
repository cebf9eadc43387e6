use super::prelude::*;

rule! {
    /// ## What it checks
    /// A `// strata-ignore` comment naming a code or rule name that does not exist, no code at
    /// all, or an input error (`E0xxx`–`E4xxx`) that cannot be suppressed.
    ///
    /// ## Why it matters
    /// A misspelt code suppresses nothing, so the finding it was meant for still fails the
    /// check while the comment suggests otherwise. Syntax, type and reference errors make the
    /// program invalid; they must be fixed, not silenced.
    ///
    /// ## Example
    /// ```strata
    /// // strata-ignore SEC01: typo
    /// ```
    ///
    /// ## Fix
    /// Use the code or kebab-case name `strata explain` lists: `// strata-ignore SEC001: reason`.
    pub static RULE = {
        code: "POL003",
        name: "unknown-suppression",
        category: Policy,
        severity: Warning,
        applies: Applies::All,
        check: Check::Builtin,
    }
}
