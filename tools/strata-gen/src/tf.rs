//! Placeholder: being written.

use crate::Output;
use std::path::Path;

pub fn generate(_src: &Path) -> Result<Vec<Output>, String> {
    Ok(Vec::new())
}
