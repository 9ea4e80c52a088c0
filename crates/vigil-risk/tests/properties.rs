//! Properties over generated vectors: any valid vector, in any order and
//! with any non-base metrics, scores its base metrics; breaking it in any
//! one way is the matching error; and no input at all panics.
#![allow(clippy::unwrap_used)] // Tests state their expectations with unwrap.

use proptest::prelude::*;
use proptest::strategy::BoxedStrategy;
use vigil_risk::{parse, CvssError, CvssVersion};

type Table = &'static [(&'static str, &'static [&'static str], bool)];

// The metrics of each version as the specifications list them (written
// out again here, independently of the crate's own tables).
const V2: Table = &[
    ("AV", &["L", "A", "N"], true),
    ("AC", &["H", "M", "L"], true),
    ("Au", &["M", "S", "N"], true),
    ("C", &["N", "P", "C"], true),
    ("I", &["N", "P", "C"], true),
    ("A", &["N", "P", "C"], true),
    ("E", &["U", "POC", "F", "H", "ND"], false),
    ("RL", &["OF", "TF", "W", "U", "ND"], false),
    ("RC", &["UC", "UR", "C", "ND"], false),
    ("CDP", &["N", "L", "LM", "MH", "H", "ND"], false),
    ("TD", &["N", "L", "M", "H", "ND"], false),
    ("CR", &["L", "M", "H", "ND"], false),
    ("IR", &["L", "M", "H", "ND"], false),
    ("AR", &["L", "M", "H", "ND"], false),
];

const V3: Table = &[
    ("AV", &["N", "A", "L", "P"], true),
    ("AC", &["L", "H"], true),
    ("PR", &["N", "L", "H"], true),
    ("UI", &["N", "R"], true),
    ("S", &["U", "C"], true),
    ("C", &["H", "L", "N"], true),
    ("I", &["H", "L", "N"], true),
    ("A", &["H", "L", "N"], true),
    ("E", &["X", "H", "F", "P", "U"], false),
    ("RL", &["X", "U", "W", "T", "O"], false),
    ("RC", &["X", "C", "R", "U"], false),
    ("CR", &["X", "H", "M", "L"], false),
    ("IR", &["X", "H", "M", "L"], false),
    ("AR", &["X", "H", "M", "L"], false),
    ("MAV", &["X", "N", "A", "L", "P"], false),
    ("MAC", &["X", "L", "H"], false),
    ("MPR", &["X", "N", "L", "H"], false),
    ("MUI", &["X", "N", "R"], false),
    ("MS", &["X", "U", "C"], false),
    ("MC", &["X", "H", "L", "N"], false),
    ("MI", &["X", "H", "L", "N"], false),
    ("MA", &["X", "H", "L", "N"], false),
];

const V4: Table = &[
    ("AV", &["N", "A", "L", "P"], true),
    ("AC", &["L", "H"], true),
    ("AT", &["N", "P"], true),
    ("PR", &["N", "L", "H"], true),
    ("UI", &["N", "P", "A"], true),
    ("VC", &["H", "L", "N"], true),
    ("VI", &["H", "L", "N"], true),
    ("VA", &["H", "L", "N"], true),
    ("SC", &["H", "L", "N"], true),
    ("SI", &["H", "L", "N"], true),
    ("SA", &["H", "L", "N"], true),
    ("E", &["X", "A", "P", "U"], false),
    ("CR", &["X", "H", "M", "L"], false),
    ("IR", &["X", "H", "M", "L"], false),
    ("AR", &["X", "H", "M", "L"], false),
    ("MAV", &["X", "N", "A", "L", "P"], false),
    ("MAC", &["X", "L", "H"], false),
    ("MAT", &["X", "N", "P"], false),
    ("MPR", &["X", "N", "L", "H"], false),
    ("MUI", &["X", "N", "P", "A"], false),
    ("MVC", &["X", "H", "L", "N"], false),
    ("MVI", &["X", "H", "L", "N"], false),
    ("MVA", &["X", "H", "L", "N"], false),
    ("MSC", &["X", "H", "L", "N"], false),
    ("MSI", &["X", "S", "H", "L", "N"], false),
    ("MSA", &["X", "S", "H", "L", "N"], false),
    ("S", &["X", "N", "P"], false),
    ("AU", &["X", "N", "Y"], false),
    ("R", &["X", "A", "U", "I"], false),
    ("V", &["X", "D", "C"], false),
    ("RE", &["X", "L", "M", "H"], false),
    ("U", &["X", "Clear", "Green", "Amber", "Red"], false),
];

/// A valid vector: its version, the prefix and suffix around its metric
/// list, and the metrics (all base metrics, some others) in random order.
#[derive(Debug, Clone)]
struct Generated {
    version: CvssVersion,
    prefix: &'static str,
    suffix: &'static str,
    metrics: Vec<(&'static str, &'static str)>,
}

impl Generated {
    fn text(&self) -> String {
        render(self.prefix, self.suffix, &self.metrics)
    }

    fn table(&self) -> Table {
        match self.version {
            CvssVersion::V2 => V2,
            CvssVersion::V3_0 | CvssVersion::V3_1 => V3,
            CvssVersion::V4_0 => V4,
        }
    }

