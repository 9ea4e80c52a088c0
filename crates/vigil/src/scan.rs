//! `vigil scan`: inventory, match, report, gate.

use std::io::Write;

use anyhow::{anyhow, bail, Context, Result};
use vigil_advisories::{Store, UpdateOptions};
use vigil_inventory::ScanOptions;
use vigil_report::{Gate, JunitOptions, Report, SbomOptions, TableOptions};

use crate::cli::{
    Format, GlobalArgs, LimitArgs, OutputTarget, ReportArgs, SbomCommand, SbomFormat, SbomTarget,
    ScanArgs, ScanCommand, ScanTarget,
};
use crate::db::{db_path, STALE_AFTER_SECS};
use crate::gates::{scan_root, Gates};
use crate::{note, warn_user, Outcome};

/// Names that are, or will be, scan targets rather than directories.
const TARGET_NAMES: &[&str] = &["image", "rootfs", "sbom", "config", "secrets", "host"];

/// How the inventory is taken.
#[derive(Clone, Copy)]
enum Source {
    /// A directory walk (or one lockfile).
    Fs,
    /// One SBOM file.
    Sbom,
    /// A root filesystem.
    Rootfs,
}

pub(crate) fn run(global: &GlobalArgs, cmd: &ScanCommand) -> Result<Outcome> {
    let args = match &cmd.target {
        Some(ScanTarget::Fs(args)) => args,
        Some(ScanTarget::Sbom(args)) => return scan_sbom(global, args),
        Some(ScanTarget::Rootfs(args)) => return scan(global, args, Source::Rootfs),
        Some(ScanTarget::Image(args)) => return crate::image::scan_image(global, args),
        Some(ScanTarget::Config(args)) => return crate::iac::scan_config(global, args),
        Some(ScanTarget::Secrets(args)) => return crate::secrets::scan_secrets(global, args),
        Some(ScanTarget::Host(args)) => return crate::host::scan_host(global, args),
        None => {
            let shown = cmd.args.path.to_string_lossy();
            if TARGET_NAMES.contains(&shown.as_ref()) {
                warn_user(format!(
                    "`{shown}` is scanned as a directory here, but will name a scan target in a later version; write `./{shown}` or `vigil scan fs {shown}`"
                ));
            }
            &cmd.args
        }
    };
    scan_fs(global, args)
}

/// Opens the database, fetching it first when there is none (unless
/// offline).
pub(crate) fn open_database(global: &GlobalArgs) -> Result<Store> {
    let path = db_path(global)?;
    if let Some(store) = Store::open_existing(&path)? {
        if let Some(last) = store.last_update()? {
            let age = vigil_advisories::now() - last;
            if age > STALE_AFTER_SECS {
                warn_user(format!(
                    "the advisory database was last updated {} days ago; run `vigil db update`",
                    age / 86_400
                ));
            }
        }
        return Ok(store);
    }
    if global.offline {
        bail!(
            "no advisory database at {} and --offline forbids fetching one\nhint: run `vigil db update` (or `vigil db import PATH`) first, or drop --offline",
            path.display()
        );
    }
    let mut store = Store::open(&path)?;
    let options = UpdateOptions {
        mirror: global.db_mirror.clone(),
        progress: crate::progress::handle(),
        ..UpdateOptions::default()
    };
    note("No advisory database yet: fetching it (once; `vigil db update` refreshes it).");
    let report = crate::db::update(&mut store, &options);
    if !report.any_success() {
        bail!("could not fetch any advisories; see the warnings above");
    }
    Ok(store)
}

fn scan_fs(global: &GlobalArgs, args: &ScanArgs) -> Result<Outcome> {
    scan(global, args, Source::Fs)
}

/// `vigil scan sbom FILE`: the SBOM is read (and refused when it is not
/// one) before the database is opened.
fn scan_sbom(global: &GlobalArgs, args: &ScanArgs) -> Result<Outcome> {
    scan(global, args, Source::Sbom)
}

