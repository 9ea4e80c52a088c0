//! Infrastructure as code: Kubernetes manifests, Dockerfiles, Docker
//! Compose files, GitHub Actions workflows, AWS CloudFormation templates
//! and Terraform (modules and plans) read into JSON input documents (with
//! line numbers), checked by rules written in Rego (built in, or from
//! `--rules-dir`), reported as misconfiguration findings.
//!
//! The input documents and the rule package layout are described in
//! docs/iac.md.

pub mod cloudformation;
pub mod compose;
mod dfvars;
pub mod dockerfile;
pub mod docs;
pub mod gha;
pub mod json;
pub mod k8s;
pub mod rules;
pub mod terraform;
pub mod yaml;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde_json::Value;
use vigil_model::{
    Diagnostic, Finding, FindingKind, Fingerprint, Location, Suppression, SuppressionKind,
};

pub use rules::{Compiled, Rule, RuleSet};

/// The largest IaC file read, in bytes.
pub const MAX_FILE_SIZE: u64 = 8 * 1024 * 1024;

/// Errors loading rules or reading files.
#[derive(Debug, thiserror::Error)]
pub enum IacError {
    /// A file or directory could not be read.
    #[error("{}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// A rule module that does not compile or whose metadata is wrong.
    #[error("{path}: {message}")]
    Rule {
        /// The rule's file.
        path: String,
        /// What is wrong.
        message: String,
    },
}

impl IacError {
    fn rule(path: &str, e: impl std::fmt::Display) -> IacError {
        IacError::Rule {
            path: path.to_string(),
            message: e.to_string().trim().to_string(),
        }
    }
}

/// The formats read. Each is the `format` of its files' input documents
/// and a name rules' `formats` use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Format {
    /// Kubernetes YAML manifests.
    Kubernetes,
    /// Dockerfiles.
    Dockerfile,
    /// Docker Compose files.
    Compose,
    /// GitHub Actions workflows.
    GithubActions,
    /// AWS CloudFormation templates (YAML or JSON; SAM included).
    CloudFormation,
    /// Terraform: HCL and JSON modules, and plans.
    Terraform,
}

impl Format {
    /// Every format, in the order detection tries them.
    pub const ALL: &'static [Format] = &[
        Format::Kubernetes,
        Format::Dockerfile,
        Format::Compose,
        Format::GithubActions,
        Format::CloudFormation,
        Format::Terraform,
    ];

    /// The name rules' `formats` use.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Kubernetes => "kubernetes",
            Format::Dockerfile => "dockerfile",
            Format::Compose => "compose",
            Format::GithubActions => "github-actions",
            Format::CloudFormation => "cloudformation",
            Format::Terraform => "terraform",
        }
    }

    /// The format of a name rules' `formats` use.
    pub fn from_name(name: &str) -> Option<Format> {
        Format::ALL.iter().copied().find(|f| f.as_str() == name)
    }
}

/// What a file's name says it may hold; which [`Format`] it is (if any)
/// is decided by its content for YAML and JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// A Dockerfile by name.
    Dockerfile,
    /// A `.yaml`/`.yml` file.
    Yaml,
    /// A Terraform `.tf`/`.tf.json` file (read with the other files of
    /// its directory, the module).
    Terraform,
    /// A `.json` file (or a CloudFormation `.template`, JSON or YAML).
    Json,
}

impl FileKind {
    /// What a file's name suggests.
    pub fn of_path(path: &Path) -> Option<FileKind> {
        let name = path.file_name()?.to_str()?;
        if dockerfile::is_dockerfile_name(name) {
            return Some(FileKind::Dockerfile);
        }
        let lower = name.to_ascii_lowercase();
        if terraform::is_terraform_name(&lower) {
            return Some(FileKind::Terraform);
        }
        if lower.ends_with(".yaml") || lower.ends_with(".yml") {
            Some(FileKind::Yaml)
        } else if lower.ends_with(".json") || lower.ends_with(".template") {
            Some(FileKind::Json)
        } else {
            None
        }
    }
}

