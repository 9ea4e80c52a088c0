//! Findings: what every scanner reports, in one shape.

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::{Ecosystem, Location, Severity};

/// What kind of scanner made a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum FindingKind {
    /// A known vulnerability in a component.
    Vulnerability,
    /// A component whose declared license the license policy denies.
    License,
    /// A rule of the infrastructure-as-code checks (Kubernetes manifests,
    /// Dockerfiles) that a file breaks.
    Misconfiguration,
    /// A credential (token, key, password) written in a file, found by a
    /// secret rule.
    Secret,
}

impl FindingKind {
    /// The lower-case name used in reports and fingerprints.
    pub fn as_str(self) -> &'static str {
        match self {
            FindingKind::Vulnerability => "vulnerability",
            FindingKind::License => "license",
            FindingKind::Misconfiguration => "misconfiguration",
            FindingKind::Secret => "secret",
        }
    }
}

/// A CVSS assessment as reported with a finding.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cvss {
    /// `2.0`, `3.0`, `3.1` or `4.0`.
    pub version: String,
    /// The vector string as the advisory wrote it.
    pub vector: String,
    /// The base score computed from the vector.
    pub score: f64,
}

/// The package a finding is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct PackageRef {
    /// Its ecosystem.
    pub ecosystem: Ecosystem,
    /// Its name as the source wrote it.
    pub name: String,
    /// Its installed version.
    pub version: String,
    /// Its package URL.
    pub purl: String,
}

/// A stable identity for a finding, the same across runs and across version
/// bumps of the package, so baselines and the server can follow it over
/// time.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Fingerprint(pub String);

impl Fingerprint {
    /// The fingerprint of a vulnerability finding: a SHA-256 over the kind,
    /// the smallest ID of the alias group, the ecosystem, the package name
    /// (normalized for the ecosystem) and the location path. The installed
    /// version is deliberately left out.
    pub fn vulnerability(group_min_id: &str, ecosystem: Ecosystem, name: &str, path: &str) -> Self {
        Fingerprint::of_parts(&[
            FindingKind::Vulnerability.as_str(),
            group_min_id,
            ecosystem.osv_name(),
            &ecosystem.normalize_name(name),
            path,
        ])
    }

    /// The fingerprint of a license finding: a SHA-256 over the kind, the
    /// declared license, the ecosystem, the normalized package name and
    /// the location path (the version left out, as for vulnerabilities).
    pub fn license(declared: &str, ecosystem: Ecosystem, name: &str, path: &str) -> Self {
        Fingerprint::of_parts(&[
            FindingKind::License.as_str(),
            declared,
            ecosystem.osv_name(),
            &ecosystem.normalize_name(name),
            path,
        ])
    }

    /// A fingerprint over parts that identify a finding (the first should
    /// be its kind): the first 16 bytes of a SHA-256 over the parts, each
    /// ended by a NUL byte, in hex.
    pub fn of_parts(parts: &[&str]) -> Self {
        let mut h = Sha256::new();
        for part in parts {
            h.update(part.as_bytes());
            h.update([0u8]);
        }
        let digest = h.finalize();
        Fingerprint(hex::encode(&digest[..16]))
    }
}

impl Fingerprint {
    /// The fingerprint of a misconfiguration: a SHA-256 over the kind, the
    /// rule ID, the path, the resource (`Kind/name`, or empty) and the
    /// rule's message (which tells apart two findings of one rule on one
    /// resource, and holds no line), so that moving the resource within its
    /// file keeps it.
    pub fn misconfiguration(rule_id: &str, path: &str, resource: &str, message: &str) -> Self {
        let mut h = Sha256::new();
        for part in [
            FindingKind::Misconfiguration.as_str(),
            rule_id,
            path,
            resource,
            message,
        ] {
            h.update(part.as_bytes());
            h.update([0u8]);
        }
        let digest = h.finalize();
        Fingerprint(hex::encode(&digest[..16]))
    }
}

impl Fingerprint {
    /// The fingerprint of a secret: the first 16 bytes of a SHA-256 over
    /// the kind, the rule ID, the path (when given) and the secret's raw
    /// bytes, in hex. Without a path it names the secret wherever it is
    /// (the same token in two files, or in many commits, has one); with
    /// the path it names one finding, which moving the secret within its
    /// file keeps.
    pub fn secret(rule_id: &str, path: Option<&str>, secret: &[u8]) -> Self {
        let mut h = Sha256::new();
        for part in [
            FindingKind::Secret.as_str().as_bytes(),
            rule_id.as_bytes(),
            path.unwrap_or_default().as_bytes(),
            secret,
        ] {
            h.update(part);
            h.update([0u8]);
        }
        let digest = h.finalize();
        Fingerprint(hex::encode(&digest[..16]))
    }
}