fn scan(global: &GlobalArgs, args: &ScanArgs, source: Source) -> Result<Outcome> {
    let gates = Gates::load(&args.report, Some(&scan_root(&args.path)))?;
    let started = std::time::Instant::now();
    let options = scan_options(&args.report.limits);
    // An SBOM is read (and refused when it is not one) before the database
    // is opened; a directory needs the database first only to fail early.
    let (store, inventory) = match source {
        Source::Fs | Source::Rootfs => {
            check_path(&args.path, source)?;
            let store = open_database(global)?;
            (
                store,
                inventory(&args.path, args.no_ignore, options, source)?,
            )
        }
        Source::Sbom => {
            let inventory = inventory(&args.path, args.no_ignore, options, source)?;
            (open_database(global)?, inventory)
        }
    };
    // A directory's infrastructure as code is checked too; a root
    // filesystem's or an SBOM's is not what it is scanned for.
    let mut checks = FileChecks::default();
    if matches!(source, Source::Fs) && !args.no_misconfig {
        let iac = crate::iac::check(&args.path, args)?;
        checks.findings.extend(iac.findings);
        checks.diagnostics.extend(iac.diagnostics);
    }
    // So are its secrets, and a root filesystem's (without the
    // documentation and test suites that packages install).
    if matches!(source, Source::Fs | Source::Rootfs) && !args.no_secrets {
        let rootfs = matches!(source, Source::Rootfs);
        let secrets = crate::secrets::check(&args.path, args, rootfs)?;
        checks.findings.extend(secrets.findings);
        checks.diagnostics.extend(secrets.diagnostics);
    }
    let kind = match source {
        Source::Fs => vigil_report::SourceKind::Directory,
        Source::Rootfs => vigil_report::SourceKind::Rootfs,
        Source::Sbom => vigil_report::SourceKind::Sbom,
    };
    finish(
        &args.report,
        &gates,
        args.path.display().to_string(),
        crate::source::for_path(&args.path, kind),
        store,
        inventory,
        checks,
        None,
        started,
        &|_| {},
        // The executables a directory or root filesystem holds are read
        // where they are; an SBOM names none.
        &|f| match source {
            Source::Fs | Source::Rootfs => Some(crate::vulncode::below(
                &scan_root(&args.path),
                &f.location.path,
            )),
            Source::Sbom => None,
        },
    )
}

fn check_path(path: &std::path::Path, source: Source) -> Result<()> {
    if !path.exists() {
        bail!("{}: no such file or directory", path.display());
    }
    if matches!(source, Source::Rootfs) && !path.is_dir() {
        bail!("{}: not a directory", path.display());
    }
    Ok(())
}

/// Takes the inventory of a directory, root filesystem or SBOM file.
fn inventory(
    path: &std::path::Path,
    no_ignore: bool,
    options: ScanOptions,
    source: Source,
) -> Result<vigil_inventory::Inventory> {
    check_path(path, source)?;
    let rootfs = matches!(source, Source::Rootfs);
    let options = ScanOptions {
        // A root filesystem's .gitignore files (in some package's sources)
        // say nothing about what is installed.
        no_ignore: no_ignore || rootfs,
        exclude: if rootfs {
            crate::rootfs::pseudo_filesystems(path)
        } else {
            Vec::new()
        },
        ..options
    };
    match source {
        Source::Fs | Source::Rootfs => vigil_inventory::scan_dir(path, &options)
            .with_context(|| format!("scanning {}", path.display())),
        Source::Sbom => vigil_inventory::scan_sbom(path, &options).map_err(|e| {
            // Named as the user wrote it, not by its file name alone.
            let d = e.to_diagnostic();
            let line = d.line.map(|l| format!(":{l}")).unwrap_or_default();
            anyhow!("{}{line}: {}", path.display(), d.message)
        }),
    }
}

