//! Markdown for a pull-request comment: the counts by severity, the top
//! findings with their fixes, then everything else collapsed (every open
//! finding by file, suppressed findings with the reason, informational
//! notices, components not checked). Long lists are cut so the comment
//! stays within what code-review services accept.

use std::collections::BTreeMap;
use std::io::Write;

use vigil_model::{Finding, FindingKind, Severity};

use crate::common::{escape_md, id_with_cve, location_label, suppression_label};
use crate::Report;

/// Findings in the top table.
const TOP: usize = 10;
/// Rows per collapsed list before the rest is summarized.
const MAX_ROWS: usize = 200;

/// Table cells: escaped, on one line.
fn cell(text: &str) -> String {
    escape_md(&text.split_whitespace().collect::<Vec<_>>().join(" "))
}

fn severity_cell(f: &Finding) -> String {
    let mut s = match (&f.informational, &f.cvss) {
        (Some(kind), _) => kind.to_ascii_uppercase(),
        (None, Some(c)) => format!("{} {:.1}", f.severity, c.score),
        (None, None) => f.severity.to_string(),
    };
    if f.kev {
        s.push_str(" (KEV)");
    }
    s
}

/// The risk score, with why when the context moved it from the base score.
fn risk_cell(f: &Finding) -> String {
    match (&f.risk, crate::common::risk_adjusted(f)) {
        (Some(r), true) => cell(&format!(
            "{:.1} ({})",
            r.score,
            crate::common::risk_line(f)
                .unwrap_or_default()
                .trim_start_matches("risk ")
        )),
        (Some(r), false) => format!("{:.1}", r.score),
        (None, _) => "-".to_string(),
    }
}

fn id_cell(f: &Finding) -> String {
    match crate::common::finding_url(f) {
        Some(url) => format!("[{}]({url})", cell(&id_with_cve(f))),
        None => cell(&id_with_cve(f)),
    }
}

fn fix_cell(f: &Finding) -> String {
    if f.fixed_versions.is_empty() {
        if f.informational.is_some() {
            "-".to_string()
        } else {
            "no fix yet".to_string()
        }
    } else {
        cell(&f.fixed_versions.join(", "))
    }
}

fn package_cells(f: &Finding) -> (String, String) {
    f.package
        .as_ref()
        .map(|p| (format!("`{}`", p.name.replace('`', "'")), cell(&p.version)))
        .unwrap_or_else(|| ("-".into(), "-".into()))
}

/// Most urgent first: severity, KEV, the risk score (else the CVSS base
/// score), then the report's order.
fn by_urgency(a: &&Finding, b: &&Finding) -> std::cmp::Ordering {
    b.severity
        .cmp(&a.severity)
        .then(b.kev.cmp(&a.kev))
        .then_with(|| {
            let s = |f: &Finding| {
                f.risk
                    .as_ref()
                    .map(|r| r.score)
                    .or(f.cvss.as_ref().map(|c| c.score))
                    .unwrap_or(-1.0)
            };
            s(b).total_cmp(&s(a))
        })
}

fn rows(out: &mut dyn Write, findings: &[&Finding], with_file: bool) -> std::io::Result<()> {
    if with_file {
        writeln!(
            out,
            "| Severity | Risk | Package | Installed | ID | Fixed in | File |"
        )?;
        writeln!(out, "|---|---|---|---|---|---|---|")?;
    } else {
        writeln!(
            out,
            "| Severity | Risk | Package | Installed | ID | Fixed in | Title |"
        )?;
        writeln!(out, "|---|---|---|---|---|---|---|")?;
    }
    for f in findings.iter().take(MAX_ROWS) {
        let (name, version) = package_cells(f);
        let last = if with_file {
            cell(&location_label(f))
        } else {
            match crate::common::finding_notes(f) {
                Some(notes) => cell(&format!("{} ({notes})", f.title)),
                None => cell(&f.title),
            }
        };
        writeln!(
            out,
            "| {} | {} | {name} | {version} | {} | {} | {last} |",
            severity_cell(f),
            risk_cell(f),
            id_cell(f),
            fix_cell(f)
        )?;
    }
    if findings.len() > MAX_ROWS {
        writeln!(
            out,
            "\n… and {} more (see the JSON or SARIF report).",
            findings.len() - MAX_ROWS
        )?;
    }
    Ok(())
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 {
        one
    } else {
        many
    }
}

