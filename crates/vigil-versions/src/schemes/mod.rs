//! One module per version scheme. Each defines `Version` with
//! `fn parse(&str) -> Result<Version, String>` (the error is the reason) and
//! a total order (`Ord`) that follows the scheme's reference implementation.

pub(crate) mod apk;
pub(crate) mod cran;
pub(crate) mod dpkg;
pub(crate) mod go;
pub(crate) mod hackage;
pub(crate) mod maven;
pub(crate) mod nuget;
pub(crate) mod packagist;
pub(crate) mod pep440;
pub(crate) mod pub_dart;
pub(crate) mod rpm;
pub(crate) mod rubygems;
pub(crate) mod semver;

/// SemVer-style precedence shared by SemVer, NuGet and Pub: release parts
/// first (as lists, trailing zeros already trimmed), then a version with
/// pre-release parts sorts before the same release without them, and two
/// pre-release lists compare element by element.
pub(crate) fn release_then_pre<R: Ord, P: Ord>(
    (release_a, pre_a): (&[R], &[P]),
    (release_b, pre_b): (&[R], &[P]),
) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    release_a
        .cmp(release_b)
        .then_with(|| match (pre_a.is_empty(), pre_b.is_empty()) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Greater,
            (false, true) => Ordering::Less,
            (false, false) => pre_a.cmp(pre_b),
        })
}
