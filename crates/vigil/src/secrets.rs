//! Secrets: `vigil scan secrets`, and the secret pass of a directory
//! scan.

use std::path::Path;

use anyhow::{bail, Context, Result};
use vigil_report::Report;
use vigil_secrets::{RuleSet, ScanOptions, Scanner, SecretScan};

use crate::cli::{GlobalArgs, ScanArgs};
use crate::gates::{scan_root, Gates};
use crate::Outcome;

/// The built-in rules and those of `--secret-rules`, compiled.
pub(crate) fn scanner(files: &[std::path::PathBuf]) -> Result<Scanner> {
    for f in files {
        if !f.is_file() {
            bail!("--secret-rules {}: not a file", f.display());
        }
    }
    let rules = RuleSet::load(files).context("loading the secret rules")?;
    Ok(Scanner::new(rules)?)
}

/// Looks for secrets in the files below `path`.
pub(crate) fn check(path: &Path, args: &ScanArgs) -> Result<SecretScan> {
    let scanner = scanner(&args.secret_rules)?;
    let started = std::time::Instant::now();
    let options = ScanOptions {
        no_ignore: args.no_ignore,
        max_file_size: args.report.limits.max_file_size.saturating_mul(1024 * 1024),
    };
    let scan = vigil_secrets::scan(&scanner, path, &options);
    tracing::info!(
        files = scan.files,
        bytes = scan.bytes,
        findings = scan.findings.len(),
        elapsed = ?started.elapsed(),
        "secrets checked"
    );
    Ok(scan)
}

/// `vigil scan secrets PATH`: secrets only, no advisory database.
pub(crate) fn scan_secrets(_global: &GlobalArgs, args: &ScanArgs) -> Result<Outcome> {
    if !args.path.exists() {
        bail!("{}: no such file or directory", args.path.display());
    }
    let gates = Gates::load(&args.report, Some(&scan_root(&args.path)))?;
    let scan = check(&args.path, args)?;
    let mut findings = scan.findings;
    gates.triage(&[], &mut findings);
    for d in &scan.diagnostics {
        match d.level {
            vigil_model::Level::Info => crate::note(format!("note: {d}")),
            _ => crate::warn_user(d),
        }
    }
    let report = Report::new(
        args.path.display().to_string(),
        Vec::new(),
        findings,
        Vec::new(),
        scan.diagnostics,
    );
    crate::scan::emit(&args.report, &gates, report)
}
