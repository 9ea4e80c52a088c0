//! Risk scoring for vigil: CVSS (reading a vector string of any published
//! CVSS version, 2.0, 3.0, 3.1, 4.0, and computing its base score and
//! severity) and vigil's context-aware risk score built on it
//! ([`context`], docs/risk.md).
//!
//! ```
//! use vigil_risk::{parse, CvssVersion};
//!
//! let score = parse("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H").unwrap();
//! assert_eq!(score.version, CvssVersion::V3_1);
//! assert_eq!(score.base_score, 9.8);
//! assert_eq!(score.severity(), vigil_model::Severity::Critical);
//! ```
//!
//! Invariants:
//! - Scores follow FIRST's published specifications exactly: the v2.0 and
//!   v3.x base equations with each version's own rounding, and the v4.0
//!   MacroVector lookup with severity-distance interpolation. Every
//!   [`CvssScore::base_score`] is in `0.0..=10.0` with one decimal.
//! - [`CvssScore::base_score`] is the score of the *base* metrics alone, in
//!   every version: temporal, threat, environmental and supplemental metrics
//!   are validated but never change it (for v4.0 this is the score FIRST
//!   calls CVSS-B).
//! - Reading is strict. A vector that lacks a base metric, repeats a
//!   metric, names an unknown metric or value (names and values are
//!   case-sensitive, as the specifications write them) or is otherwise
//!   malformed is an error that names the vector. Nothing is guessed, and no
//!   input makes this crate panic.
//! - No I/O.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod context;
mod error;
mod metrics;
mod score;

use std::fmt;
use std::str::FromStr;

use vigil_model::Severity;

pub use error::CvssError;

/// A CVSS version, as named by a vector's `CVSS:x.y/` prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CvssVersion {
    /// CVSS v2.0. Its vectors carry no prefix (`AV:N/AC:L/Au:N/C:P/I:P/A:P`).
    V2,
    /// CVSS v3.0 (`CVSS:3.0/...`).
    V3_0,
    /// CVSS v3.1 (`CVSS:3.1/...`).
    V3_1,
    /// CVSS v4.0 (`CVSS:4.0/...`).
    V4_0,
}

impl CvssVersion {
    /// The version number: `"2.0"`, `"3.0"`, `"3.1"` or `"4.0"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            CvssVersion::V2 => "2.0",
            CvssVersion::V3_0 => "3.0",
            CvssVersion::V3_1 => "3.1",
            CvssVersion::V4_0 => "4.0",
        }
    }
}

impl fmt::Display for CvssVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A parsed and scored CVSS vector.
#[derive(Debug, Clone, PartialEq)]
pub struct CvssScore {
    /// The CVSS version of the vector.
    pub version: CvssVersion,
    /// The vector as given, with surrounding whitespace removed: metrics
    /// keep their order, and a v2 vector keeps its parentheses or
    /// `CVSS:2.0/` prefix if it had one.
    pub vector: String,
    /// The base score, `0.0..=10.0`, rounded to one decimal by the
    /// version's own rule (v2.0: to the nearest tenth; v3.0 and v3.1:
    /// `Roundup`, v3.1 with the specification's floating-point-safe
    /// definition; v4.0: to the nearest tenth). Only base metrics count.
    pub base_score: f64,
}

impl CvssScore {
    /// The qualitative severity of [`CvssScore::base_score`].
    ///
    /// CVSS v2.0 has no critical rating: there, below 4.0 is LOW, below 7.0
    /// is MEDIUM and the rest is HIGH (NVD's v2 bands). For v3.x and v4.0,
    /// the specifications' rating scale applies through
    /// [`Severity::from_cvss_score`], which reports a score of 0.0 ("None")
    /// as LOW.
    pub fn severity(&self) -> Severity {
        match self.version {
            CvssVersion::V2 => {
                if self.base_score < 4.0 {
                    Severity::Low
                } else if self.base_score < 7.0 {
                    Severity::Medium
                } else {
                    Severity::High
                }
            }
            CvssVersion::V3_0 | CvssVersion::V3_1 | CvssVersion::V4_0 => {
                Severity::from_cvss_score(self.base_score)
            }
        }
    }
}

impl FromStr for CvssScore {
    type Err = CvssError;

    /// The same as [`parse`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse(s)
    }
}

/// Reads a CVSS vector string and computes its base score.
///
/// The version comes from the prefix: `CVSS:3.0/`, `CVSS:3.1/` or
/// `CVSS:4.0/`. A string without a prefix is read as a CVSS v2.0 vector
/// (`AV:N/AC:L/Au:N/C:P/I:P/A:P`), which may also be wrapped in parentheses
/// (`(AV:N/...)`, as NVD once wrote them) or prefixed `CVSS:2.0/`.
/// Surrounding whitespace is ignored.
///
/// Every base metric of the version must be present exactly once; other
/// metrics of the version (temporal, threat, environmental, supplemental)
/// may appear, at most once each, and are checked but do not change the
/// base score. Metrics may come in any order.
///
/// # Errors
///
/// A [`CvssError`] naming the vector when it is not a CVSS vector of a
/// supported version or breaks any rule above.
pub fn parse(vector: &str) -> Result<CvssScore, CvssError> {
    let given = vector.trim();
    if given.is_empty() {
        return Err(CvssError::Empty {
            vector: vector.to_owned(),
        });
    }
    let (version, body) = split_version(given)?;
    let metrics = metrics::validate(given, version, body)?;
    let base_score = score::base_score(given, version, &metrics)?;
    Ok(CvssScore {
        version,
        vector: given.to_owned(),
        base_score,
    })
}

