//! The context-aware risk score (docs/risk.md) on the server: read from a
//! stored finding's JSON, kept in the `risk_tenths` column for sorting and
//! filtering, and recomputed when what it depends on changes on the server
//! (a finding's KEV listing).

use serde::Serialize;
use serde_json::Value;
use vigil_risk::context::Context;

/// A finding's risk score and why, as the API and notifications show it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct RiskOut {
    /// The score, 0.0–10.0, one decimal.
    pub score: f64,
    /// Why it differs from the CVSS base score (or does not), in order.
    pub reasons: Vec<String>,
}

impl RiskOut {
    /// `risk 7.5 — reason; reason` (notifications).
    pub fn line(&self) -> String {
        if self.reasons.is_empty() {
            format!("risk {:.1}", self.score)
        } else {
            format!("risk {:.1} — {}", self.score, self.reasons.join("; "))
        }
    }
}

/// The risk of a stored finding (its `risk` object), if it has a valid one.
pub fn of(data: &Value) -> Option<RiskOut> {
    let risk = data.get("risk")?;
    let score = risk.get("score")?.as_f64()?;
    if !score.is_finite() || !(0.0..=10.0).contains(&score) {
        return None;
    }
    let reasons = risk
        .get("reasons")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|r| r.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    Some(RiskOut { score, reasons })
}

/// The score in tenths (7.5 → 75): the `risk_tenths` column.
pub fn tenths(data: &Value) -> Option<i64> {
    of(data).map(|r| score_tenths(r.score))
}

/// A score in tenths, rounded.
pub fn score_tenths(score: f64) -> i64 {
    (score * 10.0).round() as i64
}

/// The least stored score at or above `min` (a `min_risk` of 6.55 keeps
/// 6.6 and above), or why `min` is not a score.
pub fn min_tenths(min: f64) -> Result<i64, String> {
    if !min.is_finite() || !(0.0..=10.0).contains(&min) {
        return Err(format!("min_risk must be a number from 0 to 10, not {min}"));
    }
    Ok((min * 10.0 - 1e-9).ceil() as i64)
}

/// The risk band of a score in tenths: `critical` (≥ 9), `high` (≥ 7),
/// `medium` (≥ 4), `low` (> 0), `none` (0 or no score).
pub fn band(tenths: Option<i64>) -> &'static str {
    match tenths {
        Some(t) if t >= 90 => "critical",
        Some(t) if t >= 70 => "high",
        Some(t) if t >= 40 => "medium",
        Some(t) if t > 0 => "low",
        _ => "none",
    }
}

/// The context a stored finding carries, read from its JSON into the
/// model's parts and taken as the CLI takes it
/// (`vigil_risk::context::context_from`). A part that does not read (a
/// finding stored by an older vigil) is unknown, which never lowers a
/// score.
fn context_of(data: &Value) -> Context {
    fn part<T: serde::de::DeserializeOwned>(data: &Value, key: &str) -> Option<T> {
        data.get(key)
            .filter(|v| !v.is_null())
            .and_then(|v| T::deserialize(v).ok())
    }
    let runtime: Option<vigil_model::Runtime> = part(data, "runtime");
    let code: Option<vigil_model::VulnerableCode> = part(data, "vulnerable_code");
    let epss: Option<vigil_model::Epss> = part(data, "epss");
    vigil_risk::context::context_from(
        runtime.as_ref(),
        code.as_ref(),
        data.get("kev").and_then(Value::as_bool).unwrap_or(false),
        epss.as_ref(),
    )
}

