//! Severity ratings.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

/// A severity rating. Ordered from the least to the most severe, with
/// [`Severity::Unknown`] below everything: an unknown severity is never
/// guessed, and policy gates decide on their own how to treat it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Severity {
    /// No rating is known.
    Unknown,
    /// Low (CVSS 0.1–3.9).
    Low,
    /// Medium (CVSS 4.0–6.9).
    Medium,
    /// High (CVSS 7.0–8.9).
    High,
    /// Critical (CVSS 9.0–10.0).
    Critical,
}

impl Severity {
    /// The qualitative rating of a CVSS v3/v4 base score. A score of 0.0
    /// ("None" in CVSS) is reported as [`Severity::Low`].
    pub fn from_cvss_score(score: f64) -> Severity {
        if score >= 9.0 {
            Severity::Critical
        } else if score >= 7.0 {
            Severity::High
        } else if score >= 4.0 {
            Severity::Medium
        } else {
            Severity::Low
        }
    }

    /// The upper-case name (`CRITICAL`, ..., `UNKNOWN`).
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Unknown => "UNKNOWN",
            Severity::Low => "LOW",
            Severity::Medium => "MEDIUM",
            Severity::High => "HIGH",
            Severity::Critical => "CRITICAL",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error for a severity name that is not one of the five.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownSeverity(pub String);

impl fmt::Display for UnknownSeverity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown severity `{}` (expected critical, high, medium, low or unknown)",
            self.0
        )
    }
}

impl std::error::Error for UnknownSeverity {}

impl FromStr for Severity {
    type Err = UnknownSeverity;

    /// Parses a rating in any case. `MODERATE` (GitHub's word) is MEDIUM.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_uppercase().as_str() {
            "CRITICAL" => Ok(Severity::Critical),
            "HIGH" => Ok(Severity::High),
            "MEDIUM" | "MODERATE" => Ok(Severity::Medium),
            "LOW" => Ok(Severity::Low),
            "UNKNOWN" => Ok(Severity::Unknown),
            _ => Err(UnknownSeverity(s.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratings_follow_cvss_bands() {
        assert_eq!(Severity::from_cvss_score(9.8), Severity::Critical);
        assert_eq!(Severity::from_cvss_score(7.0), Severity::High);
        assert_eq!(Severity::from_cvss_score(6.9), Severity::Medium);
        assert_eq!(Severity::from_cvss_score(0.0), Severity::Low);
        assert!(Severity::Unknown < Severity::Low);
        assert_eq!("moderate".parse::<Severity>(), Ok(Severity::Medium));
        assert!("severe".parse::<Severity>().is_err());
    }
}
