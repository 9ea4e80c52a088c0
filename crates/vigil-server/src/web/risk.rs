//! Risk scores and bands as the dashboard shows them: a finding's score and
//! reasons read from its stored JSON (`risk {score, reasons}`,
//! docs/report-json.md); lists are filtered and ordered by the
//! `risk_tenths` column (`query.rs`).

use serde_json::Value;

/// A finding's risk score (0.0–10.0), when it has one (`crate::risk::of`).
pub fn score(finding: &Value) -> Option<f64> {
    crate::risk::of(finding).map(|r| r.score)
}

/// The reasons of a finding's risk score, in order.
pub fn reasons(finding: &Value) -> Vec<String> {
    crate::risk::of(finding)
        .map(|r| r.reasons)
        .unwrap_or_default()
}

/// The bands, highest first, with their lower bounds (CVSS's ranges).
pub const BANDS: [(&str, f64); 4] = [
    ("critical", 9.0),
    ("high", 7.0),
    ("medium", 4.0),
    ("low", 0.0),
];

/// The band of a score: `critical` (9.0+), `high` (7.0+), `medium` (4.0+),
/// `low`; `unscored` without one.
pub fn band(score: Option<f64>) -> &'static str {
    match score {
        Some(s) => BANDS
            .iter()
            .find(|(_, min)| s >= *min)
            .map_or("low", |(b, _)| b),
        None => "unscored",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn bands_follow_the_score() {
        let f =
            json!({"risk": {"score": 9.8, "reasons": ["listens on a public address", "in KEV"]}});
        assert_eq!(score(&f), Some(9.8));
        assert_eq!(band(score(&f)), "critical");
        assert_eq!(reasons(&f), ["listens on a public address", "in KEV"]);
        assert_eq!(band(Some(7.0)), "high");
        assert_eq!(band(Some(6.9)), "medium");
        assert_eq!(band(Some(0.0)), "low");
        assert_eq!(band(score(&json!({"severity": "HIGH"}))), "unscored");
        assert!(reasons(&json!({})).is_empty());
    }
}
