use super::prelude::*;

rule! {
    /// ## What it checks
    /// A Compute Engine VM with its interactive serial console enabled, or with OS Login turned
    /// off: `metadata` of `tf.google_compute_instance` and `tf.google_compute_instance_template`
    /// holding `serial-port-enable` true, or `enable-oslogin` false.
    ///
    /// ## Why it matters
    /// The serial console accepts logins from anywhere on the internet that can reach Google's
    /// serial-port proxy, bypassing the VM's firewall rules; without OS Login, SSH keys in
    /// metadata are managed by hand and outlive the people they belonged to, with no IAM audit.
    /// Checkov: `CKV_GCP_35` (serial port), `CKV_GCP_34` (OS Login).
    ///
    /// ## Example
    /// ```strata
    /// import tf
    /// resource vm: tf.google_compute_instance {
    ///   name = "bastion"
    ///   machine_type = "e2-micro"
    ///   zone = "europe-west1-b"
    ///   boot_disk = { initialize_params = { image = "debian-cloud/debian-12" } }
    ///   network_interface = [{ network = "default" }]
    ///   metadata = { "serial-port-enable" = "true" }
    /// }
    /// ```
    ///
    /// ## Fix
    /// ```strata
    /// import tf
    /// resource vm: tf.google_compute_instance {
    ///   name = "bastion"
    ///   machine_type = "e2-micro"
    ///   zone = "europe-west1-b"
    ///   boot_disk = { initialize_params = { image = "debian-cloud/debian-12" } }
    ///   network_interface = [{ network = "default" }]
    ///   metadata = { "enable-oslogin" = "TRUE" }
    /// }
    /// ```
    pub static RULE = {
        code: "SEC104",
        name: "vm-serial-port-or-no-os-login",
        category: Security,
        severity: Warning,
        applies: Applies::Reads,
        reads: || READS,
        check: Check::Resource(check),
    }
}

const SERIAL: &str = "serial console enabled";
const NO_OSLOGIN: &str = "OS Login off";

/// A metadata flag as GCE reads it: `true`, `TRUE`, `1` (and the bool a program may write).
fn on(v: &Value) -> bool {
    v.as_bool() == Some(true)
        || v.as_str()
            .is_some_and(|s| matches!(s.trim().to_ascii_lowercase().as_str(), "true" | "1" | "yes"))
}

fn off(v: &Value) -> bool {
    v.as_bool() == Some(false)
        || v.as_str()
            .is_some_and(|s| matches!(s.trim().to_ascii_lowercase().as_str(), "false" | "0" | "no"))
}

#[rustfmt::skip]
static READS: &[Read] = &[
    read("tf.google_compute_instance", "metadata.serial-port-enable", Is::Test(on), SERIAL),
    read("tf.google_compute_instance", "metadata.enable-oslogin", Is::Test(off), NO_OSLOGIN),
    read("tf.google_compute_instance_template", "metadata.serial-port-enable", Is::Test(on), SERIAL),
    read("tf.google_compute_instance_template", "metadata.enable-oslogin", Is::Test(off), NO_OSLOGIN),
];

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    let Some(hit) = first_fault(READS, r) else {
        return;
    };
    let (message, help) = if hit.what() == SERIAL {
        (
            format!("VM `{}` has its serial console enabled", r.name),
            "remove `\"serial-port-enable\"` from `metadata` (use IAP TCP forwarding or OS Login for access)",
        )
    } else {
        (
            format!("VM `{}` turns OS Login off", r.name),
            "write `\"enable-oslogin\" = \"TRUE\"` in `metadata` (or remove the key and enable OS Login for the project)",
        )
    };
    out.report(cx.span_at(r, hit.path(), &[]), message)
        .label(hit.what())
        .help(help);
}
