//! License findings and remediation in every format: a license finding is
//! no vulnerability (no advisory link, not in an SBOM's vulnerabilities),
//! and the fixes reach the pull-request comment. Misconfigurations likewise:
//! no advisory link, no SBOM vulnerability, their own sections.
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

/// The table of a report, without colour.
fn plain_table(report: &crate::Report) -> String {
    text(|out| {
        crate::write_table(
            report,
            out,
            crate::TableOptions {
                color: false,
                max_not_checked: 5,
                sort: crate::Sort::Package,
            },
        )
        .unwrap()
    })
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

fn with_misconfiguration() -> Report {
    let mut report = sample_report();
    let mut f = finding(Spec {
        id: "VIGIL-K8S-001",
        aliases: &[],
        title: "Privileged container",
        severity: Severity::High,
        cvss: None,
        ecosystem: Ecosystem::Npm,
        name: "unused",
        version: "0",
        path: "k8s/web.yaml",
        line: Some(15),
        fixed: &[],
    });
    f.kind = FindingKind::Misconfiguration;
    f.package = None;
    f.message = Some("container \"app\" of Deployment/web is privileged".into());
    f.resource = Some("Deployment/web".into());
    f.location.end_line = Some(20);
    report.findings.push(f);
    report
}

#[test]
fn misconfigurations_have_their_own_sections_and_no_advisory_link() {
    let report = with_misconfiguration();
    let table = plain_table(&report);
    assert!(
        table.contains("k8s/web.yaml (1 misconfiguration)"),
        "{table}"
    );
    assert!(
        table.contains("Found 1 misconfiguration (1 high)."),
        "{table}"
    );
    let md = text(|out| crate::write_markdown(&report, out).unwrap());
    assert!(md.contains("### Misconfigurations: 1"), "{md}");
    assert!(
        md.contains("| HIGH | VIGIL-K8S-001 | Deployment/web | container \"app\" of Deployment/web is privileged | k8s/web.yaml:15 |"),
        "{md}"
    );
    let sarif = crate::sarif_value(&report);
    let sarif_text = sarif.to_string();
    assert!(
        !sarif_text.contains("osv.dev/vulnerability/VIGIL"),
        "{sarif_text}"
    );
    let result = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "VIGIL-K8S-001")
        .unwrap();
    assert_eq!(
        result["locations"][0]["physicalLocation"]["region"]["endLine"],
        20
    );
    let options = SbomOptions {
        created: 0,
        vulnerabilities: true,
    };
    let cdx = crate::cyclonedx_value(&report, &options)
        .unwrap()
        .to_string();
    assert!(!cdx.contains("VIGIL-K8S-001"));
    // JUnit: the misconfiguration gate decides.
    let junit = |gate| {
        text(|out| {
            crate::write_junit(
                &report,
                &crate::JunitOptions {
                    gate: None,
                    misconfig_gate: gate,
                },
                out,
            )
            .unwrap()
        })
    };
    let case = |xml: &str| {
        xml.split("<testcase ")
            .find(|c| c.contains("Deployment/web: VIGIL-K8S-001"))
            .unwrap()
            .to_string()
    };
    assert!(case(&junit(Some(Severity::High))).contains("<failure"));
    assert!(!case(&junit(Some(Severity::Critical))).contains("<failure"));
}

fn with_secret() -> Report {
    let mut report = sample_report();
    let mut f = finding(Spec {
        id: "github-pat-classic",
        aliases: &[],
        title: "GitHub personal access token (classic)",
        severity: Severity::Critical,
        cvss: None,
        ecosystem: Ecosystem::Npm,
        name: "unused",
        version: "0",
        path: "deploy/ci.env",
        line: Some(3),
        fixed: &[],
    });
    f.kind = FindingKind::Secret;
    f.package = None;
    f.location.column = Some(14);
    f.secret = Some(vigil_model::SecretInfo {
        redacted: "ghp_…".into(),
        secret_fingerprint: vigil_model::Fingerprint("0123456789abcdef0123456789abcdef".into()),
        commit: None,
        author: None,
        date: None,
        layer: None,
    });
    report.findings.push(f);
    report
}

