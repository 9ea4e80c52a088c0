//! The rule catalogue: Rego modules, each with a `metadata` object and a
//! `deny` set, compiled once into one engine that every file's
//! evaluation clones.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use vigil_model::Severity;

use crate::IacError;

/// Helper modules every rule may import (`data.vigil.lib`,
/// `data.vigil.lib.terraform`).
const LIBS: &[(&str, &str)] = &[
    (
        "rules/lib/vigil.rego",
        include_str!("../rules/lib/vigil.rego"),
    ),
    (
        "rules/lib/terraform.rego",
        include_str!("../rules/lib/terraform.rego"),
    ),
];

macro_rules! builtin {
    ($($path:literal),* $(,)?) => {
        &[$(($path, include_str!(concat!("../rules/", $path)))),*]
    };
}

/// The built-in rules: (path below `rules/`, source).
pub const BUILTIN: &[(&str, &str)] = builtin![
    "kubernetes/VIGIL-K8S-001.rego",
    "kubernetes/VIGIL-K8S-002.rego",
    "kubernetes/VIGIL-K8S-003.rego",
    "kubernetes/VIGIL-K8S-004.rego",
    "kubernetes/VIGIL-K8S-005.rego",
    "kubernetes/VIGIL-K8S-006.rego",
    "kubernetes/VIGIL-K8S-007.rego",
    "kubernetes/VIGIL-K8S-008.rego",
    "kubernetes/VIGIL-K8S-009.rego",
    "kubernetes/VIGIL-K8S-010.rego",
    "kubernetes/VIGIL-K8S-011.rego",
    "kubernetes/VIGIL-K8S-012.rego",
    "kubernetes/VIGIL-K8S-013.rego",
    "kubernetes/VIGIL-K8S-014.rego",
    "kubernetes/VIGIL-K8S-015.rego",
    "kubernetes/VIGIL-K8S-016.rego",
    "kubernetes/VIGIL-K8S-017.rego",
    "kubernetes/VIGIL-K8S-018.rego",
    "kubernetes/VIGIL-K8S-019.rego",
    "kubernetes/VIGIL-K8S-020.rego",
    "kubernetes/VIGIL-K8S-021.rego",
    "kubernetes/VIGIL-K8S-022.rego",
    "kubernetes/VIGIL-K8S-023.rego",
    "kubernetes/VIGIL-K8S-024.rego",
    "kubernetes/VIGIL-K8S-025.rego",
    "kubernetes/VIGIL-K8S-026.rego",
    "kubernetes/VIGIL-K8S-027.rego",
    "kubernetes/VIGIL-K8S-028.rego",
    "kubernetes/VIGIL-K8S-029.rego",
    "kubernetes/VIGIL-K8S-030.rego",
    "kubernetes/VIGIL-K8S-031.rego",
    "kubernetes/VIGIL-K8S-032.rego",
    "kubernetes/VIGIL-K8S-033.rego",
    "kubernetes/VIGIL-K8S-034.rego",
    "kubernetes/VIGIL-K8S-035.rego",
    "kubernetes/VIGIL-K8S-036.rego",
    "kubernetes/VIGIL-K8S-037.rego",
    "kubernetes/VIGIL-K8S-038.rego",
    "kubernetes/VIGIL-K8S-039.rego",
    "kubernetes/VIGIL-K8S-040.rego",
    "kubernetes/VIGIL-K8S-041.rego",
    "kubernetes/VIGIL-K8S-042.rego",
    "kubernetes/VIGIL-K8S-043.rego",
    "kubernetes/VIGIL-K8S-044.rego",
    "kubernetes/VIGIL-K8S-045.rego",
    "kubernetes/VIGIL-K8S-046.rego",
    "kubernetes/VIGIL-K8S-047.rego",
    "kubernetes/VIGIL-K8S-048.rego",
    "kubernetes/VIGIL-K8S-049.rego",
    "kubernetes/VIGIL-K8S-050.rego",
    "dockerfile/VIGIL-DF-001.rego",
    "dockerfile/VIGIL-DF-002.rego",
    "dockerfile/VIGIL-DF-003.rego",
    "dockerfile/VIGIL-DF-004.rego",
    "dockerfile/VIGIL-DF-005.rego",
    "dockerfile/VIGIL-DF-006.rego",
    "dockerfile/VIGIL-DF-007.rego",
    "dockerfile/VIGIL-DF-008.rego",
    "dockerfile/VIGIL-DF-009.rego",
    "dockerfile/VIGIL-DF-010.rego",
    "dockerfile/VIGIL-DF-011.rego",
    "dockerfile/VIGIL-DF-012.rego",
    "dockerfile/VIGIL-DF-013.rego",
    "dockerfile/VIGIL-DF-014.rego",
    "dockerfile/VIGIL-DF-015.rego",
    "dockerfile/VIGIL-DF-016.rego",
    "dockerfile/VIGIL-DF-017.rego",
    "dockerfile/VIGIL-DF-018.rego",
    "dockerfile/VIGIL-DF-019.rego",
    "dockerfile/VIGIL-DF-020.rego",
    "dockerfile/VIGIL-DF-021.rego",
    "compose/VIGIL-COMPOSE-001.rego",
    "compose/VIGIL-COMPOSE-002.rego",
    "compose/VIGIL-COMPOSE-003.rego",
    "compose/VIGIL-COMPOSE-004.rego",
    "compose/VIGIL-COMPOSE-005.rego",
    "compose/VIGIL-COMPOSE-006.rego",
    "compose/VIGIL-COMPOSE-007.rego",
    "compose/VIGIL-COMPOSE-008.rego",
    "compose/VIGIL-COMPOSE-009.rego",
    "compose/VIGIL-COMPOSE-010.rego",
    "compose/VIGIL-COMPOSE-011.rego",
    "compose/VIGIL-COMPOSE-012.rego",
    "compose/VIGIL-COMPOSE-013.rego",
    "compose/VIGIL-COMPOSE-014.rego",
    "github-actions/VIGIL-GHA-001.rego",
    "github-actions/VIGIL-GHA-002.rego",
    "github-actions/VIGIL-GHA-003.rego",
    "github-actions/VIGIL-GHA-004.rego",
    "github-actions/VIGIL-GHA-005.rego",
    "github-actions/VIGIL-GHA-006.rego",
    "github-actions/VIGIL-GHA-007.rego",
    "github-actions/VIGIL-GHA-008.rego",
    "github-actions/VIGIL-GHA-009.rego",
    "github-actions/VIGIL-GHA-010.rego",
    "github-actions/VIGIL-GHA-011.rego",
    "github-actions/VIGIL-GHA-012.rego",
    "github-actions/VIGIL-GHA-013.rego",
    "cloudformation/VIGIL-CFN-001.rego",
    "cloudformation/VIGIL-CFN-002.rego",
    "cloudformation/VIGIL-CFN-003.rego",
    "cloudformation/VIGIL-CFN-004.rego",
    "cloudformation/VIGIL-CFN-005.rego",
    "cloudformation/VIGIL-CFN-006.rego",
    "cloudformation/VIGIL-CFN-007.rego",
    "cloudformation/VIGIL-CFN-008.rego",
    "cloudformation/VIGIL-CFN-009.rego",
    "cloudformation/VIGIL-CFN-010.rego",
    "cloudformation/VIGIL-CFN-011.rego",
    "cloudformation/VIGIL-CFN-012.rego",
    "cloudformation/VIGIL-CFN-013.rego",
    "cloudformation/VIGIL-CFN-014.rego",
    "cloudformation/VIGIL-CFN-015.rego",
    "cloudformation/VIGIL-CFN-016.rego",
    "cloudformation/VIGIL-CFN-017.rego",
    "cloudformation/VIGIL-CFN-018.rego",
    "cloudformation/VIGIL-CFN-019.rego",
    "cloudformation/VIGIL-CFN-020.rego",
    "cloudformation/VIGIL-CFN-021.rego",
    "cloudformation/VIGIL-CFN-022.rego",
    "cloudformation/VIGIL-CFN-023.rego",
    "cloudformation/VIGIL-CFN-024.rego",
    "cloudformation/VIGIL-CFN-025.rego",
    "cloudformation/VIGIL-CFN-026.rego",
    "cloudformation/VIGIL-CFN-027.rego",
    "cloudformation/VIGIL-CFN-028.rego",
    "cloudformation/VIGIL-CFN-029.rego",
    "cloudformation/VIGIL-CFN-030.rego",
    "cloudformation/VIGIL-CFN-031.rego",
    "cloudformation/VIGIL-CFN-032.rego",
    "terraform/VIGIL-AWS-001.rego",
    "terraform/VIGIL-AWS-002.rego",
    "terraform/VIGIL-AWS-003.rego",
    "terraform/VIGIL-AWS-004.rego",
    "terraform/VIGIL-AWS-005.rego",
    "terraform/VIGIL-AWS-006.rego",
    "terraform/VIGIL-AWS-007.rego",
    "terraform/VIGIL-AWS-008.rego",
    "terraform/VIGIL-AWS-009.rego",
    "terraform/VIGIL-AWS-010.rego",
    "terraform/VIGIL-AWS-011.rego",
    "terraform/VIGIL-AWS-012.rego",
    "terraform/VIGIL-AWS-013.rego",
    "terraform/VIGIL-AWS-014.rego",
    "terraform/VIGIL-AWS-015.rego",
    "terraform/VIGIL-AWS-016.rego",
    "terraform/VIGIL-AWS-017.rego",
    "terraform/VIGIL-AWS-018.rego",
    "terraform/VIGIL-AWS-019.rego",
    "terraform/VIGIL-AWS-020.rego",
    "terraform/VIGIL-AWS-021.rego",
    "terraform/VIGIL-AWS-022.rego",
    "terraform/VIGIL-AWS-023.rego",
    "terraform/VIGIL-AWS-024.rego",
    "terraform/VIGIL-AWS-025.rego",
    "terraform/VIGIL-AWS-026.rego",
    "terraform/VIGIL-AWS-027.rego",
    "terraform/VIGIL-AWS-028.rego",
    "terraform/VIGIL-AWS-029.rego",
    "terraform/VIGIL-AWS-030.rego",
    "terraform/VIGIL-AWS-031.rego",
    "terraform/VIGIL-AWS-032.rego",
    "terraform/VIGIL-AWS-033.rego",
    "terraform/VIGIL-AWS-034.rego",
    "terraform/VIGIL-AWS-035.rego",
    "terraform/VIGIL-AWS-036.rego",
    "terraform/VIGIL-AZURE-001.rego",
    "terraform/VIGIL-AZURE-002.rego",
    "terraform/VIGIL-AZURE-003.rego",
    "terraform/VIGIL-AZURE-004.rego",
    "terraform/VIGIL-AZURE-005.rego",
    "terraform/VIGIL-AZURE-006.rego",
    "terraform/VIGIL-AZURE-007.rego",
    "terraform/VIGIL-AZURE-008.rego",
    "terraform/VIGIL-AZURE-009.rego",
    "terraform/VIGIL-AZURE-010.rego",
    "terraform/VIGIL-AZURE-011.rego",
    "terraform/VIGIL-AZURE-012.rego",
    "terraform/VIGIL-GCP-001.rego",
    "terraform/VIGIL-GCP-002.rego",
    "terraform/VIGIL-GCP-003.rego",
    "terraform/VIGIL-GCP-004.rego",
    "terraform/VIGIL-GCP-005.rego",
    "terraform/VIGIL-GCP-006.rego",
    "terraform/VIGIL-GCP-007.rego",
    "terraform/VIGIL-GCP-008.rego",
    "terraform/VIGIL-GCP-009.rego",
    "terraform/VIGIL-GCP-010.rego",
    "terraform/VIGIL-GCP-011.rego",
    "terraform/VIGIL-GCP-012.rego",
    "terraform/VIGIL-GCP-013.rego",
    "terraform/VIGIL-GCP-014.rego",
];

