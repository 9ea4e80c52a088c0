//! Ecosystems, named as OSV names them.

use std::fmt;
use std::str::FromStr;

/// A package ecosystem, by its OSV name.
///
/// The release suffix OSV appends to distribution ecosystems (`Debian:12`,
/// `AlmaLinux:9`) is kept apart, in [`EcosystemName`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Ecosystem {
    /// The npm registry.
    Npm,
    /// crates.io (Rust).
    CratesIo,
    /// Go modules.
    Go,
    /// The Python Package Index.
    PyPI,
    /// Maven repositories (Java and the JVM).
    Maven,
    /// NuGet (.NET).
    NuGet,
    /// RubyGems.
    RubyGems,
    /// Packagist (PHP Composer).
    Packagist,
    /// Pub (Dart and Flutter).
    Pub,
    /// Hex (Erlang and Elixir).
    Hex,
    /// CRAN (R).
    Cran,
    /// Hackage (Haskell).
    Hackage,
    /// Swift packages named by URL.
    SwiftUrl,
    /// ConanCenter (C and C++).
    ConanCenter,
    /// Bitnami's packaged applications.
    Bitnami,
    /// Debian.
    Debian,
    /// Ubuntu.
    Ubuntu,
    /// Alpine Linux.
    Alpine,
    /// AlmaLinux.
    AlmaLinux,
    /// Rocky Linux.
    RockyLinux,
    /// Red Hat Enterprise Linux.
    RedHat,
    /// SUSE Linux Enterprise.
    Suse,
    /// openSUSE.
    OpenSuse,
    /// Mageia.
    Mageia,
    /// openEuler.
    OpenEuler,
    /// Not an OSV ecosystem: a package an SBOM lists without a package URL
    /// vigil can map to one (none at all, `pkg:generic/...`). Only "not
    /// checked" entries carry it; it is not in [`Ecosystem::all`] and no
    /// name parses to it.
    Unknown,
}

/// Every ecosystem, in the order of the enum.
const ALL: &[Ecosystem] = &[
    Ecosystem::Npm,
    Ecosystem::CratesIo,
    Ecosystem::Go,
    Ecosystem::PyPI,
    Ecosystem::Maven,
    Ecosystem::NuGet,
    Ecosystem::RubyGems,
    Ecosystem::Packagist,
    Ecosystem::Pub,
    Ecosystem::Hex,
    Ecosystem::Cran,
    Ecosystem::Hackage,
    Ecosystem::SwiftUrl,
    Ecosystem::ConanCenter,
    Ecosystem::Bitnami,
    Ecosystem::Debian,
    Ecosystem::Ubuntu,
    Ecosystem::Alpine,
    Ecosystem::AlmaLinux,
    Ecosystem::RockyLinux,
    Ecosystem::RedHat,
    Ecosystem::Suse,
    Ecosystem::OpenSuse,
    Ecosystem::Mageia,
    Ecosystem::OpenEuler,
];

