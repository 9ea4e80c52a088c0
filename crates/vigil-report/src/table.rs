//! The terminal table: findings grouped by manifest, then a summary.

use std::collections::BTreeMap;
use std::io::Write;

use anstyle::{AnsiColor, Style};
use vigil_model::{Finding, FindingKind, Remediation, Severity, SuppressionKind};

use crate::Report;

/// How to draw the table.
#[derive(Debug, Clone, Copy, Default)]
pub struct TableOptions {
    /// Use ANSI colours (only on a terminal, and never with `NO_COLOR`; the
    /// caller decides).
    pub color: bool,
    /// How many not-checked components to list before summarizing the rest.
    pub max_not_checked: usize,
    /// The order of the vulnerabilities within each file.
    pub sort: Sort,
}

/// The order of the vulnerabilities within each file of the table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Sort {
    /// Highest risk score first (docs/risk.md; findings without one by
    /// their CVSS base score, else by their severity band's floor; a
    /// KEV-listed finding without any score first), then by package and
    /// ID.
    #[default]
    Risk,
    /// By package, version and ID (the report's own order).
    Package,
}

/// The score a finding ranks by: its risk score, else its CVSS base score,
/// else the floor of its severity's band (a KEV-listed one without any
/// score first of all).
fn rank_score(f: &Finding) -> f64 {
    f.risk
        .as_ref()
        .map(|r| r.score)
        .or(f.cvss.as_ref().map(|c| c.score))
        .unwrap_or(if f.kev {
            10.0
        } else {
            match f.severity {
                Severity::Critical => 9.0,
                Severity::High => 7.0,
                Severity::Medium => 4.0,
                Severity::Low => 0.1,
                Severity::Unknown => -1.0,
            }
        })
}

const TITLE_WIDTH: usize = 64;

fn severity_style(s: Severity) -> Style {
    match s {
        Severity::Critical => AnsiColor::Red.on_default().bold(),
        Severity::High => AnsiColor::Red.on_default(),
        Severity::Medium => AnsiColor::Yellow.on_default(),
        Severity::Low => AnsiColor::Cyan.on_default(),
        Severity::Unknown => Style::new().dimmed(),
    }
}