/// A rule's metadata, as its `metadata` rule states it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rule {
    /// Its stable ID (`VIGIL-K8S-001`), never reused.
    pub id: String,
    /// A one-line title.
    pub title: String,
    /// The severity of what it finds.
    #[serde(with = "severity")]
    pub severity: Severity,
    /// Why it matters.
    pub description: String,
    /// How to fix what it finds.
    pub remediation: String,
    /// Benchmarks and documentation.
    #[serde(default)]
    pub references: Vec<String>,
    /// The input formats it applies to (`kubernetes`, `dockerfile`).
    pub formats: Vec<String>,
    /// `stable` or `preview`.
    #[serde(default = "stable")]
    pub status: String,
    /// Its Rego package (`data.vigil.rules.k8s_001`).
    #[serde(default)]
    pub package: String,
    /// Where it came from (`builtin:kubernetes/VIGIL-K8S-001.rego`, or a
    /// file of `--rules-dir`).
    #[serde(default)]
    pub source: String,
    /// Its documentation page: `metadata.url` when the rule gives one,
    /// else, for a built-in rule, its page in the project's
    /// `docs/rules/`.
    #[serde(default)]
    pub url: Option<String>,
}

/// Where the built-in rules' pages are published.
pub const DOCS_BASE: &str = concat!(env!("CARGO_PKG_REPOSITORY"), "/blob/main/docs/rules/");

