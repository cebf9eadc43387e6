//! Names of target resources, derived from Strata resource names.
//!
//! | Strata | CloudFormation | Terraform | Deployment Manager / Kubernetes |
//! | --- | --- | --- | --- |
//! | `uploads` | `Uploads` | `uploads` | `uploads` |
//! | `blog.bucket` | `BlogBucket` | `blog_bucket` | `blog-bucket` |
//! | `queues["emails"]` | `QueuesEmails` | `queues_emails` | `queues-emails` |
//! | `apiV2` | `ApiV2` | `apiV2` | `apiv2` |

/// Split a Strata name into words: separators are everything but ASCII letters and digits.
fn words(name: &str) -> Vec<&str> {
    name.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect()
}

/// `blog.bucket` → `BlogBucket` (CloudFormation logical ids: alphanumeric).
pub fn pascal(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for w in words(name) {
        let mut cs = w.chars();
        if let Some(c) = cs.next() {
            out.push(c.to_ascii_uppercase());
            out.push_str(cs.as_str());
        }
    }
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'R');
    }
    out
}

/// `blog.bucket` → `blog_bucket` (Terraform labels: letters, digits, `_`, `-`; not a digit first).
pub fn snake(name: &str) -> String {
    let mut out = words(name).join("_");
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    out
}

/// `blog.bucket` → `blog-bucket` (Deployment Manager and Kubernetes names: lowercase RFC 1123).
pub fn kebab(name: &str) -> String {
    let mut out = words(name).join("-").to_ascii_lowercase();
    if out.is_empty() {
        out.push('r');
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert_str(0, "r-");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conventions() {
        assert_eq!(pascal("blog.bucket"), "BlogBucket");
        assert_eq!(pascal("queues[\"emails\"]"), "QueuesEmails");
        assert_eq!(pascal("my_db"), "MyDb");
        assert_eq!(pascal("queues[0]"), "Queues0");
        assert_eq!(snake("blog.bucket"), "blog_bucket");
        assert_eq!(snake("queues[\"emails\"]"), "queues_emails");
        assert_eq!(snake("9x"), "_9x");
        assert_eq!(kebab("queues[\"Emails\"]"), "queues-emails");
        assert_eq!(kebab("apiV2"), "apiv2");
        assert_eq!(kebab("1st"), "r-1st");
    }
}
