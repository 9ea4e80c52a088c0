//! Every vector in the fixture files scores what FIRST's algorithms give.
//!
//! Each line of a fixture is `VECTOR SCORE`; `#` starts a comment. See the
//! headers of the files in `testdata/` for where the scores come from.
#![allow(clippy::unwrap_used)] // Tests state their expectations with unwrap.

use std::collections::BTreeMap;
use std::path::PathBuf;

use vigil_risk::{parse, CvssVersion};

fn read(file: &str) -> Vec<(usize, String, f64)> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("testdata")
        .join(file);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let mut lines = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [vector, score] = fields.as_slice() else {
            panic!("{file}:{}: expected `VECTOR SCORE`, got `{line}`", n + 1);
        };
        let score: f64 = score
            .parse()
            .unwrap_or_else(|e| panic!("{file}:{}: score `{score}`: {e}", n + 1));
        lines.push((n + 1, (*vector).to_owned(), score));
    }
    lines
}

/// Checks every line of one file, reports all failures at once, and
/// returns how many lines of each version it checked.
fn check(file: &str) -> BTreeMap<CvssVersion, usize> {
    let mut failures = Vec::new();
    let mut per_version = BTreeMap::new();
    for (line, vector, want) in read(file) {
        match parse(&vector) {
            Ok(got) => {
                *per_version.entry(got.version).or_insert(0) += 1;
                if got.base_score != want {
                    failures.push(format!(
                        "{file}:{line}: {vector}: want {want}, got {}",
                        got.base_score
                    ));
                }
                assert_eq!(got.vector, vector);
            }
            Err(e) => failures.push(format!("{file}:{line}: {e}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} vectors in {file} scored wrong:\n{}",
        failures.len(),
        failures.join("\n")
    );
    per_version
}

#[test]
fn published_vectors_score_as_published() {
    let counts = check("cvss-vectors.txt");
    let total: usize = counts.values().sum();
    assert!(total >= 30, "only {total} vectors");
    for version in [
        CvssVersion::V2,
        CvssVersion::V3_0,
        CvssVersion::V3_1,
        CvssVersion::V4_0,
    ] {
        assert!(
            counts.get(&version).copied().unwrap_or(0) >= 5,
            "too few {version} vectors: {counts:?}"
        );
    }
}

#[test]
fn v4_sample_of_every_macrovector_matches_the_reference() {
    let counts = check("cvss4-reference-sample.txt");
    assert_eq!(
        counts.keys().copied().collect::<Vec<_>>(),
        [CvssVersion::V4_0]
    );
    assert!(counts[&CvssVersion::V4_0] >= 200, "{counts:?}");
}

#[test]
fn severities_of_published_vectors() {
    use vigil_model::Severity;
    let cases = [
        (
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
            Severity::Critical,
        ),
        (
            "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H",
            Severity::High,
        ),
        (
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N",
            Severity::Medium,
        ),
        (
            "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N",
            Severity::Low,
        ),
        (
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N",
            Severity::Low,
        ),
        (
            "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H",
            Severity::Critical,
        ),
        // v2 tops out at HIGH, even at 10.0.
        ("AV:N/AC:L/Au:N/C:C/I:C/A:C", Severity::High),
        ("AV:N/AC:L/Au:N/C:P/I:P/A:P", Severity::High),
        ("AV:N/AC:M/Au:N/C:N/I:P/A:N", Severity::Medium),
        ("AV:L/AC:L/Au:N/C:P/I:N/A:N", Severity::Low),
        (
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
            Severity::Critical,
        ),
        (
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
            Severity::High,
        ),
        (
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:N/VC:L/VI:L/VA:L/SC:N/SI:N/SA:N",
            Severity::Medium,
        ),
    ];
    for (vector, want) in cases {
        let score = parse(vector).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(score.severity(), want, "{vector} ({})", score.base_score);
    }
}
