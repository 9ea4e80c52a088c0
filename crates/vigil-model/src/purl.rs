//! Package URLs (purl), as specified by the package-url project.
//!
//! Components carry the purl of their ecosystem, name and version
//! ([`for_package`]); SBOMs name their components by purl, which [`parse`]
//! reads back and [`ParsedPurl::ecosystem_and_name`] maps to the ecosystem
//! and the package name vigil and OSV use.
//!
//! The parser is written here rather than taken from the `packageurl`
//! crate: that crate applies the spec's per-type case folding (a Go
//! namespace, an npm name are lowercased), but OSV compares Go module paths
//! and npm names case-sensitively (`github.com/BurntSushi/toml`,
//! `JSONStream`), so the names as written must survive; and it needs a
//! newer Rust than this workspace's minimum.

use std::collections::BTreeMap;
use std::fmt;

use crate::Ecosystem;

/// Percent-encodes a purl segment: everything but unreserved characters.
fn encode(segment: &str, out: &mut String) {
    for b in segment.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(b as char)
            }
            _ => {
                out.push('%');
                out.push_str(&format!("{b:02X}"));
            }
        }
    }
}

/// Builds the purl of a package.
///
/// Namespaces follow the purl type rules: Maven `group:artifact` becomes
/// `group/artifact`, a scoped npm name `@scope/name` becomes `%40scope/name`,
/// Go module paths and Packagist `vendor/name` keep their `/` as namespace
/// separators, PyPI names are PEP 503 normalized with `_`. Distribution
/// packages get their vendor as namespace (`pkg:deb/debian/openssl`,
/// `pkg:rpm/redhat/openssl`), so that the purl tells the distribution.
pub fn for_package(ecosystem: Ecosystem, name: &str, version: Option<&str>) -> String {
    let mut out = String::from("pkg:");
    out.push_str(ecosystem.purl_type());
    out.push('/');
    if let Some(vendor) = distro_vendor(ecosystem) {
        out.push_str(vendor);
        out.push('/');
    }
    let name_owned;
    let segments: Vec<&str> = match ecosystem {
        Ecosystem::Maven => name.splitn(2, ':').collect(),
        Ecosystem::Npm | Ecosystem::Go | Ecosystem::Packagist | Ecosystem::SwiftUrl => {
            name.split('/').collect()
        }
        Ecosystem::PyPI => {
            name_owned = ecosystem.normalize_name(name).replace('-', "_");
            vec![name_owned.as_str()]
        }
        _ => vec![name],
    };
    for (i, seg) in segments.iter().enumerate() {
        if i > 0 {
            out.push('/');
        }
        encode(seg, &mut out);
    }
    if let Some(v) = version {
        out.push('@');
        encode(v, &mut out);
    }
    out
}

/// Builds the purl of an operating-system package, with qualifiers
/// (`arch`, `distro`, `upstream`, ...), sorted by key as the spec's
/// canonical form wants; qualifiers with empty values are left out.
///
/// The version is written as the purl type says: for `rpm` an epoch
/// (`1:3.0.1-43.el9_0`) moves to the `epoch` qualifier and the version is
/// `version-release`; `deb` and `apk` versions are kept whole.
///
/// ```
/// use vigil_model::{purl::for_os_package, Ecosystem};
/// assert_eq!(
///     for_os_package(Ecosystem::AlmaLinux, "openssl-libs", "1:3.0.1-43.el9_0",
///         &[("arch", "x86_64"), ("distro", "almalinux-9.4")]),
///     "pkg:rpm/almalinux/openssl-libs@3.0.1-43.el9_0?arch=x86_64&distro=almalinux-9.4&epoch=1"
/// );
/// ```
pub fn for_os_package(
    ecosystem: Ecosystem,
    name: &str,
    version: &str,
    qualifiers: &[(&str, &str)],
) -> String {
    let mut quals: BTreeMap<&str, &str> = qualifiers
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .copied()
        .collect();
    let mut version = version;
    if ecosystem.purl_type() == "rpm" {
        if let Some((epoch, rest)) = version.split_once(':') {
            if !epoch.is_empty() && epoch.bytes().all(|b| b.is_ascii_digit()) {
                quals.insert("epoch", epoch);
                version = rest;
            }
        }
    }
    let mut out = for_package(ecosystem, name, Some(version));
    for (i, (k, v)) in quals.iter().enumerate() {
        out.push(if i == 0 { '?' } else { '&' });
        out.push_str(k);
        out.push('=');
        encode(v, &mut out);
    }
    out
}