/// The format of a YAML file's documents, if it is IaC vigil reads.
/// `rel` is its path (some formats are known by where they live).
fn detect_yaml(rel: &str, docs: &[yaml::Document]) -> Option<Format> {
    if docs.iter().any(|d| k8s::is_resource(&d.value)) {
        Some(Format::Kubernetes)
    } else if docs.iter().any(|d| cloudformation::is_template(&d.value)) {
        Some(Format::CloudFormation)
    } else if gha::is_workflow(rel, docs) {
        Some(Format::GithubActions)
    } else if compose::is_compose(rel, docs) {
        Some(Format::Compose)
    } else {
        None
    }
}

/// What an IaC scan found.
#[derive(Debug, Default)]
pub struct IacScan {
    /// The misconfigurations, by path and line.
    pub findings: Vec<Finding>,
    /// Files that could not be read or parsed.
    pub diagnostics: Vec<Diagnostic>,
    /// The files checked (relative paths).
    pub files: Vec<String>,
}

/// A file's inline ignores: line → (rule ID, reason).
type Ignores = HashMap<u32, Vec<(String, Option<String>)>>;

/// The `# vigil:ignore RULE-ID reason` comments of a file: line → (rule
/// ID, reason).
fn inline_ignores(text: &str) -> Ignores {
    let mut out: Ignores = HashMap::new();
    for (n, l) in text.lines().enumerate() {
        let Some(i) = l.find("vigil:ignore") else {
            continue;
        };
        if !l[..i].trim_end().ends_with('#') {
            continue;
        }
        let rest = l[i + "vigil:ignore".len()..].trim();
        let mut parts = rest.splitn(2, char::is_whitespace);
        let Some(id) = parts.next().filter(|s| !s.is_empty()) else {
            continue;
        };
        let reason = parts
            .next()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string);
        let line = u32::try_from(n + 1).unwrap_or(u32::MAX);
        out.entry(line).or_default().push((id.to_string(), reason));
    }
    out
}

/// A YAML file's documents, or a diagnostic when it is invalid and looks
/// like IaC (`Ok(None)` when it is invalid and does not: a repository has
/// many YAML files, and templates such as Helm's are YAML only once
/// rendered).
fn parse_yaml(rel: &str, text: &str) -> Result<Option<Vec<yaml::Document>>, Diagnostic> {
    match yaml::parse(text) {
        Ok(docs) => Ok(Some(docs)),
        Err(e) => {
            if text.contains("{{") && !text.contains("${{") {
                tracing::debug!(path = rel, "a template, not YAML yet: passed over");
                return Ok(None);
            }
            if looks_like_iac_yaml(rel, text) {
                return Err(Diagnostic::warning(
                    rel,
                    Some(e.line),
                    format!(
                        "invalid YAML, not checked for misconfigurations: {}",
                        e.message
                    ),
                ));
            }
            Ok(None)
        }
    }
}

/// Whether a YAML file can hold a format vigil reads, judged from its
/// name and text without parsing it: each format's detection needs these
/// words (Kubernetes `apiVersion` and `kind`, a template's `Resources`
/// or `AWSTemplateFormatVersion`, a workflow's `jobs`, a Compose file's
/// name). Repositories hold large YAML files that are none of these
/// (`pnpm-lock.yaml`, data, translations): they are not parsed.
fn may_be_iac_yaml(rel: &str, text: &str) -> bool {
    (text.contains("apiVersion") && text.contains("kind"))
        || cloudformation::looks_like_template(text)
        || text.contains("jobs")
        || gha::is_workflow_path(rel)
        || compose::is_compose_name(rel)
}

/// Whether the text of a YAML file that does not parse looks like a
/// format vigil checks (so that its error is worth a warning).
fn looks_like_iac_yaml(rel: &str, text: &str) -> bool {
    (text.contains("apiVersion") && text.contains("kind"))
        || gha::is_workflow_path(rel)
        || (compose::is_compose_name(rel) && text.contains("services"))
        || cloudformation::looks_like_template(text)
}

