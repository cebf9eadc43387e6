//! The standard library is consistent: its schemas parse and type-check, every provider schema
//! has a mapping to every target its provider is written to, every mapping names only
//! properties and outs that exist, and every portable type lowers to schemas that exist.

mod common;

#[test]
fn stdlib_schemas_have_no_errors() {
    let d = common::stdlib_diags();
    assert!(d.is_empty(), "{d}");
}
