//! What every rule file imports.

pub(crate) use super::util::*;
pub(crate) use crate::engine::{fix, Cx, DiagExt, Help, Sink};
pub(crate) use crate::facts::kinds::*;
pub(crate) use crate::reads::{
    distinct_faults, faults, first_fault, first_part, part, part_set, read, Is, Read,
};
pub(crate) use crate::registry::{rule, Applies, Check};
pub(crate) use strata_model::{Resource, Value};
