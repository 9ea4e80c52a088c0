//! SARIF 2.1.0, as code-scanning services read it.
//!
//! - One rule per finding ID (the alias group's ID), its help text naming
//!   the title, the aliases and the fixed versions, `helpUri` the
//!   advisory's page, and the `security-severity` property the CVSS base
//!   score (left out when the advisory gives no CVSS vector: a score is
//!   never guessed from a rating).
//! - One result per finding, at the manifest path (relative, under the
//!   `%SRCROOT%` base: the scanned directory) and, when known, its line;
//!   `partialFingerprints` carries the finding's fingerprint, which stays
//!   the same across runs and version bumps.
//! - Levels: CRITICAL and HIGH are `error`, MEDIUM and UNKNOWN `warning`,
//!   LOW and informational notices `note`.
//! - A finding an ignore file or a VEX statement suppresses has a
//!   `suppressions` entry (`external`, `accepted`, with the reason); one
//!   the baseline already had is `baselineState: unchanged`.
//! - Diagnostics and components that were not checked are tool execution
//!   notifications.

use std::collections::BTreeMap;
use std::io::Write;

use serde_json::{json, Map, Value};
use vigil_model::{Finding, FindingKind, Severity, SuppressionKind};

use crate::common::{escape_md, finding_url, id_with_cve, suppression_label};
use crate::Report;

/// The JSON schema URI SARIF files name.
const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The base every artifact URI is relative to: the scanned directory.
pub(crate) const SRCROOT: &str = "%SRCROOT%";

/// The key of the fingerprint in `partialFingerprints`.
const FINGERPRINT_KEY: &str = "vigilFindingFingerprint/v1";

fn level(f: &Finding) -> &'static str {
    if f.informational.is_some() {
        return "note";
    }
    match f.severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium | Severity::Unknown => "warning",
        Severity::Low => "note",
    }
}

/// Percent-encodes a relative path for a URI reference, keeping `/`.
pub(crate) fn uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=:@".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn physical_location(path: &str, line: Option<u32>, end_line: Option<u32>) -> Value {
    located(path, line, end_line, None)
}

fn located(path: &str, line: Option<u32>, end_line: Option<u32>, column: Option<u32>) -> Value {
    let mut loc = json!({
        "artifactLocation": { "uri": uri_path(path), "uriBaseId": SRCROOT },
    });
    if let Some(line) = line {
        loc["region"] = json!({ "startLine": line });
        if let Some(end) = end_line.filter(|e| *e > line) {
            loc["region"]["endLine"] = json!(end);
        }
        if let Some(c) = column {
            loc["region"]["startColumn"] = json!(c);
        }
    }
    json!({ "physicalLocation": loc })
}

/// What every finding of one ID says, for its rule.
struct RuleFacts<'a> {
    first: &'a Finding,
    severity: Severity,
    score: Option<f64>,
    /// `name: fixed versions` per package, sorted.
    fixes: Vec<String>,
    informational: bool,
}

