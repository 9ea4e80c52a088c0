//! Package URLs (purl), as specified by the package-url project.
//!
//! Only building is needed here: components carry the purl of their
//! ecosystem, name and version.

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
/// separators, PyPI names are PEP 503 normalized with `_`.
pub fn for_package(ecosystem: Ecosystem, name: &str, version: Option<&str>) -> String {
    let mut out = String::from("pkg:");
    out.push_str(ecosystem.purl_type());
    out.push('/');
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
}