/// The input document of a YAML file's documents in `format` (`text`:
/// the file's text, where lines of sequence items are looked up, and
/// that formats with their own reading read again).
fn yaml_input(
    format: Format,
    rel: &str,
    text: &str,
    docs: &[yaml::Document],
) -> Result<Value, Diagnostic> {
    Ok(match format {
        Format::Kubernetes => k8s::input(docs),
        Format::Compose => compose::input(docs, text),
        Format::GithubActions => gha::input(docs, text),
        Format::Dockerfile | Format::Terraform => Value::Null,
        // Read again, keeping the short-form intrinsic tags.
        Format::CloudFormation => cloudformation::input(&cloudformation::parse(rel, text)?),
    })
}

/// The input document of one file read as `format`, or why there is
/// none. `Ok(None)`: a YAML file that does not parse and does not look
/// like IaC.
pub fn input_document(format: Format, rel: &str, text: &str) -> Result<Option<Value>, Diagnostic> {
    let mut doc = match format {
        Format::Dockerfile => dockerfile::parse(text),
        Format::Terraform => return terraform::text_input(rel, text).map(Some),
        Format::CloudFormation => cloudformation::input(&cloudformation::parse(rel, text)?),
        _ => match parse_yaml(rel, text)? {
            Some(docs) => yaml_input(format, rel, text, &docs)?,
            None => return Ok(None),
        },
    };
    doc["path"] = Value::String(rel.to_string());
    Ok(Some(doc))
}

/// Detects a file's format from its kind and content and builds its input
/// document: `Ok(None)` when it is not IaC vigil reads.
pub fn detect(
    kind: FileKind,
    rel: &str,
    text: &str,
) -> Result<Option<(Format, Value)>, Diagnostic> {
    let (format, mut doc) = match kind {
        FileKind::Dockerfile => (Format::Dockerfile, dockerfile::parse(text)),
        FileKind::Yaml => {
            if !may_be_iac_yaml(rel, text) {
                return Ok(None);
            }
            let Some(docs) = parse_yaml(rel, text)? else {
                return Ok(None);
            };
            let Some(format) = detect_yaml(rel, &docs) else {
                return Ok(None);
            };
            (format, yaml_input(format, rel, text, &docs)?)
        }
        FileKind::Terraform => {
            return terraform::text_input(rel, text).map(|d| Some((Format::Terraform, d)))
        }
        FileKind::Json => {
            if let Some(plan) = terraform::detect_plan(rel, text) {
                return Ok(Some((Format::Terraform, plan)));
            }
            match cloudformation::detect_file(rel, text)? {
                Some(doc) => (Format::CloudFormation, doc),
                None => return Ok(None),
            }
        }
    };
    doc["path"] = Value::String(rel.to_string());
    Ok(Some((format, doc)))
}

/// Checks one file's text: its findings, or a diagnostic.
pub fn check_text(
    rules: &RuleSet,
    compiled: &Compiled,
    format: Format,
    rel: &str,
    text: &str,
) -> Result<Vec<Finding>, Diagnostic> {
    let Some(doc) = input_document(format, rel, text)? else {
        return Ok(Vec::new());
    };
    check_document(rules, compiled, format, rel, &doc, text)
}

/// Checks one input document of `format`, read from the file `rel` whose
/// text is `text` (for inline `vigil:ignore` comments).
pub fn check_document(
    rules: &RuleSet,
    compiled: &Compiled,
    format: Format,
    rel: &str,
    doc: &Value,
    text: &str,
) -> Result<Vec<Finding>, Diagnostic> {
    let sources = HashMap::from([(rel.to_string(), text.to_string())]);
    check_document_in(rules, compiled, format, rel, doc, &sources)
}

