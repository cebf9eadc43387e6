//! Output is the same byte for byte whatever the number of threads (and so is the list of
//! diagnostics of a failing program).

mod common;

use common::*;
use strata_emit::{emit, EmitOptions, EmittedFile};
use strata_model::{TValue, Target, TargetProgram};

fn with_threads<T: Send>(n: usize, f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .build()
        .expect("thread pool")
        .install(f)
}

fn programs() -> Vec<TargetProgram> {
    let mut v = all();
    for t in Target::ALL {
        // CloudFormation takes at most 500 resources per template (X0007 beyond).
        v.push(synthetic(
            t,
            if t == Target::CloudFormation {
                500
            } else {
                1500
            },
        ));
    }
    v
}

#[test]
fn same_bytes_with_one_and_four_threads() {
    let progs = programs();
    for yaml in [false, true] {
        let opts = EmitOptions {
            cloudformation_yaml: yaml,
            ..EmitOptions::default()
        };
        let one: Vec<EmittedFile> =
            with_threads(1, || emit(&progs, &opts)).unwrap_or_else(|d| panic!("{d:#?}"));
        let four: Vec<EmittedFile> =
            with_threads(4, || emit(&progs, &opts)).unwrap_or_else(|d| panic!("{d:#?}"));
        assert_eq!(one.len(), 8);
        for (a, b) in one.iter().zip(&four) {
            assert_eq!(a.path, b.path);
            assert!(
                a.contents == b.contents,
                "{} differs between 1 and 4 threads",
                a.path
            );
        }
        // And again on four threads (scheduling differs from run to run).
        let again = with_threads(4, || emit(&progs, &opts)).unwrap_or_else(|d| panic!("{d:#?}"));
        assert_eq!(four, again);
    }
}

#[test]
fn same_diagnostics_with_one_and_four_threads() {
    let mut progs = programs();
    // Break many resources of every target in several ways.
    for p in progs.iter_mut().skip(4) {
        for (i, r) in p.resources.iter_mut().enumerate() {
            if i % 97 == 0 {
                r.body.insert("bad".to_string(), TValue::Float(f64::NAN));
            }
            if i % 131 == 0 {
                r.body.insert("gone".to_string(), r_("missing"));
            }
        }
    }
    let one = with_threads(1, || emit(&progs, &EmitOptions::default())).expect_err("must fail");
    let four = with_threads(4, || emit(&progs, &EmitOptions::default())).expect_err("must fail");
    assert!(one.len() > 50, "{}", one.len());
    assert_eq!(one, four);
}

fn r_(name: &str) -> TValue {
    r(name, Some("x"))
}