/// What a secret finding says about the secret, never the secret itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SecretInfo {
    /// The redacted match: at most its first four characters, then `…`.
    #[serde(rename = "secret")]
    pub redacted: String,
    /// The fingerprint of the secret alone ([`Fingerprint::secret`]
    /// without a path): the same value wherever it was found.
    pub secret_fingerprint: Fingerprint,
    /// For a secret found in version-control history: the commit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// For a secret found in history: the commit's author.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// For a secret found in history: the commit's date (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// For a secret found in a file of a container image's layer: the
    /// layer that added the file (the lowest, when several layers wrote the
    /// same secret at the same path).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layer: Option<crate::LayerRef>,
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// What found it.
    pub kind: FindingKind,
    /// The record's own ID (for vulnerabilities, the OSV ID of the first
    /// record of the alias group).
    pub id: String,
    /// Every other ID of the same issue, sorted.
    pub aliases: Vec<String>,
    /// A one-line title (for a misconfiguration, the rule's title).
    pub title: String,
    /// What exactly is wrong here, when it says more than the title (a
    /// misconfiguration rule's message).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The severity rating.
    pub severity: Severity,
    /// The CVSS assessment the severity comes from, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cvss: Option<Cvss>,
    /// The package, for findings about a component.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub package: Option<PackageRef>,
    /// For a misconfiguration: the resource (`Deployment/web`, or
    /// `stage build` in a Dockerfile), where the rule names one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// Where it was found.
    pub location: Location,
    /// Versions that fix it and apply to the installed one, smallest first.
    pub fixed_versions: Vec<String>,
    /// Whether a fixed version applies to the installed one; `false`
    /// means there is no fix yet (`fixed_versions` is empty).
    pub fix_available: bool,
    /// Whether an ID or alias is in the catalogue of known exploited
    /// vulnerabilities.
    pub kev: bool,
    /// Whether this is an informational notice (unmaintained, unsound, ...)
    /// rather than a vulnerability; such findings don't fail a gate by
    /// default.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub informational: Option<String>,
    /// Its stable identity.
    pub fingerprint: Fingerprint,
    /// When the advisory was first published (`YYYY-MM-DD`, the earliest
    /// of its alias group), where the records say.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    /// Why it is suppressed (an ignore-file entry, a VEX statement, a
    /// baseline), when it is. A suppressed finding is still in the report
    /// and counted, but never listed as open nor fails a gate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suppression: Option<Suppression>,
    /// For a misconfiguration: why it matters, how to fix it and where
    /// to read more (from the rule).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<Help>,
    /// For a secret: the redacted match and where in history it was
    /// found (its keys sit at the top level of the finding).
    #[serde(flatten)]
    pub secret: Option<SecretInfo>,
    /// For a vulnerability found on a running host (`vigil scan host`):
    /// the processes that load the package, how far they are exposed and
    /// the data stores they reach.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runtime: Option<Runtime>,
    /// For a vulnerability in a package linked into an executable (a Go
    /// module or the Go standard library, a Rust crate of a binary that
    /// keeps its symbols): whether the functions the advisory names as
    /// affected are linked in. `None` when the advisory names none or the
    /// executable could not be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vulnerable_code: Option<VulnerableCode>,
    /// For a vulnerability with a CVE ID (its own or an alias) that FIRST
    /// scores: its EPSS figures, from the scores imported into the
    /// advisory database (the highest of its CVEs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub epss: Option<Epss>,
    /// For a vulnerability with a CVSS vector: vigil's context-aware risk
    /// score and why (docs/risk.md).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub risk: Option<Risk>,
}

/// A vulnerability's EPSS figures (FIRST's Exploit Prediction Scoring
/// System).
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Epss {
    /// The probability of exploitation in the next 30 days (0–1).
    pub probability: f64,
    /// Its percentile among all scored CVEs (0–1).
    pub percentile: f64,
    /// The day it was scored (`YYYY-MM-DD`), when the scores say.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
}

/// A vulnerability's risk score in its context (docs/risk.md).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Risk {
    /// The score, 0.0–10.0.
    pub score: f64,
    /// Why it differs from the CVSS base score (or does not), in order.
    pub reasons: Vec<String>,
    /// The vector scored: the CVSS base metrics with the environmental and
    /// threat metrics the context added.
    pub vector: String,
}

/// Whether an advisory's affected functions are in an executable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct VulnerableCode {
    /// `present` when at least one is linked in, `absent` when none is.
    pub status: VulnerableCodeStatus,
    /// When present: the affected functions found, as the executable
    /// names them (`mime.(*WordDecoder).DecodeHeader`). When absent: the
    /// functions looked for, as the advisory names them
    /// (`mime.WordDecoder.DecodeHeader`).
    pub symbols: Vec<String>,
}