    /// The same vector with only its base metrics, in the specification's
    /// order.
    fn canonical_base(&self) -> String {
        let base: Vec<_> = self
            .table()
            .iter()
            .filter(|(_, _, base)| *base)
            .map(|(name, _, _)| {
                let value = self
                    .metrics
                    .iter()
                    .find(|(n, _)| n == name)
                    .map(|(_, v)| *v)
                    .unwrap_or_else(|| panic!("no {name}"));
                (*name, value)
            })
            .collect();
        render(self.prefix, self.suffix, &base)
    }
}

fn render(prefix: &str, suffix: &str, metrics: &[(&str, &str)]) -> String {
    let body: Vec<String> = metrics.iter().map(|(n, v)| format!("{n}:{v}")).collect();
    format!("{prefix}{}{suffix}", body.join("/"))
}

fn metrics_of(table: Table) -> BoxedStrategy<Vec<(&'static str, &'static str)>> {
    let each: Vec<BoxedStrategy<Option<(&'static str, &'static str)>>> = table
        .iter()
        .map(|&(name, values, base)| {
            let pick = proptest::sample::select(values).prop_map(move |v| (name, v));
            if base {
                pick.prop_map(Some).boxed()
            } else {
                proptest::option::of(pick).boxed()
            }
        })
        .collect();
    each.prop_map(|all| all.into_iter().flatten().collect::<Vec<_>>())
        .prop_shuffle()
        .boxed()
}

fn valid_vector() -> impl Strategy<Value = Generated> {
    let v2_wrapping = proptest::sample::select(&[("", ""), ("(", ")"), ("CVSS:2.0/", "")][..]);
    prop_oneof![
        (v2_wrapping, metrics_of(V2)).prop_map(|((prefix, suffix), metrics)| Generated {
            version: CvssVersion::V2,
            prefix,
            suffix,
            metrics,
        }),
        metrics_of(V3).prop_map(|metrics| Generated {
            version: CvssVersion::V3_0,
            prefix: "CVSS:3.0/",
            suffix: "",
            metrics,
        }),
        metrics_of(V3).prop_map(|metrics| Generated {
            version: CvssVersion::V3_1,
            prefix: "CVSS:3.1/",
            suffix: "",
            metrics,
        }),
        metrics_of(V4).prop_map(|metrics| Generated {
            version: CvssVersion::V4_0,
            prefix: "CVSS:4.0/",
            suffix: "",
            metrics,
        }),
    ]
}

fn one_decimal_in_range(score: f64) -> bool {
    (0.0..=10.0).contains(&score) && ((score * 10.0).round() - score * 10.0).abs() < 1e-9
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn valid_vectors_score_their_base_metrics(g in valid_vector()) {
        let text = g.text();
        let score = parse(&text).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(score.version, g.version);
        prop_assert_eq!(&score.vector, &text);
        prop_assert!(one_decimal_in_range(score.base_score), "{}", score.base_score);
        let canonical = parse(&g.canonical_base()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(score.base_score, canonical.base_score);
    }

    #[test]
    fn a_missing_base_metric_is_named(g in valid_vector(), pick in any::<proptest::sample::Index>()) {
        let base: Vec<usize> = (0..g.metrics.len())
            .filter(|&i| g.table().iter().any(|(n, _, b)| *b && *n == g.metrics[i].0))
            .collect();
        let gone = base[pick.index(base.len())];
        let name = g.metrics[gone].0;
        let mut broken = g.clone();
        broken.metrics.remove(gone);
        match parse(&broken.text()) {
            Err(CvssError::MissingMetric { metric, version, .. }) => {
                prop_assert_eq!(version, g.version);
                // The first missing one in the specification's order is
                // named; only one is missing.
                prop_assert_eq!(metric, name);
            }
            other => prop_assert!(false, "{}: {:?}", broken.text(), other),
        }
    }

    #[test]
    fn a_repeated_metric_is_named(g in valid_vector(), pick in any::<proptest::sample::Index>(), at in any::<proptest::sample::Index>()) {
        let (name, value) = g.metrics[pick.index(g.metrics.len())];
        let mut broken = g.clone();
        let position = at.index(broken.metrics.len() + 1);
        broken.metrics.insert(position, (name, value));
        match parse(&broken.text()) {
            Err(CvssError::DuplicateMetric { metric, .. }) => prop_assert_eq!(metric, name),
            other => prop_assert!(false, "{}: {:?}", broken.text(), other),
        }
    }

    #[test]
    fn a_changed_character_never_panics(g in valid_vector(), at in any::<proptest::sample::Index>(), c in any::<char>()) {
        let mut chars: Vec<char> = g.text().chars().collect();
        let i = at.index(chars.len());
        chars[i] = c;
        let text: String = chars.into_iter().collect();
        match parse(&text) {
            Ok(score) => prop_assert!(one_decimal_in_range(score.base_score)),
            Err(e) => prop_assert_eq!(e.vector(), text.trim()),
        }
    }

    #[test]
    fn arbitrary_strings_never_panic(s in "\\PC{0,120}") {
        match parse(&s) {
            Ok(score) => prop_assert!(one_decimal_in_range(score.base_score)),
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }

    #[test]
    fn vector_like_strings_never_panic(s in "(CVSS:[0-9.]{0,4}/)?([A-Za-z]{1,3}:[A-Za-z]{1,4}/?){0,14}") {
        match parse(&s) {
            Ok(score) => prop_assert!(one_decimal_in_range(score.base_score)),
            Err(e) => prop_assert_eq!(e.vector(), s.trim()),
        }
    }
}
