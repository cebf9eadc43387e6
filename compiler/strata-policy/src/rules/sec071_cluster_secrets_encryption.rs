use super::prelude::*;

rule! {
    /// ## What it checks
    /// A Kubernetes cluster that stores Secrets without envelope encryption with a KMS key:
    /// `secrets_key` unset on `aws.eks.Cluster`, `secrets_encryption` unset on
    /// `gcp.container.Cluster`, no `EncryptionConfig` on `cfn.AWS.EKS.Cluster`, no
    /// `encryption_config` on `tf.aws_eks_cluster`, `database_encryption.state` not `ENCRYPTED` on
    /// `tf.google_container_cluster`.
    ///
    /// ## Why it matters
    /// Kubernetes Secrets are only base64 in etcd; envelope encryption with a key you control
    /// protects them in backups and snapshots of the control plane. Checkov: `CKV_AWS_58`.
    ///
    /// ## Example
    /// ```strata
    /// resource eks_role: aws.iam.Role { assumed_by = { service = ["eks.amazonaws.com"] } }
    /// resource vpc: aws.ec2.Vpc { cidr = 10.0.0.0/16 }
    /// resource a: aws.ec2.Subnet { vpc = vpc, cidr = 10.0.1.0/24, zone = "eu-west-1a" }
    /// resource eks: aws.eks.Cluster { role = eks_role, subnets = [a], version = "1.31" }
    /// ```
    ///
    /// ## Fix
    /// ```strata
    /// resource eks_role: aws.iam.Role { assumed_by = { service = ["eks.amazonaws.com"] } }
    /// resource vpc: aws.ec2.Vpc { cidr = 10.0.0.0/16 }
    /// resource a: aws.ec2.Subnet { vpc = vpc, cidr = 10.0.1.0/24, zone = "eu-west-1a" }
    /// resource key: aws.kms.Key {}
    /// resource eks: aws.eks.Cluster { role = eks_role, subnets = [a], version = "1.31", secrets_key = key }
    /// ```
    pub static RULE = {
        code: "SEC071",
        name: "cluster-secrets-unencrypted",
        category: Security,
        severity: Warning,
        applies: Applies::Reads,
        reads: || READS,
        check: Check::Resource(check),
    }
}

const OFF: &str = "no secrets encryption";

#[rustfmt::skip]
static READS: &[Read] = &[
    read("aws.eks.Cluster", "secrets_key", Is::Unset, OFF),
    read("gcp.container.Cluster", "secrets_encryption", Is::Unset, OFF),
    read("cfn.AWS.EKS.Cluster", "EncryptionConfig", Is::Unset, OFF),
    read("tf.aws_eks_cluster", "encryption_config", Is::Unset, OFF),
    read("tf.google_container_cluster", "database_encryption.state", Is::NoneOfOrUnset(&["ENCRYPTED"]), OFF),
];

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    let Some(hit) = first_fault(READS, r) else {
        return;
    };
    let line = match r.ty.as_str() {
        "cfn.AWS.EKS.Cluster" => "EncryptionConfig = [{ Resources = [\"secrets\"], Provider = { KeyArn = <a KMS key ARN> } }]".to_string(),
        "tf.aws_eks_cluster" => "encryption_config = { resources = [\"secrets\"], provider = { key_arn = <a KMS key ARN> } }".to_string(),
        "tf.google_container_cluster" => "database_encryption = { state = \"ENCRYPTED\", key_name = <a Cloud KMS key> }".to_string(),
        _ => format!("{} = <a KMS key>", hit.path()),
    };
    out.at(
        r,
        hit.prop(),
        format!(
            "cluster `{}` stores Secrets without envelope encryption",
            r.name
        ),
    )
    .label(hit.what())
    .help(fix(cx, r, &line));
}