fn stable() -> String {
    "stable".to_string()
}

mod severity {
    use serde::{Deserialize, Deserializer, Serializer};
    use vigil_model::Severity;

    pub(super) fn serialize<S: Serializer>(s: &Severity, ser: S) -> Result<S::Ok, S::Error> {
        ser.serialize_str(s.as_str())
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(de: D) -> Result<Severity, D::Error> {
        let s = String::deserialize(de)?;
        s.to_ascii_uppercase()
            .parse()
            .map_err(|_| serde::de::Error::custom(format!("`{s}` is not a severity")))
    }
}

/// One message of a rule's `deny`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// The index of the rule in [`RuleSet::rules`].
    pub rule: usize,
    /// The message.
    pub msg: String,
    /// The line it points at, when it says.
    pub line: Option<u32>,
    /// The resource it is about (`Deployment/web`), when it says.
    pub resource: Option<String>,
}

/// The rules: their metadata, and their sources to compile. The Rego
/// engine cannot be shared between threads, so each worker compiles its
/// own once ([`RuleSet::compile`]) and evaluates every file with it.
#[derive(Clone)]
pub struct RuleSet {
    sources: Vec<(String, String)>,
    rules: Vec<Rule>,
}

/// The rules compiled for one thread: per format, one policy whose
/// entry point gathers the `deny` sets of every rule of that format, so
/// that a file is one evaluation (rather than one per rule: about 2.5
/// times faster).
#[derive(Clone)]
pub struct Compiled {
    policies: std::collections::HashMap<String, regorus::CompiledPolicy>,
}