/// Checks one input document of `format` built from several files
/// (a Terraform module): `rel` names the document; a finding is located
/// in the file of its resource (a resource's `path`, else `rel`), and
/// inline `vigil:ignore` comments are read from `sources` (path → text).
pub fn check_document_in(
    rules: &RuleSet,
    compiled: &Compiled,
    format: Format,
    rel: &str,
    doc: &Value,
    sources: &HashMap<String, String>,
) -> Result<Vec<Finding>, Diagnostic> {
    let hits = rules
        .evaluate(compiled, format.as_str(), doc)
        .map_err(|e| Diagnostic::warning(rel, None, format!("evaluating rules: {e}")))?;
    // The resources findings name: Kubernetes objects, Compose services,
    // workflow jobs, Terraform resources and data sources (with the file
    // each is in).
    type Span<'a> = (u64, Option<u64>, Option<&'a str>);
    let resources: HashMap<&str, Span<'_>> = ["resources", "data", "services", "jobs"]
        .iter()
        .filter_map(|k| doc.get(*k).and_then(Value::as_array))
        .flatten()
        .filter_map(|r| {
            Some((
                r["id"].as_str()?,
                (
                    r["line"].as_u64()?,
                    r["end_line"].as_u64(),
                    r["path"].as_str(),
                ),
            ))
        })
        .collect();
    let mut ignores: HashMap<&str, Ignores> = HashMap::new();
    let mut findings = Vec::new();
    for hit in hits {
        let rule = &rules.rules()[hit.rule];
        let span = hit
            .resource
            .as_deref()
            .and_then(|r| resources.get(r))
            .copied();
        let res_line = span.and_then(|(l, _, _)| u32::try_from(l).ok());
        let line = hit.line.or(res_line);
        let file = span.and_then(|(_, _, p)| p).unwrap_or(rel);
        let ignores = ignores.entry(file).or_insert_with(|| {
            sources
                .get(file)
                .map(|t| inline_ignores(t))
                .unwrap_or_default()
        });
        let mut location = Location::new(file, line);
        location.end_line = span
            .and_then(|(_, e, _)| e)
            .and_then(|e| u32::try_from(e).ok())
            .filter(|e| Some(*e) != line && hit.line.is_none());
        let suppression = [line, res_line]
            .into_iter()
            .flatten()
            .flat_map(|l| [l, l.saturating_sub(1)])
            .filter_map(|l| ignores.get(&l))
            .flatten()
            .find(|(id, _)| id.eq_ignore_ascii_case(&rule.id))
            .map(|(_, reason)| Suppression {
                kind: SuppressionKind::Inline,
                source: file.to_string(),
                reason: reason.clone(),
                vex_status: None,
                justification: None,
                expires: None,
            });
        findings.push(Finding {
            kind: FindingKind::Misconfiguration,
            id: rule.id.clone(),
            aliases: Vec::new(),
            title: rule.title.clone(),
            message: Some(hit.msg.clone()),
            severity: rule.severity,
            cvss: None,
            resource: hit.resource.clone(),
            package: None,
            fingerprint: Fingerprint::misconfiguration(
                &rule.id,
                file,
                hit.resource.as_deref().unwrap_or_default(),
                &hit.msg,
            ),
            location,
            fixed_versions: Vec::new(),
            fix_available: false,
            kev: false,
            informational: None,
            published: None,
            suppression,
            help: Some(RuleSet::help(rule)),
            secret: None,
            runtime: None,
            vulnerable_code: None,
            epss: None,
            risk: None,
        });
    }
    Ok(findings)
}

/// One file's outcome: its findings, `None` when it is not IaC, or why it
/// could not be checked.
type FileResult = Result<Option<Vec<Finding>>, Diagnostic>;