#[test]
fn secrets_have_their_own_sections_columns_and_no_advisory_link() {
    let report = with_secret();
    let table = plain_table(&report);
    assert!(table.contains("deploy/ci.env (1 secret)"), "{table}");
    assert!(table.contains("Found 1 secret (1 critical)."), "{table}");
    assert!(table.contains("ghp_…"), "{table}");
    let md = text(|out| crate::write_markdown(&report, out).unwrap());
    assert!(md.contains("### Secrets: 1"), "{md}");
    assert!(
        md.contains("| CRITICAL | github-pat-classic | `ghp_…` |"),
        "{md}"
    );
    let sarif = crate::sarif_value(&report);
    assert!(!sarif.to_string().contains("osv.dev/vulnerability/github"));
    let result = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "github-pat-classic")
        .unwrap();
    assert_eq!(
        result["locations"][0]["physicalLocation"]["region"]["startColumn"],
        14
    );
    assert!(result["message"]["text"]
        .as_str()
        .unwrap()
        .ends_with("ghp_…"));
    let rule = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "github-pat-classic")
        .unwrap();
    assert!(rule["properties"]["tags"]
        .as_array()
        .unwrap()
        .contains(&serde_json::json!("secret")));
    let json = text(|out| crate::write_json(&report, out).unwrap());
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    let f = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["kind"] == "secret")
        .unwrap();
    assert_eq!(f["secret"], "ghp_…");
    assert_eq!(f["location"]["column"], 14);
    assert!(f.get("commit").is_none());
    let options = SbomOptions {
        created: 0,
        vulnerabilities: true,
    };
    let cdx = crate::cyclonedx_value(&report, &options)
        .unwrap()
        .to_string();
    assert!(!cdx.contains("github-pat-classic"));
    let junit =
        text(|out| crate::write_junit(&report, &crate::JunitOptions::default(), out).unwrap());
    let case = junit
        .split("<testcase ")
        .find(|c| c.contains("deploy/ci.env:3: github-pat-classic"))
        .unwrap();
    assert!(case.contains("<failure"), "{case}");
}

#[test]
fn a_secret_from_history_shows_its_commit_author_and_date() {
    let mut report = with_secret();
    let f = report.findings.last_mut().unwrap();
    let s = f.secret.as_mut().unwrap();
    s.commit = Some("3f2a9c1d0b8e7f6a5d4c3b2a1f0e9d8c7b6a5f4e".into());
    s.author = Some("Ada Lovelace <ada@example.org>".into());
    s.date = Some("2024-03-05T10:20:30+01:00".into());
    let table = plain_table(&report);
    assert!(table.contains("COMMIT"), "{table}");
    assert!(table.contains("3f2a9c1d "), "{table}");
    assert!(table.contains("Ada Lovelace <ada@example.org>"), "{table}");
    assert!(table.contains("2024-03-05"), "{table}");
    let sarif = crate::sarif_value(&report);
    let result = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "github-pat-classic")
        .unwrap();
    assert_eq!(
        result["properties"]["commit"],
        "3f2a9c1d0b8e7f6a5d4c3b2a1f0e9d8c7b6a5f4e"
    );
    assert_eq!(
        result["properties"]["author"],
        "Ada Lovelace <ada@example.org>"
    );
    assert_eq!(result["properties"]["date"], "2024-03-05T10:20:30+01:00");
    let json = text(|out| crate::write_json(&report, out).unwrap());
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    let f = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["kind"] == "secret")
        .unwrap();
    assert_eq!(f["commit"], "3f2a9c1d0b8e7f6a5d4c3b2a1f0e9d8c7b6a5f4e");
    assert_eq!(f["author"], "Ada Lovelace <ada@example.org>");
    assert_eq!(f["date"], "2024-03-05T10:20:30+01:00");
}

