//! Matching rules, one scenario per test, on hand-written OSV records.
#![allow(clippy::unwrap_used)] // Tests state their expectations with unwrap.

use std::collections::HashSet;

use vigil_advisories::osv::Vulnerability;
use vigil_advisories::AdvisorySet;
use vigil_match::match_components;
use vigil_model::{Component, Ecosystem, Severity};

fn rec(json: &str) -> Vulnerability {
    serde_json::from_str(json).expect("test record")
}

fn pypi(id: &str, aliases: &[&str], name: &str, events: &str, extra: &str) -> Vulnerability {
    let aliases = aliases
        .iter()
        .map(|a| format!("\"{a}\""))
        .collect::<Vec<_>>()
        .join(",");
    rec(&format!(
        r#"{{"id": "{id}", "aliases": [{aliases}], "summary": "{id} summary" {extra},
            "affected": [{{"package": {{"ecosystem": "PyPI", "name": "{name}"}},
              "ranges": [{{"type": "ECOSYSTEM", "events": {events}}}]}}]}}"#
    ))
}

fn comp(eco: Ecosystem, name: &str, version: &str) -> Component {
    Component::new(eco, name, version).at("requirements.txt", Some(3))
}

#[test]
fn aliases_become_one_finding_listing_every_id() {
    let set = AdvisorySet::from_records([
        pypi(
            "PYSEC-2021-1",
            &["CVE-2021-1", "GHSA-aaaa-bbbb-cccc"],
            "demo",
            r#"[{"introduced":"0"},{"fixed":"2.0"}]"#,
            "",
        ),
        pypi(
            "GHSA-aaaa-bbbb-cccc",
            &["CVE-2021-1"],
            "demo",
            r#"[{"introduced":"1.0"},{"fixed":"2.0"}]"#,
            "",
        ),
        pypi(
            "PYSEC-2021-2",
            &[],
            "demo",
            r#"[{"introduced":"0"},{"fixed":"1.5"}]"#,
            "",
        ),
    ]);
    let out = match_components(&[comp(Ecosystem::PyPI, "Demo", "1.2")], &set);
    assert_eq!(out.findings.len(), 2, "{:#?}", out.findings);
    let f = &out.findings[0];
    assert_eq!(f.id, "GHSA-aaaa-bbbb-cccc");
    assert_eq!(f.aliases, ["CVE-2021-1", "PYSEC-2021-1"]);
    assert_eq!(f.fixed_versions, ["2.0"]);
    assert_eq!(out.findings[1].id, "PYSEC-2021-2");
    assert_eq!(out.findings[1].fixed_versions, ["1.5"]);
    // The fingerprint follows the alias group's smallest ID, not the version.
    let again = match_components(&[comp(Ecosystem::PyPI, "demo", "1.3")], &set);
    assert_eq!(again.findings[0].fingerprint, f.fingerprint);
}

#[test]
fn unaffected_versions_do_not_match() {
    let set = AdvisorySet::from_records([pypi(
        "PYSEC-1",
        &[],
        "demo",
        r#"[{"introduced":"1.0"},{"fixed":"1.4"},{"introduced":"2.0"},{"last_affected":"2.2"}]"#,
        "",
    )]);
    for (v, hit) in [
        ("0.9", false),
        ("1.0", true),
        ("1.3.9", true),
        ("1.4", false),
        ("2.2", true),
        ("2.2.1", false),
        ("1.0rc1", false),
    ] {
        let out = match_components(&[comp(Ecosystem::PyPI, "demo", v)], &set);
        assert_eq!(out.findings.len(), usize::from(hit), "{v}");
    }
}

#[test]
fn explicit_version_lists_match() {
    let set = AdvisorySet::from_records([rec(
        r#"{"id": "RUSTSEC-1", "affected": [{"package": {"ecosystem": "crates.io", "name": "demo"}, "versions": ["0.3.1"]}]}"#,
    )]);
    assert_eq!(
        match_components(&[comp(Ecosystem::CratesIo, "demo", "0.3.1")], &set)
            .findings
            .len(),
        1
    );
    assert_eq!(
        match_components(&[comp(Ecosystem::CratesIo, "demo", "0.3.2")], &set)
            .findings
            .len(),
        0
    );
}

