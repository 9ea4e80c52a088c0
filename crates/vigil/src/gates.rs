//! Triage and gates around a scan: the ignore file, VEX documents, the
//! baseline, the license policy and Rego policies are read before the scan
//! (a malformed one stops it early), applied to its findings, and decide
//! the exit code.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use vigil_model::{Component, Finding, FindingKind, Severity};
use vigil_policy::baseline::Baseline;
use vigil_policy::ignore::{IgnoreFile, DEFAULT_FILE};
use vigil_policy::license::LicensePolicy;
use vigil_policy::rego::Policies;
use vigil_policy::vex::{self, VexDocument};
use vigil_report::Report;

use crate::cli::ReportArgs;
use crate::{note, warn_always, warn_user, Outcome};

/// Everything that triages findings or gates the scan, read.
#[derive(Debug)]
pub(crate) struct Gates {
    ignore: Option<IgnoreFile>,
    vex: Vec<VexDocument>,
    baseline: Option<Baseline>,
    licenses: LicensePolicy,
    policies: Option<Policies>,
}

/// The directory whose ignore file applies to a scan of `path`: the
/// directory itself, or a file's directory.
pub(crate) fn scan_root(path: &Path) -> PathBuf {
    if path.is_dir() {
        return path.to_path_buf();
    }
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

impl Gates {
    /// Reads the inputs the flags name; `root` is where `.vigilignore.yaml`
    /// is looked for (none for an image).
    pub(crate) fn load(args: &ReportArgs, root: Option<&Path>) -> Result<Gates> {
        let ignore_path = match (&args.ignorefile, root) {
            (Some(p), _) => Some(p.clone()),
            (None, Some(root)) => Some(root.join(DEFAULT_FILE)).filter(|p| p.is_file()),
            (None, None) => None,
        };
        let ignore = ignore_path
            .map(|p| IgnoreFile::load(&p))
            .transpose()
            .context("reading the ignore file")?;
        if let Some(i) = &ignore {
            tracing::info!(entries = i.entries().len(), "ignore file read");
        }
        let vex = args
            .vex
            .iter()
            .map(|p| VexDocument::load(p))
            .collect::<Result<Vec<_>, _>>()
            .context("reading --vex")?;
        let baseline = args
            .baseline
            .as_deref()
            .map(Baseline::load)
            .transpose()
            .context("reading --baseline")?;
        let licenses = LicensePolicy::new(&args.deny_license, &args.allow_license)?;
        let policies = if args.policy.is_empty() {
            None
        } else {
            let ns = &args.namespace;
            if ns.is_empty()
                || !ns.split('.').all(|p| {
                    !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                })
            {
                bail!("--namespace `{ns}`: not a Rego package name (`main`, `ci.vigil`)");
            }
            Some(Policies::load(&args.policy, ns).context("reading --policy")?)
        };
        Ok(Gates {
            ignore,
            vex,
            baseline,
            licenses,
            policies,
        })
    }

    /// Adds the license findings, then suppresses findings: ignore file
    /// first, then VEX, then the baseline (the first that applies is
    /// recorded). Expired ignore entries are warned about.
    pub(crate) fn triage(&self, components: &[Component], findings: &mut Vec<Finding>) {
        let check = self.licenses.check(components);
        if check.not_evaluated > 0 {
            note(format!(
                "{} {} a license that is not an SPDX expression; the license policy cannot judge {}.",
                check.not_evaluated,
                if check.not_evaluated == 1 {
                    "component declares"
                } else {
                    "components declare"
                },
                if check.not_evaluated == 1 { "it" } else { "them" }
            ));
        }
        findings.extend(check.findings);
        if let Some(ignore) = &self.ignore {
            for e in ignore.apply(findings, &vigil_policy::today()) {
                warn_user(format!(
                    "{}: entry {} ({}) expired on {}; {}",
                    e.file.display(),
                    e.index,
                    e.entry,
                    e.expires,
                    match e.findings {
                        0 => "it matches no finding any more".to_string(),
                        1 => "the finding it hid is reported again".to_string(),
                        n => format!("the {n} findings it hid are reported again"),
                    }
                ));
            }
        }
        let n = vex::apply(&self.vex, findings);
        tracing::info!(suppressed = n, "VEX applied");
        if let Some(b) = &self.baseline {
            let n = b.apply(findings);
            tracing::info!(suppressed = n, baseline = b.len(), "baseline applied");
        }
    }

    /// Decides the exit: `--fail-on`, `--fail-on-risk`, license findings, Rego `deny` and
    /// `violation` rules. Suppressed findings never fail it. Every reason
    /// is printed.
    pub(crate) fn decide(&self, report: &Report, args: &ReportArgs) -> Result<Outcome> {
        let mut reasons = Vec::new();
        if let Some(r) = fail_on(report, args) {
            reasons.push(r);
        }
        if let Some(r) = fail_on_risk(report, args) {
            reasons.push(r);
        }
        if let Some(threshold) = args.fail_on_misconfig.map(|f| f.severity()) {
            let n = report
                .open_findings()
                .filter(|f| f.kind == FindingKind::Misconfiguration && f.severity >= threshold)
                .count();
            if n > 0 {
                reasons.push(format!(
                    "{n} {} at or above {threshold} (--fail-on-misconfig)",
                    if n == 1 {
                        "misconfiguration"
                    } else {
                        "misconfigurations"
                    }
                ));
            }
        }
        if args.fail_on_secrets {
            let n = report
                .open_findings()
                .filter(|f| f.kind == FindingKind::Secret)
                .count();
            if n > 0 {
                reasons.push(format!(
                    "{n} {} (--fail-on-secrets)",
                    if n == 1 { "secret" } else { "secrets" }
                ));
            }
        }
        let licenses = report
            .open_findings()
            .filter(|f| f.kind == FindingKind::License)
            .count();
        if licenses > 0 {
            reasons.push(format!(
                "{licenses} {} the license policy denies (--deny-license/--allow-license)",
                if licenses == 1 {
                    "component has a license"
                } else {
                    "components have licenses"
                }
            ));
        }
        if let Some(policies) = &self.policies {
            let mut input = Vec::new();
            vigil_report::write_json(report, &mut input)?;
            let input = String::from_utf8(input).context("the JSON report")?;
            let today = vigil_model::time::date(crate::scan::creation_time()?);
            let verdict = policies.evaluate(&input, &today)?;
            for w in &verdict.warnings {
                warn_user(format!("policy {}: {}", w.rule, w.text));
            }
            for f in &verdict.failures {
                warn_always(format!("policy {}: {}", f.rule, f.text));
            }
            if !verdict.failures.is_empty() {
                let n = verdict.failures.len();
                reasons.push(format!(
                    "{n} Rego policy {} (listed above)",
                    if n == 1 { "message" } else { "messages" }
                ));
            }
        }
        if reasons.is_empty() {
            return Ok(Outcome::Done);
        }
        for r in reasons {
            warn_always(format!("gate failed: {r}"));
        }
        Ok(Outcome::PolicyViolated)
    }
}

/// Applies `--fail-on` to the open vulnerability findings: informational
/// notices don't count unless asked; UNKNOWN counts unless
/// `--ignore-unknown-severity`. The reason it fails, if it does.
fn fail_on(report: &Report, args: &ReportArgs) -> Option<String> {
    let threshold = args.fail_on?.severity();
    let counted: Vec<&Finding> = report
        .open_findings()
        .filter(|f| f.kind == FindingKind::Vulnerability)
        .filter(|f| f.informational.is_none() || args.fail_on_informational)
        .collect();
    let above = counted.iter().filter(|f| f.severity >= threshold).count();
    let unknown = if args.ignore_unknown_severity {
        0
    } else {
        counted
            .iter()
            .filter(|f| f.severity == Severity::Unknown)
            .count()
    };
    if above + unknown == 0 {
        return None;
    }
    let mut parts = Vec::new();
    if above > 0 {
        parts.push(format!("{above} at or above {threshold}"));
    }
    if unknown > 0 {
        parts.push(format!(
            "{unknown} of UNKNOWN severity (which may be critical; --ignore-unknown-severity skips them)"
        ));
    }
    Some(format!(
        "{} {} --fail-on {}: {}",
        above + unknown,
        if above + unknown == 1 {
            "finding fails"
        } else {
            "findings fail"
        },
        threshold.as_str().to_ascii_lowercase(),
        parts.join(", ")
    ))
}

/// Applies `--fail-on-risk` to the open vulnerability findings (informational
/// notices only with `--fail-on-informational`): a finding counts by its
/// risk score, else by its CVSS base score; one with neither does not
/// count. The reason it fails, if it does.
fn fail_on_risk(report: &Report, args: &ReportArgs) -> Option<String> {
    let threshold = args.fail_on_risk?;
    let mut above: Vec<(f64, &str)> = report
        .open_findings()
        .filter(|f| f.kind == FindingKind::Vulnerability)
        .filter(|f| f.informational.is_none() || args.fail_on_informational)
        .filter_map(|f| {
            let score = f
                .risk
                .as_ref()
                .map(|r| r.score)
                .or(f.cvss.as_ref().map(|c| c.score))?;
            // Scores have one decimal: compare them as shown.
            ((score * 10.0).round() >= (threshold * 10.0).round()).then_some((score, f.id.as_str()))
        })
        .collect();
    if above.is_empty() {
        return None;
    }
    above.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    let n = above.len();
    let shown: Vec<String> = above
        .iter()
        .take(3)
        .map(|(score, id)| format!("{id} {score:.1}"))
        .collect();
    Some(format!(
        "{n} {} a risk score at or above {threshold:.1} (--fail-on-risk): {}{}",
        if n == 1 {
            "finding has"
        } else {
            "findings have"
        },
        shown.join(", "),
        if n > 3 {
            format!(" and {} more", n - 3)
        } else {
            String::new()
        }
    ))
}