/// The package of the module gathering a format's rules.
fn gather_package(format: &str) -> String {
    let ident: String = format
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    format!("vigil.eval.{ident}")
}

/// The module gathering the `deny` sets of the rules (by index) of a
/// format into `hits`, a set of `[rule index, deny item]`.
fn gather_module(format: &str, rules: &[Rule]) -> String {
    let mut text = format!("package {}\n\nimport rego.v1\n\n", gather_package(format));
    for (i, r) in rules.iter().enumerate() {
        if r.formats.iter().any(|f| f == format) {
            text.push_str(&format!(
                "hits contains [{i}, x] if {{\n\tsome x in {}.deny\n}}\n\n",
                r.package
            ));
        }
    }
    text
}

impl std::fmt::Debug for Compiled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Compiled").finish_non_exhaustive()
    }
}

/// Compiles the helper library and the sources into one engine, giving
/// each source's package.
fn compile(sources: &[(String, String)]) -> Result<(regorus::Engine, Vec<String>), IacError> {
    let mut engine = regorus::Engine::new();
    for (path, text) in LIBS {
        engine
            .add_policy(format!("builtin:{path}"), (*text).to_string())
            .map_err(|e| IacError::rule(path, e))?;
    }
    let mut packages = Vec::new();
    for (name, text) in sources {
        let package = engine
            .add_policy(name.clone(), text.clone())
            .map_err(|e| IacError::rule(name, e))?;
        packages.push(package);
    }
    Ok((engine, packages))
}

impl std::fmt::Debug for RuleSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RuleSet")
            .field("rules", &self.rules.len())
            .finish()
    }
}

/// The `.rego` files below a directory, sorted (`_test.rego` left out).
fn rego_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), IacError> {
    let read = |e| IacError::Read {
        path: dir.to_path_buf(),
        source: e,
    };
    let mut entries: Vec<PathBuf> = fs_err::read_dir(dir)
        .map_err(read)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for e in entries {
        if e.is_dir() {
            rego_files(&e, out)?;
        } else if e.extension().is_some_and(|x| x == "rego")
            && !e.to_string_lossy().ends_with("_test.rego")
        {
            out.push(e);
        }
    }
    Ok(())
}