/// The purl namespace of a distribution's packages (its vendor), as SBOM
/// tools write it.
fn distro_vendor(ecosystem: Ecosystem) -> Option<&'static str> {
    Some(match ecosystem {
        Ecosystem::Debian => "debian",
        Ecosystem::Ubuntu => "ubuntu",
        Ecosystem::Alpine => "alpine",
        Ecosystem::AlmaLinux => "almalinux",
        Ecosystem::RockyLinux => "rocky",
        Ecosystem::RedHat => "redhat",
        Ecosystem::Suse => "suse",
        Ecosystem::OpenSuse => "opensuse",
        Ecosystem::Mageia => "mageia",
        Ecosystem::OpenEuler => "openeuler",
        _ => return None,
    })
}

/// The ecosystem of a purl type, when only one has it (`deb` and `rpm` are
/// several distributions').
pub fn ecosystem_of_type(purl_type: &str) -> Option<Ecosystem> {
    let mut found = Ecosystem::all()
        .iter()
        .copied()
        .filter(|e| e.purl_type() == purl_type);
    let first = found.next()?;
    found.next().is_none().then_some(first)
}

/// The distribution a vendor or `distro` id names (`debian`, `rhel`,
/// `opensuse-leap`), by the ids SBOM tools and `/etc/os-release` use.
fn distro_by_id(id: &str) -> Option<Ecosystem> {
    Some(match id {
        "debian" => Ecosystem::Debian,
        "ubuntu" => Ecosystem::Ubuntu,
        "alpine" => Ecosystem::Alpine,
        "almalinux" | "alma" => Ecosystem::AlmaLinux,
        "rocky" | "rockylinux" | "rocky-linux" => Ecosystem::RockyLinux,
        "rhel" | "redhat" | "red-hat" => Ecosystem::RedHat,
        "sles" | "sled" | "sle" | "suse" => Ecosystem::Suse,
        "opensuse" | "opensuse-leap" | "opensuse-tumbleweed" => Ecosystem::OpenSuse,
        "mageia" => Ecosystem::Mageia,
        "openeuler" => Ecosystem::OpenEuler,
        _ => return None,
    })
}

/// The distribution of a `distro` qualifier (`debian-12`, `ubuntu-22.04`,
/// `opensuse-leap-15.5`, `alpine-3.19.1`): its id is the part before the
/// first `-`-separated piece that starts with a digit.
fn distro_of_qualifier(distro: &str) -> Option<Ecosystem> {
    let lower = distro.trim().to_ascii_lowercase();
    let id: Vec<&str> = lower
        .split('-')
        .take_while(|p| !p.starts_with(|c: char| c.is_ascii_digit()))
        .collect();
    distro_by_id(&id.join("-")).or_else(|| id.first().and_then(|first| distro_by_id(first)))
}

/// Why a text is not a package URL.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PurlError {
    /// It does not start with the `pkg:` scheme.
    NotPkgScheme,
    /// There is no type (`pkg:/name`, `pkg:name`).
    MissingType,
    /// The type has characters the spec does not allow.
    InvalidType(String),
    /// There is no name.
    MissingName,
    /// A `%` is not followed by two hexadecimal digits, or the decoded bytes
    /// are not UTF-8.
    InvalidEncoding(String),
    /// A qualifier key has characters the spec does not allow.
    InvalidQualifierKey(String),
    /// A qualifier key appears twice.
    DuplicateQualifier(String),
    /// A namespace or subpath segment holds an encoded `/`.
    InvalidSegment(String),
}

impl fmt::Display for PurlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PurlError::NotPkgScheme => f.write_str("it does not start with `pkg:`"),
            PurlError::MissingType => f.write_str("it has no type"),
            PurlError::InvalidType(t) => write!(f, "`{t}` is not a valid purl type"),
            PurlError::MissingName => f.write_str("it has no name"),
            PurlError::InvalidEncoding(s) => write!(f, "`{s}` is not valid percent-encoding"),
            PurlError::InvalidQualifierKey(k) => {
                write!(f, "`{k}` is not a valid qualifier key")
            }
            PurlError::DuplicateQualifier(k) => write!(f, "the qualifier `{k}` appears twice"),
            PurlError::InvalidSegment(s) => write!(f, "the segment `{s}` contains a `/`"),
        }
    }
}

impl std::error::Error for PurlError {}