/// Checks files (paths below `root`, or `root` itself when it is a
/// file), in parallel. Files that are not IaC are passed over.
pub fn check_files(rules: &RuleSet, root: &Path, files: &[PathBuf]) -> Result<IacScan, IacError> {
    // Each worker compiles the rules once (the engine cannot be shared
    // between threads) and clones it per file; a rule that does not
    // compile fails here first.
    rules.compile()?;
    let (tf, files): (Vec<&PathBuf>, Vec<&PathBuf>) = files
        .iter()
        .partition(|p| FileKind::of_path(p) == Some(FileKind::Terraform));
    let modules = check_terraform(rules, root, &tf);
    let results: Vec<(String, FileResult)> = files
        .par_iter()
        .map_init(
            || rules.compile().ok(),
            |compiled, path| {
            let compiled = compiled.as_ref()?;
            let kind = FileKind::of_path(path)?;
            let rel = rel_path(root, path);
            let meta = fs_err::metadata(path).ok()?;
            if meta.len() > MAX_FILE_SIZE {
                if kind == FileKind::Json {
                    // Large JSON files are data (lock files, fixtures):
                    // templates are at most 1 MB.
                    tracing::debug!(path = rel, "large JSON file passed over");
                    return None;
                }
                return Some((
                    rel.clone(),
                    Err(Diagnostic::warning(
                        rel,
                        None,
                        format!("larger than {MAX_FILE_SIZE} bytes; not checked for misconfigurations"),
                    )),
                ));
            }
            let text = match fs_err::read_to_string(path) {
                Ok(t) => t,
                Err(e) => return Some((rel.clone(), Err(Diagnostic::warning(rel, None, e.to_string())))),
            };
            let checked = match detect(kind, &rel, &text) {
                Ok(Some((format, doc))) => {
                    check_document(rules, compiled, format, &rel, &doc, &text).map(Some)
                }
                Ok(None) => Ok(None),
                Err(d) => Err(d),
            };
            Some((rel.clone(), checked))
        },
        )
        .flatten()
        .collect();
    let mut scan = modules;
    for (rel, r) in results {
        match r {
            Ok(Some(f)) => {
                scan.files.push(rel);
                scan.findings.extend(f);
            }
            Ok(None) => {}
            Err(d) => scan.diagnostics.push(d),
        }
    }
    scan.findings.sort_by(|a, b| {
        (&a.location.path, a.location.line, &a.id).cmp(&(&b.location.path, b.location.line, &b.id))
    });
    scan.files.sort();
    Ok(scan)
}

/// Checks the Terraform modules of `.tf`/`.tf.json` files: one per
/// directory, except directories that another module of the scan calls
/// (their resources are checked as part of their callers').
fn check_terraform(rules: &RuleSet, root: &Path, files: &[&PathBuf]) -> IacScan {
    // Modules that `terraform init` downloaded are not the repository's.
    let mut dirs: Vec<PathBuf> = files
        .iter()
        .filter(|p| !p.components().any(|c| c.as_os_str() == ".terraform"))
        .filter_map(|p| p.parent().map(Path::to_path_buf))
        .collect();
    // A file given as the root: its module's paths are relative to its
    // directory.
    let root = if root.is_file() {
        root.parent().unwrap_or(root)
    } else {
        root
    };
    dirs.sort();
    dirs.dedup();
    let loaded: Vec<(PathBuf, terraform::Loaded, Result<Vec<Finding>, Diagnostic>)> = dirs
        .par_iter()
        .map_init(
            || rules.compile().ok(),
            |compiled, dir| {
                let loaded = terraform::load_module(root, dir);
                let rel = loaded.doc["path"].as_str().unwrap_or(".").to_string();
                let checked = match compiled.as_ref() {
                    Some(c) => check_document_in(
                        rules,
                        c,
                        Format::Terraform,
                        &rel,
                        &loaded.doc,
                        &loaded.sources,
                    ),
                    None => Ok(Vec::new()),
                };
                let canonical = fs_err::canonicalize(dir).unwrap_or_else(|_| dir.clone());
                (canonical, loaded, checked)
            },
        )
        .collect();
    let called: std::collections::HashSet<&PathBuf> =
        loaded.iter().flat_map(|(_, l, _)| &l.called).collect();
    let mut scan = IacScan::default();
    let mut diagnostics = Vec::new();
    for (dir, l, checked) in &loaded {
        diagnostics.extend(l.diagnostics.iter().cloned());
        if called.contains(dir) {
            continue;
        }
        scan.files.extend(l.files.iter().cloned());
        match checked {
            Ok(f) => scan.findings.extend(f.iter().cloned()),
            Err(d) => diagnostics.push(d.clone()),
        }
    }
    // A module's file may be read by several modules (its own and its
    // callers'): each diagnostic once.
    let mut seen = std::collections::HashSet::new();
    for d in diagnostics {
        if seen.insert(d.to_string()) {
            scan.diagnostics.push(d);
        }
    }
    scan.files.sort();
    scan.files.dedup();
    scan
}

