//! Base scores, computed by the `cvss` crate.
//!
//! `cvss` 3.0 implements FIRST's equations for every version this crate
//! reads: the v2.0 base equation (rounded to the nearest tenth), the v3.0
//! and v3.1 base equations with each version's `Roundup`, and the v4.0
//! MacroVector lookup with severity-distance interpolation of FIRST's
//! reference calculator. The tests check it against published scores and
//! against the specifications' equations for every v2.0 and v3.x base
//! vector. Its parser is more lenient than this crate's (its v3 and v4
//! readers accept lower-case names and values, and its v3 reader accepts
//! vectors missing base metrics, scoring them as if the metric had no
//! weight), so [`crate::metrics::validate`] reads the vector first and only
//! a canonical string of the base metrics reaches `cvss`. That also makes
//! the score a base score in every version: `cvss` would fold v4.0 threat
//! and environmental metrics into its v4 score.

use std::str::FromStr;

use crate::metrics::Given;
use crate::{CvssError, CvssVersion};

/// The base score of a validated vector.
pub(crate) fn base_score(
    vector: &str,
    version: CvssVersion,
    given: &Given<'_>,
) -> Result<f64, CvssError> {
    let canonical = base_vector(version, given);
    let unscorable = |reason: cvss::Error| CvssError::Unscorable {
        vector: vector.to_owned(),
        version,
        reason: reason.to_string(),
    };
    let score = match version {
        CvssVersion::V2 => cvss::v2::Vector::from_str(&canonical)
            .map_err(unscorable)?
            .score()
            .value(),
        CvssVersion::V3_0 | CvssVersion::V3_1 => cvss::v3::Vector::from_str(&canonical)
            .map_err(unscorable)?
            .base_score()
            .value(),
        CvssVersion::V4_0 => cvss::v4::Vector::from_str(&canonical)
            .map_err(unscorable)?
            .score()
            .value(),
    };
    if !(0.0..=10.0).contains(&score) {
        return Err(CvssError::Unscorable {
            vector: vector.to_owned(),
            version,
            reason: format!("score {score} is outside 0.0..=10.0"),
        });
    }
    Ok(score)
}

/// The base metrics of a scored vector, canonical (the prefix `cvss`
/// expects, the specification's order): what the risk score adds its
/// environmental and threat metrics to.
pub(crate) fn base_vector_of(score: &crate::CvssScore) -> Result<String, CvssError> {
    let (version, body) = crate::split_version(&score.vector)?;
    let given = crate::metrics::validate(&score.vector, version, body)?;
    Ok(base_vector(version, &given))
}

/// The base metrics of a validated vector as a vector string of their own,
/// in the specification's order, with the prefix `cvss` expects.
fn base_vector(version: CvssVersion, given: &Given<'_>) -> String {
    let mut out = match version {
        CvssVersion::V2 => String::new(),
        CvssVersion::V3_0 => "CVSS:3.0".to_owned(),
        CvssVersion::V3_1 => "CVSS:3.1".to_owned(),
        CvssVersion::V4_0 => "CVSS:4.0".to_owned(),
    };
    let base = crate::metrics::table(version).iter().filter(|m| m.base);
    for metric in base {
        if let Some((_, value)) = given.iter().find(|(m, _)| m.name == metric.name) {
            if !out.is_empty() {
                out.push('/');
            }
            out.push_str(metric.name);
            out.push(':');
            out.push_str(value);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::validate;

    #[test]
    fn only_base_metrics_reach_the_scorer_in_canonical_order() {
        let vector = "CVSS:4.0/E:U/SA:N/SI:N/SC:N/VA:H/VI:H/VC:H/UI:N/PR:N/AT:N/AC:L/AV:N/MSI:S";
        let given = validate(vector, CvssVersion::V4_0, &vector[9..]).expect("valid");
        assert_eq!(
            base_vector(CvssVersion::V4_0, &given),
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"
        );
        let v2 = "E:F/AV:N/AC:L/Au:N/C:P/I:P/A:P";
        let given = validate(v2, CvssVersion::V2, v2).expect("valid");
        assert_eq!(
            base_vector(CvssVersion::V2, &given),
            "AV:N/AC:L/Au:N/C:P/I:P/A:P"
        );
    }
}
