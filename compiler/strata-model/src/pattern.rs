//! String patterns for `string(pattern = "...")` constraints, compiled once per thread.
//!
//! `regex-lite`: infrastructure names are ASCII, and its compile time is a fraction of the full
//! engine's (a unicode `\\w{1,128}` costs tens of milliseconds there, on every run).

use std::cell::RefCell;
use std::collections::HashMap;

thread_local! {
    static CACHE: RefCell<HashMap<String, Option<regex_lite::Regex>>> = RefCell::new(HashMap::new());
}

/// Whether `s` matches `pattern`; `None` if the pattern is not a valid regular expression.
pub fn is_match(pattern: &str, s: &str) -> Option<bool> {
    CACHE.with(|c| {
        let mut c = c.borrow_mut();
        let re = c
            .entry(pattern.to_string())
            .or_insert_with(|| regex_lite::Regex::new(pattern).ok());
        re.as_ref().map(|r| r.is_match(s))
    })
}

/// The error message if `pattern` is not a valid regular expression.
pub fn validate(pattern: &str) -> Result<(), String> {
    CACHE.with(|c| {
        let mut c = c.borrow_mut();
        if let Some(r) = c.get(pattern) {
            return if r.is_some() {
                Ok(())
            } else {
                Err("invalid regular expression".to_string())
            };
        }
        match regex_lite::Regex::new(pattern) {
            Ok(r) => {
                c.insert(pattern.to_string(), Some(r));
                Ok(())
            }
            Err(e) => Err(e.to_string()),
        }
    })
}