#[test]
fn vulnerable_code_is_noted_after_the_title_and_kept_in_sarif() {
    use vigil_model::{VulnerableCode, VulnerableCodeStatus};
    let mut report = sample_report();
    let mut present = finding(Spec {
        id: "GO-2099-0001",
        aliases: &[],
        title: "Quadratic header decoding in mime",
        severity: Severity::High,
        cvss: None,
        ecosystem: Ecosystem::Go,
        name: "stdlib",
        version: "1.19.8",
        path: "bin/app",
        line: None,
        fixed: &[],
    });
    let mut absent = present.clone();
    present.vulnerable_code = Some(VulnerableCode {
        status: VulnerableCodeStatus::Present,
        symbols: vec![
            "mime.(*WordDecoder).DecodeHeader".into(),
            "mime.(*WordDecoder).Decode".into(),
        ],
    });
    absent.id = "GO-2099-0002".into();
    absent.fingerprint = vigil_model::Fingerprint("other".into());
    absent.vulnerable_code = Some(VulnerableCode {
        status: VulnerableCodeStatus::Absent,
        symbols: vec!["os/exec.LookPath".into()],
    });
    report.findings.push(present);
    report.findings.push(absent);

    let mut table = Vec::new();
    crate::write_table(&report, &mut table, crate::TableOptions::default()).unwrap();
    let table = String::from_utf8(table).unwrap();
    let line = |id: &str| {
        table
            .lines()
            .find(|l| l.contains(id))
            .unwrap_or_else(|| panic!("{id} not in\n{table}"))
            .to_string()
    };
    assert!(
        line("GO-2099-0001")
            .contains("(vulnerable function present: mime.(*WordDecoder).DecodeHeader (+1))"),
        "{table}"
    );
    assert!(
        line("GO-2099-0002").contains("(vulnerable code not in binary)"),
        "{table}"
    );

    let mut md = Vec::new();
    crate::write_markdown(&report, &mut md).unwrap();
    let md = String::from_utf8(md).unwrap();
    assert!(md.contains(r"\(vulnerable code not in binary\)"), "{md}");

    let sarif = crate::sarif_value(&report);
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let r = results
        .iter()
        .find(|r| r["ruleId"] == "GO-2099-0002")
        .unwrap();
    assert_eq!(
        r["properties"]["vulnerableCode"],
        serde_json::json!({"status": "absent", "symbols": ["os/exec.LookPath"]})
    );
    let json = serde_json::to_value(&report).unwrap();
    assert!(json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["vulnerable_code"]["status"] == "present"));
}

/// A risk score and its reasons reach the pull-request comment, the SARIF
/// result and the JUnit failure, not only the JSON report.
#[test]
fn the_risk_score_and_its_reasons_in_every_format() {
    let mut report = sample_report();
    let f = report
        .findings
        .iter_mut()
        .find(|f| f.id == "GHSA-35jh-r3h4-6jhm")
        .unwrap();
    let base = f.cvss.as_ref().unwrap().score;
    f.risk = Some(vigil_model::Risk {
        score: 9.1,
        reasons: vec![
            "exposed: listens on a public address".into(),
            "not in KEV".into(),
        ],
        vector: String::new(),
    });
    let why = format!("{base:.1} → 9.1: exposed: listens on a public address; not in KEV");

    let mut md = Vec::new();
    crate::write_markdown(&report, &mut md).unwrap();
    let md = String::from_utf8(md).unwrap();
    // Markdown escapes the parentheses.
    assert!(md.contains(&format!("| 9.1 \\({why}\\) |")), "{md}");

    let sarif = crate::sarif_value(&report);
    let result = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "GHSA-35jh-r3h4-6jhm")
        .unwrap();
    assert_eq!(result["properties"]["risk"]["score"], 9.1);
    assert_eq!(
        result["properties"]["risk"]["reasons"][0],
        "exposed: listens on a public address"
    );
    let text = result["message"]["text"].as_str().unwrap();
    assert!(text.ends_with(&format!(" Risk: {why}.")), "{text}");

    let mut junit = Vec::new();
    crate::write_junit(&report, &crate::JunitOptions::default(), &mut junit).unwrap();
    let junit = String::from_utf8(junit).unwrap();
    assert!(junit.contains(&format!("Risk: {why}")), "{junit}");
}
