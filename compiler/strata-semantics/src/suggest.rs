//! Nearest names for "did you mean" over large candidate sets (the generated layer's
//! thousands of type names), in bounded time: long names get no suggestion, and candidates
//! whose length is far from the name's are skipped before any distance is computed.

/// Names longer than this get no suggestion (no type or property name is this long).
const MAX_NAME: usize = 128;

/// Up to `k` candidates close to `name`, best first (ties by name, so the order is stable).
pub(crate) fn nearest<'c>(
    name: &str,
    candidates: impl IntoIterator<Item = &'c str>,
    k: usize,
) -> Vec<&'c str> {
    if name.len() > MAX_NAME || k == 0 {
        return Vec::new();
    }
    let lower = name.to_ascii_lowercase();
    let mut scored: Vec<(f64, &'c str)> = Vec::new();
    for c in candidates {
        if c == name || c.len() > name.len() * 2 + 8 || name.len() > c.len() * 2 + 8 {
            continue;
        }
        let cl = c.to_ascii_lowercase();
        if cl == lower {
            scored.push((2.0, c));
            continue;
        }
        let score = strsim::jaro_winkler(&lower, &cl);
        if score >= 0.85 || strsim::levenshtein(&lower, &cl) <= 2.max(name.len() / 6) {
            scored.push((score, c));
        }
    }
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    scored.into_iter().take(k).map(|(_, c)| c).collect()
}

#[cfg(test)]
mod tests {
    use super::nearest;

    #[test]
    fn finds_close_names_in_bounded_time() {
        let names = [
            "cfn.AWS.S3.Bucket",
            "cfn.AWS.S3.BucketPolicy",
            "cfn.AWS.SNS.Topic",
            "cfn.AWS.SQS.Queue",
        ];
        assert_eq!(
            nearest("cfn.AWS.S3.Bukcet", names, 3)[0],
            "cfn.AWS.S3.Bucket"
        );
        assert_eq!(
            nearest("cfn.aws.s3.bucket", names, 1),
            ["cfn.AWS.S3.Bucket"]
        );
        assert!(nearest("zzzzzzzz", names, 3).is_empty());
        let long = "x".repeat(100_000);
        let t = std::time::Instant::now();
        assert!(nearest(&long, names, 3).is_empty());
        assert!(t.elapsed().as_millis() < 100);
    }
}
