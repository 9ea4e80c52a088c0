//! Secrets: `vigil scan secrets`, and the secret pass of a directory
//! scan.

use std::path::Path;

use std::io::Write;

use anyhow::{bail, Context, Result};
use vigil_report::Report;
use vigil_secrets::history::HistoryOptions;
use vigil_secrets::{RuleSet, ScanOptions, Scanner, SecretScan};

use crate::cli::{ConfigFormat, GlobalArgs, ScanArgs, SecretsArgs};
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

/// Looks for secrets in the files below `path` (and in the archives among
/// them); `rootfs`: `path` is a root filesystem (`vigil scan rootfs`):
/// .gitignore files are not obeyed, a host's pseudo filesystems and the
/// paths of installed documentation and test suites
/// ([`vigil_secrets::ROOTFS_NOISE`]) are not scanned.
pub(crate) fn check(path: &Path, args: &ScanArgs, rootfs: bool) -> Result<SecretScan> {
    let scanner = scanner(&args.secret_rules)?;
    let started = std::time::Instant::now();
    let options = ScanOptions {
        no_ignore: args.no_ignore || rootfs,
        max_file_size: args.report.limits.max_file_size.saturating_mul(1024 * 1024),
        exclude: if rootfs {
            crate::rootfs::pseudo_filesystems(path)
        } else {
            Vec::new()
        },
        rootfs,
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

/// `vigil scan secrets PATH`: secrets only, no advisory database; with
/// `--git` in the repository's history, with `--staged` in its index.
pub(crate) fn scan_secrets(_global: &GlobalArgs, secrets: &SecretsArgs) -> Result<Outcome> {
    let args = &secrets.scan;
    if !args.path.exists() {
        bail!("{}: no such file or directory", args.path.display());
    }
    let (scan, root) = if secrets.git || secrets.staged {
        let scanner = scanner(&args.secret_rules)?;
        let options = HistoryOptions {
            max_file_size: args.report.limits.max_file_size.saturating_mul(1024 * 1024),
            since: secrets.since.clone(),
        };
        let started = std::time::Instant::now();
        let scan = if secrets.git {
            vigil_secrets::history::scan_history(&scanner, &args.path, &options)?
        } else {
            vigil_secrets::history::scan_staged(&scanner, &args.path, &options)?
        };
        tracing::info!(
            blobs = scan.files,
            bytes = scan.bytes,
            findings = scan.findings.len(),
            elapsed = ?started.elapsed(),
            "secrets checked in {}",
            if secrets.git { "history" } else { "the index" }
        );
        // Paths are relative to the repository's root: its ignore file
        // is the one that applies.
        let root = vigil_secrets::history::repository_root(&args.path)?;
        (scan, root)
    } else {
        (check(&args.path, args, false)?, scan_root(&args.path))
    };
    let gates = Gates::load(&args.report, Some(&root))?;
    let mut findings = scan.findings;
    gates.triage(&[], &mut findings);
    for d in &scan.diagnostics {
        match d.level {
            vigil_model::Level::Info => crate::note(format!("note: {d}")),
            _ => crate::warn_user(d),
        }
    }
    let mut report = Report::new(
        args.path.display().to_string(),
        Vec::new(),
        findings,
        Vec::new(),
        scan.diagnostics,
    );
    report.source = Some(crate::source::for_path(
        &args.path,
        vigil_report::SourceKind::Directory,
    ));
    crate::scan::emit(&args.report, &gates, report)
}

/// `vigil rules list --secrets`.
pub(crate) fn list(rules: &RuleSet, format: ConfigFormat, out: &mut dyn Write) -> Result<()> {
    match format {
        ConfigFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, rules.rules())?;
            writeln!(out)?;
        }
        ConfigFormat::Table => {
            let width = rules.rules().iter().map(|r| r.id.len()).max().unwrap_or(2);
            writeln!(
                out,
                "{:width$}  {:8}  {:14}  TITLE",
                "ID", "SEVERITY", "SOURCE"
            )?;
            for r in rules.rules() {
                let source = r.source.strip_prefix("builtin:").unwrap_or(&r.source);
                writeln!(
                    out,
                    "{:width$}  {:8}  {:14}  {}",
                    r.id,
                    r.severity.as_str(),
                    source,
                    r.title
                )?;
            }
        }
    }
    Ok(())
}

/// `vigil rules show ID` for a secret rule.
pub(crate) fn show(r: &vigil_secrets::Rule, out: &mut dyn Write) -> Result<()> {
    writeln!(out, "{}: {}", r.id, r.title)?;
    writeln!(out, "Kind: secret")?;
    writeln!(out, "Severity: {}", r.severity.as_str())?;
    writeln!(out, "Source: {}", r.source)?;
    if r.binary {
        writeln!(out, "Binary files: the regex runs on their first 8 KiB")?;
    } else {
        writeln!(out, "Keywords: {}", r.keywords.join(", "))?;
    }
    writeln!(out, "Regex: {}", r.regex_source)?;
    if let Some(e) = r.entropy {
        writeln!(out, "Least entropy: {e} bits per byte")?;
    }
    if let Some(c) = r.checksum {
        writeln!(
            out,
            "Checksum: {}",
            serde_json::to_string(&c)?.trim_matches('"')
        )?;
    }
    if r.fallback {
        writeln!(
            out,
            "Fallback: a specific rule's finding on the same text wins"
        )?;
    }
    writeln!(out, "\n{}\n\nRemediation: {}", r.description, r.remediation)?;
    Ok(())
}
