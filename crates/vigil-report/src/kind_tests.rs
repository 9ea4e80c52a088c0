//! License findings and remediation in every format: a license finding is
//! no vulnerability (no advisory link, not in an SBOM's vulnerabilities),
//! and the fixes reach the pull-request comment.
#![allow(clippy::unwrap_used)]

use vigil_model::{Ecosystem, FindingKind, Remediation, Severity};

use crate::testutil::{finding, sample_report, Spec};
use crate::{Report, SbomOptions};

fn with_license_finding() -> Report {
    let mut report = sample_report();
    let mut f = finding(Spec {
        id: "GPL-3.0-only",
        aliases: &[],
        title: "license GPL-3.0-only denied by --deny-license GPL-3.0-only",
        severity: Severity::High,
        cvss: None,
        ecosystem: Ecosystem::Npm,
        name: "jest",
        version: "29.0.0",
        path: "web/package-lock.json",
        line: Some(40),
        fixed: &[],
    });
    f.kind = FindingKind::License;
    report.findings.push(f);
    report.with_remediation(vec![Remediation {
        ecosystem: Ecosystem::Npm,
        name: "minimist".into(),
        version: "1.2.5".into(),
        path: "web/package-lock.json".into(),
        fixed_version: Some("1.2.6".into()),
        resolves: vec!["GHSA-xvch-5gv4-984h".into()],
        unresolved: Vec::new(),
        introduced_via: vec![vec!["lodash".into(), "minimist".into()]],
    }])
}

fn text(write: impl FnOnce(&mut Vec<u8>)) -> String {
    let mut out = Vec::new();
    write(&mut out);
    String::from_utf8(out).unwrap()
}

#[test]
fn sarif_keeps_license_rules_apart_from_advisories() {
    let sarif = crate::sarif_value(&with_license_finding());
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    let rule = rules
        .iter()
        .find(|r| r["id"] == "license/GPL-3.0-only")
        .unwrap();
    assert_eq!(
        rule["helpUri"],
        "https://spdx.org/licenses/GPL-3.0-only.html"
    );
    assert!(!rule["help"]["text"].as_str().unwrap().contains("osv.dev"));
    assert!(!rule["help"]["text"]
        .as_str()
        .unwrap()
        .contains("No fixed version"));
    let result = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "license/GPL-3.0-only")
        .unwrap();
    assert_eq!(
        result["message"]["text"],
        "jest 29.0.0 declares GPL-3.0-only: license GPL-3.0-only denied by --deny-license GPL-3.0-only."
    );
}

#[test]
fn sboms_do_not_list_license_findings_as_vulnerabilities() {
    let report = with_license_finding();
    let options = SbomOptions {
        created: 0,
        vulnerabilities: true,
    };
    let cdx = crate::cyclonedx_value(&report, &options).unwrap();
    let ids: Vec<&str> = cdx["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["id"].as_str().unwrap())
        .collect();
    assert!(!ids.contains(&"GPL-3.0-only"), "{ids:?}");
    assert!(!ids.is_empty());
    let spdx = serde_json::to_string(&crate::spdx_value(&report, &options).unwrap()).unwrap();
    assert!(!spdx.contains("osv.dev/vulnerability/GPL-3.0-only"));
}

#[test]
fn junit_fails_license_findings_without_an_advisory_link() {
    let xml = text(|out| {
        crate::write_junit(
            &with_license_finding(),
            &crate::JunitOptions::default(),
            out,
        )
        .unwrap()
    });
    let case = xml
        .split("<testcase ")
        .find(|c| c.contains("jest 29.0.0: GPL-3.0-only"))
        .unwrap();
    assert!(case.contains("<failure"), "{case}");
    assert!(
        case.contains("License: https://spdx.org/licenses/GPL-3.0-only.html"),
        "{case}"
    );
    assert!(!case.contains("osv.dev"), "{case}");
    assert!(!case.contains("no fix yet"), "{case}");
}

#[test]
fn markdown_has_fixes_and_the_license_policy_apart() {
    let md = text(|out| crate::write_markdown(&with_license_finding(), out).unwrap());
    assert!(md.contains("### Fixes"), "{md}");
    assert!(
        md.contains("| `minimist` | 1.2.5 | 1.2.6 | GHSA-xvch-5gv4-984h | lodash → minimist | web/package-lock.json |"),
        "{md}"
    );
    assert!(md.contains("### License policy: 1 violation"), "{md}");
    let (_, licenses) = md.split_once("### License policy").unwrap();
    assert!(
        licenses.contains("[GPL-3.0-only](https://spdx.org/licenses/GPL-3.0-only.html)"),
        "{md}"
    );
    // The license finding is not counted as a vulnerability.
    let (top, _) = md.split_once("### License policy").unwrap();
    assert!(!top.contains("GPL-3.0-only"), "{md}");
}