impl Ecosystem {
    /// Every ecosystem vigil knows (not [`Ecosystem::Unknown`]).
    pub fn all() -> &'static [Ecosystem] {
        ALL
    }

    /// The name OSV uses for this ecosystem (also the folder name of its
    /// archive in the OSV bucket).
    pub fn osv_name(self) -> &'static str {
        match self {
            Ecosystem::Npm => "npm",
            Ecosystem::CratesIo => "crates.io",
            Ecosystem::Go => "Go",
            Ecosystem::PyPI => "PyPI",
            Ecosystem::Maven => "Maven",
            Ecosystem::NuGet => "NuGet",
            Ecosystem::RubyGems => "RubyGems",
            Ecosystem::Packagist => "Packagist",
            Ecosystem::Pub => "Pub",
            Ecosystem::Hex => "Hex",
            Ecosystem::Cran => "CRAN",
            Ecosystem::Hackage => "Hackage",
            Ecosystem::SwiftUrl => "SwiftURL",
            Ecosystem::ConanCenter => "ConanCenter",
            Ecosystem::Bitnami => "Bitnami",
            Ecosystem::Debian => "Debian",
            Ecosystem::Ubuntu => "Ubuntu",
            Ecosystem::Alpine => "Alpine",
            Ecosystem::AlmaLinux => "AlmaLinux",
            Ecosystem::RockyLinux => "Rocky Linux",
            Ecosystem::RedHat => "Red Hat",
            Ecosystem::Suse => "SUSE",
            Ecosystem::OpenSuse => "openSUSE",
            Ecosystem::Mageia => "Mageia",
            Ecosystem::OpenEuler => "openEuler",
            Ecosystem::Unknown => "unknown",
        }
    }

    /// The package-url type of this ecosystem (`pkg:<type>/...`).
    pub fn purl_type(self) -> &'static str {
        match self {
            Ecosystem::Npm => "npm",
            Ecosystem::CratesIo => "cargo",
            Ecosystem::Go => "golang",
            Ecosystem::PyPI => "pypi",
            Ecosystem::Maven => "maven",
            Ecosystem::NuGet => "nuget",
            Ecosystem::RubyGems => "gem",
            Ecosystem::Packagist => "composer",
            Ecosystem::Pub => "pub",
            Ecosystem::Hex => "hex",
            Ecosystem::Cran => "cran",
            Ecosystem::Hackage => "hackage",
            Ecosystem::SwiftUrl => "swift",
            Ecosystem::ConanCenter => "conan",
            Ecosystem::Bitnami => "bitnami",
            Ecosystem::Debian | Ecosystem::Ubuntu => "deb",
            Ecosystem::Alpine => "apk",
            Ecosystem::AlmaLinux
            | Ecosystem::RockyLinux
            | Ecosystem::RedHat
            | Ecosystem::Suse
            | Ecosystem::OpenSuse
            | Ecosystem::Mageia
            | Ecosystem::OpenEuler => "rpm",
            Ecosystem::Unknown => "generic",
        }
    }

    /// Whether this is an operating-system distribution (its OSV names carry
    /// a release suffix).
    pub fn is_distro(self) -> bool {
        matches!(
            self,
            Ecosystem::Debian
                | Ecosystem::Ubuntu
                | Ecosystem::Alpine
                | Ecosystem::AlmaLinux
                | Ecosystem::RockyLinux
                | Ecosystem::RedHat
                | Ecosystem::Suse
                | Ecosystem::OpenSuse
                | Ecosystem::Mageia
                | Ecosystem::OpenEuler
        )
    }

    /// Whether this distribution's advisories name source packages rather
    /// than binary ones (Debian and Ubuntu source packages, Alpine
    /// origins).
    pub fn advisories_name_source_packages(self) -> bool {
        matches!(
            self,
            Ecosystem::Debian | Ecosystem::Ubuntu | Ecosystem::Alpine
        )
    }

    /// Normalizes a package name the way this ecosystem compares names, so
    /// that the name in a lockfile and the name in an advisory meet.
    ///
    /// - PyPI: PEP 503 (lower case, runs of `-`, `_`, `.` become one `-`).
    /// - crates.io: lower case, `_` and `-` are the same (crates.io refuses a
    ///   second crate differing only so).
    /// - NuGet, Packagist, Pub, Hex, Hackage, ConanCenter, distributions:
    ///   lower case.
    /// - Go, npm, Maven, RubyGems and the rest: exact (case-sensitive).
    pub fn normalize_name(self, name: &str) -> String {
        let name = name.trim();
        match self {
            Ecosystem::PyPI => {
                let mut out = String::with_capacity(name.len());
                let mut in_sep = false;
                for c in name.chars() {
                    if matches!(c, '-' | '_' | '.') {
                        if !in_sep {
                            out.push('-');
                        }
                        in_sep = true;
                    } else {
                        out.extend(c.to_lowercase());
                        in_sep = false;
                    }
                }
                out
            }
            Ecosystem::CratesIo => name.to_ascii_lowercase().replace('_', "-"),
            Ecosystem::NuGet
            | Ecosystem::Packagist
            | Ecosystem::Pub
            | Ecosystem::Hex
            | Ecosystem::Hackage
            | Ecosystem::ConanCenter => name.to_lowercase(),
            e if e.is_distro() => name.to_lowercase(),
            _ => name.to_string(),
        }
    }
}

impl fmt::Display for Ecosystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.osv_name())
    }
}

/// The error for an ecosystem name vigil does not know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownEcosystem(pub String);

impl fmt::Display for UnknownEcosystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown ecosystem `{}`", self.0)
    }
}

impl std::error::Error for UnknownEcosystem {}