#[test]
fn fixes_that_are_themselves_affected_are_not_offered() {
    let set = AdvisorySet::from_records([rec(
        r#"{"id": "PYSEC-9", "affected": [{"package": {"ecosystem": "PyPI", "name": "demo"},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced":"0"},{"fixed":"1.1"}]},
                       {"type": "ECOSYSTEM", "events": [{"introduced":"1.1"},{"fixed":"1.2"}]},
                       {"type": "ECOSYSTEM", "events": [{"introduced":"2.0"},{"fixed":"2.1"}]}]}]}"#,
    )]);
    let out = match_components(&[comp(Ecosystem::PyPI, "demo", "1.0")], &set);
    assert_eq!(out.findings[0].fixed_versions, ["1.2", "2.1"]);
}

#[test]
fn git_ranges_never_match_and_withdrawn_records_never_match() {
    let set = AdvisorySet::from_records([
        rec(
            r#"{"id": "PYSEC-G", "affected": [{"package": {"ecosystem": "PyPI", "name": "demo"},
            "ranges": [{"type": "GIT", "repo": "https://example.invalid/x", "events": [{"introduced":"0"},{"fixed":"abc.patch"}]}]}]}"#,
        ),
        rec(
            r#"{"id": "PYSEC-W", "withdrawn": "2024-01-01T00:00:00Z", "affected": [{"package": {"ecosystem": "PyPI", "name": "demo"},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced":"0"}]}]}]}"#,
        ),
    ]);
    let out = match_components(&[comp(Ecosystem::PyPI, "demo", "1.0")], &set);
    assert!(out.findings.is_empty(), "{:#?}", out.findings);
    assert!(out.diagnostics.is_empty());
}

#[test]
fn an_unparseable_version_is_not_checked_with_the_reason() {
    let set = AdvisorySet::from_records([rec(
        r#"{"id": "RUSTSEC-2", "affected": [{"package": {"ecosystem": "crates.io", "name": "demo"},
            "ranges": [{"type": "SEMVER", "events": [{"introduced":"0.0.0-0"}]}]}]}"#,
    )]);
    let out = match_components(&[comp(Ecosystem::CratesIo, "demo", "not-a-version")], &set);
    assert!(out.findings.is_empty());
    assert_eq!(out.not_checked.len(), 1);
    assert!(
        out.not_checked[0].reason.contains("not-a-version"),
        "{}",
        out.not_checked[0].reason
    );
    assert_eq!(out.not_checked[0].location.line, Some(3));
}

#[test]
fn an_unparseable_range_is_a_diagnostic_naming_the_advisory() {
    let set = AdvisorySet::from_records([rec(
        r#"{"id": "RUSTSEC-3", "affected": [{"package": {"ecosystem": "crates.io", "name": "demo"},
            "ranges": [{"type": "SEMVER", "events": [{"introduced":"0"},{"fixed":"one.two"}]}]}]}"#,
    )]);
    let out = match_components(&[comp(Ecosystem::CratesIo, "demo", "1.0.0")], &set);
    assert!(out.findings.is_empty());
    assert_eq!(out.diagnostics.len(), 1);
    assert!(
        out.diagnostics[0].message.contains("RUSTSEC-3"),
        "{}",
        out.diagnostics[0].message
    );
}

#[test]
fn severity_kev_and_informational() {
    let mut set = AdvisorySet::from_records([
        pypi(
            "PYSEC-S",
            &["CVE-2023-4863"],
            "demo",
            r#"[{"introduced":"0"},{"fixed":"9"}]"#,
            r#", "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H"}]"#,
        ),
        pypi(
            "PYSEC-D",
            &[],
            "demo",
            r#"[{"introduced":"0"},{"fixed":"9"}]"#,
            r#", "database_specific": {"severity": "MODERATE"}"#,
        ),
        pypi(
            "PYSEC-U",
            &[],
            "demo",
            r#"[{"introduced":"0"},{"fixed":"9"}]"#,
            "",
        ),
        rec(
            r#"{"id": "RUSTSEC-I", "affected": [{"package": {"ecosystem": "crates.io", "name": "old"},
            "database_specific": {"informational": "unmaintained"},
            "ranges": [{"type": "SEMVER", "events": [{"introduced":"0.0.0-0"}]}]}]}"#,
        ),
    ]);
    set.set_kev(HashSet::from(["CVE-2023-4863".to_string()]));
    let out = match_components(
        &[
            comp(Ecosystem::PyPI, "demo", "1.0"),
            comp(Ecosystem::CratesIo, "old", "0.1.0"),
        ],
        &set,
    );
    let by_id = |id: &str| out.findings.iter().find(|f| f.id == id).unwrap();
    let s = by_id("PYSEC-S");
    assert_eq!(s.severity, Severity::High);
    assert_eq!(s.cvss.as_ref().map(|c| c.score), Some(8.8));
    assert!(s.kev);
    assert_eq!(by_id("PYSEC-D").severity, Severity::Medium);
    assert!(!by_id("PYSEC-D").kev);
    assert_eq!(by_id("PYSEC-U").severity, Severity::Unknown);
    assert_eq!(
        by_id("RUSTSEC-I").informational.as_deref(),
        Some("unmaintained")
    );
}

