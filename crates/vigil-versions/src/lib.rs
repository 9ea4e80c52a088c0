//! Version ordering by each ecosystem's own rules, and OSV range evaluation.
//!
//! Every ecosystem has its own [`Scheme`]; a [`Version`] is parsed by one
//! scheme and only ever compared with versions of the same scheme.
//!
//! Invariants:
//! - Versions never fall back to string comparison or a generic "semver-ish"
//!   guess. A string a scheme cannot parse is an error, and callers report
//!   the component as not checked.
//! - Schemes that must accept everything real data contains (PyPI legacy
//!   versions, dpkg, RPM) do so by their reference implementation's rules.
//! - No I/O.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod range;
mod schemes;

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use vigil_model::{Ecosystem, EcosystemName};

pub use range::{Event, Range, RangeError};

/// A version scheme: one ecosystem's rules for reading and ordering versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Scheme {
    /// Semantic Versioning 2.0 (npm, crates.io, Hex, SwiftURL, Bitnami).
    Semver,
    /// Go modules: SemVer with a leading `v`, pseudo-versions, `+incompatible`.
    Go,
    /// PEP 440, with pip's legacy ordering for strings that are not PEP 440.
    Pep440,
    /// Maven's ComparableVersion.
    Maven,
    /// NuGet: up to four numeric parts, case-insensitive labels.
    NuGet,
    /// Dart's pub_semver.
    Pub,
    /// RubyGems' Gem::Version.
    RubyGems,
    /// Composer (Packagist).
    Packagist,
    /// CRAN (R package versions).
    Cran,
    /// Hackage (Haskell's Data.Version).
    Hackage,
    /// dpkg (Debian, Ubuntu).
    Dpkg,
    /// rpmvercmp with epoch (Red Hat family, SUSE).
    Rpm,
    /// apk (Alpine).
    Apk,
}

impl Scheme {
    /// The scheme an ecosystem's versions follow.
    pub fn for_ecosystem(ecosystem: Ecosystem) -> Option<Scheme> {
        Some(match ecosystem {
            Ecosystem::Npm
            | Ecosystem::CratesIo
            | Ecosystem::Hex
            | Ecosystem::SwiftUrl
            | Ecosystem::Bitnami => Scheme::Semver,
            Ecosystem::Go => Scheme::Go,
            Ecosystem::PyPI => Scheme::Pep440,
            Ecosystem::Maven => Scheme::Maven,
            Ecosystem::NuGet => Scheme::NuGet,
            Ecosystem::Pub => Scheme::Pub,
            Ecosystem::RubyGems => Scheme::RubyGems,
            Ecosystem::Packagist => Scheme::Packagist,
            Ecosystem::Cran => Scheme::Cran,
            Ecosystem::Hackage => Scheme::Hackage,
            Ecosystem::Debian | Ecosystem::Ubuntu => Scheme::Dpkg,
            Ecosystem::Alpine => Scheme::Apk,
            Ecosystem::AlmaLinux
            | Ecosystem::RockyLinux
            | Ecosystem::RedHat
            | Ecosystem::Suse
            | Ecosystem::OpenSuse
            | Ecosystem::Mageia
            | Ecosystem::OpenEuler => Scheme::Rpm,
            #[allow(unreachable_patterns)]
            _ => return None,
        })
    }

    /// The scheme for an OSV ecosystem string, with or without a release
    /// suffix (`PyPI`, `Debian:12`).
    pub fn for_ecosystem_name(name: &str) -> Result<Scheme, UnknownScheme> {
        let parsed = EcosystemName::from_str(name).map_err(|_| UnknownScheme(name.to_string()))?;
        Scheme::for_ecosystem(parsed.ecosystem).ok_or_else(|| UnknownScheme(name.to_string()))
    }