/// A parsed package URL: `pkg:type/namespace/name@version?qualifiers#subpath`,
/// every part percent-decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedPurl {
    /// The type, lowercased (`npm`, `maven`, `deb`).
    pub purl_type: String,
    /// The namespace segments (an npm scope, a Maven group, the path of a
    /// Go module before its last element), empty when there is none.
    pub namespace: Vec<String>,
    /// The name.
    pub name: String,
    /// The version, when given.
    pub version: Option<String>,
    /// The qualifiers, keys lowercased; qualifiers with empty values are
    /// dropped, as the spec says.
    pub qualifiers: BTreeMap<String, String>,
    /// The subpath (a path inside the package), when given.
    pub subpath: Option<String>,
}

/// Parses a package URL, following the spec's parsing steps: the subpath
/// after the last `#`, the qualifiers after the last `?`, the `pkg:` scheme
/// (extra `/` after it tolerated), the type up to the first `/`, the
/// version after the last `@` (an `@` followed by a `/`, as in an npm scope
/// written unencoded, belongs to the namespace), the name after the last
/// `/` and the namespace before it. Empty, `.` and `..` segments of the
/// namespace and subpath are dropped.
pub fn parse(purl: &str) -> Result<ParsedPurl, PurlError> {
    let purl = purl.trim();
    let (rest, subpath) = match purl.rsplit_once('#') {
        Some((rest, sub)) => (rest, parse_segments(sub)?),
        None => (purl, Vec::new()),
    };
    let (rest, qualifiers) = match rest.rsplit_once('?') {
        Some((rest, q)) => (rest, parse_qualifiers(q)?),
        None => (rest, BTreeMap::new()),
    };
    let (scheme, rest) = rest.split_once(':').ok_or(PurlError::NotPkgScheme)?;
    if !scheme.eq_ignore_ascii_case("pkg") {
        return Err(PurlError::NotPkgScheme);
    }
    let rest = rest.trim_start_matches('/');
    let (purl_type, rest) = rest.split_once('/').ok_or(PurlError::MissingType)?;
    if purl_type.is_empty() {
        return Err(PurlError::MissingType);
    }
    let type_ok = purl_type
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'+' | b'-'))
        && !purl_type.starts_with(|c: char| c.is_ascii_digit());
    if !type_ok {
        return Err(PurlError::InvalidType(purl_type.to_string()));
    }
    let (rest, version) = match rest.rsplit_once('@') {
        Some((rest, v)) if !v.contains('/') => (rest, Some(decode(v)?).filter(|v| !v.is_empty())),
        _ => (rest, None),
    };
    let rest = rest.trim_end_matches('/');
    let (namespace, name) = match rest.rsplit_once('/') {
        Some((ns, name)) => (parse_segments(ns)?, name),
        None => (Vec::new(), rest),
    };
    let name = decode(name)?;
    if name.trim().is_empty() {
        return Err(PurlError::MissingName);
    }
    Ok(ParsedPurl {
        purl_type: purl_type.to_ascii_lowercase(),
        namespace,
        name,
        version,
        qualifiers,
        subpath: if subpath.is_empty() {
            None
        } else {
            Some(subpath.join("/"))
        },
    })
}

/// The decoded segments of a `/`-separated namespace or subpath, without
/// empty, `.` and `..` segments.
fn parse_segments(text: &str) -> Result<Vec<String>, PurlError> {
    let mut out = Vec::new();
    for seg in text.split('/') {
        if seg.is_empty() || seg == "." || seg == ".." {
            continue;
        }
        let decoded = decode(seg)?;
        if decoded.contains('/') {
            return Err(PurlError::InvalidSegment(decoded));
        }
        out.push(decoded);
    }
    Ok(out)
}

fn parse_qualifiers(text: &str) -> Result<BTreeMap<String, String>, PurlError> {
    let mut out = BTreeMap::new();
    for pair in text.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let key_ok = !key.is_empty()
            && !key.starts_with(|c: char| c.is_ascii_digit())
            && key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'));
        if !key_ok {
            return Err(PurlError::InvalidQualifierKey(key.to_string()));
        }
        let value = decode(value)?;
        if value.is_empty() {
            continue;
        }
        let key = key.to_ascii_lowercase();
        if out.contains_key(&key) {
            return Err(PurlError::DuplicateQualifier(key));
        }
        out.insert(key, value);
    }
    Ok(out)
}

/// Percent-decodes a purl component.
fn decode(text: &str) -> Result<String, PurlError> {
    if !text.contains('%') {
        return Ok(text.to_string());
    }
    let bad = || PurlError::InvalidEncoding(text.to_string());
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = bytes.get(i + 1..i + 3).ok_or_else(bad)?;
            let hi = hex_value(hex[0]).ok_or_else(bad)?;
            let lo = hex_value(hex[1]).ok_or_else(bad)?;
            out.push(hi << 4 | lo);
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| bad())
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

