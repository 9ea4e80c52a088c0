//! The metrics each CVSS version defines, and the strict reading of a
//! vector's metric list against them.
//!
//! The tables are the specifications' own: CVSS v2.0 guide section 2,
//! CVSS v3.0/v3.1 specification section 6 (Table 15), CVSS v4.0
//! specification section 7. Names and values are case-sensitive.

use crate::{CvssError, CvssVersion};

/// One metric of a version: its abbreviation, its allowed values, and
/// whether it is a base metric (mandatory in every vector).
#[derive(Debug)]
pub(crate) struct Metric {
    pub(crate) name: &'static str,
    pub(crate) values: &'static [&'static str],
    pub(crate) base: bool,
}

const fn base(name: &'static str, values: &'static [&'static str]) -> Metric {
    Metric {
        name,
        values,
        base: true,
    }
}

const fn optional(name: &'static str, values: &'static [&'static str]) -> Metric {
    Metric {
        name,
        values,
        base: false,
    }
}

const V2_IMPACT: &[&str] = &["N", "P", "C"];
const V2_REQUIREMENT: &[&str] = &["L", "M", "H", "ND"];

/// CVSS v2.0: base, temporal and environmental metrics.
const V2: &[Metric] = &[
    base("AV", &["L", "A", "N"]),
    base("AC", &["H", "M", "L"]),
    base("Au", &["M", "S", "N"]),
    base("C", V2_IMPACT),
    base("I", V2_IMPACT),
    base("A", V2_IMPACT),
    optional("E", &["U", "POC", "F", "H", "ND"]),
    optional("RL", &["OF", "TF", "W", "U", "ND"]),
    optional("RC", &["UC", "UR", "C", "ND"]),
    optional("CDP", &["N", "L", "LM", "MH", "H", "ND"]),
    optional("TD", &["N", "L", "M", "H", "ND"]),
    optional("CR", V2_REQUIREMENT),
    optional("IR", V2_REQUIREMENT),
    optional("AR", V2_REQUIREMENT),
];

const V3_IMPACT: &[&str] = &["H", "L", "N"];
const V3_MODIFIED_IMPACT: &[&str] = &["X", "H", "L", "N"];
const V3_REQUIREMENT: &[&str] = &["X", "H", "M", "L"];

/// CVSS v3.0 and v3.1 (the same metrics): base, temporal, environmental.
const V3: &[Metric] = &[
    base("AV", &["N", "A", "L", "P"]),
    base("AC", &["L", "H"]),
    base("PR", &["N", "L", "H"]),
    base("UI", &["N", "R"]),
    base("S", &["U", "C"]),
    base("C", V3_IMPACT),
    base("I", V3_IMPACT),
    base("A", V3_IMPACT),
    optional("E", &["X", "H", "F", "P", "U"]),
    optional("RL", &["X", "U", "W", "T", "O"]),
    optional("RC", &["X", "C", "R", "U"]),
    optional("CR", V3_REQUIREMENT),
    optional("IR", V3_REQUIREMENT),
    optional("AR", V3_REQUIREMENT),
    optional("MAV", &["X", "N", "A", "L", "P"]),
    optional("MAC", &["X", "L", "H"]),
    optional("MPR", &["X", "N", "L", "H"]),
    optional("MUI", &["X", "N", "R"]),
    optional("MS", &["X", "U", "C"]),
    optional("MC", V3_MODIFIED_IMPACT),
    optional("MI", V3_MODIFIED_IMPACT),
    optional("MA", V3_MODIFIED_IMPACT),
];

const V4_IMPACT: &[&str] = &["H", "L", "N"];
const V4_MODIFIED_IMPACT: &[&str] = &["X", "H", "L", "N"];
const V4_MODIFIED_SAFETY_IMPACT: &[&str] = &["X", "S", "H", "L", "N"];
const V4_REQUIREMENT: &[&str] = &["X", "H", "M", "L"];

/// CVSS v4.0: base, threat, environmental and supplemental metrics.
const V4: &[Metric] = &[
    base("AV", &["N", "A", "L", "P"]),
    base("AC", &["L", "H"]),
    base("AT", &["N", "P"]),
    base("PR", &["N", "L", "H"]),
    base("UI", &["N", "P", "A"]),
    base("VC", V4_IMPACT),
    base("VI", V4_IMPACT),
    base("VA", V4_IMPACT),
    base("SC", V4_IMPACT),
    base("SI", V4_IMPACT),
    base("SA", V4_IMPACT),
    optional("E", &["X", "A", "P", "U"]),
    optional("CR", V4_REQUIREMENT),
    optional("IR", V4_REQUIREMENT),
    optional("AR", V4_REQUIREMENT),
    optional("MAV", &["X", "N", "A", "L", "P"]),
    optional("MAC", &["X", "L", "H"]),
    optional("MAT", &["X", "N", "P"]),
    optional("MPR", &["X", "N", "L", "H"]),
    optional("MUI", &["X", "N", "P", "A"]),
    optional("MVC", V4_MODIFIED_IMPACT),
    optional("MVI", V4_MODIFIED_IMPACT),
    optional("MVA", V4_MODIFIED_IMPACT),
    optional("MSC", V4_MODIFIED_IMPACT),
    optional("MSI", V4_MODIFIED_SAFETY_IMPACT),
    optional("MSA", V4_MODIFIED_SAFETY_IMPACT),
    optional("S", &["X", "N", "P"]),
    optional("AU", &["X", "N", "Y"]),
    optional("R", &["X", "A", "U", "I"]),
    optional("V", &["X", "D", "C"]),
    optional("RE", &["X", "L", "M", "H"]),
    optional("U", &["X", "Clear", "Green", "Amber", "Red"]),
];

/// Every metric a version defines, base metrics first in the
/// specification's order.
pub(crate) fn table(version: CvssVersion) -> &'static [Metric] {
    match version {
        CvssVersion::V2 => V2,
        CvssVersion::V3_0 | CvssVersion::V3_1 => V3,
        CvssVersion::V4_0 => V4,
    }
}

/// Whether `name` is a metric of `version`.
pub(crate) fn is_metric(version: CvssVersion, name: &str) -> bool {
    table(version).iter().any(|m| m.name == name)
}

/// The metrics of a vector that passed [`validate`]: each metric given,
/// with its value, in the vector's order.
pub(crate) type Given<'a> = Vec<(&'static Metric, &'a str)>;

/// Reads `body`, the `/`-separated `METRIC:VALUE` list of `vector`, as a
/// `version` vector: every part well-formed, every metric known and given
/// at most once with an allowed value, every base metric present.
pub(crate) fn validate<'a>(
    vector: &str,
    version: CvssVersion,
    body: &'a str,
) -> Result<Given<'a>, CvssError> {
    let table = table(version);
    let mut given: Given<'a> = Vec::with_capacity(table.len());
    // An empty list is a vector without base metrics, not a malformed part.
    let parts = if body.is_empty() {
        None
    } else {
        Some(body.split('/'))
    };
    for part in parts.into_iter().flatten() {
        let malformed = || CvssError::MalformedComponent {
            vector: vector.to_owned(),
            component: part.to_owned(),
        };
        let (name, value) = part.split_once(':').ok_or_else(malformed)?;
        if name.is_empty() || value.is_empty() || value.contains(':') {
            return Err(malformed());
        }
        let metric =
            table
                .iter()
                .find(|m| m.name == name)
                .ok_or_else(|| CvssError::UnknownMetric {
                    vector: vector.to_owned(),
                    version,
                    metric: name.to_owned(),
                })?;
        if given.iter().any(|(m, _)| m.name == name) {
            return Err(CvssError::DuplicateMetric {
                vector: vector.to_owned(),
                version,
                metric: name.to_owned(),
            });
        }
        if !metric.values.contains(&value) {
            return Err(CvssError::InvalidValue {
                vector: vector.to_owned(),
                version,
                metric: name.to_owned(),
                value: value.to_owned(),
            });
        }
        given.push((metric, value));
    }
    if let Some(missing) = table
        .iter()
        .filter(|m| m.base)
        .find(|m| !given.iter().any(|(g, _)| g.name == m.name))
    {
        return Err(CvssError::MissingMetric {
            vector: vector.to_owned(),
            version,
            metric: missing.name.to_owned(),
        });
    }
    Ok(given)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_have_unique_names_and_base_metrics_first() {
        for version in [CvssVersion::V2, CvssVersion::V3_1, CvssVersion::V4_0] {
            let t = table(version);
            for (i, m) in t.iter().enumerate() {
                assert!(
                    t[..i].iter().all(|o| o.name != m.name),
                    "{version}: {} twice",
                    m.name
                );
                assert!(!m.values.is_empty());
            }
            let first_optional = t.iter().position(|m| !m.base).unwrap_or(t.len());
            assert!(t[first_optional..].iter().all(|m| !m.base), "{version}");
        }
        assert_eq!(V2.iter().filter(|m| m.base).count(), 6);
        assert_eq!(V3.iter().filter(|m| m.base).count(), 8);
        assert_eq!(V4.iter().filter(|m| m.base).count(), 11);
    }

    #[test]
    fn empty_body_lacks_the_first_base_metric() {
        let err = validate("CVSS:3.1/", CvssVersion::V3_1, "").expect_err("no metrics");
        assert!(matches!(err, CvssError::MissingMetric { ref metric, .. } if metric == "AV"));
    }
}
