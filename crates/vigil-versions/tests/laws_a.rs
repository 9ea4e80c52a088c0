//! Total-order laws for the SemVer, Go, PEP 440, Maven, NuGet and Pub
//! schemes, on generated version strings.
//!
//! Each strategy draws from a small alphabet of realistic pieces, so that
//! generated versions often share long prefixes and the comparisons reach
//! the subtle rules (pre-releases, qualifiers, separators, padding). Each
//! case is a handful of versions; every pair and every triple is checked:
//!
//! - reflexivity: `a.cmp(a) == Equal` and `a == a`;
//! - antisymmetry: `a.cmp(b) == b.cmp(a).reverse()`;
//! - consistency: `a == b` exactly when `a.cmp(b) == Equal`, and
//!   `partial_cmp` agrees with `cmp`;
//! - transitivity: `a <= b` and `b <= c` imply `a <= c`, with equality
//!   carried through as well.
#![allow(clippy::unwrap_used)] // Tests state their expectations with unwrap.

use std::cmp::Ordering;

use proptest::collection::vec;
use proptest::prelude::*;
use vigil_versions::{Scheme, Version};

/// Cases per scheme: enough to find a broken law, quick enough for CI.
const CASES: u32 = 256;

/// How many versions one case draws.
const PER_CASE: std::ops::RangeInclusive<usize> = 2..=8;

/// Parses what parses; the laws are about the versions a scheme accepts.
fn parse_all(scheme: Scheme, inputs: &[String]) -> Vec<Version> {
    inputs.iter().filter_map(|s| scheme.parse(s).ok()).collect()
}

/// Checks every law on every pair and triple of `versions`.
#[allow(clippy::eq_op)] // `a == a` is the law being checked
fn check_laws(versions: &[Version]) -> Result<(), TestCaseError> {
    for a in versions {
        prop_assert_eq!(a.cmp(a), Ordering::Equal, "reflexivity of {}", a);
        prop_assert!(a == a, "{} != itself", a);
    }
    for a in versions {
        for b in versions {
            let ab = a.cmp(b);
            prop_assert_eq!(ab, b.cmp(a).reverse(), "antisymmetry of {} and {}", a, b);
            prop_assert_eq!(
                a == b,
                ab == Ordering::Equal,
                "Eq vs Ord on {} and {}",
                a,
                b
            );
            prop_assert_eq!(a.partial_cmp(b), Some(ab), "partial_cmp on {} and {}", a, b);
        }
    }
    for a in versions {
        for b in versions {
            for c in versions {
                let (ab, bc, ac) = (a.cmp(b), b.cmp(c), a.cmp(c));
                if ab != Ordering::Greater && bc != Ordering::Greater {
                    // a <= b <= c
                    let want = if ab == Ordering::Equal && bc == Ordering::Equal {
                        Ordering::Equal
                    } else {
                        Ordering::Less
                    };
                    prop_assert_eq!(
                        ac,
                        want,
                        "transitivity: {} {:?} {} {:?} {} but {} {:?} {}",
                        a,
                        ab,
                        b,
                        bc,
                        c,
                        a,
                        ac,
                        c
                    );
                }
            }
        }
    }
    // Sorting must agree with every pairwise comparison.
    let mut sorted = versions.to_vec();
    sorted.sort();
    for (i, a) in sorted.iter().enumerate() {
        for b in &sorted[i + 1..] {
            prop_assert_ne!(a.cmp(b), Ordering::Greater, "sort order: {} after {}", a, b);
        }
    }
    Ok(())
}

/// SemVer and Go: numbers, pre-releases with numeric and alphanumeric
/// identifiers in both cases, build metadata, optional `v`.
const SEMVER: &str = "v?(0|1|2|10|99999999999999999999)(\\.(0|1|2|10)){0,3}\
    (-(0|1|2|11|alpha|beta|rc|a|A|x-y|0a)(\\.(0|1|2|11|alpha|beta|rc|a|A|x-y)){0,3})?\
    (\\+(build|1|01|x)(\\.(1|a)){0,2})?";

/// PEP 440, valid and not: epochs, long releases, every pre/post/dev
/// spelling, locals, and legacy-only shapes.
const PEP440: &str = "(v|V| )?((0|1|2)!)?(0|1|2|10)(\\.(0|1|2|10)){0,3}\
    ((a|b|c|rc|alpha|beta|pre|preview|A|RC)[-_.]?(0|1|2)?)?\
    ((\\.post|post|-|\\.r|rev|_post)(0|1|2)?)?\
    ((\\.dev|dev|-dev)(0|1)?)?\
    (\\+(abc|1|01|a|A|x)([-_.](1|2|abc|z)){0,2})?\
    (-(foo|bar|1|pre|rc|dev)|(x|m1|p2|\\.final)|\\+|\\.\\.| beta)?";

