//! A fixed report for the writers' tests: components with hashes,
//! licenses, a dependency graph, an image layer and an OS package;
//! findings open, informational, and suppressed each way.
#![allow(clippy::unwrap_used)]

use vigil_model::{
    Component, Cvss, Diagnostic, Ecosystem, Finding, FindingKind, Fingerprint, LayerRef, Location,
    NotChecked, PackageRef, Severity, Suppression, SuppressionKind,
};

use crate::Report;

pub(crate) struct Spec<'a> {
    pub id: &'a str,
    pub aliases: &'a [&'a str],
    pub title: &'a str,
    pub severity: Severity,
    pub cvss: Option<(&'a str, &'a str, f64)>,
    pub ecosystem: Ecosystem,
    pub name: &'a str,
    pub version: &'a str,
    pub path: &'a str,
    pub line: Option<u32>,
    pub fixed: &'a [&'a str],
}

pub(crate) fn finding(s: Spec<'_>) -> Finding {
    let purl = vigil_model::purl::for_package(s.ecosystem, s.name, Some(s.version));
    Finding {
        kind: FindingKind::Vulnerability,
        id: s.id.to_string(),
        aliases: s.aliases.iter().map(|a| a.to_string()).collect(),
        title: s.title.to_string(),
        severity: s.severity,
        cvss: s.cvss.map(|(version, vector, score)| Cvss {
            version: version.to_string(),
            vector: vector.to_string(),
            score,
        }),
        resource: None,
        message: None,
        package: Some(PackageRef {
            ecosystem: s.ecosystem,
            name: s.name.to_string(),
            version: s.version.to_string(),
            purl,
        }),
        location: Location::new(s.path, s.line),
        fixed_versions: s.fixed.iter().map(|v| v.to_string()).collect(),
        fix_available: !s.fixed.is_empty(),
        kev: false,
        informational: None,
        fingerprint: Fingerprint::vulnerability(s.id, s.ecosystem, s.name, s.path),
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

pub(crate) fn sample_report() -> Report {
    let mut lodash = Component::new(Ecosystem::Npm, "lodash", "4.17.15")
        .at("web/package-lock.json", Some(12))
        .direct(Some(true))
        .dev(Some(false))
        .hash("sha512-HrC5BXdl00IP9zeV+0Z848QWPAoCr9P3bDEZguI+gkLcBKAOxix/tLEAAHC+UvDNPv4a2d18lOReHMOagPa+zQ==")
        .license(Some("MIT".into()));
    lodash.dependencies = vec!["minimist".into()];
    let minimist = Component::new(Ecosystem::Npm, "minimist", "1.2.5")
        .at("web/package-lock.json", Some(30))
        .direct(Some(false))
        .license(Some("MIT OR Apache-2.0".into()));
    let jest = Component::new(Ecosystem::Npm, "jest", "29.0.0")
        .at("web/package-lock.json", Some(40))
        .direct(Some(true))
        .dev(Some(true))
        .license(Some("Public Domain".into()));
    let pyyaml = Component::new(Ecosystem::PyPI, "PyYAML", "5.3.1")
        .at("requirements.txt", Some(3))
        .hash("sha256:c5eb0cab91f094599f94d55bc63409236a8ec69a21a67814529e8d5f6cc90b3b")
        .hash("h1:SYNTHETICnet023AAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
    let gin =
        Component::new(Ecosystem::Go, "github.com/gin-gonic/gin", "v1.6.0").at("go.mod", None);
    let smallvec = Component::new(Ecosystem::CratesIo, "smallvec", "1.6.0")
        .at("Cargo.lock", Some(20))
        .hash("sha256:fbb01ecdfd565b56261302f7e1fcc27c4fb8f32d56eab74db621fc154604a7a1");
    let mut openssl = Component::new(Ecosystem::Debian, "libssl3", "3.0.11-1~deb12u2")
        .at("var/lib/dpkg/status", Some(100))
        .source("openssl", None)
        .license(Some("LicenseRef-OpenSSL".into()));
    openssl.release = Some("12".into());
    openssl.purl = "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?distro=debian-12".into();
    openssl.layer = Some(LayerRef {
        digest: format!("sha256:{}", "a".repeat(64)),
        index: 0,
        created_by: Some("ADD rootfs.tar /".into()),
    });

    let mut f = vec![
        finding(Spec {
            id: "GHSA-35jh-r3h4-6jhm",
            aliases: &["CVE-2021-23337"],
            title: "lodash template runs code passed in its variable option",
            severity: Severity::High,
            cvss: Some(("3.1", "CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H", 7.2)),
            ecosystem: Ecosystem::Npm,
            name: "lodash",
            version: "4.17.15",
            path: "web/package-lock.json",
            line: Some(12),
            fixed: &["4.17.21"],
        }),
        finding(Spec {
            id: "GHSA-xvch-5gv4-984h",
            aliases: &["CVE-2021-44906"],
            title: "minimist lets crafted arguments modify Object.prototype",
            severity: Severity::Critical,
            cvss: Some(("3.1", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8)),
            ecosystem: Ecosystem::Npm,
            name: "minimist",
            version: "1.2.5",
            path: "web/package-lock.json",
            line: Some(30),
            fixed: &["1.2.6"],
        }),
        finding(Spec {
            id: "PYSEC-2021-142",
            aliases: &["CVE-2020-14343"],
            title: "PyYAML full_load can run arbitrary code from untrusted YAML",
            severity: Severity::Unknown,
            cvss: None,
            ecosystem: Ecosystem::PyPI,
            name: "PyYAML",
            version: "5.3.1",
            path: "requirements.txt",
            line: Some(3),
            fixed: &["5.4"],
        }),
        finding(Spec {
            id: "GO-2021-0052",
            aliases: &["CVE-2020-28483"],
            title: "gin trusts X-Forwarded-For when working out the client IP",
            severity: Severity::Medium,
            cvss: None,
            ecosystem: Ecosystem::Go,
            name: "github.com/gin-gonic/gin",
            version: "v1.6.0",
            path: "go.mod",
            line: None,
            fixed: &[],
        }),
        finding(Spec {
            id: "RUSTSEC-2021-0003",
            aliases: &["CVE-2021-25900"],
            title: "SmallVec::insert_many can write past the end of its heap buffer",
            severity: Severity::Critical,
            cvss: Some(("3.1", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8)),
            ecosystem: Ecosystem::CratesIo,
            name: "smallvec",
            version: "1.6.0",
            path: "Cargo.lock",
            line: Some(20),
            fixed: &["1.6.1"],
        }),
        finding(Spec {
            id: "DSA-5532-1",
            aliases: &["CVE-2023-5363"],
            title: "openssl security update",
            severity: Severity::High,
            cvss: None,
            ecosystem: Ecosystem::Debian,
            name: "libssl3",
            version: "3.0.11-1~deb12u2",
            path: "var/lib/dpkg/status",
            line: Some(100),
            fixed: &["3.0.11-1~deb12u3"],
        }),
        finding(Spec {
            id: "RUSTSEC-2021-0139",
            aliases: &[],
            title: "ansi_term is unmaintained",
            severity: Severity::Unknown,
            cvss: None,
            ecosystem: Ecosystem::CratesIo,
            name: "smallvec",
            version: "1.6.0",
            path: "Cargo.lock",
            line: Some(20),
            fixed: &[],
        }),
    ];
    f[1].kev = true;
    f[2].suppression = Some(Suppression {
        kind: SuppressionKind::Ignore,
        source: ".vigilignore.yaml".into(),
        reason: Some("only trusted input reaches yaml.load".into()),
        vex_status: None,
        justification: None,
        expires: Some("2099-01-01".into()),
    });
    f[4].suppression = Some(Suppression {
        kind: SuppressionKind::Baseline,
        source: "previous.json".into(),
        reason: None,
        vex_status: None,
        justification: None,
        expires: None,
    });
    f[5].suppression = Some(Suppression {
        kind: SuppressionKind::Vex,
        source: "app.openvex.json".into(),
        reason: Some("the affected cipher is not used".into()),
        vex_status: Some("not_affected".into()),
        justification: Some("vulnerable_code_not_in_execute_path".into()),
        expires: None,
    });
    f[6].informational = Some("unmaintained".into());
    let not_checked = vec![NotChecked {
        ecosystem: Ecosystem::PyPI,
        name: "whitenoise".into(),
        version: ">=6.5".into(),
        location: Location::new("requirements.txt", Some(14)),
        reason: "not pinned to one version (`>=6.5`)".into(),
    }];
    let diagnostics = vec![Diagnostic::warning(
        "broken/Cargo.lock",
        Some(2),
        "not a valid Cargo.lock",
    )];
    Report::new(
        "demo",
        vec![lodash, minimist, jest, pyyaml, gin, smallvec, openssl],
        f,
        not_checked,
        diagnostics,
    )
}
