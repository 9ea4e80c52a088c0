//! The baseline: a previous JSON report whose findings are known, so that
//! a pull request's scan shows only the new ones.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::Value;
use vigil_model::{Finding, Suppression, SuppressionKind};

use crate::error::{read_text, PolicyError};

/// The fingerprints of a baseline report.
#[derive(Debug, Clone)]
pub struct Baseline {
    path: PathBuf,
    fingerprints: BTreeSet<String>,
}

impl Baseline {
    /// Reads a vigil JSON report (`vigil scan --format json`).
    pub fn load(path: &Path) -> Result<Baseline, PolicyError> {
        let text = read_text(path)?;
        Baseline::parse(path, &text)
    }

    /// Reads report text; `path` names it in errors.
    pub fn parse(path: &Path, text: &str) -> Result<Baseline, PolicyError> {
        let doc: Value = serde_json::from_str(text)
            .map_err(|e| PolicyError::invalid(path, Some(e.line()), format!("not JSON: {e}")))?;
        let (Some(_), Some(findings)) = (
            doc.get("schema_version").and_then(Value::as_u64),
            doc.get("findings").and_then(Value::as_array),
        ) else {
            return Err(PolicyError::invalid(
                path,
                None,
                "not a vigil JSON report (no `schema_version` and `findings`); write one with `vigil scan --format json`",
            ));
        };
        let fingerprints = findings
            .iter()
            .filter_map(|f| f.get("fingerprint").and_then(Value::as_str))
            .map(str::to_string)
            .collect();
        Ok(Baseline {
            path: path.to_path_buf(),
            fingerprints,
        })
    }

    /// How many fingerprints it holds.
    pub fn len(&self) -> usize {
        self.fingerprints.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.fingerprints.is_empty()
    }

    /// Suppresses the findings whose fingerprint is in the baseline (those
    /// not already suppressed). Returns how many.
    pub fn apply(&self, findings: &mut [Finding]) -> usize {
        let mut n = 0;
        for f in findings.iter_mut().filter(|f| f.suppression.is_none()) {
            if self.fingerprints.contains(&f.fingerprint.0) {
                f.suppression = Some(Suppression {
                    kind: SuppressionKind::Baseline,
                    source: self.path.display().to_string(),
                    reason: Some("in the baseline report".to_string()),
                    vex_status: None,
                    justification: None,
                    expires: None,
                });
                n += 1;
            }
        }
        n
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::testutil::finding;

    #[test]
    fn known_fingerprints_are_suppressed() {
        let old = finding(
            "GHSA-1",
            &[],
            "pkg:npm/lodash@4.17.15",
            "web/package-lock.json",
        );
        let text = format!(
            r#"{{"schema_version": 1, "findings": [{{"id": "GHSA-1", "fingerprint": "{}"}}]}}"#,
            old.fingerprint.0
        );
        let b = Baseline::parse(Path::new("base.json"), &text).unwrap();
        assert_eq!(b.len(), 1);
        // The same finding after a version bump keeps its fingerprint.
        let mut fs = vec![
            finding(
                "GHSA-1",
                &[],
                "pkg:npm/lodash@4.17.16",
                "web/package-lock.json",
            ),
            finding(
                "GHSA-2",
                &[],
                "pkg:npm/lodash@4.17.16",
                "web/package-lock.json",
            ),
        ];
        assert_eq!(b.apply(&mut fs), 1);
        let s = fs[0].suppression.as_ref().unwrap();
        assert_eq!(
            (s.kind, s.source.as_str()),
            (SuppressionKind::Baseline, "base.json")
        );
        assert!(fs[1].suppression.is_none());
    }

    #[test]
    fn other_files_are_refused() {
        let err = Baseline::parse(Path::new("b.json"), r#"{"findings": []}"#).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("b.json: not a vigil JSON report"),
            "{err}"
        );
        let err = Baseline::parse(Path::new("b.json"), "{\n,").unwrap_err();
        assert!(err.to_string().starts_with("b.json:2: not JSON"), "{err}");
    }
}