fn rule(id: &str, facts: &RuleFacts<'_>) -> Value {
    let f = facts.first;
    let mut text = f.title.clone();
    let mut markdown = format!("**{}**", escape_md(&f.title));
    if !f.aliases.is_empty() {
        text.push_str(&format!("\nAliases: {}.", f.aliases.join(", ")));
        markdown.push_str(&format!("\n\nAliases: {}.", f.aliases.join(", ")));
    }
    let license = f.kind == FindingKind::License;
    let misconfig = matches!(f.kind, FindingKind::Misconfiguration | FindingKind::Secret);
    if let Some(help) = &f.help {
        text.push_str(&format!(
            "\n{}\nRemediation: {}",
            help.description, help.remediation
        ));
        markdown.push_str(&format!(
            "\n\n{}\n\n**Remediation:** {}",
            escape_md(&help.description),
            help.remediation
        ));
        if !help.references.is_empty() {
            text.push_str(&format!("\nReferences: {}", help.references.join("; ")));
            markdown.push_str("\n\nReferences:\n");
            for r in &help.references {
                markdown.push_str(&format!("\n- {}", escape_md(r)));
            }
        }
    }
    if facts.fixes.is_empty() {
        if !facts.informational && !license && !misconfig {
            text.push_str("\nNo fixed version yet.");
            markdown.push_str("\n\nNo fixed version yet.");
        }
    } else {
        text.push_str(&format!("\nFixed in: {}.", facts.fixes.join("; ")));
        markdown.push_str("\n\nFixed in:\n");
        for fix in &facts.fixes {
            markdown.push_str(&format!("\n- {}", escape_md(fix)));
        }
    }
    let url = finding_url(f);
    if let Some(url) = &url {
        let what = if license {
            "License"
        } else if misconfig {
            "Rule"
        } else {
            "Advisory"
        };
        text.push_str(&format!("\n{what}: {url}"));
        markdown.push_str(&format!("\n\n{what}: <{url}>"));
    }

    let mut tags = vec![json!("security")];
    if facts.informational {
        tags.push(json!("informational"));
        if let Some(kind) = &f.informational {
            tags.push(json!(kind));
        }
    } else if license {
        tags.push(json!("license"));
    } else if f.kind == FindingKind::Secret {
        tags.push(json!("secret"));
    } else if misconfig {
        tags.push(json!("misconfiguration"));
    } else {
        tags.push(json!("vulnerability"));
    }
    if let Some(p) = &f.package {
        tags.push(json!(p.ecosystem.osv_name()));
    }
    let mut properties = json!({ "tags": tags });
    if !facts.informational {
        if let Some(score) = facts.score {
            properties["security-severity"] = json!(format!("{score:.1}"));
        }
        properties["severity"] = json!(facts.severity.as_str());
    }
    let mut rule = json!({
        "id": id,
        "shortDescription": { "text": f.title },
        "fullDescription": { "text": id_with_cve(f) + ": " + &f.title },
        "help": { "text": text, "markdown": markdown },
        "defaultConfiguration": { "level": level(f) },
        "properties": properties,
    });
    if let Some(url) = url {
        rule["helpUri"] = json!(url);
    }
    rule
}

/// A finding's rule: its advisory ID, or `license/<declared license>`
/// (kept apart from advisory IDs).
fn rule_id(f: &Finding) -> String {
    match f.kind {
        FindingKind::License => format!("license/{}", f.id),
        _ => f.id.clone(),
    }
}