/// `vigil sbom`: the inventory of a directory, root filesystem or image
/// as an SBOM, without the advisory database.
pub(crate) fn sbom(global: &GlobalArgs, cmd: &SbomCommand) -> Result<Outcome> {
    let (inventory, target, image, out) = match &cmd.target {
        Some(SbomTarget::Image(args)) => {
            let (scan, target) = crate::image::read_image(
                global,
                &args.image,
                scan_options(&args.output.limits),
                None,
            )?;
            (scan.inventory, target, Some(scan.facts), &args.output)
        }
        Some(SbomTarget::Rootfs(args)) => (
            inventory(
                &args.path,
                args.no_ignore,
                scan_options(&args.output.limits),
                Source::Rootfs,
            )?,
            args.path.display().to_string(),
            None,
            &args.output,
        ),
        Some(SbomTarget::Fs(_)) | None => {
            let args = match &cmd.target {
                Some(SbomTarget::Fs(a)) => a,
                _ => &cmd.args,
            };
            (
                inventory(
                    &args.path,
                    args.no_ignore,
                    scan_options(&args.output.limits),
                    Source::Fs,
                )?,
                args.path.display().to_string(),
                None,
                &args.output,
            )
        }
    };
    for d in &inventory.diagnostics {
        warn_user(d);
    }
    let mut report = Report::new(
        target,
        inventory.components,
        Vec::new(),
        inventory.not_checked,
        inventory.diagnostics,
    );
    report.image = image;
    report.os = inventory.os;
    let options = SbomOptions {
        created: creation_time()?,
        vulnerabilities: false,
    };
    let write = |w: &mut dyn Write| -> std::io::Result<()> {
        match out.format {
            SbomFormat::Cyclonedx => vigil_report::write_cyclonedx(&report, &options, w),
            SbomFormat::Spdx => vigil_report::write_spdx(&report, &options, w),
        }
    };
    match &out.output {
        Some(path) => write_file(path, |w| Ok(write(w)?))?,
        None => {
            let stdout = std::io::stdout();
            let mut w = std::io::BufWriter::new(stdout.lock());
            write(&mut w)?;
            w.flush()?;
        }
    }
    Ok(Outcome::Done)
}

/// The time SBOMs are dated and Rego policies see as today:
/// `SOURCE_DATE_EPOCH` when set (reproducible
/// builds' convention), else now.
pub(crate) fn creation_time() -> Result<i64> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(v) if !v.trim().is_empty() => v
            .trim()
            .parse::<i64>()
            .map_err(|_| anyhow!("SOURCE_DATE_EPOCH=`{v}` is not a number of seconds since 1970")),
        _ => Ok(std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
            .unwrap_or(0)),
    }
}