/// `path` relative to `root`, with `/` separators; a file given as the
/// root is named by its file name.
pub(crate) fn rel_path(root: &Path, path: &Path) -> String {
    let rel = if root == path {
        path.file_name().map(Path::new).unwrap_or(path)
    } else {
        path.strip_prefix(root).unwrap_or(path)
    };
    rel.to_string_lossy().replace('\\', "/")
}

/// The files below `root` that may be IaC (by name), obeying `.gitignore`
/// files unless `no_ignore`; `root` itself when it is a file.
pub fn walk(root: &Path, no_ignore: bool) -> Vec<PathBuf> {
    if root.is_file() {
        return vec![root.to_path_buf()];
    }
    let mut out = Vec::new();
    let walker = ignore::WalkBuilder::new(root)
        .standard_filters(!no_ignore)
        .hidden(false)
        .filter_entry(|e| e.file_name() != ".git")
        .build();
    for entry in walker.flatten() {
        if entry.file_type().is_some_and(|t| t.is_file())
            && FileKind::of_path(entry.path()).is_some()
        {
            out.push(entry.into_path());
        }
    }
    out.sort();
    out
}

/// Walks `root` and checks what it finds.
pub fn scan(rules: &RuleSet, root: &Path, no_ignore: bool) -> Result<IacScan, IacError> {
    let files = walk(root, no_ignore);
    tracing::debug!(files = files.len(), "IaC candidates");
    check_files(rules, root, &files)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn fixture(name: &str) -> String {
        std::fs::read_to_string(format!("{}/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
    }

    #[test]
    fn malformed_manifest_is_a_diagnostic_naming_file_and_line() {
        let d = input_document(
            Format::Kubernetes,
            "k8s/bad.yaml",
            &fixture("yaml/malformed.yaml"),
        )
        .unwrap_err();
        assert_eq!(d.path.as_deref(), Some("k8s/bad.yaml"));
        assert_eq!(d.line, Some(6));
        assert!(d.message.contains("invalid YAML"), "{d}");
    }

    #[test]
    fn templates_and_other_yaml_are_passed_over() {
        let t = fixture("k8s/helm-template.yaml");
        assert_eq!(detect(FileKind::Yaml, "t.yaml", &t).unwrap(), None);
        let other = "name: release\nsteps: [build]\n";
        assert_eq!(detect(FileKind::Yaml, "notes.yml", other).unwrap(), None);
    }

    #[test]
    fn cloudformation_detected_beside_kubernetes_and_other_yaml() {
        let t = fixture("cloudformation/resolve.yaml");
        let (format, doc) = detect(FileKind::Yaml, "stack.yaml", &t).unwrap().unwrap();
        assert_eq!(format, Format::CloudFormation);
        assert_eq!(doc["path"], "stack.yaml");
        let policy = &doc["resources"][1];
        assert_eq!(policy["id"], "LogsPolicy");
        assert_eq!(policy["properties"]["Bucket"]["Ref"], "Logs");
        // A tag in a Kubernetes manifest is ignored, as before.
        let k = fixture("k8s/tagged.yaml");
        let (format, doc) = detect(FileKind::Yaml, "cm.yaml", &k).unwrap().unwrap();
        assert_eq!(format, Format::Kubernetes);
        assert_eq!(
            doc["resources"][0]["document"]["data"]["ref"],
            "not-cloudformation"
        );
        let j = fixture("cloudformation/template.json");
        let kind = FileKind::of_path(Path::new("t/data.json")).unwrap();
        assert_eq!(kind, FileKind::Json);
        let (format, _) = detect(kind, "t/data.json", &j).unwrap().unwrap();
        assert_eq!(format, Format::CloudFormation);
        assert_eq!(
            FileKind::of_path(Path::new("vpc.template")),
            Some(FileKind::Json)
        );
        assert_eq!(
            detect(kind, "package.json", "{\"name\": \"x\"}").unwrap(),
            None
        );
        let d = detect(kind, "bad.json", &fixture("cloudformation/invalid.json")).unwrap_err();
        assert_eq!((d.path.as_deref(), d.line), (Some("bad.json"), Some(5)));
        let d = detect(
            FileKind::Yaml,
            "bad.yaml",
            &fixture("cloudformation/invalid.yaml"),
        )
        .unwrap_err();
        assert_eq!((d.path.as_deref(), d.line), (Some("bad.yaml"), Some(7)));
    }

    #[test]
    fn bomb_is_refused_as_a_diagnostic() {
        let mut text = fixture("yaml/bomb.yaml");
        text.insert_str(0, "apiVersion: v1\nkind: ConfigMap\n");
        let d = input_document(Format::Kubernetes, "bomb.yaml", &text).unwrap_err();
        assert!(d.message.contains("YAML bomb"), "{d}");
    }

    #[test]
    fn compose_files_and_workflows_are_detected_by_name_and_content() {
        let compose = fixture("compose/docker-compose.yml");
        let (f, doc) = detect(FileKind::Yaml, "deploy/docker-compose.yml", &compose)
            .unwrap()
            .unwrap();
        assert_eq!(f, Format::Compose);
        assert_eq!(doc["path"], "deploy/docker-compose.yml");
        // The same content under a name that is not a Compose file's.
        assert_eq!(
            detect(FileKind::Yaml, "deploy/app.yml", &compose).unwrap(),
            None
        );
        let wf = fixture("github-actions/triage.yml");
        let (f, doc) = detect(FileKind::Yaml, ".github/workflows/triage.yml", &wf)
            .unwrap()
            .unwrap();
        assert_eq!(f, Format::GithubActions);
        assert_eq!(doc["jobs"][0]["id"], "job/triage");
        // Known by content elsewhere.
        let (f, _) = detect(FileKind::Yaml, "ci/triage.yml", &wf)
            .unwrap()
            .unwrap();
        assert_eq!(f, Format::GithubActions);
        assert_eq!(
            Format::from_name("github-actions"),
            Some(Format::GithubActions)
        );
        assert_eq!(Format::from_name("compose"), Some(Format::Compose));
    }

    #[test]
    fn invalid_workflow_is_a_diagnostic() {
        let text = fixture("github-actions/broken.yml");
        let d = detect(FileKind::Yaml, ".github/workflows/broken.yml", &text).unwrap_err();
        assert_eq!(d.path.as_deref(), Some(".github/workflows/broken.yml"));
        assert!(d.line.is_some(), "{d}");
        // Elsewhere, an invalid YAML file that does not look like IaC is
        // passed over.
        assert_eq!(
            detect(FileKind::Yaml, "notes/broken.yml", &text).unwrap(),
            None
        );
    }

    #[test]
    fn inline_ignore_markers() {
        let m = inline_ignores("a: 1\n# vigil:ignore VIGIL-K8S-001 needed here\nb: 2 # vigil:ignore X-1\n# not vigil:ignore\n");
        assert_eq!(
            m.get(&2).unwrap(),
            &vec![("VIGIL-K8S-001".to_string(), Some("needed here".to_string()))]
        );
        assert_eq!(m.get(&3).unwrap(), &vec![("X-1".to_string(), None)]);
        assert!(!m.contains_key(&4));
    }
}