#[test]
fn names_are_normalized_per_ecosystem() {
    let set = AdvisorySet::from_records([pypi(
        "PYSEC-N",
        &[],
        "Zope.Interface",
        r#"[{"introduced":"0"}]"#,
        "",
    )]);
    let out = match_components(&[comp(Ecosystem::PyPI, "zope-interface", "1.0")], &set);
    assert_eq!(out.findings.len(), 1);
    // Go module paths are case-sensitive.
    let set = AdvisorySet::from_records([rec(
        r#"{"id": "GO-1", "affected": [{"package": {"ecosystem": "Go", "name": "github.com/Foo/bar"},
            "ranges": [{"type": "SEMVER", "events": [{"introduced":"0"},{"fixed":"1.2.0"}]}]}]}"#,
    )]);
    assert_eq!(
        match_components(&[comp(Ecosystem::Go, "github.com/foo/bar", "v1.0.0")], &set)
            .findings
            .len(),
        0
    );
    let out = match_components(&[comp(Ecosystem::Go, "github.com/Foo/bar", "v1.0.0")], &set);
    assert_eq!(out.findings.len(), 1);
    assert_eq!(out.findings[0].fixed_versions, ["1.2.0"]);
}

fn debian_record() -> Vulnerability {
    rec(r#"{"id": "VIGIL-TEST-DEB-1", "summary": "openssl issue",
        "affected": [
          {"package": {"ecosystem": "Debian:12", "name": "openssl"},
           "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "3.0.11-1~deb12u2"}]}]},
          {"package": {"ecosystem": "Debian:11", "name": "openssl"},
           "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.1.1w-0+deb11u1"}]}]}
        ]}"#)
}

fn deb(
    name: &str,
    version: &str,
    source: Option<(&str, &str)>,
    release: Option<&str>,
) -> Component {
    let mut c = Component::new(Ecosystem::Debian, name, version).at("var/lib/dpkg/status", Some(1));
    if let Some((n, v)) = source {
        c = c.source(n, Some(v.to_string()));
    }
    c.release = release.map(str::to_string);
    c
}

#[test]
fn distro_packages_match_by_source_package_and_release() {
    let set = AdvisorySet::from_records([debian_record()]);
    // libssl3 is built from openssl: the advisory names the source package.
    let out = match_components(
        &[deb(
            "libssl3",
            "3.0.9-1",
            Some(("openssl", "3.0.9-1")),
            Some("12"),
        )],
        &set,
    );
    assert_eq!(out.findings.len(), 1, "{:#?}", out);
    let f = &out.findings[0];
    assert_eq!(f.package.as_ref().unwrap().name, "libssl3");
    // Only the fix of the component's own release is offered.
    assert_eq!(f.fixed_versions, ["3.0.11-1~deb12u2"]);

    // The Debian 11 range does not apply to a Debian 12 package, and the
    // Debian 12 range does not apply to a Debian 11 one.
    let out = match_components(
        &[deb(
            "libssl1.1",
            "1.1.1w-0+deb11u1",
            Some(("openssl", "1.1.1w-0+deb11u1")),
            Some("11"),
        )],
        &set,
    );
    assert!(out.findings.is_empty(), "{:#?}", out.findings);

    // A binNMU's binary version differs from its source version: the
    // source version is compared.
    let out = match_components(
        &[deb(
            "libssl3",
            "3.0.11-1~deb12u2+b1",
            Some(("openssl", "3.0.11-1~deb12u2")),
            Some("12"),
        )],
        &set,
    );
    assert!(out.findings.is_empty(), "{:#?}", out.findings);
}

#[test]
fn distro_packages_without_a_release_are_not_checked() {
    let set = AdvisorySet::from_records([debian_record()]);
    let out = match_components(&[deb("openssl", "3.0.9-1", None, None)], &set);
    assert!(out.findings.is_empty());
    assert_eq!(out.not_checked.len(), 1);
    assert!(
        out.not_checked[0].reason.contains("release is unknown"),
        "{:?}",
        out.not_checked
    );
}