impl FromStr for Ecosystem {
    type Err = UnknownEcosystem;

    /// Parses an OSV ecosystem name (exact spelling, or any case). A release
    /// suffix is not accepted here: see [`EcosystemName`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ALL.iter()
            .copied()
            .find(|e| e.osv_name() == s)
            .or_else(|| {
                ALL.iter()
                    .copied()
                    .find(|e| e.osv_name().eq_ignore_ascii_case(s))
            })
            .ok_or_else(|| UnknownEcosystem(s.to_string()))
    }
}

/// An OSV ecosystem string: the ecosystem and an optional release suffix,
/// as in `Debian:12`, `AlmaLinux:9` or `Ubuntu:22.04:LTS`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EcosystemName {
    /// The ecosystem.
    pub ecosystem: Ecosystem,
    /// The release suffix after the first `:`, if any.
    pub release: Option<String>,
}

impl EcosystemName {
    /// An ecosystem name without release.
    pub fn new(ecosystem: Ecosystem) -> Self {
        EcosystemName {
            ecosystem,
            release: None,
        }
    }
}

impl FromStr for EcosystemName {
    type Err = UnknownEcosystem;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (base, release) = match s.split_once(':') {
            Some((b, r)) => (b, Some(r.to_string()).filter(|r| !r.is_empty())),
            None => (s, None),
        };
        let ecosystem = base.parse().map_err(|_| UnknownEcosystem(s.to_string()))?;
        Ok(EcosystemName { ecosystem, release })
    }
}

impl fmt::Display for EcosystemName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.release {
            Some(r) => write!(f, "{}:{}", self.ecosystem, r),
            None => write!(f, "{}", self.ecosystem),
        }
    }
}

impl serde::Serialize for Ecosystem {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.osv_name())
    }
}

impl<'de> serde::Deserialize<'de> for Ecosystem {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <String as serde::Deserialize>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl serde::Serialize for EcosystemName {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_osv_names_and_suffixes() {
        assert_eq!("PyPI".parse::<Ecosystem>(), Ok(Ecosystem::PyPI));
        assert_eq!("pypi".parse::<Ecosystem>(), Ok(Ecosystem::PyPI));
        assert_eq!(
            "Rocky Linux".parse::<Ecosystem>(),
            Ok(Ecosystem::RockyLinux)
        );
        let d: EcosystemName = "Debian:12".parse().unwrap();
        assert_eq!(d.ecosystem, Ecosystem::Debian);
        assert_eq!(d.release.as_deref(), Some("12"));
        let u: EcosystemName = "Ubuntu:22.04:LTS".parse().unwrap();
        assert_eq!(u.release.as_deref(), Some("22.04:LTS"));
        assert_eq!(u.to_string(), "Ubuntu:22.04:LTS");
        assert!("Nope".parse::<Ecosystem>().is_err());
        assert!("Nope:1".parse::<EcosystemName>().is_err());
        assert!("unknown".parse::<Ecosystem>().is_err());
        assert!(!Ecosystem::all().contains(&Ecosystem::Unknown));
    }

    #[test]
    fn every_ecosystem_round_trips_its_name() {
        for e in Ecosystem::all() {
            assert_eq!(e.osv_name().parse::<Ecosystem>(), Ok(*e));
        }
    }

    #[test]
    fn normalizes_names_per_ecosystem() {
        assert_eq!(
            Ecosystem::PyPI.normalize_name("Django_REST.framework"),
            "django-rest-framework"
        );
        assert_eq!(Ecosystem::PyPI.normalize_name("a--_.b"), "a-b");
        assert_eq!(
            Ecosystem::CratesIo.normalize_name("Serde_JSON"),
            "serde-json"
        );
        assert_eq!(
            Ecosystem::Go.normalize_name("github.com/BurntSushi/toml"),
            "github.com/BurntSushi/toml"
        );
        assert_eq!(
            Ecosystem::NuGet.normalize_name("Newtonsoft.Json"),
            "newtonsoft.json"
        );
        assert_eq!(Ecosystem::ConanCenter.normalize_name("ZLib"), "zlib");
        assert_eq!(Ecosystem::ConanCenter.purl_type(), "conan");
        assert_eq!(
            Ecosystem::Maven.normalize_name("org.Foo:bar"),
            "org.Foo:bar"
        );
    }
}
