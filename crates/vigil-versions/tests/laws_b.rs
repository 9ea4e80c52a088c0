//! Order laws for the dpkg, RPM, apk, RubyGems, Composer, CRAN and Hackage
//! schemes: on realistic generated versions, every scheme's `Ord` must be a
//! total order that agrees with `Eq`.
//!
//! For each triple of versions this checks reflexivity, antisymmetry
//! (`cmp(a, b) == cmp(b, a).reverse()`), `Eq`/`PartialOrd` consistency with
//! `cmp`, and transitivity in every arrangement of the triple. The
//! generators use small alphabets so that equal versions (`1.0` vs `1.00`,
//! `_` vs `.`) and near misses come up often.
#![allow(clippy::unwrap_used)] // Tests state their expectations with unwrap.

use std::cmp::Ordering;

use proptest::prelude::*;
use proptest::test_runner::Config;
use vigil_versions::{Scheme, Version};

/// Cases per property: enough to hit the rarer shapes, small enough for a
/// quick run.
const CASES: u32 = 256;

fn config() -> Config {
    Config {
        cases: CASES,
        failure_persistence: None,
        ..Config::default()
    }
}

/// Parses a generated string, which the generators only make valid.
fn parse(scheme: Scheme, s: &str) -> Version {
    scheme
        .parse(s)
        .unwrap_or_else(|e| panic!("generated version does not parse: {e}"))
}

/// Checks the laws of a total order, consistent with `Eq`, on three
/// versions.
fn check_laws(scheme: Scheme, a: &str, b: &str, c: &str) {
    let vs = [parse(scheme, a), parse(scheme, b), parse(scheme, c)];
    for x in &vs {
        assert_eq!(x.cmp(x), Ordering::Equal, "reflexivity: {x}");
        assert!(PartialEq::eq(x, x), "reflexivity of Eq: {x}");
    }
    for x in &vs {
        for y in &vs {
            let xy = x.cmp(y);
            assert_eq!(xy, y.cmp(x).reverse(), "antisymmetry: {x} vs {y}");
            assert_eq!(
                x == y,
                xy == Ordering::Equal,
                "Eq agrees with cmp: {x} vs {y}"
            );
            assert_eq!(x.partial_cmp(y), Some(xy), "partial_cmp agrees: {x} vs {y}");
        }
    }
    for x in &vs {
        for y in &vs {
            for z in &vs {
                let (xy, yz, xz) = (x.cmp(y), y.cmp(z), x.cmp(z));
                if xy != Ordering::Greater && yz != Ordering::Greater {
                    assert_ne!(xz, Ordering::Greater, "transitivity: {x} <= {y} <= {z}");
                    if xy == Ordering::Less || yz == Ordering::Less {
                        assert_eq!(xz, Ordering::Less, "transitivity: {x} < {y} <= {z}");
                    }
                }
                if xy == Ordering::Equal && yz == Ordering::Equal {
                    assert_eq!(xz, Ordering::Equal, "transitivity of Eq: {x}, {y}, {z}");
                }
            }
        }
    }
}

/// dpkg: epoch, upstream with `.+~` and letters, optional revision.
const DPKG: &str = "([0-9]{1,2}:)?0?[0-9]{1,2}([.+~]{1,2}[0-9a-z]{0,3}){0,3}[a-z]?(-[0-9a-z]{1,3}([.+~][0-9a-z]{0,2}){0,2})?";

/// RPM: optional epoch, version and release with all kinds of separators,
/// `~` and `^`.
const RPM: &str =
    "([0-9]{1,2}:)?[0-9a-zA-Z]{1,3}([._+~^]{1,2}[0-9a-zA-Z]{0,3}){0,3}(-[0-9a-z]{0,3}([._~^]{1,2}[0-9a-z]{0,3}){0,2})?";

/// apk: valid versions of every shape, and invalid tails.
const APK: &str = "[0-9]{1,2}(\\.0?[0-9]{1,2}){0,3}[a-c]?[0-9]?(_(alpha|beta|pre|rc|cvs|svn|git|hg|p|blah)[0-9]?){0,2}(~[0-9a-f]{0,3})?(-r?[0-9]{0,2})?[-.a-zA-Z_0-9]{0,3}";

/// RubyGems: numbers and letters, dotted, with an optional `-` part.
const RUBYGEMS: &str =
    "0?[0-9]{1,2}[a-cA]{0,2}(\\.(0|[0-9a-cA]{1,3})){0,4}(-[0-9a-c]{1,3}(\\.[0-9a-c-]{1,2}){0,2})?";