/// Maven: numbers, every known qualifier and alias, unknown qualifiers,
/// both separators and transitions, empty tokens.
const MAVEN: &str = "(0|1|2|10)(([-.]|)(0|00|1|2|10|alpha|a1|b2|m3|a|beta|milestone|rc|cr|\
    snapshot|SNAPSHOT|ga|final|release|sp|sp1|foo|bar|x|RC1|Final|)){0,6}";

/// NuGet: one to four parts, leading zeros, case-varied labels, metadata.
const NUGET: &str = "(0|1|2|01|10)(\\.(0|1|2|01|10)){0,3}\
    (-(alpha|Alpha|beta|BETA|rc|1|2|10|x|X-1|01)(\\.(1|2|10|a|A|b)){0,3})?\
    (\\+(AA|aa|1|x)(\\.(1|b)){0,1})?";

/// Pub: SemVer shapes plus ordered builds and Dart integer quirks.
const PUB: &str = "v?(0|1|2|10)(\\.(0|1|2|10)){0,3}\
    (-(0|00|1|2|11|alpha|beta|Beta|-1|0x1|0xA|99999999999999999999)(\\.(0|1|2|a|A|-2)){0,3})?\
    (\\+(build|B|1|01|x|a1|9a|0x2)(\\.(1|a|A)){0,2})?";

fn run(scheme: Scheme, regex: &'static str) {
    let config = ProptestConfig {
        cases: CASES,
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    let strategy = vec(regex, PER_CASE);
    proptest!(config, |(inputs in strategy)| {
        check_laws(&parse_all(scheme, &inputs))?;
    });
}

#[test]
fn semver_is_a_total_order() {
    run(Scheme::Semver, SEMVER);
}

#[test]
fn go_is_a_total_order() {
    run(Scheme::Go, SEMVER);
}

#[test]
fn pep440_is_a_total_order() {
    run(Scheme::Pep440, PEP440);
}

#[test]
fn maven_is_a_total_order() {
    run(Scheme::Maven, MAVEN);
}

#[test]
fn nuget_is_a_total_order() {
    run(Scheme::NuGet, NUGET);
}

#[test]
fn pub_is_a_total_order() {
    run(Scheme::Pub, PUB);
}

/// The strategies must mostly produce versions the schemes accept, or the
/// laws above would be checked on too few of them.
#[test]
fn strategies_mostly_parse() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;

    let mut runner = TestRunner::deterministic();
    for (scheme, regex) in [
        (Scheme::Semver, SEMVER),
        (Scheme::Go, SEMVER),
        (Scheme::Pep440, PEP440),
        (Scheme::Maven, MAVEN),
        (Scheme::NuGet, NUGET),
        (Scheme::Pub, PUB),
    ] {
        let strategy = proptest::string::string_regex(regex)
            .unwrap_or_else(|e| panic!("{scheme}: bad regex: {e}"));
        let total = 200;
        let parsed = (0..total)
            .filter(|_| {
                let tree = strategy
                    .new_tree(&mut runner)
                    .unwrap_or_else(|e| panic!("{scheme}: {e}"));
                scheme.parse(&tree.current()).is_ok()
            })
            .count();
        assert!(
            parsed * 4 >= total * 3,
            "{scheme}: only {parsed} of {total} generated versions parse"
        );
    }
}

/// Any string at all: parsing never panics, and whatever parses is equal to
/// itself.
#[test]
fn parsing_never_panics() {
    let config = ProptestConfig {
        cases: CASES * 4,
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    // Arbitrary Unicode, and strings dense in the characters the grammars
    // care about.
    let strategy = prop_oneof![
        any::<String>(),
        "[0-9a-zA-Z.+!_ \\-]{0,40}",
        "[0-9.\\-]{0,300}",
    ];
    proptest!(config, |(s in strategy)| {
        for scheme in [
            Scheme::Semver,
            Scheme::Go,
            Scheme::Pep440,
            Scheme::Maven,
            Scheme::NuGet,
            Scheme::Pub,
        ] {
            if let Ok(v) = scheme.parse(&s) {
                prop_assert_eq!(v.cmp(&v), Ordering::Equal);
                prop_assert!(s.len() <= 256, "{} accepted {} bytes", scheme, s.len());
            }
        }
    });
}