/// Creates `path` and writes it through a buffer; errors name the file.
fn write_file(
    path: &std::path::Path,
    write: impl FnOnce(&mut dyn Write) -> Result<()>,
) -> Result<()> {
    let file = fs_err::File::create(path)?;
    let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
    write(&mut w).with_context(|| format!("writing {}", path.display()))?;
    w.flush()
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

/// The limits of what is read, from the command line.
pub(crate) fn scan_options(args: &LimitArgs) -> ScanOptions {
    ScanOptions {
        no_ignore: false,
        max_file_size: args.max_file_size.saturating_mul(1024 * 1024),
        max_binary_size: args.max_binary_size.saturating_mul(1024 * 1024),
        exclude: Vec::new(),
        progress: crate::progress::handle(),
    }
}

/// The findings of the checks of a directory's files beside its inventory:
/// misconfigurations and secrets.
#[derive(Debug, Default)]
pub(crate) struct FileChecks {
    /// Their findings.
    pub(crate) findings: Vec<vigil_model::Finding>,
    /// Files they could not check.
    pub(crate) diagnostics: Vec<vigil_model::Diagnostic>,
}

/// Matches an inventory against the advisories, triages the findings
/// (license policy, ignore file, VEX, baseline), plans remediation, writes
/// the report and applies the gates.
#[allow(clippy::too_many_arguments)] // the parts of a scan, each from its own source
pub(crate) fn finish(
    args: &ReportArgs,
    gates: &Gates,
    target: String,
    source: vigil_report::ScanSource,
    store: Store,
    inventory: vigil_inventory::Inventory,
    checks: FileChecks,
    image: Option<vigil_model::ImageFacts>,
    started: std::time::Instant,
    annotate: &dyn Fn(&mut vigil_model::Finding),
    executable: &dyn Fn(&vigil_model::Finding) -> Option<std::path::PathBuf>,
) -> Result<Outcome> {
    tracing::info!(
        files = inventory.files.len(),
        components = inventory.components.len(),
        elapsed = ?started.elapsed(),
        "inventory done"
    );
    let advisories = store
        .load_for(
            inventory
                .components
                .iter()
                .map(|c| (c.ecosystem, c.advisory_key().0)),
        )
        .context("loading advisories")?;
    tracing::info!(elapsed = ?started.elapsed(), "advisories loaded");
    // Compiled once: the scan's components, then the same packages at
    // candidate fix versions for remediation.
    let matcher = vigil_match::Matcher::new(&advisories, &inventory.components);
    let mut matched = matcher.run(&inventory.components);
    matched
        .diagnostics
        .extend(matcher.diagnostics.iter().cloned());
    tracing::info!(findings = matched.findings.len(), elapsed = ?started.elapsed(), "matching done");

    let mut findings = matched.findings;
    if args.ignore_unfixed {
        let before = findings.len();
        findings.retain(|f| f.fix_available);
        tracing::info!(hidden = before - findings.len(), "--ignore-unfixed");
    }
    findings.iter_mut().for_each(annotate);
    crate::vulncode::annotate(&mut findings, &advisories, executable);
    store
        .apply_epss(&mut findings)
        .context("reading the EPSS scores")?;
    // The risk score, from everything known of each finding by now.
    findings.iter_mut().for_each(vigil_risk::context::annotate);
    findings.extend(checks.findings);
    gates.triage(&inventory.components, &mut findings);
    let remediation = vigil_policy::remediation::plan(&inventory.components, &findings, |cs| {
        matcher.run(cs).findings
    });
    tracing::info!(packages = remediation.len(), elapsed = ?started.elapsed(), "remediation planned");
    let os = inventory.os;
    let mut not_checked = inventory.not_checked;
    not_checked.extend(matched.not_checked);
    let mut diagnostics = inventory.diagnostics;
    diagnostics.extend(matched.diagnostics);
    diagnostics.extend(checks.diagnostics);
    for d in &diagnostics {
        match d.level {
            vigil_model::Level::Info => note(format!("note: {d}")),
            _ => warn_user(d),
        }
    }
    let mut report = Report::new(
        target,
        inventory.components,
        findings,
        not_checked,
        diagnostics,
    )
    .with_remediation(remediation);
    report.image = image;
    report.os = os;
    report.source = Some(source);

    tracing::info!(elapsed = ?started.elapsed(), "report built");
    let outcome = emit(args, gates, report)?;
    tracing::info!(elapsed = ?started.elapsed(), "report written");
    std::mem::forget(advisories);
    Ok(outcome)
}

/// Writes the reports `args` ask for and applies the gates.
pub(crate) fn emit(args: &ReportArgs, gates: &Gates, report: Report) -> Result<Outcome> {
    let mut primary: Option<&std::path::Path> = None;
    let mut extra: Vec<(Format, &std::path::Path)> = Vec::new();
    for o in &args.output {
        match o {
            OutputTarget::File(path) => {
                if let Some(first) = primary {
                    bail!(
                        "-o {} and -o {}: the --format report goes to one file; name other formats with FORMAT=FILE",
                        first.display(),
                        path.display()
                    );
                }
                primary = Some(path);
            }
            OutputTarget::Format(format, path) => extra.push((*format, path)),
        }
    }
    let writer = ReportWriter {
        report: &report,
        args,
        created: creation_time()?,
    };
    match primary {
        Some(path) => write_file(path, |w| writer.write(args.format, w, false))?,
        // Without a plain `-o FILE`, the --format report goes to stdout,
        // whatever FORMAT=FILE outputs there are beside it.
        None => {
            let stdout = std::io::stdout();
            let color = anstream::AutoStream::choice(&stdout) != anstream::ColorChoice::Never;
            let mut w = std::io::BufWriter::new(stdout.lock());
            writer.write(args.format, &mut w, color)?;
            w.flush()?;
        }
    }
    for (format, path) in extra {
        write_file(path, |w| writer.write(format, w, false))?;
    }
    // The local report is written first: a failed upload still leaves it.
    let uploaded = match &args.upload.server {
        Some(server) => upload(&args.upload, server, &report),
        None => Ok(()),
    };
    let outcome = gates.decide(&report, args)?;
    uploaded?;
    // The process ends right after: freeing hundreds of thousands of
    // components and findings one by one would only delay the exit.
    std::mem::forget(report);
    Ok(outcome)
}

/// How many times a report upload is tried.
const UPLOAD_ATTEMPTS: u32 = 3;

/// Uploads the JSON report, trying again after a failure that may pass.
fn upload(args: &crate::cli::UploadArgs, server: &str, report: &Report) -> Result<()> {
    use crate::upload::{Answer, Backoff, Client};
    let fail = |reason: String| anyhow!("uploading the report to {server}: {reason}");
    let token = crate::upload::token(args.token_file.as_deref(), "VIGIL_TOKEN", "--token-file")
        .map_err(|e| fail(format!("{e:#}")))?;
    let client =
        Client::new(server, token, args.ca_cert.as_deref()).map_err(|e| fail(format!("{e:#}")))?;
    let mut json = Vec::new();
    vigil_report::write_json(report, &mut json)?;
    let body = crate::upload::gzip(&json)?;
    let id = crate::upload::upload_id();
    let mut backoff = Backoff::new(
        std::time::Duration::from_secs(1),
        std::time::Duration::from_secs(30),
    );
    let mut attempt = 1;
    loop {
        let started = std::time::Instant::now();
        let answer = client.post(crate::upload::SCANS, &id, &body);
        tracing::info!(
            server = client.server(),
            bytes = body.len(),
            status = answer.status(),
            elapsed = ?started.elapsed(),
            attempt,
            "report upload"
        );
        match answer {
            Answer::Stored { duplicate, .. } => {
                note(format!(
                    "Report uploaded to {}{}.",
                    client.server(),
                    if duplicate { " (already there)" } else { "" }
                ));
                return Ok(());
            }
            Answer::Refused { status, message } => {
                return Err(fail(format!(
                    "the server refused it (HTTP {status}): {message}"
                )))
            }
            Answer::Unauthorized { status, message } => {
                return Err(fail(format!(
                    "the token was not accepted (HTTP {status}): {message}"
                )))
            }
            Answer::MissingBase { message } => return Err(fail(format!("HTTP 409: {message}"))),
            Answer::Retry { reason, after, .. } => {
                if attempt >= UPLOAD_ATTEMPTS {
                    return Err(fail(format!("{reason} (after {attempt} attempts)")));
                }
                let wait = backoff.next(after);
                warn_user(format!(
                    "uploading the report to {server}: {reason}; trying again in {:.1}s",
                    wait.as_secs_f64()
                ));
                std::thread::sleep(wait);
                attempt += 1;
            }
        }
    }
}

/// Writes one report in any format.
struct ReportWriter<'a> {
    report: &'a Report,
    args: &'a ReportArgs,
    /// For SBOMs: `SOURCE_DATE_EPOCH`, else now.
    created: i64,
}

