//! JUnit XML, as CI test reports show it.
//!
//! - A `testsuite` per file that declares components (a manifest,
//!   lockfile, package database), sorted by path.
//! - A `testcase` per finding, named `package version: ID (CVE)`, with the
//!   file and line; it fails (`failure`, typed by its severity) when the
//!   finding fails the gate — without a gate, every vulnerability fails —
//!   and passes with its details on `system-out` otherwise.
//! - A suppressed finding is `skipped`, with the reason; so is a component
//!   that could not be checked.
//! - A file without findings has one passing test case that says how many
//!   components it declares.
//!
//! Nothing in it changes between runs of the same scan: no timestamps,
//! no durations (`time` is always 0).

use std::collections::BTreeMap;
use std::io::Write;

use vigil_model::{Finding, Severity};

use crate::common::{id_with_cve, package_label, suppression_label};
use crate::Report;

/// Which findings fail, as `--fail-on` and its companion options decide.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gate {
    /// The lowest severity that fails.
    pub threshold: Severity,
    /// Whether findings of UNKNOWN severity fail too.
    pub unknown_fails: bool,
    /// Whether informational notices (unmaintained, unsound) fail too.
    pub informational_fails: bool,
}

impl Gate {
    /// Whether `finding` fails this gate. A suppressed finding never does.
    pub fn fails(&self, finding: &Finding) -> bool {
        if finding.suppression.is_some() {
            return false;
        }
        if finding.informational.is_some() && !self.informational_fails {
            return false;
        }
        finding.severity >= self.threshold
            || (finding.severity == Severity::Unknown && self.unknown_fails)
    }
}

/// How to write the JUnit report.
#[derive(Debug, Clone, Copy, Default)]
pub struct JunitOptions {
    /// The gate; without one every open vulnerability is a failure and
    /// informational notices pass.
    pub gate: Option<Gate>,
    /// The misconfiguration gate (`--fail-on-misconfig`): misconfigurations
    /// at or above it fail; without one, every open misconfiguration does.
    pub misconfig_gate: Option<Severity>,
}

impl JunitOptions {
    fn fails(&self, f: &Finding) -> bool {
        // A license the policy denies fails the scan whatever the gate.
        // So does an open secret.
        if matches!(
            f.kind,
            vigil_model::FindingKind::License | vigil_model::FindingKind::Secret
        ) {
            return f.suppression.is_none();
        }
        if f.kind == vigil_model::FindingKind::Misconfiguration {
            return f.suppression.is_none() && self.misconfig_gate.is_none_or(|t| f.severity >= t);
        }
        match &self.gate {
            Some(g) => g.fails(f),
            None => f.suppression.is_none() && f.informational.is_none(),
        }
    }
}

/// Escapes text for XML content and attribute values, dropping the
/// characters XML 1.0 cannot hold.
fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}

enum Outcome {
    Pass(String),
    Failure {
        kind: String,
        message: String,
        details: String,
    },
    Skipped(String),
}

struct Case {
    name: String,
    line: Option<u32>,
    outcome: Outcome,
}

fn severity_text(f: &Finding) -> String {
    match (&f.informational, &f.cvss) {
        (Some(kind), _) => kind.to_ascii_uppercase(),
        (None, Some(c)) => format!("{} {:.1}", f.severity, c.score),
        (None, None) => f.severity.to_string(),
    }
}

fn details(f: &Finding) -> String {
    let mut d = format!(
        "{}\n{}\nSeverity: {}",
        id_with_cve(f),
        f.title,
        severity_text(f)
    );
    if let Some(c) = &f.cvss {
        d.push_str(&format!(" ({})", c.vector));
    }
    if let Some(line) = crate::common::risk_line(f) {
        d.push_str(&format!("\nRisk: {}", line.trim_start_matches("risk ")));
    }
    if let Some(r) = &f.resource {
        d.push_str(&format!("\nResource: {r}"));
    }
    if let Some(m) = &f.message {
        d.push_str(&format!("\n{m}"));
    }
    if let Some(s) = &f.secret {
        d.push_str(&format!(
            "\nSecret: {} (fingerprint {})",
            s.redacted, s.secret_fingerprint.0
        ));
        if let Some(c) = &f.location.column {
            d.push_str(&format!("\nColumn: {c}"));
        }
    }
    if f.kev {
        d.push_str("\nIn CISA's catalogue of known exploited vulnerabilities (KEV).");
    }
    if let Some(p) = &f.package {
        d.push_str(&format!("\nPackage: {} {} ({})", p.name, p.version, p.purl));
    }
    if f.fixed_versions.is_empty() {
        if f.informational.is_none() && f.kind == vigil_model::FindingKind::Vulnerability {
            d.push_str("\nFixed in: no fix yet");
        }
    } else {
        d.push_str(&format!("\nFixed in: {}", f.fixed_versions.join(", ")));
    }
    if !f.aliases.is_empty() {
        d.push_str(&format!("\nAliases: {}", f.aliases.join(", ")));
    }
    if let Some(url) = crate::common::finding_url(f) {
        let what = match f.kind {
            vigil_model::FindingKind::License => "License",
            _ => "Advisory",
        };
        d.push_str(&format!("\n{what}: {url}"));
    }
    d
}