fn result(f: &Finding, rule_index: usize) -> Value {
    let subject = match &f.package {
        Some(p) => format!("{} {}", p.name, p.version),
        None => f.location.path.clone(),
    };
    let mut message = match (&f.informational, f.kind) {
        (_, FindingKind::License) => format!("{subject} declares {}: {}.", f.id, f.title),
        (_, FindingKind::Misconfiguration) => {
            let what = f.message.as_deref().unwrap_or(&f.title);
            match &f.resource {
                Some(r) => format!("{r}: {what} ({})", f.id),
                None => format!("{what} ({})", f.id),
            }
        }
        (_, FindingKind::Secret) => {
            let shown = f.secret.as_ref().map_or("…", |s| s.redacted.as_str());
            format!("{} ({}): {shown}", f.title, f.id)
        }
        (Some(kind), _) => format!("{subject}: {kind} notice {}: {}.", id_with_cve(f), f.title),
        (None, _) => format!("{subject} is affected by {}: {}.", id_with_cve(f), f.title),
    };
    if !f.fixed_versions.is_empty() {
        message.push_str(&format!(" Fixed in {}.", f.fixed_versions.join(", ")));
    } else if f.informational.is_none() && f.kind == FindingKind::Vulnerability {
        message.push_str(" No fixed version yet.");
    }
    if let Some(line) = crate::common::risk_line(f) {
        message.push_str(&format!(" Risk: {}.", line.trim_start_matches("risk ")));
    }
    let mut fingerprints = Map::new();
    fingerprints.insert(FINGERPRINT_KEY.to_string(), json!(f.fingerprint.0));
    let mut properties = json!({ "kev": f.kev, "severity": f.severity.as_str() });
    if let Some(p) = &f.package {
        properties["purl"] = json!(p.purl);
    }
    if !f.fixed_versions.is_empty() {
        properties["fixedVersions"] = json!(f.fixed_versions);
    }
    // A vulnerability on a running host: the processes that load it.
    if let Some(r) = &f.runtime {
        properties["runtime"] = json!(r);
    }
    // The risk score and why (docs/risk.md).
    if let Some(r) = &f.risk {
        properties["risk"] = json!({ "score": r.score, "reasons": r.reasons });
    }
    // Whether the affected functions are linked into the executable.
    if let Some(v) = &f.vulnerable_code {
        properties["vulnerableCode"] = json!(v);
    }
    // A secret found in history: where it was introduced.
    if let Some(s) = &f.secret {
        for (key, value) in [
            ("commit", &s.commit),
            ("author", &s.author),
            ("date", &s.date),
        ] {
            if let Some(v) = value {
                properties[key] = json!(v);
            }
        }
    }
    let mut r = json!({
        "ruleId": rule_id(f),
        "ruleIndex": rule_index,
        "level": level(f),
        "message": { "text": message },
        "locations": [located(&f.location.path, f.location.line, f.location.end_line, f.location.column)],
        "partialFingerprints": fingerprints,
        "properties": properties,
    });
    if let Some(s) = &f.suppression {
        match s.kind {
            SuppressionKind::Baseline => r["baselineState"] = json!("unchanged"),
            SuppressionKind::Ignore | SuppressionKind::Vex | SuppressionKind::Inline => {
                r["suppressions"] = json!([{
                    "kind": if s.kind == SuppressionKind::Inline { "inSource" } else { "external" },
                    "status": "accepted",
                    "justification": suppression_label(s),
                }]);
            }
        }
    }
    r
}

fn notifications(report: &Report) -> Vec<Value> {
    let mut out = Vec::new();
    for d in &report.diagnostics {
        let mut n = json!({
            "level": match d.level {
                vigil_model::Level::Warning => "warning",
                vigil_model::Level::Info => "note",
            },
            "message": { "text": d.message },
        });
        if let Some(path) = &d.path {
            n["locations"] = json!([physical_location(path, d.line, None)]);
        }
        out.push(n);
    }
    for nc in &report.not_checked {
        out.push(json!({
            "level": "note",
            "message": { "text": format!("{} {} was not checked: {}", nc.name, nc.version, nc.reason) },
            "locations": [physical_location(&nc.location.path, nc.location.line, None)],
        }));
    }
    out
}

/// Builds the SARIF log.
pub fn sarif_value(report: &Report) -> Value {
    let mut by_id: BTreeMap<String, RuleFacts<'_>> = BTreeMap::new();
    let mut fixes: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for f in &report.findings {
        let facts = by_id.entry(rule_id(f)).or_insert_with(|| RuleFacts {
            first: f,
            severity: f.severity,
            score: None,
            fixes: Vec::new(),
            informational: f.informational.is_some(),
        });
        facts.severity = facts.severity.max(f.severity);
        // The risk score where there is one (docs/risk.md), else the CVSS
        // base score.
        let score = f
            .risk
            .as_ref()
            .map(|r| r.score)
            .or(f.cvss.as_ref().map(|c| c.score));
        if let Some(score) = score {
            facts.score = Some(facts.score.map_or(score, |s| s.max(score)));
        }
        if !f.fixed_versions.is_empty() {
            let name = f
                .package
                .as_ref()
                .map_or(f.location.path.as_str(), |p| p.name.as_str());
            fixes
                .entry(rule_id(f))
                .or_default()
                .push(format!("{name} {}", f.fixed_versions.join(", ")));
        }
    }
    for (id, mut list) in fixes {
        list.sort();
        list.dedup();
        if let Some(facts) = by_id.get_mut(&id) {
            facts.fixes = list;
        }
    }
    let index: BTreeMap<&str, usize> = by_id
        .keys()
        .enumerate()
        .map(|(i, k)| (k.as_str(), i))
        .collect();
    let rules: Vec<Value> = by_id.iter().map(|(id, facts)| rule(id, facts)).collect();
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| result(f, index.get(rule_id(f).as_str()).copied().unwrap_or(0)))
        .collect();
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": report.tool.name,
                "version": report.tool.version,
                "semanticVersion": report.tool.version,
                "informationUri": crate::TOOL_URI,
                "rules": rules,
            }},
            "invocations": [{
                "executionSuccessful": true,
                "toolExecutionNotifications": notifications(report),
            }],
            "columnKind": "unicodeCodePoints",
            "results": results,
            "properties": { "target": report.target },
        }],
    })
}

