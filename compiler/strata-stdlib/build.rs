// The stdlib files are embedded by `include_dir!`, which cargo cannot see through: tell it to
// rebuild this crate whenever anything under `stdlib/` changes.
fn main() {
    println!("cargo:rerun-if-changed=../../stdlib");
}