impl RuleSet {
    /// The built-in rules, and those of each `--rules-dir` directory
    /// (every `.rego` file below it that has a `metadata` rule; others
    /// are helper modules).
    pub fn load(dirs: &[PathBuf]) -> Result<RuleSet, IacError> {
        let mut sources: Vec<(String, String)> = BUILTIN
            .iter()
            .map(|(p, t)| (format!("builtin:{p}"), (*t).to_string()))
            .collect();
        for dir in dirs {
            let mut files = Vec::new();
            rego_files(dir, &mut files)?;
            for f in files {
                let text = fs_err::read_to_string(&f).map_err(|e| IacError::Read {
                    path: f.clone(),
                    source: e,
                })?;
                sources.push((f.display().to_string(), text));
            }
        }
        let (mut engine, packages) = compile(&sources)?;
        let mut rules = Vec::new();
        let mut seen = BTreeSet::new();
        for ((name, _), package) in sources.iter().zip(packages) {
            let meta = engine
                .eval_rule(format!("{package}.metadata"))
                .ok()
                .filter(|v| *v != regorus::Value::Undefined);
            let Some(meta) = meta else {
                // A helper module of a rules directory.
                continue;
            };
            let json = meta.to_json_str().map_err(|e| IacError::rule(name, e))?;
            let mut rule: Rule = serde_json::from_str(&json)
                .map_err(|e| IacError::rule(name, format!("metadata: {e}")))?;
            if !seen.insert(rule.id.clone()) {
                return Err(IacError::rule(
                    name,
                    format!("rule ID {} is defined twice", rule.id),
                ));
            }
            rule.package = package;
            rule.source = name.clone();
            if rule.url.is_none() && name.starts_with("builtin:") {
                rule.url = Some(format!("{DOCS_BASE}{}.md", rule.id));
            }
            rules.push(rule);
        }
        rules.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(RuleSet { sources, rules })
    }

    /// Compiles the rules (once per thread).
    pub fn compile(&self) -> Result<Compiled, IacError> {
        let (mut engine, _) = compile(&self.sources)?;
        let mut formats: Vec<&str> = self
            .rules
            .iter()
            .flat_map(|r| r.formats.iter().map(String::as_str))
            .collect();
        formats.sort_unstable();
        formats.dedup();
        for format in &formats {
            let name = format!("builtin:gather/{format}.rego");
            engine
                .add_policy(name.clone(), gather_module(format, &self.rules))
                .map_err(|e| IacError::rule(&name, e))?;
        }
        let mut policies = std::collections::HashMap::new();
        for format in formats {
            let entry: std::rc::Rc<str> = format!("data.{}.hits", gather_package(format)).into();
            let policy = engine
                .compile_with_entrypoint(&entry)
                .map_err(|e| IacError::rule(&format!("builtin:gather/{format}.rego"), e))?;
            policies.insert(format.to_string(), policy);
        }
        Ok(Compiled { policies })
    }

    /// What a rule says about its findings.
    pub fn help(rule: &Rule) -> vigil_model::Help {
        vigil_model::Help {
            description: rule.description.clone(),
            remediation: rule.remediation.clone(),
            references: rule.references.clone(),
            url: rule.url.clone(),
        }
    }

    /// The rules, by ID.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The rule of an ID (case-insensitive).
    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id.eq_ignore_ascii_case(id))
    }

    /// Evaluates the rules of `format` over one file's input document.
    pub fn evaluate(
        &self,
        compiled: &Compiled,
        format: &str,
        input: &Value,
    ) -> Result<Vec<Hit>, String> {
        let Some(policy) = compiled.policies.get(format) else {
            return Ok(Vec::new());
        };
        let value = policy
            .eval_with_input(regorus::Value::from(input.clone()))
            .map_err(|e| e.to_string())?;
        if value == regorus::Value::Undefined {
            return Ok(Vec::new());
        }
        let value = serde_json::to_value(&value).map_err(|e| e.to_string())?;
        let mut hits = Vec::new();
        for pair in value.as_array().into_iter().flatten() {
            let Some((i, rule)) = pair
                .get(0)
                .and_then(Value::as_u64)
                .and_then(|i| usize::try_from(i).ok())
                .and_then(|i| Some((i, self.rules.get(i)?)))
            else {
                continue;
            };
            let hit = match pair.get(1) {
                Some(Value::String(msg)) => Hit {
                    rule: i,
                    msg: msg.clone(),
                    line: None,
                    resource: None,
                },
                Some(Value::Object(o)) => Hit {
                    rule: i,
                    msg: o
                        .get("msg")
                        .and_then(Value::as_str)
                        .unwrap_or(&rule.title)
                        .to_string(),
                    line: o
                        .get("line")
                        .and_then(Value::as_u64)
                        .and_then(|l| u32::try_from(l).ok())
                        .filter(|l| *l > 0),
                    resource: o
                        .get("resource")
                        .and_then(Value::as_str)
                        .map(str::to_string),
                },
                _ => continue,
            };
            hits.push(hit);
        }
        Ok(hits)
    }
}