/// Writes the report as a SARIF 2.1.0 log (pretty JSON and a newline).
pub fn write_sarif(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    // `%SRCROOT%` is left unbound: the consumer binds it to its checkout.
    serde_json::to_writer_pretty(&mut *out, &sarif_value(report))?;
    out.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::testutil::sample_report;

    #[test]
    fn rules_results_and_suppressions() {
        let report = sample_report();
        let v = sarif_value(&report);
        let run = &v["runs"][0];
        let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
        let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
        let mut sorted = ids.clone();
        sorted.sort();
        assert_eq!(ids, sorted, "rules sorted by ID");
        let ghsa = rules
            .iter()
            .find(|r| r["id"] == "GHSA-35jh-r3h4-6jhm")
            .unwrap();
        assert_eq!(ghsa["properties"]["security-severity"], "7.2");
        assert_eq!(
            ghsa["helpUri"],
            "https://osv.dev/vulnerability/GHSA-35jh-r3h4-6jhm"
        );
        assert!(ghsa["help"]["text"]
            .as_str()
            .unwrap()
            .contains("Aliases: CVE-2021-23337."));
        assert!(ghsa["help"]["text"]
            .as_str()
            .unwrap()
            .contains("Fixed in: lodash 4.17.21."));
        // No CVSS, no guessed score.
        let unknown = rules.iter().find(|r| r["id"] == "PYSEC-2021-142").unwrap();
        assert!(unknown["properties"].get("security-severity").is_none());

        let results = run["results"].as_array().unwrap();
        assert_eq!(results.len(), report.findings.len());
        for r in results {
            let i = r["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(rules[i]["id"], r["ruleId"]);
            assert_eq!(
                r["partialFingerprints"][FINGERPRINT_KEY]
                    .as_str()
                    .unwrap()
                    .len(),
                32
            );
        }
        let lodash = results
            .iter()
            .find(|r| r["ruleId"] == "GHSA-35jh-r3h4-6jhm")
            .unwrap();
        assert_eq!(lodash["level"], "error");
        let loc = &lodash["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uri"], "web/package-lock.json");
        assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        assert_eq!(loc["region"]["startLine"], 12);
        let ignored = results
            .iter()
            .find(|r| r["ruleId"] == "PYSEC-2021-142")
            .unwrap();
        assert_eq!(ignored["suppressions"][0]["kind"], "external");
        assert!(ignored["suppressions"][0]["justification"]
            .as_str()
            .unwrap()
            .contains("only trusted input"));
        // No line: no region.
        let no_line = results
            .iter()
            .find(|r| r["ruleId"] == "GO-2021-0052")
            .unwrap();
        assert!(no_line["locations"][0]["physicalLocation"]
            .get("region")
            .is_none());
        let baseline = results
            .iter()
            .find(|r| r["ruleId"] == "RUSTSEC-2021-0003")
            .unwrap();
        assert_eq!(baseline["baselineState"], "unchanged");
        assert!(baseline.get("suppressions").is_none());
    }

    #[test]
    fn uris_are_encoded() {
        assert_eq!(uri_path("a b/c%d.txt"), "a%20b/c%25d.txt");
        assert_eq!(uri_path("web/package-lock.json"), "web/package-lock.json");
    }
}