impl ParsedPurl {
    /// A qualifier's value.
    pub fn qualifier(&self, key: &str) -> Option<&str> {
        self.qualifiers.get(key).map(String::as_str)
    }

    /// The vigil ecosystem and the package name as vigil and OSV write it,
    /// when the purl names a package of an ecosystem vigil checks:
    ///
    /// - `npm`: `@scope/name` (a scope without its `@` gets one);
    /// - `maven`: `group:artifact`;
    /// - `golang`: the module path, namespace and name joined with `/` (a
    ///   subpath, a package inside the module, is left out);
    /// - `composer`: `vendor/name`; `swift`: `github.com/owner/repo`;
    /// - `cargo`, `pypi`, `gem`, `nuget`, `pub`, `hex`, `cran`, `hackage`,
    ///   `bitnami`, `conan` (ConanCenter): the name, and no namespace;
    ///   a Conan reference with a `user` or `channel` is not ConanCenter's;
    /// - `deb`, `rpm`, `apk`: the distribution of the `distro` qualifier
    ///   (`debian-12`, `rhel-9.3`, `alpine-3.19`) or, without a known one,
    ///   of the vendor namespace (`debian`, `redhat`); for `deb` and `apk` the
    ///   source package of the `upstream` qualifier when there is one, since
    ///   OSV lists these distributions' advisories by source package.
    ///
    /// Anything else (another type, a namespace where the type has none, a
    /// distribution package of unknown distribution) gives `None`.
    pub fn ecosystem_and_name(&self) -> Option<(Ecosystem, String)> {
        let ns = &self.namespace;
        let name = self.name.as_str();
        let no_ns = |eco: Ecosystem| ns.is_empty().then(|| (eco, name.to_string()));
        match self.purl_type.as_str() {
            "npm" => match ns.as_slice() {
                [] => Some((Ecosystem::Npm, name.to_string())),
                [scope] => {
                    let scope = scope.strip_prefix('@').unwrap_or(scope);
                    (!scope.is_empty()).then(|| (Ecosystem::Npm, format!("@{scope}/{name}")))
                }
                _ => None,
            },
            "maven" => match ns.as_slice() {
                [group] => Some((Ecosystem::Maven, format!("{group}:{name}"))),
                _ => None,
            },
            "golang" => {
                let mut path = ns.join("/");
                if !path.is_empty() {
                    path.push('/');
                }
                path.push_str(name);
                Some((Ecosystem::Go, path))
            }
            "composer" => match ns.as_slice() {
                [vendor] => Some((Ecosystem::Packagist, format!("{vendor}/{name}"))),
                _ => None,
            },
            "swift" => {
                (!ns.is_empty()).then(|| (Ecosystem::SwiftUrl, format!("{}/{name}", ns.join("/"))))
            }
            "cargo" => no_ns(Ecosystem::CratesIo),
            "pypi" => no_ns(Ecosystem::PyPI),
            "gem" => no_ns(Ecosystem::RubyGems),
            "nuget" => no_ns(Ecosystem::NuGet),
            "pub" => no_ns(Ecosystem::Pub),
            "hex" => no_ns(Ecosystem::Hex),
            "cran" => no_ns(Ecosystem::Cran),
            "hackage" => no_ns(Ecosystem::Hackage),
            "bitnami" => no_ns(Ecosystem::Bitnami),
            "conan" => {
                let set = |k: &str| self.qualifier(k).is_some_and(|v| v != "_");
                if set("user") || set("channel") {
                    None
                } else {
                    no_ns(Ecosystem::ConanCenter)
                }
            }
            "deb" | "rpm" | "apk" => {
                let eco = self
                    .qualifier("distro")
                    .and_then(distro_of_qualifier)
                    .or_else(|| match ns.as_slice() {
                        [vendor] => distro_by_id(&vendor.to_ascii_lowercase()),
                        _ => None,
                    })
                    .filter(|e| e.purl_type() == self.purl_type)?;
                let upstream = self
                    .qualifier("upstream")
                    .filter(|_| self.purl_type != "rpm")
                    .and_then(|u| u.split('@').next())
                    .map(str::trim)
                    .filter(|u| !u.is_empty());
                Some((eco, upstream.unwrap_or(name).to_string()))
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_purls() {
        assert_eq!(
            for_package(Ecosystem::CratesIo, "serde", Some("1.0.0")),
            "pkg:cargo/serde@1.0.0"
        );
        assert_eq!(
            for_package(Ecosystem::Npm, "@babel/core", Some("7.0.0")),
            "pkg:npm/%40babel/core@7.0.0"
        );
        assert_eq!(
            for_package(
                Ecosystem::Maven,
                "org.apache.logging.log4j:log4j-core",
                Some("2.14.1")
            ),
            "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"
        );
        assert_eq!(
            for_package(Ecosystem::Go, "github.com/gin-gonic/gin", Some("v1.6.0")),
            "pkg:golang/github.com/gin-gonic/gin@v1.6.0"
        );
        assert_eq!(
            for_package(Ecosystem::PyPI, "Django.REST", Some("1.0+local")),
            "pkg:pypi/django_rest@1.0%2Blocal"
        );
        assert_eq!(
            for_package(Ecosystem::Go, "stdlib", None),
            "pkg:golang/stdlib"
        );
    }

    fn eco_name(purl: &str) -> Option<(Ecosystem, String)> {
        parse(purl)
            .unwrap_or_else(|e| panic!("{purl}: {e}"))
            .ecosystem_and_name()
    }

    #[test]
    fn parses_every_part() {
        let p = parse("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1?type=jar&Classifier=sources#META-INF/x").unwrap();
        assert_eq!(p.purl_type, "maven");
        assert_eq!(p.namespace, ["org.apache.logging.log4j"]);
        assert_eq!(p.name, "log4j-core");
        assert_eq!(p.version.as_deref(), Some("2.14.1"));
        assert_eq!(p.qualifier("type"), Some("jar"));
        assert_eq!(p.qualifier("classifier"), Some("sources"));
        assert_eq!(p.subpath.as_deref(), Some("META-INF/x"));

        let p = parse("pkg:golang/google.golang.org/genproto#/googleapis/./api/../annotations/")
            .unwrap();
        assert_eq!(p.namespace, ["google.golang.org"]);
        assert_eq!(p.name, "genproto");
        assert_eq!(p.version, None);
        assert_eq!(p.subpath.as_deref(), Some("googleapis/api/annotations"));

        // The type is case-insensitive, `pkg://` is tolerated, empty
        // qualifier values are dropped.
        let p = parse("PKG://PyPI/Django@1.11.1?repository_url=&extension=").unwrap();
        assert_eq!(p.purl_type, "pypi");
        assert_eq!(p.name, "Django");
        assert!(p.qualifiers.is_empty());
        let p = parse("pkg:cargo/serde@").unwrap();
        assert_eq!((p.name.as_str(), p.version), ("serde", None));
    }

    #[test]
    fn percent_decoding() {
        let p = parse("pkg:npm/%40angular/core@12.3.1").unwrap();
        assert_eq!(p.namespace, ["@angular"]);
        // The whole scoped name in the name, `/` encoded (as some SBOM tools
        // write it).
        let p = parse("pkg:npm/%40gar%2Fpromisify@1.1.3").unwrap();
        assert!(p.namespace.is_empty());
        assert_eq!(p.name, "@gar/promisify");
        let p = parse("pkg:deb/debian/curl@7.50.3-1%7Edeb9u1?arch=i386&distro=debian-9&upstream=curl%407.50.3-1").unwrap();
        assert_eq!(p.version.as_deref(), Some("7.50.3-1~deb9u1"));
        assert_eq!(p.qualifier("upstream"), Some("curl@7.50.3-1"));
        let p = parse("pkg:deb/debian/libc6@1%3A2.36-9%2Bdeb12u4").unwrap();
        assert_eq!(p.version.as_deref(), Some("1:2.36-9+deb12u4"));
        let p = parse("pkg:generic/caf%C3%A9%20au%20lait@1.0").unwrap();
        assert_eq!(p.name, "café au lait");
        // Lower-case hex too; `+` stays a plus.
        let p = parse("pkg:pypi/a%2bb@1.0+local").unwrap();
        assert_eq!(p.name, "a+b");
        assert_eq!(p.version.as_deref(), Some("1.0+local"));
        // An unencoded npm scope.
        let p = parse("pkg:npm/@babel/core@7.0.0").unwrap();
        assert_eq!(p.namespace, ["@babel"]);
        assert_eq!(p.version.as_deref(), Some("7.0.0"));
        let p = parse("pkg:npm/@babel/core").unwrap();
        assert_eq!((p.name.as_str(), p.version), ("core", None));
    }

    #[test]
    fn invalid_purls_are_errors() {
        let cases: &[(&str, PurlError)] = &[
            ("", PurlError::NotPkgScheme),
            ("cargo/serde@1.0", PurlError::NotPkgScheme),
            ("http://example.com/x", PurlError::NotPkgScheme),
            ("pkg:serde", PurlError::MissingType),
            ("pkg:/serde", PurlError::MissingType),
            ("pkg:cargo/", PurlError::MissingName),
            ("pkg:cargo/@1.0", PurlError::MissingName),
            ("pkg:cargo///", PurlError::MissingName),
            ("pkg:3d/x", PurlError::InvalidType("3d".into())),
            ("pkg:ca_rgo/x", PurlError::InvalidType("ca_rgo".into())),
            ("pkg:n%70m/x", PurlError::InvalidType("n%70m".into())),
            (
                "pkg:cargo/a%zzb",
                PurlError::InvalidEncoding("a%zzb".into()),
            ),
            ("pkg:cargo/ab%4", PurlError::InvalidEncoding("ab%4".into())),
            ("pkg:cargo/a%ff", PurlError::InvalidEncoding("a%ff".into())),
            (
                "pkg:cargo/a?b%=1",
                PurlError::InvalidQualifierKey("b%".into()),
            ),
            (
                "pkg:cargo/a?1x=1",
                PurlError::InvalidQualifierKey("1x".into()),
            ),
            (
                "pkg:cargo/a?=1",
                PurlError::InvalidQualifierKey(String::new()),
            ),
            (
                "pkg:cargo/a?k=1&K=2",
                PurlError::DuplicateQualifier("k".into()),
            ),
            (
                "pkg:golang/a%2Fb/c",
                PurlError::InvalidSegment("a/b".into()),
            ),
        ];
        for (text, want) in cases {
            assert_eq!(parse(text).as_ref(), Err(want), "{text}");
            assert!(!want.to_string().is_empty());
        }
    }

    #[test]
    fn never_panics() {
        let odd = [
            "pkg:",
            "pkg:/",
            "pkg://",
            "pkg:a/%",
            "pkg:a/%%",
            "pkg:a/b@%",
            "pkg:a/b?%",
            "pkg:a/b#%",
            "pkg:a/b?&&=&",
            "pkg:a/b#///",
            "pkg:a/b@@@",
            "pkg:a/@",
            "pkg:a//",
            "pkg:a/é%C3",
            "pkg:a/b?k=%E2%82",
            "#?@/:",
            "pkg:é/x",
            "pkg:a/b%",
        ];
        for text in odd {
            if let Ok(p) = parse(text) {
                let _ = p.ecosystem_and_name();
            }
        }
        // Every prefix of a purl with all parts.
        let full = "pkg:deb/debian/curl@7.50%3A3?arch=i386&distro=debian-9#sub/path";
        for i in 0..=full.len() {
            if let Some(prefix) = full.get(..i) {
                if let Ok(p) = parse(prefix) {
                    let _ = p.ecosystem_and_name();
                }
            }
        }
    }

    #[test]
    fn round_trips_with_for_package_in_every_ecosystem() {
        let sample = |e: Ecosystem| -> (&str, &str) {
            match e {
                Ecosystem::Npm => ("@babel/core", "7.0.0-beta.1"),
                Ecosystem::CratesIo => ("serde_json", "1.0.100"),
                Ecosystem::Go => ("github.com/BurntSushi/toml", "v1.3.2+incompatible"),
                Ecosystem::PyPI => ("Django_REST.framework", "1.0+local"),
                Ecosystem::Maven => ("org.apache.logging.log4j:log4j-core", "2.14.1"),
                Ecosystem::NuGet => ("Newtonsoft.Json", "13.0.1"),
                Ecosystem::RubyGems => ("rails", "7.1.3.4"),
                Ecosystem::Packagist => ("symfony/http-kernel", "v6.4.2"),
                Ecosystem::Pub => ("http", "1.2.0"),
                Ecosystem::Hex => ("phoenix", "1.7.10"),
                Ecosystem::Cran => ("ggplot2", "3.4.4"),
                Ecosystem::Hackage => ("aeson", "2.2.1.0"),
                Ecosystem::SwiftUrl => ("github.com/apple/swift-nio", "2.62.0"),
                Ecosystem::ConanCenter => ("zlib", "1.3.1"),
                Ecosystem::Bitnami => ("nginx", "1.25.3"),
                Ecosystem::Debian => ("libc6", "1:2.36-9+deb12u4"),
                Ecosystem::Ubuntu => ("openssl", "3.0.2-0ubuntu1.15"),
                Ecosystem::Alpine => ("busybox", "1.36.1-r15"),
                Ecosystem::AlmaLinux
                | Ecosystem::RockyLinux
                | Ecosystem::RedHat
                | Ecosystem::OpenEuler
                | Ecosystem::Mageia => ("openssl-libs", "1:3.0.7-25.el9_3"),
                Ecosystem::Suse | Ecosystem::OpenSuse => ("libopenssl3", "3.1.4-150600.5.7.1"),
                Ecosystem::Unknown => panic!("not in Ecosystem::all()"),
            }
        };
        for &eco in Ecosystem::all() {
            let (name, version) = sample(eco);
            let purl = for_package(eco, name, Some(version));
            let p = parse(&purl).unwrap_or_else(|e| panic!("{purl}: {e}"));
            assert_eq!(p.purl_type, eco.purl_type(), "{purl}");
            assert_eq!(p.version.as_deref(), Some(version), "{purl}");
            let (got_eco, got_name) = p.ecosystem_and_name().unwrap_or_else(|| panic!("{purl}"));
            assert_eq!(got_eco, eco, "{purl}");
            assert_eq!(
                eco.normalize_name(&got_name),
                eco.normalize_name(name),
                "{purl}"
            );
            if eco != Ecosystem::PyPI {
                assert_eq!(got_name, name, "{purl}");
            }
            let bare = for_package(eco, name, None);
            assert_eq!(parse(&bare).unwrap().version, None, "{bare}");
        }
        assert_eq!(
            for_package(Ecosystem::Debian, "libc6", Some("1:2.36")),
            "pkg:deb/debian/libc6@1%3A2.36"
        );
    }

    #[test]
    fn maps_types_to_ecosystems_and_names() {
        let npm = |n: &str| Some((Ecosystem::Npm, n.to_string()));
        assert_eq!(eco_name("pkg:npm/%40angular/core@1"), npm("@angular/core"));
        assert_eq!(eco_name("pkg:npm/angular/core@1"), npm("@angular/core"));
        assert_eq!(
            eco_name("pkg:npm/%40gar%2Fpromisify@1.1.3"),
            npm("@gar/promisify")
        );
        assert_eq!(eco_name("pkg:npm/JSONStream@1.3.5"), npm("JSONStream"));
        assert_eq!(eco_name("pkg:npm/a/b/c@1"), None);
        assert_eq!(
            eco_name("pkg:maven/org.springframework/spring-core@5.3.0?type=jar"),
            Some((Ecosystem::Maven, "org.springframework:spring-core".into()))
        );
        assert_eq!(eco_name("pkg:maven/spring-core@5.3.0"), None);
        assert_eq!(
            eco_name("pkg:golang/github.com/gin-gonic/gin@v1.6.0#binding"),
            Some((Ecosystem::Go, "github.com/gin-gonic/gin".into()))
        );
        assert_eq!(
            eco_name("pkg:golang/stdlib@1.22.0"),
            Some((Ecosystem::Go, "stdlib".into()))
        );
        assert_eq!(
            eco_name("pkg:pypi/Pillow@10.0.0"),
            Some((Ecosystem::PyPI, "Pillow".into()))
        );
        assert_eq!(eco_name("pkg:pypi/x/pillow@10.0.0"), None);
        assert_eq!(
            eco_name("pkg:composer/laravel/framework@10.0.0"),
            Some((Ecosystem::Packagist, "laravel/framework".into()))
        );
        assert_eq!(eco_name("pkg:composer/framework@10.0.0"), None);
        assert_eq!(
            eco_name("pkg:swift/github.com/vapor/vapor@4.90.0"),
            Some((Ecosystem::SwiftUrl, "github.com/vapor/vapor".into()))
        );
        assert_eq!(eco_name("pkg:swift/vapor@4.90.0"), None);
        assert_eq!(
            eco_name("pkg:conan/openssl@3.2.0"),
            Some((Ecosystem::ConanCenter, "openssl".into()))
        );
        assert_eq!(
            eco_name("pkg:conan/openssl@3.2.0?user=_&channel=_"),
            Some((Ecosystem::ConanCenter, "openssl".into()))
        );
        assert_eq!(
            eco_name("pkg:conan/openssl@3.2.0?user=acme&channel=stable"),
            None
        );
        for (purl, eco, name) in [
            ("pkg:cargo/time@0.1.45", Ecosystem::CratesIo, "time"),
            ("pkg:gem/rack@2.2.3", Ecosystem::RubyGems, "rack"),
            (
                "pkg:nuget/Newtonsoft.Json@13.0.1",
                Ecosystem::NuGet,
                "Newtonsoft.Json",
            ),
            ("pkg:pub/http@1.0.0", Ecosystem::Pub, "http"),
            ("pkg:hex/plug@1.15.0", Ecosystem::Hex, "plug"),
            ("pkg:cran/dplyr@1.1.4", Ecosystem::Cran, "dplyr"),
            ("pkg:hackage/aeson@2.2.1.0", Ecosystem::Hackage, "aeson"),
            (
                "pkg:bitnami/wordpress@6.4.2",
                Ecosystem::Bitnami,
                "wordpress",
            ),
        ] {
            assert_eq!(eco_name(purl), Some((eco, name.to_string())), "{purl}");
        }
        assert_eq!(eco_name("pkg:cargo/ns/time@0.1.45"), None);
        assert_eq!(eco_name("pkg:hex/acme/plug@1.15.0"), None);
        for unknown in [
            "pkg:generic/openssl@1.1.1",
            "pkg:docker/library/nginx@1.25",
            "pkg:github/package-url/purl-spec@244fd47",
            "pkg:oci/debian@sha256%3A244fd47",
            "pkg:cocoapods/AFNetworking@4.0.1",
        ] {
            assert_eq!(eco_name(unknown), None, "{unknown}");
        }
    }

    #[test]
    fn maps_distribution_packages() {
        let d = |e: Ecosystem, n: &str| Some((e, n.to_string()));
        assert_eq!(
            eco_name("pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&upstream=openssl&distro=debian-12"),
            d(Ecosystem::Debian, "openssl")
        );
        assert_eq!(
            eco_name("pkg:deb/debian/libc6@2.36-9?upstream=glibc%402.36-9&distro=debian-12"),
            d(Ecosystem::Debian, "glibc")
        );
        assert_eq!(
            eco_name("pkg:deb/ubuntu/curl@7.81.0?distro=ubuntu-22.04"),
            d(Ecosystem::Ubuntu, "curl")
        );
        // The qualifier decides; the vendor namespace is the fallback.
        assert_eq!(
            eco_name("pkg:deb/curl@7.81.0?distro=ubuntu-22.04"),
            d(Ecosystem::Ubuntu, "curl")
        );
        assert_eq!(
            eco_name("pkg:deb/debian/curl@7.88.1"),
            d(Ecosystem::Debian, "curl")
        );
        assert_eq!(
            eco_name("pkg:deb/debian/curl@7.88.1?distro=bookworm"),
            d(Ecosystem::Debian, "curl")
        );
        assert_eq!(eco_name("pkg:deb/curl@7.88.1"), None);
        assert_eq!(eco_name("pkg:deb/mint/curl@7.88.1"), None);
        assert_eq!(
            eco_name("pkg:apk/alpine/libcrypto3@3.1.4-r5?arch=x86_64&upstream=openssl&distro=alpine-3.19.1"),
            d(Ecosystem::Alpine, "openssl")
        );
        assert_eq!(
            eco_name("pkg:rpm/redhat/openssl-libs@3.0.7-25.el9_3?upstream=openssl-3.0.7-25.el9_3.src.rpm&distro=rhel-9.3"),
            d(Ecosystem::RedHat, "openssl-libs")
        );
        assert_eq!(
            eco_name("pkg:rpm/rocky/bash@5.1.8?distro=rocky-9.3"),
            d(Ecosystem::RockyLinux, "bash")
        );
        assert_eq!(
            eco_name("pkg:rpm/almalinux/bash@5.1.8?distro=almalinux-9.3"),
            d(Ecosystem::AlmaLinux, "bash")
        );
        assert_eq!(
            eco_name("pkg:rpm/opensuse/bash@5.2?distro=opensuse-leap-15.5"),
            d(Ecosystem::OpenSuse, "bash")
        );
        assert_eq!(
            eco_name("pkg:rpm/suse/bash@5.2?distro=sles-15.5"),
            d(Ecosystem::Suse, "bash")
        );
        assert_eq!(eco_name("pkg:rpm/fedora/bash@5.2?distro=fedora-39"), None);
        // A distribution of another package type is no match.
        assert_eq!(eco_name("pkg:rpm/debian/bash@5.2?distro=debian-12"), None);
        assert_eq!(eco_name("pkg:apk/bash@5.2?distro=debian-12"), None);
    }

    #[test]
    fn ecosystems_of_types() {
        assert_eq!(ecosystem_of_type("cargo"), Some(Ecosystem::CratesIo));
        assert_eq!(ecosystem_of_type("apk"), Some(Ecosystem::Alpine));
        assert_eq!(ecosystem_of_type("deb"), None);
        assert_eq!(ecosystem_of_type("rpm"), None);
        assert_eq!(ecosystem_of_type("generic"), None);
    }
}
