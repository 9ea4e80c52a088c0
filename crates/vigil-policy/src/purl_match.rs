//! Matching a finding's package URL against one a VEX statement names.

use vigil_model::purl::{self, ParsedPurl};

/// A package URL from a statement: its version, when given, must be the
/// package's; its qualifiers, when given, must be the package's too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PurlSpec {
    parsed: ParsedPurl,
    /// As written, for messages.
    pub(crate) text: String,
}

impl PurlSpec {
    /// Reads a purl; `None` when it is not one.
    pub(crate) fn parse(text: &str) -> Option<PurlSpec> {
        purl::parse(text).ok().map(|parsed| PurlSpec {
            parsed,
            text: text.to_string(),
        })
    }

    /// Whether the package with purl `package` is the one named.
    pub(crate) fn matches(&self, package: &str) -> bool {
        let Ok(p) = purl::parse(package) else {
            return false;
        };
        let s = &self.parsed;
        if s.purl_type != p.purl_type || !same_namespace(&s.namespace, &p.namespace) {
            return false;
        }
        let same_name = match purl::ecosystem_of_type(&s.purl_type) {
            Some(eco) => eco.normalize_name(&s.name) == eco.normalize_name(&p.name),
            None => s.name == p.name,
        };
        same_name
            && s.version
                .as_ref()
                .is_none_or(|v| Some(v) == p.version.as_ref())
            && s.qualifiers
                .iter()
                .all(|(k, v)| p.qualifiers.get(k) == Some(v))
    }
}

/// Namespaces compare segment by segment, an npm scope with or without its
/// `@`.
fn same_namespace(a: &[String], b: &[String]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| x.strip_prefix('@').unwrap_or(x) == y.strip_prefix('@').unwrap_or(y))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn m(spec: &str, package: &str) -> bool {
        PurlSpec::parse(spec).unwrap().matches(package)
    }

    #[test]
    fn versions_and_qualifiers_only_when_given() {
        assert!(m("pkg:npm/lodash", "pkg:npm/lodash@4.17.15"));
        assert!(m("pkg:npm/lodash@4.17.15", "pkg:npm/lodash@4.17.15"));
        assert!(!m("pkg:npm/lodash@4.17.21", "pkg:npm/lodash@4.17.15"));
        assert!(!m("pkg:npm/underscore", "pkg:npm/lodash@4.17.15"));
        assert!(m(
            "pkg:deb/debian/openssl@3.0.11-1",
            "pkg:deb/debian/openssl@3.0.11-1?arch=amd64&distro=debian-12"
        ));
        assert!(!m(
            "pkg:deb/debian/openssl?arch=arm64",
            "pkg:deb/debian/openssl@3.0.11-1?arch=amd64"
        ));
        assert!(m("pkg:npm/@babel/core", "pkg:npm/%40babel/core@7.0.0"));
        assert!(m("pkg:pypi/PyYAML", "pkg:pypi/pyyaml@5.3.1"));
        assert!(!m("pkg:cargo/regex", "pkg:pypi/regex@1.0"));
        assert!(PurlSpec::parse("lodash").is_none());
    }
}