/// Composer: numbers and the special words, with every separator.
const PACKAGIST: &str =
    "[vV]?[0-9]{1,2}([._+#-]{0,2}(0?[0-9]{1,2}|dev|alpha|a|beta|b|RC|rc|p|pl|patch|foo|Beta)){0,5}";

/// CRAN: integers separated by `.` or `-`.
const CRAN: &str = "0?[0-9]{1,2}([.-]0?[0-9]{1,2}){0,4}";

/// Hackage: dot-separated integers.
const HACKAGE: &str = "0?[0-9]{1,2}(\\.0?[0-9]{1,2}){0,4}";

macro_rules! laws {
    ($($name:ident: $scheme:expr, $re:expr;)*) => {
        proptest! {
            #![proptest_config(config())]
            $(
                #[test]
                fn $name(a in $re, b in $re, c in $re) {
                    check_laws($scheme, &a, &b, &c);
                }
            )*
        }
    };
}

laws! {
    dpkg_is_a_total_order: Scheme::Dpkg, DPKG;
    rpm_is_a_total_order: Scheme::Rpm, RPM;
    apk_is_a_total_order: Scheme::Apk, APK;
    rubygems_is_a_total_order: Scheme::RubyGems, RUBYGEMS;
    packagist_is_a_total_order: Scheme::Packagist, PACKAGIST;
    cran_is_a_total_order: Scheme::Cran, CRAN;
    hackage_is_a_total_order: Scheme::Hackage, HACKAGE;
}

/// Random triples rarely share long prefixes, so also check triples made
/// from one generated version and two small edits of it.
fn edits(base: &str, alphabet: &str, k: usize, pos: usize) -> String {
    let mut s: Vec<char> = base.chars().collect();
    let alphabet: Vec<char> = alphabet.chars().collect();
    let c = alphabet[k % alphabet.len()];
    let at = pos % (s.len() + 1);
    match k % 3 {
        0 => s.insert(at, c),
        1 if at < s.len() => s[at] = c,
        _ => {
            if at < s.len() && s.len() > 1 {
                s.remove(at);
            }
        }
    }
    s.into_iter().collect()
}

macro_rules! near_laws {
    ($($name:ident: $scheme:expr, $re:expr, $alphabet:expr;)*) => {
        proptest! {
            #![proptest_config(config())]
            $(
                #[test]
                fn $name(base in $re, k1 in 0usize..1000, p1 in 0usize..64, k2 in 0usize..1000, p2 in 0usize..64) {
                    let b = edits(&base, $alphabet, k1, p1);
                    let c = edits(&b, $alphabet, k2, p2);
                    // Edits may make a string the scheme refuses; skip those.
                    prop_assume!($scheme.parse(&b).is_ok() && $scheme.parse(&c).is_ok());
                    check_laws($scheme, &base, &b, &c);
                }
            )*
        }
    };
}

near_laws! {
    dpkg_near_versions: Scheme::Dpkg, DPKG, "0123.+~-:az";
    rpm_near_versions: Scheme::Rpm, RPM, "0129.~^-:_aZ";
    apk_near_versions: Scheme::Apk, APK, "0129._-r~apz";
    rubygems_near_versions: Scheme::RubyGems, RUBYGEMS, "0129.-aZ";
    packagist_near_versions: Scheme::Packagist, PACKAGIST, "0129.-_#pabdvRC";
    cran_near_versions: Scheme::Cran, CRAN, "0129.-";
    hackage_near_versions: Scheme::Hackage, HACKAGE, "0129.";
}

/// The schemes under test, for properties that hold for all of them.
const SCHEMES: [Scheme; 7] = [
    Scheme::Dpkg,
    Scheme::Rpm,
    Scheme::Apk,
    Scheme::RubyGems,
    Scheme::Packagist,
    Scheme::Cran,
    Scheme::Hackage,
];

proptest! {
    #![proptest_config(config())]

    /// Any string, however odd, is either refused or read; reading never
    /// panics, and whatever is read is ordered consistently.
    #[test]
    fn any_input_is_refused_or_ordered(
        a in "(\\PC|[\\x00-\\x1f]){0,300}",
        b in "[-0-9a-zA-Z.~^_+:#]{0,12}",
        c in "[0-9]{1,40}([.~_-][0-9a-z]{0,30}){0,3}",
    ) {
        for scheme in SCHEMES {
            let ok: Vec<&str> = [a.as_str(), b.as_str(), c.as_str()]
                .into_iter()
                .filter(|s| scheme.parse(s).is_ok())
                .collect();
            if let [x, y, z] = ok[..] {
                check_laws(scheme, x, y, z);
            }
            for s in ok {
                check_laws(scheme, s, s, s);
            }
        }
    }
}