/// The verdicts of [`VulnerableCode`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VulnerableCodeStatus {
    /// At least one affected function is linked in.
    Present,
    /// None of the affected functions is linked in.
    Absent,
}

impl VulnerableCode {
    /// A short note for tables: `vulnerable code not in binary`, or
    /// `vulnerable function present: net/http.(*Server).Serve` (the first
    /// found, and how many more).
    pub fn summary(&self) -> String {
        match self.status {
            VulnerableCodeStatus::Absent => "vulnerable code not in binary".to_string(),
            VulnerableCodeStatus::Present => {
                let first = self.symbols.first().map(String::as_str).unwrap_or("");
                match self.symbols.len() {
                    0 | 1 => format!("vulnerable function present: {first}"),
                    n => format!("vulnerable function present: {first} (+{})", n - 1),
                }
            }
        }
    }
}

/// Where a vulnerable package runs: the processes that load it, or the
/// processes of the containers it is installed in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Runtime {
    /// The processes that load the package, by pid; when none does (an
    /// OS package installed in a container), the processes of the
    /// containers it is installed in.
    pub processes: Vec<RuntimeProcess>,
    /// The IDs of the containers whose OS packages include it, sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub containers: Vec<String>,
    /// Whether no process loads it: it is installed in `containers`, and
    /// `processes` are theirs.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub installed_only: bool,
    /// The highest exposure of the sockets they listen on (`public` over
    /// `internal` over `loopback`); `None` when none of them listens.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exposure: Option<String>,
    /// The data stores they hold connections to (`postgresql`, `redis`,
    /// ...), sorted, each once.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub data_assets: Vec<String>,
}

impl Runtime {
    /// A short phrase for tables: `loaded by 2 processes, exposed: public,
    /// reaches postgresql`.
    pub fn summary(&self) -> String {
        let n = self.processes.len();
        let processes = format!("{n} process{}", if n == 1 { "" } else { "es" });
        let mut out = if self.installed_only {
            let ids: Vec<&str> = self
                .containers
                .iter()
                .map(|c| c.get(..12).unwrap_or(c))
                .collect();
            format!(
                "installed in container{} {} ({processes})",
                if ids.len() == 1 { "" } else { "s" },
                ids.join(", ")
            )
        } else {
            format!("loaded by {processes}")
        };
        if let Some(e) = &self.exposure {
            out.push_str(&format!(", exposed: {e}"));
        }
        if !self.data_assets.is_empty() {
            out.push_str(&format!(", reaches {}", self.data_assets.join(", ")));
        }
        out
    }
}

/// A process that loads a package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct RuntimeProcess {
    /// Its pid.
    pub pid: u32,
    /// Its executable's path (or command name), when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exe: Option<String>,
    /// The ID of the container it runs in, when it does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container: Option<String>,
}

/// What a rule says about its findings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Help {
    /// Why it matters.
    pub description: String,
    /// How to fix it.
    pub remediation: String,
    /// Benchmark items and documentation.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<String>,
    /// The rule's documentation page, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// What suppressed a finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suppression {
    /// What kind of statement: `ignore` (an ignore file), `vex` (a VEX
    /// document), `baseline` (present in the baseline report).
    pub kind: SuppressionKind,
    /// The file the statement came from.
    pub source: String,
    /// The reason given (the ignore entry's `reason`, the VEX
    /// statement's justification or impact statement).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// For VEX: the status (`not_affected`, `fixed`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vex_status: Option<String>,
    /// For VEX `not_affected`: the justification code
    /// (`vulnerable_code_not_present`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub justification: Option<String>,
    /// For an ignore entry: when it stops applying (`YYYY-MM-DD`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
}

/// The kinds of [`Suppression`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SuppressionKind {
    /// An entry of an ignore file (`.vigilignore.yaml`).
    Ignore,
    /// A VEX statement (OpenVEX, CycloneDX VEX).
    Vex,
    /// The fingerprint is in the baseline report.
    Baseline,
    /// A `vigil:ignore RULE-ID reason` comment in the scanned file.
    Inline,
}

/// A component that could not be checked, and why.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct NotChecked {
    /// Its ecosystem.
    pub ecosystem: Ecosystem,
    /// Its name.
    pub name: String,
    /// Its version as written (possibly empty or a range).
    pub version: String,
    /// Where it was declared.
    pub location: Location,
    /// Why it was not checked.
    pub reason: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_ignores_version_and_normalizes_name() {
        let a =
            Fingerprint::vulnerability("CVE-2021-1", Ecosystem::PyPI, "Django", "requirements.txt");
        let b =
            Fingerprint::vulnerability("CVE-2021-1", Ecosystem::PyPI, "django", "requirements.txt");
        let c = Fingerprint::vulnerability(
            "CVE-2021-1",
            Ecosystem::PyPI,
            "django",
            "other/requirements.txt",
        );
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(a.0.len(), 32);
    }
}
