//! Infrastructure as code: `vigil scan config`, the misconfiguration pass
//! of a directory scan, and `vigil rules`.

use std::io::Write;
use std::path::Path;

use anyhow::{bail, Context, Result};
use vigil_iac::{IacScan, RuleSet};
use vigil_report::Report;

use crate::cli::{ConfigFormat, GlobalArgs, RulesCommand, ScanArgs};
use crate::gates::{scan_root, Gates};
use crate::Outcome;

/// Loads the built-in rules and those of `--rules-dir`.
pub(crate) fn load_rules(dirs: &[std::path::PathBuf]) -> Result<RuleSet> {
    for d in dirs {
        if !d.is_dir() {
            bail!("--rules-dir {}: not a directory", d.display());
        }
    }
    RuleSet::load(dirs).context("loading the misconfiguration rules")
}

/// Checks the IaC files below `path`.
pub(crate) fn check(path: &Path, args: &ScanArgs) -> Result<IacScan> {
    let rules = load_rules(&args.rules_dir)?;
    let started = std::time::Instant::now();
    let scan =
        vigil_iac::scan(&rules, path, args.no_ignore).context("checking infrastructure as code")?;
    tracing::info!(
        files = scan.files.len(),
        findings = scan.findings.len(),
        elapsed = ?started.elapsed(),
        "misconfigurations checked"
    );
    Ok(scan)
}

/// `vigil scan config PATH`: misconfigurations only, no advisory
/// database.
pub(crate) fn scan_config(_global: &GlobalArgs, args: &ScanArgs) -> Result<Outcome> {
    if !args.path.exists() {
        bail!("{}: no such file or directory", args.path.display());
    }
    let gates = Gates::load(&args.report, Some(&scan_root(&args.path)))?;
    let iac = check(&args.path, args)?;
    let mut findings = iac.findings;
    gates.triage(&[], &mut findings);
    for d in &iac.diagnostics {
        crate::warn_user(d);
    }
    let mut report = Report::new(
        args.path.display().to_string(),
        Vec::new(),
        findings,
        Vec::new(),
        iac.diagnostics,
    );
    report.source = Some(crate::source::for_path(
        &args.path,
        vigil_report::SourceKind::Directory,
    ));
    crate::scan::emit(&args.report, &gates, report)
}

/// `vigil rules list|show`.
pub(crate) fn rules(cmd: &RulesCommand) -> Result<Outcome> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match cmd {
        RulesCommand::List(args) if args.secrets => {
            let scanner = crate::secrets::scanner(&args.secret_rules)?;
            crate::secrets::list(scanner.rules(), args.format, &mut out)?;
        }
        RulesCommand::List(args) => {
            let rules = load_rules(&args.rules_dir)?;
            match args.format {
                ConfigFormat::Json => {
                    serde_json::to_writer_pretty(&mut out, rules.rules())?;
                    writeln!(out)?;
                }
                ConfigFormat::Table => {
                    let width = rules.rules().iter().map(|r| r.id.len()).max().unwrap_or(2);
                    writeln!(
                        out,
                        "{:width$}  {:8}  {:10}  TITLE",
                        "ID", "SEVERITY", "FORMAT"
                    )?;
                    for r in rules.rules() {
                        writeln!(
                            out,
                            "{:width$}  {:8}  {:10}  {}",
                            r.id,
                            r.severity.as_str(),
                            r.formats.join(","),
                            r.title
                        )?;
                    }
                }
            }
        }
        RulesCommand::Show(args) => {
            let rules = load_rules(&args.rules_dir)?;
            let Some(r) = rules.get(&args.id) else {
                let scanner = crate::secrets::scanner(&args.secret_rules)?;
                let Some(r) = scanner
                    .rules()
                    .rules()
                    .iter()
                    .find(|r| r.id.eq_ignore_ascii_case(&args.id))
                else {
                    bail!(
                        "no rule {}; `vigil rules list` lists them (`--secrets`: the secret rules)",
                        args.id
                    );
                };
                crate::secrets::show(r, &mut out)?;
                out.flush()?;
                return Ok(Outcome::Done);
            };
            writeln!(out, "{}: {}", r.id, r.title)?;
            writeln!(out, "Severity: {}", r.severity.as_str())?;
            writeln!(out, "Formats: {}", r.formats.join(", "))?;
            writeln!(out, "Status: {}", r.status)?;
            writeln!(out, "Source: {}", r.source)?;
            if let Some(url) = &r.url {
                writeln!(out, "Documentation: {url}")?;
            }
            writeln!(out, "\n{}\n\nRemediation: {}", r.description, r.remediation)?;
            if !r.references.is_empty() {
                writeln!(out, "\nReferences:")?;
                for reference in &r.references {
                    writeln!(out, "- {reference}")?;
                }
            }
        }
    }
    out.flush()?;
    Ok(Outcome::Done)
}