/// Scores a stored vulnerability finding again from its CVSS vector and
/// the context its JSON carries, replacing its `risk`. Findings that are not
/// vulnerabilities, informational notices and findings without a vector
/// the scorer accepts are left alone. Returns whether it has a score now.
pub fn rescore(data: &mut Value) -> bool {
    if data.get("kind").and_then(Value::as_str) != Some("vulnerability")
        || data.get("informational").is_some_and(|i| !i.is_null())
    {
        return false;
    }
    let Some(vector) = data
        .get("cvss")
        .and_then(|c| c.get("vector"))
        .and_then(Value::as_str)
        .map(str::to_string)
    else {
        return false;
    };
    let Ok(r) = vigil_risk::context::score(&vector, &context_of(data)) else {
        return false;
    };
    if let Some(obj) = data.as_object_mut() {
        obj.insert(
            "risk".into(),
            serde_json::json!({ "score": r.score, "reasons": r.reasons, "vector": r.vector }),
        );
        true
    } else {
        false
    }
}

/// Gives a finding sent without a risk score (a report of a vigil from
/// before the score) one, computed the way the CLI would have; a score
/// sent is kept as sent.
pub fn ensure(data: &mut Value) {
    if data.get("risk").is_none_or(Value::is_null) {
        rescore(data);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const CRIT: &str = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H";

    #[test]
    fn bands_follow_the_cvss_ratings() {
        assert_eq!(band(Some(98)), "critical");
        assert_eq!(band(Some(90)), "critical");
        assert_eq!(band(Some(75)), "high");
        assert_eq!(band(Some(40)), "medium");
        assert_eq!(band(Some(1)), "low");
        assert_eq!(band(Some(0)), "none");
        assert_eq!(band(None), "none");
    }

    #[test]
    fn min_risk_is_read_in_tenths() {
        assert_eq!(min_tenths(7.0), Ok(70));
        assert_eq!(min_tenths(6.5), Ok(65));
        assert_eq!(min_tenths(6.55), Ok(66));
        assert!(min_tenths(11.0).is_err());
        assert!(min_tenths(f64::NAN).is_err());
    }

    #[test]
    fn the_runtime_context_in_the_json_lowers_the_score() {
        let mut f = json!({
            "kind": "vulnerability", "kev": false, "cvss": {"vector": CRIT},
            "runtime": {"processes": [], "exposure": "loopback"}
        });
        assert!(rescore(&mut f));
        assert_eq!(tenths(&f), Some(75));
        let r = of(&f).expect("risk");
        assert_eq!(
            r.line(),
            "risk 7.5 — listens on loopback only; no data store reachable; not in KEV"
        );
        // Listed as exploited: raised.
        f["kev"] = json!(true);
        rescore(&mut f);
        assert!(of(&f).expect("risk").score > 7.5);
    }

    #[test]
    fn parts_that_do_not_read_are_unknown_and_never_lower_the_score() {
        // A runtime of another shape, a status vigil never wrote, an EPSS
        // figure that is no object: no context, the base score.
        let mut f = json!({
            "kind": "vulnerability", "kev": false, "cvss": {"vector": CRIT},
            "runtime": {"exposure": 7}, "vulnerable_code": {"status": "maybe"},
            "epss": 0.001
        });
        assert!(rescore(&mut f));
        assert_eq!(tenths(&f), Some(98));
        // The EPSS figures as the CLI writes them count.
        f["epss"] = json!({"probability": 0.001, "percentile": 0.1});
        rescore(&mut f);
        assert_eq!(tenths(&f), Some(90));
    }

    #[test]
    fn a_score_sent_is_kept_and_others_are_left_alone() {
        let mut sent = json!({"kind": "vulnerability", "cvss": {"vector": CRIT},
            "risk": {"score": 3.2, "reasons": ["x"], "vector": CRIT}});
        ensure(&mut sent);
        assert_eq!(tenths(&sent), Some(32));
        let mut secret = json!({"kind": "secret", "cvss": {"vector": CRIT}});
        ensure(&mut secret);
        assert_eq!(tenths(&secret), None);
        let mut no_vector = json!({"kind": "vulnerability"});
        assert!(!rescore(&mut no_vector));
        let mut without = json!({"kind": "vulnerability", "kev": false, "cvss": {"vector": CRIT}});
        ensure(&mut without);
        assert_eq!(tenths(&without), Some(98));
    }
}