impl ReportWriter<'_> {
    fn write(&self, format: Format, out: &mut dyn Write, color: bool) -> Result<()> {
        let report = self.report;
        let sbom = SbomOptions {
            created: self.created,
            vulnerabilities: true,
        };
        match format {
            Format::Table => vigil_report::write_table(
                report,
                out,
                TableOptions {
                    color,
                    max_not_checked: 20,
                    sort: match self.args.sort {
                        crate::cli::SortOrder::Risk => vigil_report::Sort::Risk,
                        crate::cli::SortOrder::Package => vigil_report::Sort::Package,
                    },
                },
            )?,
            Format::Json => vigil_report::write_json(report, out)?,
            Format::Sarif => vigil_report::write_sarif(report, out)?,
            Format::Cyclonedx => vigil_report::write_cyclonedx(report, &sbom, out)?,
            Format::Spdx => vigil_report::write_spdx(report, &sbom, out)?,
            Format::Junit => vigil_report::write_junit(
                report,
                &JunitOptions {
                    gate: self.args.fail_on.map(|f| Gate {
                        threshold: f.severity(),
                        unknown_fails: !self.args.ignore_unknown_severity,
                        informational_fails: self.args.fail_on_informational,
                    }),
                    misconfig_gate: self.args.fail_on_misconfig.map(|f| f.severity()),
                },
                out,
            )?,
            Format::Markdown => vigil_report::write_markdown(report, out)?,
        }
        Ok(())
    }
}