fn case_of(f: &Finding, options: &JunitOptions) -> Case {
    let name = match f.kind {
        vigil_model::FindingKind::Misconfiguration => format!(
            "{}: {}",
            f.resource.as_deref().unwrap_or(&f.location.path),
            f.id
        ),
        vigil_model::FindingKind::Secret => {
            format!("{}: {}", crate::common::location_label(f), f.id)
        }
        _ => format!("{}: {}", package_label(f), id_with_cve(f)),
    };
    let outcome = if let Some(s) = &f.suppression {
        Outcome::Skipped(format!("suppressed, {}", suppression_label(s)))
    } else if options.fails(f) {
        Outcome::Failure {
            kind: if f.informational.is_some() {
                "INFORMATIONAL".to_string()
            } else {
                f.severity.to_string()
            },
            message: format!("{}: {}", severity_text(f), f.title),
            details: details(f),
        }
    } else {
        Outcome::Pass(details(f))
    };
    Case {
        name,
        line: f.location.line,
        outcome,
    }
}

/// Writes the report as JUnit XML.
pub fn write_junit(
    report: &Report,
    options: &JunitOptions,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let mut suites: BTreeMap<&str, Vec<Case>> = BTreeMap::new();
    let mut components: BTreeMap<&str, usize> = BTreeMap::new();
    for c in &report.components {
        for l in &c.locations {
            *components.entry(l.path.as_str()).or_default() += 1;
            suites.entry(l.path.as_str()).or_default();
        }
    }
    for f in &report.findings {
        suites
            .entry(f.location.path.as_str())
            .or_default()
            .push(case_of(f, options));
    }
    for nc in &report.not_checked {
        suites
            .entry(nc.location.path.as_str())
            .or_default()
            .push(Case {
                name: format!("{} {}: not checked", nc.name, nc.version),
                line: nc.location.line,
                outcome: Outcome::Skipped(format!("not checked: {}", nc.reason)),
            });
    }
    for (path, cases) in &mut suites {
        if cases.is_empty() {
            let n = components.get(path).copied().unwrap_or(0);
            cases.push(Case {
                name: format!(
                    "no known vulnerabilities in {n} {}",
                    if n == 1 { "component" } else { "components" }
                ),
                line: None,
                outcome: Outcome::Pass(String::new()),
            });
        }
    }
    let count = |cases: &[Case], pick: fn(&Outcome) -> bool| {
        cases.iter().filter(|c| pick(&c.outcome)).count()
    };
    let failed = |o: &Outcome| matches!(o, Outcome::Failure { .. });
    let skipped = |o: &Outcome| matches!(o, Outcome::Skipped(_));
    let all: Vec<&Case> = suites.values().flatten().collect();
    let total_failed = all.iter().filter(|c| failed(&c.outcome)).count();
    let total_skipped = all.iter().filter(|c| skipped(&c.outcome)).count();

    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites name="{}" tests="{}" failures="{total_failed}" errors="0" skipped="{total_skipped}" time="0">"#,
        xml(&format!("vigil {}", report.target)),
        all.len()
    )?;
    for (path, cases) in &suites {
        writeln!(
            out,
            r#"  <testsuite name="{}" tests="{}" failures="{}" errors="0" skipped="{}" time="0">"#,
            xml(path),
            cases.len(),
            count(cases, failed),
            count(cases, skipped)
        )?;
        for case in cases {
            let line = case
                .line
                .map(|l| format!(r#" line="{l}""#))
                .unwrap_or_default();
            let open = format!(
                r#"    <testcase name="{}" classname="{}" file="{}"{line} time="0""#,
                xml(&case.name),
                xml(path),
                xml(path)
            );
            match &case.outcome {
                Outcome::Pass(text) if text.is_empty() => writeln!(out, "{open}/>")?,
                Outcome::Pass(text) => {
                    writeln!(out, "{open}>")?;
                    writeln!(out, "      <system-out>{}</system-out>", xml(text))?;
                    writeln!(out, "    </testcase>")?;
                }
                Outcome::Failure {
                    kind,
                    message,
                    details,
                } => {
                    writeln!(out, "{open}>")?;
                    writeln!(
                        out,
                        r#"      <failure message="{}" type="{}">{}</failure>"#,
                        xml(message),
                        xml(kind),
                        xml(details)
                    )?;
                    writeln!(out, "    </testcase>")?;
                }
                Outcome::Skipped(message) => {
                    writeln!(out, "{open}>")?;
                    writeln!(out, r#"      <skipped message="{}"/>"#, xml(message))?;
                    writeln!(out, "    </testcase>")?;
                }
            }
        }
        writeln!(out, "  </testsuite>")?;
    }
    writeln!(out, "</testsuites>")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::testutil::sample_report;

    fn junit(options: JunitOptions) -> String {
        let mut out = Vec::new();
        write_junit(&sample_report(), &options, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    /// (suite, case name, outcome) for every test case, read back with an
    /// XML parser.
    fn cases(xml: &str) -> Vec<(String, String, &'static str)> {
        let doc = roxmltree::Document::parse(xml).unwrap();
        let mut out = Vec::new();
        for suite in doc.descendants().filter(|n| n.has_tag_name("testsuite")) {
            for case in suite.children().filter(|n| n.has_tag_name("testcase")) {
                let outcome = if case.children().any(|n| n.has_tag_name("failure")) {
                    "failure"
                } else if case.children().any(|n| n.has_tag_name("skipped")) {
                    "skipped"
                } else {
                    "pass"
                };
                out.push((
                    suite.attribute("name").unwrap().to_string(),
                    case.attribute("name").unwrap().to_string(),
                    outcome,
                ));
            }
        }
        out
    }

    fn outcome<'a>(cases: &'a [(String, String, &'static str)], id: &str) -> &'a str {
        cases.iter().find(|c| c.1.contains(id)).unwrap().2
    }

    #[test]
    fn without_a_gate_every_open_vulnerability_fails() {
        let xml = junit(JunitOptions::default());
        let cases = cases(&xml);
        assert_eq!(outcome(&cases, "GHSA-35jh-r3h4-6jhm"), "failure");
        assert_eq!(outcome(&cases, "GO-2021-0052"), "failure");
        assert_eq!(outcome(&cases, "PYSEC-2021-142"), "skipped");
        assert_eq!(outcome(&cases, "RUSTSEC-2021-0003"), "skipped");
        assert_eq!(outcome(&cases, "RUSTSEC-2021-0139"), "pass");
        assert_eq!(outcome(&cases, "whitenoise"), "skipped");
        assert!(xml.contains(r#"<skipped message="suppressed, ignored by .vigilignore.yaml: only trusted input reaches yaml.load (until 2099-01-01)"/>"#), "{xml}");
        let suites: std::collections::BTreeSet<&str> = cases.iter().map(|c| c.0.as_str()).collect();
        assert_eq!(
            suites.into_iter().collect::<Vec<_>>(),
            [
                "Cargo.lock",
                "go.mod",
                "requirements.txt",
                "var/lib/dpkg/status",
                "web/package-lock.json"
            ]
        );
        assert!(
            xml.contains(
                r#"<testsuites name="vigil demo" tests="8" failures="3" errors="0" skipped="4""#
            ),
            "{xml}"
        );
    }

    #[test]
    fn a_gate_fails_only_what_it_covers() {
        let xml = junit(JunitOptions {
            misconfig_gate: None,
            gate: Some(Gate {
                threshold: Severity::Critical,
                unknown_fails: true,
                informational_fails: false,
            }),
        });
        let cases = cases(&xml);
        assert_eq!(outcome(&cases, "GHSA-xvch-5gv4-984h"), "failure");
        assert_eq!(outcome(&cases, "GHSA-35jh-r3h4-6jhm"), "pass");
        assert_eq!(outcome(&cases, "GO-2021-0052"), "pass");
        assert_eq!(outcome(&cases, "RUSTSEC-2021-0139"), "pass");
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(xml("a<b & \"c\"\u{1}"), "a&lt;b &amp; &quot;c&quot;");
    }
}