    /// A short name for messages.
    pub fn name(self) -> &'static str {
        match self {
            Scheme::Semver => "SemVer",
            Scheme::Go => "Go",
            Scheme::Pep440 => "PEP 440",
            Scheme::Maven => "Maven",
            Scheme::NuGet => "NuGet",
            Scheme::Pub => "Pub",
            Scheme::RubyGems => "RubyGems",
            Scheme::Packagist => "Composer",
            Scheme::Cran => "CRAN",
            Scheme::Hackage => "Hackage",
            Scheme::Dpkg => "dpkg",
            Scheme::Rpm => "RPM",
            Scheme::Apk => "apk",
        }
    }

    /// Parses a version by this scheme's rules.
    pub fn parse(self, s: &str) -> Result<Version, ParseError> {
        let err = |reason: String| ParseError {
            scheme: self,
            input: s.to_string(),
            reason,
        };
        let repr = match self {
            Scheme::Semver => Repr::Semver(schemes::semver::Version::parse(s).map_err(err)?),
            Scheme::Go => Repr::Go(schemes::go::Version::parse(s).map_err(err)?),
            Scheme::Pep440 => Repr::Pep440(schemes::pep440::Version::parse(s).map_err(err)?),
            Scheme::Maven => Repr::Maven(schemes::maven::Version::parse(s).map_err(err)?),
            Scheme::NuGet => Repr::NuGet(schemes::nuget::Version::parse(s).map_err(err)?),
            Scheme::Pub => Repr::Pub(schemes::pub_dart::Version::parse(s).map_err(err)?),
            Scheme::RubyGems => Repr::RubyGems(schemes::rubygems::Version::parse(s).map_err(err)?),
            Scheme::Packagist => {
                Repr::Packagist(schemes::packagist::Version::parse(s).map_err(err)?)
            }
            Scheme::Cran => Repr::Cran(schemes::cran::Version::parse(s).map_err(err)?),
            Scheme::Hackage => Repr::Hackage(schemes::hackage::Version::parse(s).map_err(err)?),
            Scheme::Dpkg => Repr::Dpkg(schemes::dpkg::Version::parse(s).map_err(err)?),
            Scheme::Rpm => Repr::Rpm(schemes::rpm::Version::parse(s).map_err(err)?),
            Scheme::Apk => Repr::Apk(schemes::apk::Version::parse(s).map_err(err)?),
        };
        Ok(Version {
            text: s.to_string(),
            repr,
        })
    }

    /// Parses both and compares them.
    pub fn compare(self, a: &str, b: &str) -> Result<Ordering, ParseError> {
        Ok(self.parse(a)?.cmp(&self.parse(b)?))
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The error for an ecosystem that has no version scheme.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown ecosystem `{0}`")]
pub struct UnknownScheme(pub String);

/// A version string a scheme could not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{input}` is not a valid {scheme} version: {reason}")]
pub struct ParseError {
    /// The scheme that refused it.
    pub scheme: Scheme,
    /// The string.
    pub input: String,
    /// Why.
    pub reason: String,
}

/// A parsed version, ordered by its scheme's rules.
///
/// Versions of different schemes are ordered by scheme first, so that a mix
/// never panics; callers never mix them on purpose.
#[derive(Debug, Clone)]
pub struct Version {
    text: String,
    repr: Repr,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Repr {
    Semver(schemes::semver::Version),
    Go(schemes::go::Version),
    Pep440(schemes::pep440::Version),
    Maven(schemes::maven::Version),
    NuGet(schemes::nuget::Version),
    Pub(schemes::pub_dart::Version),
    RubyGems(schemes::rubygems::Version),
    Packagist(schemes::packagist::Version),
    Cran(schemes::cran::Version),
    Hackage(schemes::hackage::Version),
    Dpkg(schemes::dpkg::Version),
    Rpm(schemes::rpm::Version),
    Apk(schemes::apk::Version),
}

impl Version {
    /// The string it was parsed from.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.repr == other.repr
    }
}

impl Eq for Version {}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        self.repr.cmp(&other.repr)
    }
}