/// Writes the report as Markdown.
pub fn write_markdown(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    let vulnerability = |f: &&Finding| f.kind == FindingKind::Vulnerability;
    let open: Vec<&Finding> = report
        .findings
        .iter()
        .filter(vulnerability)
        .filter(|f| f.suppression.is_none() && f.informational.is_none())
        .collect();
    let informational: Vec<&Finding> = report
        .findings
        .iter()
        .filter(vulnerability)
        .filter(|f| f.suppression.is_none() && f.informational.is_some())
        .collect();
    let licenses: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.kind == FindingKind::License && f.suppression.is_none())
        .collect();
    let misconfigs: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.kind == FindingKind::Misconfiguration && f.suppression.is_none())
        .collect();
    let secrets: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.kind == FindingKind::Secret && f.suppression.is_none())
        .collect();
    let suppressed: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.suppression.is_some())
        .collect();

    writeln!(out, "## vigil: {}", cell(&report.target))?;
    writeln!(out)?;
    let components = report.components.len();
    if open.is_empty() {
        writeln!(
            out,
            "**No known vulnerabilities** in {components} {}.",
            plural(components, "component", "components")
        )?;
    } else {
        let mut packages: Vec<(&str, &str, &str)> = open
            .iter()
            .filter_map(|f| f.package.as_ref())
            .map(|p| (p.ecosystem.osv_name(), p.name.as_str(), p.version.as_str()))
            .collect();
        packages.sort_unstable();
        packages.dedup();
        writeln!(
            out,
            "**{} {}** in {} {} of {components} {}.",
            open.len(),
            plural(open.len(), "vulnerability", "vulnerabilities"),
            packages.len(),
            plural(packages.len(), "package", "packages"),
            plural(components, "component", "components")
        )?;
        writeln!(out)?;
        writeln!(out, "| Severity | Count |")?;
        writeln!(out, "|---|---:|")?;
        for s in [
            Severity::Critical,
            Severity::High,
            Severity::Medium,
            Severity::Low,
            Severity::Unknown,
        ] {
            let n = open.iter().filter(|f| f.severity == s).count();
            if n > 0 {
                writeln!(out, "| {s} | {n} |")?;
            }
        }
        let kev = open.iter().filter(|f| f.kev).count();
        let unfixed = open.iter().filter(|f| !f.fix_available).count();
        let mut notes = Vec::new();
        if kev > 0 {
            notes.push(format!(
                "{kev} in CISA's catalogue of known exploited vulnerabilities (KEV)"
            ));
        }
        if unfixed > 0 {
            notes.push(format!("{unfixed} with no fix yet"));
        }
        if !notes.is_empty() {
            writeln!(out)?;
            writeln!(out, "Of these, {}.", notes.join("; "))?;
        }
        let mut top = open.clone();
        top.sort_by(by_urgency);
        top.truncate(TOP);
        writeln!(out)?;
        writeln!(out, "### Top findings")?;
        writeln!(out)?;
        rows(out, &top, true)?;
    }
    if !report.remediation.is_empty() {
        writeln!(out)?;
        writeln!(out, "### Fixes")?;
        writeln!(out)?;
        writeln!(
            out,
            "| Package | Installed | Upgrade to | Fixes | Introduced via | File |"
        )?;
        writeln!(out, "|---|---|---|---|---|---|")?;
        for r in report.remediation.iter().take(MAX_ROWS) {
            let fix = match &r.fixed_version {
                Some(v) => cell(v),
                None => "no single version fixes all".to_string(),
            };
            let mut fixes = r.resolves.join(", ");
            if !r.unresolved.is_empty() {
                fixes.push_str(&format!(" (not: {})", r.unresolved.join(", ")));
            }
            // A path of one package is the package itself: a direct
            // dependency.
            let via = if r.introduced_via.iter().any(|p| p.len() == 1) {
                "direct".to_string()
            } else if r.introduced_via.is_empty() {
                "-".to_string()
            } else {
                let paths: Vec<String> = r.introduced_via.iter().map(|p| p.join(" → ")).collect();
                cell(&paths.join("; "))
            };
            writeln!(
                out,
                "| `{}` | {} | {fix} | {} | {via} | {} |",
                r.name.replace('`', "'"),
                cell(&r.version),
                cell(&fixes),
                cell(&r.path)
            )?;
        }
        if report.remediation.len() > MAX_ROWS {
            writeln!(out, "\n… and {} more.", report.remediation.len() - MAX_ROWS)?;
        }
    }
    if !licenses.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "### License policy: {} {}",
            licenses.len(),
            plural(licenses.len(), "violation", "violations")
        )?;
        writeln!(out)?;
        writeln!(out, "| Package | Installed | License | Why | File |")?;
        writeln!(out, "|---|---|---|---|---|")?;
        for f in licenses.iter().take(MAX_ROWS) {
            let (name, version) = package_cells(f);
            writeln!(
                out,
                "| {name} | {version} | {} | {} | {} |",
                id_cell(f),
                cell(&f.title),
                cell(&location_label(f))
            )?;
        }
    }

    if !misconfigs.is_empty() {
        writeln!(out)?;
        writeln!(out, "### Misconfigurations: {}", misconfigs.len())?;
        writeln!(out)?;
        writeln!(out, "| Severity | Rule | Resource | Message | File |")?;
        writeln!(out, "|---|---|---|---|---|")?;
        for f in misconfigs.iter().take(MAX_ROWS) {
            writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                f.severity,
                cell(&f.id),
                cell(f.resource.as_deref().unwrap_or("-")),
                cell(f.message.as_deref().unwrap_or(&f.title)),
                cell(&location_label(f))
            )?;
        }
        if misconfigs.len() > MAX_ROWS {
            writeln!(out, "\n… and {} more.", misconfigs.len() - MAX_ROWS)?;
        }
    }

    if !secrets.is_empty() {
        writeln!(out)?;
        writeln!(out, "### Secrets: {}", secrets.len())?;
        writeln!(out)?;
        writeln!(out, "| Severity | Rule | Secret | Title | File |")?;
        writeln!(out, "|---|---|---|---|---|")?;
        for f in secrets.iter().take(MAX_ROWS) {
            let shown = f.secret.as_ref().map_or("…", |s| s.redacted.as_str());
            writeln!(
                out,
                "| {} | {} | `{}` | {} | {} |",
                f.severity,
                cell(&f.id),
                shown.replace('`', "'").replace('|', "\\|"),
                cell(&f.title),
                cell(&location_label(f))
            )?;
        }
        if secrets.len() > MAX_ROWS {
            writeln!(out, "\n… and {} more.", secrets.len() - MAX_ROWS)?;
        }
    }

    let mut extra = Vec::new();
    if !suppressed.is_empty() {
        extra.push(format!(
            "{} suppressed ({})",
            suppressed.len(),
            "ignore file, VEX or baseline"
        ));
    }
    if !informational.is_empty() {
        extra.push(format!(
            "{} informational {}",
            informational.len(),
            plural(informational.len(), "notice", "notices")
        ));
    }
    if !report.not_checked.is_empty() {
        extra.push(format!(
            "{} {} not checked",
            report.not_checked.len(),
            plural(report.not_checked.len(), "component", "components")
        ));
    }
    if !report.diagnostics.is_empty() {
        extra.push(format!(
            "{} {} could not be read",
            report.diagnostics.len(),
            plural(
                report.diagnostics.len(),
                "file or advisory",
                "files or advisories"
            )
        ));
    }
    if !extra.is_empty() {
        writeln!(out)?;
        writeln!(out, "Also: {}.", extra.join(", "))?;
    }

    if !open.is_empty() {
        let mut by_file: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
        for f in &open {
            by_file.entry(f.location.path.as_str()).or_default().push(f);
        }
        writeln!(out)?;
        writeln!(
            out,
            "<details><summary>All {} open {}, by file</summary>",
            open.len(),
            plural(open.len(), "finding", "findings")
        )?;
        for (path, findings) in &by_file {
            writeln!(out)?;
            writeln!(out, "#### {}", cell(path))?;
            writeln!(out)?;
            rows(out, findings, false)?;
        }
        writeln!(out)?;
        writeln!(out, "</details>")?;
    }
    if !suppressed.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "<details><summary>{} suppressed {}</summary>",
            suppressed.len(),
            plural(suppressed.len(), "finding", "findings")
        )?;
        writeln!(out)?;
        writeln!(out, "| Package | Installed | ID | File | Why |")?;
        writeln!(out, "|---|---|---|---|---|")?;
        for f in suppressed.iter().take(MAX_ROWS) {
            let (name, version) = package_cells(f);
            let why = f
                .suppression
                .as_ref()
                .map(suppression_label)
                .unwrap_or_default();
            writeln!(
                out,
                "| {name} | {version} | {} | {} | {} |",
                id_cell(f),
                cell(&location_label(f)),
                cell(&why)
            )?;
        }
        if suppressed.len() > MAX_ROWS {
            writeln!(out, "\n… and {} more.", suppressed.len() - MAX_ROWS)?;
        }
        writeln!(out)?;
        writeln!(out, "</details>")?;
    }
    if !informational.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "<details><summary>{} informational {}</summary>",
            informational.len(),
            plural(informational.len(), "notice", "notices")
        )?;
        writeln!(out)?;
        rows(out, &informational, true)?;
        writeln!(out)?;
        writeln!(out, "</details>")?;
    }
    if !report.not_checked.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "<details><summary>{} not checked</summary>",
            report.not_checked.len()
        )?;
        writeln!(out)?;
        writeln!(out, "| Package | Version | File | Why |")?;
        writeln!(out, "|---|---|---|---|")?;
        for nc in report.not_checked.iter().take(MAX_ROWS) {
            let loc = match nc.location.line {
                Some(l) => format!("{}:{l}", nc.location.path),
                None => nc.location.path.clone(),
            };
            writeln!(
                out,
                "| `{}` | {} | {} | {} |",
                nc.name.replace('`', "'"),
                cell(&nc.version),
                cell(&loc),
                cell(&nc.reason)
            )?;
        }
        if report.not_checked.len() > MAX_ROWS {
            writeln!(out, "\n… and {} more.", report.not_checked.len() - MAX_ROWS)?;
        }
        writeln!(out)?;
        writeln!(out, "</details>")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::testutil::sample_report;

    #[test]
    fn summary_top_findings_and_the_rest() {
        let mut out = Vec::new();
        write_markdown(&sample_report(), &mut out).unwrap();
        let md = String::from_utf8(out).unwrap();
        assert!(
            md.contains("**3 vulnerabilities** in 3 packages of 7 components."),
            "{md}"
        );
        assert!(md.contains("| CRITICAL | 1 |"), "{md}");
        // Top findings: the critical KEV one first.
        let top = md.split("### Top findings").nth(1).unwrap();
        let first_row = top.lines().find(|l| l.starts_with("| CRITICAL")).unwrap();
        assert!(first_row.contains("GHSA-xvch-5gv4-984h"), "{first_row}");
        assert!(first_row.contains("(KEV)"), "{first_row}");
        assert!(md.contains("Also: 3 suppressed"), "{md}");
        assert!(md.contains("1 component not checked"), "{md}");
        assert!(md.contains("<details><summary>3 suppressed findings</summary>"));
        assert!(md.contains("only trusted input reaches yaml.load"), "{md}");
        assert!(md.contains("| `whitenoise` | \\>=6.5 |"), "{md}");
    }

    #[test]
    fn a_clean_report() {
        let report = crate::Report::new("clean", Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let mut out = Vec::new();
        write_markdown(&report, &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "## vigil: clean\n\n**No known vulnerabilities** in 0 components.\n"
        );
    }
}
