//! Findings for tests.

use vigil_model::{Finding, FindingKind, Fingerprint, Location, PackageRef, Severity};

/// A vulnerability finding of the package with this purl at `path`.
pub(crate) fn finding(id: &str, aliases: &[&str], purl: &str, path: &str) -> Finding {
    let parsed = vigil_model::purl::parse(purl).expect("a test purl");
    let (ecosystem, name) = parsed.ecosystem_and_name().expect("a known ecosystem");
    let version = parsed.version.clone().unwrap_or_default();
    Finding {
        kind: FindingKind::Vulnerability,
        id: id.to_string(),
        aliases: aliases.iter().map(|a| a.to_string()).collect(),
        title: format!("{id} in {name}"),
        severity: Severity::High,
        cvss: None,
        fingerprint: Fingerprint::vulnerability(id, ecosystem, &name, path),
        resource: None,
        message: None,
        package: Some(PackageRef {
            ecosystem,
            name,
            version,
            purl: purl.to_string(),
        }),
        location: Location::new(path, None),
        fixed_versions: Vec::new(),
        fix_available: false,
        kev: false,
        informational: None,
        published: None,
        suppression: None,
        help: None,
        secret: None,
        runtime: None,
        vulnerable_code: None,
        epss: None,
        risk: None,
    }
}