/// Finds the version of a (trimmed, non-empty) vector and the part of it
/// that lists the metrics.
fn split_version(given: &str) -> Result<(CvssVersion, &str), CvssError> {
    if let Some(rest) = given.strip_prefix("CVSS:") {
        let (number, body) = rest.split_once('/').unwrap_or((rest, ""));
        let version = match number {
            "2.0" => CvssVersion::V2,
            "3.0" => CvssVersion::V3_0,
            "3.1" => CvssVersion::V3_1,
            "4.0" => CvssVersion::V4_0,
            _ => {
                return Err(CvssError::UnsupportedVersion {
                    vector: given.to_owned(),
                    version: number.to_owned(),
                })
            }
        };
        return Ok((version, body));
    }
    if let Some(inner) = given.strip_prefix('(').and_then(|s| s.strip_suffix(')')) {
        return Ok((CvssVersion::V2, inner));
    }
    // Without a prefix only a v2 vector is possible; it has to start with
    // one of v2's metrics to be taken for one.
    let first_key = given.split('/').next().and_then(|c| c.split_once(':'));
    match first_key {
        Some((key, _)) if metrics::is_metric(CvssVersion::V2, key) => Ok((CvssVersion::V2, given)),
        _ => Err(CvssError::NotAVector {
            vector: given.to_owned(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_have_their_numbers() {
        assert_eq!(CvssVersion::V2.as_str(), "2.0");
        assert_eq!(CvssVersion::V3_0.as_str(), "3.0");
        assert_eq!(CvssVersion::V3_1.to_string(), "3.1");
        assert_eq!(CvssVersion::V4_0.to_string(), "4.0");
    }

    #[test]
    fn prefixes_select_the_version() {
        let cases = [
            ("AV:N/AC:L/Au:N/C:P/I:P/A:P", CvssVersion::V2),
            ("(AV:N/AC:L/Au:N/C:P/I:P/A:P)", CvssVersion::V2),
            ("CVSS:2.0/AV:N/AC:L/Au:N/C:P/I:P/A:P", CvssVersion::V2),
            (
                "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
                CvssVersion::V3_0,
            ),
            (
                "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
                CvssVersion::V3_1,
            ),
            (
                "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
                CvssVersion::V4_0,
            ),
        ];
        for (vector, version) in cases {
            let score = parse(vector).unwrap_or_else(|e| panic!("{vector}: {e}"));
            assert_eq!(score.version, version, "{vector}");
            assert_eq!(score.vector, vector);
        }
    }

    #[test]
    fn surrounding_whitespace_is_ignored() {
        let score = parse("  CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\n").expect("parses");
        assert_eq!(score.vector, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
        assert_eq!(score.base_score, 9.8);
    }

    #[test]
    fn from_str_is_parse() {
        let score: CvssScore = "AV:N/AC:L/Au:N/C:C/I:C/A:C".parse().expect("parses");
        assert_eq!(score.base_score, 10.0);
    }

    fn severity_of(version: CvssVersion, base_score: f64) -> Severity {
        CvssScore {
            version,
            vector: String::new(),
            base_score,
        }
        .severity()
    }

    #[test]
    fn v2_has_no_critical() {
        assert_eq!(severity_of(CvssVersion::V2, 0.0), Severity::Low);
        assert_eq!(severity_of(CvssVersion::V2, 3.9), Severity::Low);
        assert_eq!(severity_of(CvssVersion::V2, 4.0), Severity::Medium);
        assert_eq!(severity_of(CvssVersion::V2, 6.9), Severity::Medium);
        assert_eq!(severity_of(CvssVersion::V2, 7.0), Severity::High);
        assert_eq!(severity_of(CvssVersion::V2, 10.0), Severity::High);
    }

    #[test]
    fn v3_and_v4_use_the_rating_scale() {
        for version in [CvssVersion::V3_0, CvssVersion::V3_1, CvssVersion::V4_0] {
            assert_eq!(severity_of(version, 0.0), Severity::Low);
            assert_eq!(severity_of(version, 3.9), Severity::Low);
            assert_eq!(severity_of(version, 4.0), Severity::Medium);
            assert_eq!(severity_of(version, 6.9), Severity::Medium);
            assert_eq!(severity_of(version, 7.0), Severity::High);
            assert_eq!(severity_of(version, 8.9), Severity::High);
            assert_eq!(severity_of(version, 9.0), Severity::Critical);
            assert_eq!(severity_of(version, 10.0), Severity::Critical);
        }
    }
}
