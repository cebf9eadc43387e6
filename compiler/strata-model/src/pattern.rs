//! Compiled-once string patterns for `string(pattern = "...")` constraints.

use std::cell::RefCell;
use std::collections::HashMap;

thread_local! {
    static CACHE: RefCell<HashMap<String, Option<regex::Regex>>> = RefCell::new(HashMap::new());
}

/// Whether `s` matches `pattern`; `None` if the pattern is not a valid regular expression.
pub fn is_match(pattern: &str, s: &str) -> Option<bool> {
    CACHE.with(|c| {
        let mut c = c.borrow_mut();
        let re = c.entry(pattern.to_string()).or_insert_with(|| regex::RegexBuilder::new(pattern).size_limit(1 << 24).build().ok());
        re.as_ref().map(|r| r.is_match(s))
    })
}

/// The error message if `pattern` is not a valid regular expression.
pub fn validate(pattern: &str) -> Result<(), String> {
    regex::RegexBuilder::new(pattern).size_limit(1 << 24).build().map(|_| ()).map_err(|e| e.to_string())
}