fn truncate(s: &str, width: usize) -> String {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.chars().count() <= width {
        s
    } else {
        let mut t: String = s.chars().take(width.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// The ID column: the record's ID, and its CVE when it has one.
fn id_cell(f: &Finding) -> String {
    match f.aliases.iter().find(|a| a.starts_with("CVE-")) {
        Some(cve) if !f.id.starts_with("CVE-") => format!("{} ({cve})", f.id),
        _ => f.id.clone(),
    }
}

fn severity_cell(f: &Finding) -> String {
    let mut s = match (&f.informational, &f.cvss) {
        (Some(kind), _) => kind.to_ascii_uppercase(),
        (None, Some(c)) => format!("{} {:.1}", f.severity, c.score),
        (None, None) => f.severity.to_string(),
    };
    if f.kev {
        s.push_str(" KEV");
    }
    s
}

/// The "fixed in" cell of a vulnerability no fixed version applies to.
const NO_FIX: &str = "no fix yet";

struct Row {
    cells: Vec<String>,
    style: Style,
}

/// The column whose cell takes the row's style (the severity).
const STYLED_COLUMN: usize = 3;

/// The rows of a file's misconfigurations: line, resource, rule, severity,
/// message.
fn misconfig_rows(findings: &[&Finding]) -> Vec<Row> {
    findings
        .iter()
        .map(|f| Row {
            cells: vec![
                f.location.line.map(|l| l.to_string()).unwrap_or_default(),
                f.resource.clone().unwrap_or_else(|| "-".to_string()),
                f.id.clone(),
                f.severity.to_string(),
                truncate(f.message.as_deref().unwrap_or(&f.title), TITLE_WIDTH + 20),
            ],
            style: severity_style(f.severity),
        })
        .collect()
}

/// Whether secrets come from history: then their rows also show the
/// commit (short), its author and its date.
fn from_history(findings: &[&Finding]) -> bool {
    findings
        .iter()
        .any(|f| f.secret.as_ref().is_some_and(|s| s.commit.is_some()))
}

fn secret_rows(findings: &[&Finding]) -> Vec<Row> {
    let history = from_history(findings);
    findings
        .iter()
        .map(|f| {
            let mut cells = vec![
                f.location.line.map(|l| l.to_string()).unwrap_or_default(),
                f.location.column.map(|c| c.to_string()).unwrap_or_default(),
                f.id.clone(),
                f.severity.to_string(),
                f.secret
                    .as_ref()
                    .map(|s| s.redacted.clone())
                    .unwrap_or_default(),
            ];
            if history {
                let s = f.secret.as_ref();
                let commit = s.and_then(|s| s.commit.as_deref()).unwrap_or_default();
                cells.push(commit.chars().take(8).collect());
                cells.push(truncate(
                    s.and_then(|s| s.author.as_deref()).unwrap_or_default(),
                    40,
                ));
                // The day is enough here; JSON and SARIF have the time.
                let date = s.and_then(|s| s.date.as_deref()).unwrap_or_default();
                cells.push(date.chars().take(10).collect());
            }
            cells.push(truncate(&f.title, TITLE_WIDTH));
            Row {
                cells,
                style: severity_style(f.severity),
            }
        })
        .collect()
}

/// The RISK cell: the risk score with one decimal, empty without one.
fn risk_cell(f: &Finding) -> String {
    f.risk
        .as_ref()
        .map(|r| format!("{:.1}", r.score))
        .unwrap_or_default()
}

/// The rows of a file's vulnerabilities (with the RISK column when
/// `risk`): package, version, ID, severity, [risk,] fixed in, title.
fn rows_of(findings: &[&Finding], risk: bool) -> Vec<Row> {
    findings
        .iter()
        .map(|f| {
            let (name, version) = f
                .package
                .as_ref()
                .map(|p| (p.name.clone(), p.version.clone()))
                .unwrap_or_default();
            let fixed = if f.fixed_versions.is_empty() {
                if f.informational.is_some() {
                    "-".to_string()
                } else {
                    NO_FIX.to_string()
                }
            } else {
                f.fixed_versions.join(", ")
            };
            let mut cells = vec![name, version, id_cell(f), severity_cell(f)];
            if risk {
                cells.push(risk_cell(f));
            }
            cells.push(truncate(&fixed, 24));
            cells.push(match crate::common::finding_notes(f) {
                Some(notes) => format!("{} ({notes})", truncate(&f.title, TITLE_WIDTH)),
                None => truncate(&f.title, TITLE_WIDTH),
            });
            Row {
                cells,
                style: if f.informational.is_some() {
                    Style::new().dimmed()
                } else {
                    severity_style(f.severity)
                },
            }
        })
        .collect()
}

fn write_rows(
    out: &mut dyn Write,
    header: &[&str],
    rows: &[Row],
    color: bool,
) -> std::io::Result<()> {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (w, c) in widths.iter_mut().zip(&r.cells) {
            *w = (*w).max(c.chars().count());
        }
    }
    let bold = Style::new().bold();
    let mut line = String::new();
    for (i, h) in header.iter().enumerate() {
        if i > 0 {
            line.push_str("  ");
        }
        if i + 1 == header.len() {
            line.push_str(h);
        } else {
            line.push_str(&format!("{h:<width$}", width = widths[i]));
        }
    }
    if color {
        writeln!(out, "  {}{line}{}", bold.render(), bold.render_reset())?;
    } else {
        writeln!(out, "  {line}")?;
    }
    for r in rows {
        let mut parts = Vec::with_capacity(r.cells.len());
        for (i, c) in r.cells.iter().enumerate() {
            let padded = if i + 1 == r.cells.len() {
                c.clone()
            } else {
                format!("{c:<width$}", width = widths[i])
            };
            if i == STYLED_COLUMN && color {
                parts.push(format!(
                    "{}{padded}{}",
                    r.style.render(),
                    r.style.render_reset()
                ));
            } else {
                parts.push(padded);
            }
        }
        writeln!(out, "  {}", parts.join("  ").trim_end())?;
    }
    Ok(())
}

/// The remediation lines of one package: the version that fixes it and
/// how it came in.
fn write_remediation(out: &mut dyn Write, r: &Remediation) -> std::io::Result<()> {
    let direct = matches!(r.introduced_via.as_slice(), [only] if only.len() == 1);
    let direct_note = if direct { "; a direct dependency" } else { "" };
    match &r.fixed_version {
        Some(v) if r.unresolved.is_empty() => {
            let fixes = match r.resolves.len() {
                1 => "fixes it".to_string(),
                2 => "fixes both".to_string(),
                n => format!("fixes all {n}"),
            };
            writeln!(
                out,
                "  FIX {} {} → {v} ({fixes}{direct_note})",
                r.name, r.version
            )?
        }
        Some(v) => writeln!(
            out,
            "  FIX {} {} → {v} (fixes {} of {}; none fixes {} yet{direct_note})",
            r.name,
            r.version,
            r.resolves.len(),
            r.resolves.len() + r.unresolved.len(),
            r.unresolved.join(", ")
        )?,
        None => writeln!(
            out,
            "  FIX {} {}: no version fixes {} yet{direct_note}",
            r.name,
            r.version,
            r.unresolved.join(", ")
        )?,
    }
    if !direct && !r.introduced_via.is_empty() {
        let shown: Vec<String> = r.introduced_via.iter().map(|p| p.join(" → ")).collect();
        writeln!(out, "      introduced via: {}", shown.join("; "))?;
    }
    Ok(())
}

/// `Found N things (a high, b low).`, or `No things.` when `open` is empty:
/// the summary line of one kind of finding, by severity.
fn count_line<'a>(open: impl Iterator<Item = &'a Finding>, (one, many): (&str, &str)) -> String {
    let mut by_severity: BTreeMap<std::cmp::Reverse<Severity>, usize> = BTreeMap::new();
    for f in open {
        *by_severity
            .entry(std::cmp::Reverse(f.severity))
            .or_default() += 1;
    }
    let n: usize = by_severity.values().sum();
    if n == 0 {
        return format!("No {many}.");
    }
    let parts: Vec<String> = by_severity
        .iter()
        .map(|(s, n)| format!("{n} {}", s.0.as_str().to_ascii_lowercase()))
        .collect();
    format!(
        "Found {n} {} ({}).",
        if n == 1 { one } else { many },
        parts.join(", ")
    )
}

/// Writes the table: per manifest, its vulnerable packages; then
/// informational notices; then the summary, the not-checked components and
/// the diagnostics' count.
pub fn write_table(
    report: &Report,
    out: &mut dyn Write,
    options: TableOptions,
) -> std::io::Result<()> {
    let color = options.color;
    let bold = Style::new().bold();
    let header = [
        "PACKAGE",
        "INSTALLED",
        "ID",
        "SEVERITY",
        "RISK",
        "FIXED IN",
        "TITLE",
    ];
    let mut by_path: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    let mut informational: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    let mut licenses: Vec<&Finding> = Vec::new();
    let mut misconfigs: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    let mut secrets: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in report.open_findings() {
        if f.kind == FindingKind::Secret {
            secrets.entry(f.location.path.as_str()).or_default().push(f);
            continue;
        }
        if f.kind == FindingKind::License {
            licenses.push(f);
            continue;
        }
        if f.kind == FindingKind::Misconfiguration {
            misconfigs
                .entry(f.location.path.as_str())
                .or_default()
                .push(f);
            continue;
        }
        if f.kind != FindingKind::Vulnerability {
            continue;
        }
        let target = if f.informational.is_some() {
            &mut informational
        } else {
            &mut by_path
        };
        target.entry(f.location.path.as_str()).or_default().push(f);
    }
    if options.sort == Sort::Risk {
        for findings in by_path.values_mut() {
            // Stable: equal scores keep the report's package order.
            findings.sort_by(|a, b| {
                rank_score(b)
                    .total_cmp(&rank_score(a))
                    .then(b.severity.cmp(&a.severity))
            });
        }
    }
    for (path, findings) in &by_path {
        let n = findings.len();
        let title = format!(
            "{path} ({n} {})",
            if n == 1 {
                "vulnerability"
            } else {
                "vulnerabilities"
            }
        );
        if color {
            writeln!(out, "{}{title}{}", bold.render(), bold.render_reset())?;
        } else {
            writeln!(out, "{title}")?;
        }
        write_rows(out, &header, &rows_of(findings, true), color)?;
        // The scores the context moved away from the base score, and why.
        for f in findings.iter().filter(|f| crate::common::risk_adjusted(f)) {
            if let Some(line) = crate::common::risk_line(f) {
                writeln!(out, "  WHY {} {line}", f.id)?;
            }
        }
        for r in report.remediation.iter().filter(|r| r.path == *path) {
            write_remediation(out, r)?;
        }
        writeln!(out)?;
    }
    for (path, findings) in &misconfigs {
        let n = findings.len();
        let title = format!(
            "{path} ({n} {})",
            if n == 1 {
                "misconfiguration"
            } else {
                "misconfigurations"
            }
        );
        if color {
            writeln!(out, "{}{title}{}", bold.render(), bold.render_reset())?;
        } else {
            writeln!(out, "{title}")?;
        }
        write_rows(
            out,
            &["LINE", "RESOURCE", "ID", "SEVERITY", "MESSAGE"],
            &misconfig_rows(findings),
            color,
        )?;
        writeln!(out)?;
    }
    for (path, findings) in &secrets {
        let n = findings.len();
        let mut title = format!("{path} ({n} {})", if n == 1 { "secret" } else { "secrets" });
        // In an image: the layer that added the file, and whether a later
        // layer deleted it.
        if let Some(l) = findings
            .first()
            .and_then(|f| f.secret.as_ref())
            .and_then(|s| s.layer.as_ref())
        {
            let short = l.digest.get(..19).unwrap_or(&l.digest);
            title.push_str(&format!(", layer {} {short}", l.index));
            if findings.iter().any(|f| f.message.is_some()) {
                title.push_str(", deleted by a later layer");
            }
        }
        if color {
            writeln!(out, "{}{title}{}", bold.render(), bold.render_reset())?;
        } else {
            writeln!(out, "{title}")?;
        }
        let headers: &[&str] = if from_history(findings) {
            &[
                "LINE", "COLUMN", "ID", "SEVERITY", "SECRET", "COMMIT", "AUTHOR", "DATE", "TITLE",
            ]
        } else {
            &["LINE", "COLUMN", "ID", "SEVERITY", "SECRET", "TITLE"]
        };
        write_rows(out, headers, &secret_rows(findings), color)?;
        writeln!(out)?;
    }
    if !informational.is_empty() {
        writeln!(
            out,
            "Informational notices (unmaintained, unsound, ...; they do not fail --fail-on):"
        )?;
        for (path, findings) in &informational {
            writeln!(out, "{path}")?;
            write_rows(
                out,
                &["PACKAGE", "INSTALLED", "ID", "KIND", "FIXED IN", "TITLE"],
                &rows_of(findings, false),
                color,
            )?;
        }
        writeln!(out)?;
    }
    let suppressed: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.suppression.is_some())
        .collect();
    if !suppressed.is_empty() {
        writeln!(
            out,
            "Suppressed (ignore file, VEX, baseline; they do not fail --fail-on):"
        )?;
        let rows: Vec<Row> = suppressed
            .iter()
            .map(|f| {
                let (name, version) = f
                    .package
                    .as_ref()
                    .map(|p| (p.name.clone(), p.version.clone()))
                    .unwrap_or_default();
                let why = f
                    .suppression
                    .as_ref()
                    .map(crate::common::suppression_label)
                    .unwrap_or_default();
                Row {
                    cells: vec![
                        name,
                        version,
                        id_cell(f),
                        severity_cell(f),
                        crate::common::location_label(f),
                        truncate(&why, TITLE_WIDTH),
                    ],
                    style: Style::new().dimmed(),
                }
            })
            .collect();
        write_rows(
            out,
            &["PACKAGE", "INSTALLED", "ID", "SEVERITY", "FILE", "WHY"],
            &rows,
            color,
        )?;
        writeln!(out)?;
    }
    if !licenses.is_empty() {
        let n = licenses.len();
        let title = format!(
            "License policy ({n} {}; they fail the scan):",
            if n == 1 { "violation" } else { "violations" }
        );
        if color {
            writeln!(out, "{}{title}{}", bold.render(), bold.render_reset())?;
        } else {
            writeln!(out, "{title}")?;
        }
        let rows: Vec<Row> = licenses
            .iter()
            .map(|f| {
                let (name, version) = f
                    .package
                    .as_ref()
                    .map(|p| (p.name.clone(), p.version.clone()))
                    .unwrap_or_default();
                Row {
                    cells: vec![
                        name,
                        version,
                        f.location.path.clone(),
                        truncate(&f.id, 40),
                        truncate(&f.title, TITLE_WIDTH),
                    ],
                    style: Style::new(),
                }
            })
            .collect();
        write_rows(
            out,
            &["PACKAGE", "INSTALLED", "FILE", "LICENSE", "WHY"],
            &rows,
            false,
        )?;
        writeln!(out)?;
    }

    let counts = report.severity_counts();
    let total: usize = counts.iter().map(|(_, n)| n).sum();
    let packages = {
        let mut p: Vec<(&str, &str, &str)> = report
            .open_findings()
            .filter(|f| f.kind == FindingKind::Vulnerability && f.informational.is_none())
            .filter_map(|f| f.package.as_ref())
            .map(|p| (p.ecosystem.osv_name(), p.name.as_str(), p.version.as_str()))
            .collect();
        p.sort();
        p.dedup();
        p.len()
    };
    let breakdown: Vec<String> = counts
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| format!("{n} {}", s.as_str().to_ascii_lowercase()))
        .collect();
    let summary = if total == 0 {
        format!(
            "No known vulnerabilities in {} components.",
            report.components.len()
        )
    } else {
        format!(
            "Found {total} {} ({}) in {packages} {} of {} components.",
            if total == 1 {
                "vulnerability"
            } else {
                "vulnerabilities"
            },
            breakdown.join(", "),
            if packages == 1 { "package" } else { "packages" },
            report.components.len()
        )
    };
    // A configuration scan has no components: its summary is about
    // misconfigurations alone.
    let open_misconfigs: usize = misconfigs.values().map(Vec::len).sum();
    let summary = if report.components.is_empty() && total == 0 {
        String::new()
    } else {
        summary
    };
    let has_misconfigs = report
        .findings
        .iter()
        .any(|f| f.kind == FindingKind::Misconfiguration);
    let summary = if has_misconfigs || open_misconfigs > 0 {
        let line = count_line(
            misconfigs.values().flatten().copied(),
            ("misconfiguration", "misconfigurations"),
        );
        if summary.is_empty() {
            line
        } else {
            format!("{summary}\n{line}")
        }
    } else if summary.is_empty() {
        format!(
            "No known vulnerabilities in {} components.",
            report.components.len()
        )
    } else {
        summary
    };
    // Secrets: their own line; a secrets-only scan's summary is that line.
    let has_secrets = report
        .findings
        .iter()
        .any(|f| f.kind == FindingKind::Secret);
    let summary = if has_secrets {
        let line = count_line(secrets.values().flatten().copied(), ("secret", "secrets"));
        if report.components.is_empty() && total == 0 && !has_misconfigs {
            line
        } else {
            format!("{summary}\n{line}")
        }
    } else {
        summary
    };
    if color {
        writeln!(out, "{}{summary}{}", bold.render(), bold.render_reset())?;
    } else {
        writeln!(out, "{summary}")?;
    }
    if let Some(image) = &report.image {
        let digest = image
            .digest
            .as_deref()
            .map(|d| format!(" {d}"))
            .unwrap_or_default();
        writeln!(
            out,
            "Image: {}{digest} ({}, {} layers).",
            image.reference,
            image.platform,
            image.layers.len()
        )?;
    }
    if let Some(os) = &report.os {
        match &os.ecosystem {
            Some(eco) => writeln!(out, "OS: {}; its packages were matched in {eco}.", os.name)?,
            None => writeln!(
                out,
                "OS: {}; no OSV release is known for it, so its packages were not checked.",
                os.name
            )?,
        }
    }
    let suppressed = report.suppressed_counts();
    if !suppressed.is_empty() {
        let n: usize = suppressed.iter().map(|(_, n)| n).sum();
        let parts: Vec<String> = suppressed
            .iter()
            .map(|(k, n)| {
                let by = match k {
                    SuppressionKind::Ignore => "by the ignore file",
                    SuppressionKind::Vex => "by VEX",
                    SuppressionKind::Baseline => "in the baseline",
                    SuppressionKind::Inline => "by vigil:ignore comments",
                };
                format!("{n} {by}")
            })
            .collect();
        writeln!(
            out,
            "{n} suppressed ({}), listed above with the reason.",
            parts.join(", ")
        )?;
    }
    let info = report
        .open_findings()
        .filter(|f| f.informational.is_some())
        .count();
    if info > 0 {
        writeln!(
            out,
            "{info} informational {}.",
            if info == 1 { "notice" } else { "notices" }
        )?;
    }
    let unfixed = report
        .open_findings()
        .filter(|f| {
            f.kind == FindingKind::Vulnerability && f.informational.is_none() && !f.fix_available
        })
        .count();
    if unfixed > 0 {
        writeln!(
            out,
            "{unfixed} {} no fix yet (--ignore-unfixed hides {}).",
            if unfixed == 1 {
                "vulnerability has"
            } else {
                "vulnerabilities have"
            },
            if unfixed == 1 { "it" } else { "them" }
        )?;
    }
    let kev = report.open_findings().filter(|f| f.kev).count();
    if kev > 0 {
        writeln!(
            out,
            "{kev} {} in CISA's catalogue of known exploited vulnerabilities (KEV).",
            if kev == 1 {
                "finding is"
            } else {
                "findings are"
            }
        )?;
    }
    if !report.not_checked.is_empty() {
        let n = report.not_checked.len();
        writeln!(
            out,
            "{n} {} not checked:",
            if n == 1 {
                "component was"
            } else {
                "components were"
            }
        )?;
        let limit = if options.max_not_checked == 0 {
            usize::MAX
        } else {
            options.max_not_checked
        };
        for nc in report.not_checked.iter().take(limit) {
            let loc = match nc.location.line {
                Some(l) => format!("{}:{l}", nc.location.path),
                None => nc.location.path.clone(),
            };
            writeln!(out, "  {} {} ({loc}): {}", nc.name, nc.version, nc.reason)?;
        }
        if n > limit {
            writeln!(out, "  ... and {} more (see --format json)", n - limit)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use vigil_model::{
        Component, Ecosystem, FindingKind, Fingerprint, Location, PackageRef, Remediation,
        Suppression, SuppressionKind,
    };

    use super::*;

    fn finding(id: &str, kind: FindingKind, severity: Severity) -> Finding {
        Finding {
            kind,
            id: id.into(),
            aliases: Vec::new(),
            title: format!("title of {id}"),
            severity,
            cvss: None,
            resource: None,
            message: None,
            package: Some(PackageRef {
                ecosystem: Ecosystem::Npm,
                name: "lib".into(),
                version: "1.0.0".into(),
                purl: "pkg:npm/lib@1.0.0".into(),
            }),
            location: Location::new("package-lock.json", None),
            fixed_versions: vec!["1.2.0".into()],
            fix_available: kind == FindingKind::Vulnerability,
            kev: false,
            informational: None,
            fingerprint: Fingerprint(id.into()),
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

    #[test]
    fn suppressed_license_and_fix_lines() {
        let mut hidden = finding(
            "GHSA-hidden",
            FindingKind::Vulnerability,
            Severity::Critical,
        );
        hidden.suppression = Some(Suppression {
            kind: SuppressionKind::Vex,
            source: "vex.json".into(),
            reason: None,
            vex_status: Some("not_affected".into()),
            justification: None,
            expires: None,
        });
        let findings = vec![
            finding("GHSA-open", FindingKind::Vulnerability, Severity::High),
            hidden,
            finding("GPL-3.0-only", FindingKind::License, Severity::High),
        ];
        let components =
            vec![Component::new(Ecosystem::Npm, "lib", "1.0.0").at("package-lock.json", None)];
        let report = Report::new("t", components, findings, Vec::new(), Vec::new())
            .with_remediation(vec![Remediation {
                ecosystem: Ecosystem::Npm,
                name: "lib".into(),
                version: "1.0.0".into(),
                path: "package-lock.json".into(),
                fixed_version: Some("1.2.0".into()),
                resolves: vec!["GHSA-open".into()],
                unresolved: Vec::new(),
                introduced_via: vec![vec!["app".into(), "lib".into()]],
            }]);
        let mut out = Vec::new();
        write_table(&report, &mut out, TableOptions::default()).unwrap();
        let out = String::from_utf8(out).unwrap();
        assert!(
            out.starts_with("package-lock.json (1 vulnerability)\n"),
            "{out}"
        );
        // The suppressed finding is listed apart, with the reason only.
        let (open, suppressed) = out.split_once("Suppressed (").unwrap();
        assert!(!open.contains("GHSA-hidden"), "{out}");
        assert!(
            suppressed
                .contains("GHSA-hidden  CRITICAL  package-lock.json  VEX vex.json: not_affected"),
            "{out}"
        );
        assert!(
            out.contains("  FIX lib 1.0.0 → 1.2.0 (fixes it)\n      introduced via: app → lib\n"),
            "{out}"
        );
        assert!(
            out.contains("License policy (1 violation; they fail the scan):"),
            "{out}"
        );
        assert!(
            out.contains("lib      1.0.0      package-lock.json  GPL-3.0-only"),
            "{out}"
        );
        assert!(
            out.contains("Found 1 vulnerability (1 high) in 1 package of 1 components.\n1 suppressed (1 by VEX)"),
            "{out}"
        );
        assert_eq!(report.severity_counts()[0], (Severity::Critical, 0));
    }

    #[test]
    fn suppressed_findings_are_listed_apart_and_not_counted_open() {
        let report = crate::testutil::sample_report();
        let mut out = Vec::new();
        write_table(&report, &mut out, TableOptions::default()).unwrap();
        let table = String::from_utf8(out).unwrap();
        let (open, rest) = table
            .split_once("Suppressed (ignore file, VEX, baseline")
            .unwrap();
        assert!(!open.contains("PYSEC-2021-142"), "{table}");
        assert!(
            rest.contains("ignored by .vigilignore.yaml: only trusted input"),
            "{table}"
        );
        assert!(rest.contains("in the baseline previous.json"), "{table}");
        assert!(
            table.contains("Found 3 vulnerabilities (1 critical, 1 high, 1 medium) in 3 packages of 7 components."),
            "{table}"
        );
        assert!(table.contains("3 suppressed (1 by the ignore file, 1 by VEX, 1 in the baseline), listed above with the reason."), "{table}");
    }

    #[test]
    fn vulnerabilities_are_listed_highest_risk_first_unless_by_package() {
        let mut low = finding("GHSA-aaaa", FindingKind::Vulnerability, Severity::Critical);
        low.risk = Some(vigil_model::Risk {
            score: 6.4,
            reasons: vec!["vulnerable code not in the binary".into()],
            vector: String::new(),
        });
        let mut high = finding("GHSA-bbbb", FindingKind::Vulnerability, Severity::High);
        high.risk = Some(vigil_model::Risk {
            score: 8.5,
            reasons: vec!["known exploited (KEV): +1.0".into()],
            vector: String::new(),
        });
        let medium = finding("GHSA-cccc", FindingKind::Vulnerability, Severity::Medium);
        let components =
            vec![Component::new(Ecosystem::Npm, "lib", "1.0.0").at("package-lock.json", None)];
        let report = Report::new(
            "t",
            components,
            vec![low, high, medium],
            Vec::new(),
            Vec::new(),
        );
        let order = |sort: Sort| {
            let mut out = Vec::new();
            let options = TableOptions {
                sort,
                ..TableOptions::default()
            };
            write_table(&report, &mut out, options).unwrap();
            let out = String::from_utf8(out).unwrap();
            let pos = |id: &str| out.find(id).unwrap();
            let mut ids = ["GHSA-aaaa", "GHSA-bbbb", "GHSA-cccc"];
            ids.sort_by_key(|id| pos(id));
            ids
        };
        // 8.5, then 6.4, then a MEDIUM without a score (the band's floor, 4.0).
        assert_eq!(order(Sort::Risk), ["GHSA-bbbb", "GHSA-aaaa", "GHSA-cccc"]);
        assert_eq!(
            order(Sort::Package),
            ["GHSA-aaaa", "GHSA-bbbb", "GHSA-cccc"]
        );
    }

    #[test]
    fn the_risk_column_shows_one_decimal_or_nothing() {
        let mut scored = finding("GHSA-aaaa", FindingKind::Vulnerability, Severity::High);
        scored.risk = Some(vigil_model::Risk {
            score: 8.0,
            reasons: vec!["EPSS 35.1 %".into()],
            vector: String::new(),
        });
        let unscored = finding("GHSA-bbbb", FindingKind::Vulnerability, Severity::Medium);
        let components =
            vec![Component::new(Ecosystem::Npm, "lib", "1.0.0").at("package-lock.json", None)];
        let report = Report::new(
            "t",
            components,
            vec![scored, unscored],
            Vec::new(),
            Vec::new(),
        );
        let mut out = Vec::new();
        write_table(&report, &mut out, TableOptions::default()).unwrap();
        let out = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(
            lines[1],
            "  PACKAGE  INSTALLED  ID         SEVERITY  RISK  FIXED IN  TITLE"
        );
        assert_eq!(
            lines[2],
            "  lib      1.0.0      GHSA-aaaa  HIGH      8.0   1.2.0     title of GHSA-aaaa"
        );
        assert_eq!(
            lines[3],
            "  lib      1.0.0      GHSA-bbbb  MEDIUM          1.2.0     title of GHSA-bbbb"
        );
    }
    #[test]
    fn scores_the_context_moved_are_explained_on_a_line_of_their_own() {
        let cvss = |score: f64| vigil_model::Cvss {
            version: "3.1".into(),
            vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H".into(),
            score,
        };
        let mut moved = finding("GHSA-aaaa", FindingKind::Vulnerability, Severity::Critical);
        moved.cvss = Some(cvss(9.8));
        moved.risk = Some(vigil_model::Risk {
            score: 6.1,
            reasons: vec![
                "listens on loopback only".into(),
                "no data store reachable".into(),
                "not in KEV".into(),
            ],
            vector: String::new(),
        });
        let mut kept = finding("GHSA-bbbb", FindingKind::Vulnerability, Severity::High);
        kept.cvss = Some(cvss(7.5));
        kept.risk = Some(vigil_model::Risk {
            score: 7.5,
            reasons: vec!["not in KEV".into()],
            vector: String::new(),
        });
        let components =
            vec![Component::new(Ecosystem::Npm, "lib", "1.0.0").at("package-lock.json", None)];
        let report = Report::new("t", components, vec![moved, kept], Vec::new(), Vec::new());
        let mut out = Vec::new();
        write_table(&report, &mut out, TableOptions::default()).unwrap();
        let out = String::from_utf8(out).unwrap();
        let why: Vec<&str> = out.lines().filter(|l| l.starts_with("  WHY ")).collect();
        assert_eq!(
            why,
            ["  WHY GHSA-aaaa risk 9.8 → 6.1: listens on loopback only; no data store reachable; not in KEV"],
            "{out}"
        );
    }
}
