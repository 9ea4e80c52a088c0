//! Rego policies over the JSON report, the way conftest runs them.
//!
//! Every `.rego` file given (directories: every `.rego` file below them,
//! `_test.rego` files left out) is loaded into one in-process engine
//! (the `regorus` interpreter, Rego v1 syntax), with the JSON report as
//! `input`. In the namespace (package `main` by default), the rules
//! `deny` and `violation` fail the gate and `warn` only warns; each is a
//! set (or array) of strings, or of objects whose `msg` is the message.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::error::{read_text, PolicyError};

/// The rules that fail the gate.
const FAILING: &[&str] = &["deny", "violation"];
/// The rules that only warn.
const WARNING: &[&str] = &["warn"];

/// Loaded policies.
#[derive(Clone)]
pub struct Policies {
    engine: regorus::Engine,
    namespace: String,
    files: Vec<PathBuf>,
}

impl std::fmt::Debug for Policies {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Policies")
            .field("namespace", &self.namespace)
            .field("files", &self.files)
            .finish()
    }
}

/// One message of a rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The rule (`deny`, `violation`, `warn`).
    pub rule: String,
    /// The message.
    pub text: String,
}

/// What the policies said.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Verdict {
    /// `deny` and `violation` messages: the gate fails when there is one.
    pub failures: Vec<Message>,
    /// `warn` messages.
    pub warnings: Vec<Message>,
}

/// The `.rego` files a path names: the file itself, or those below a
/// directory (sorted, `_test.rego` left out).
fn rego_files(path: &Path, out: &mut Vec<PathBuf>) -> Result<(), PolicyError> {
    let meta = fs_err::metadata(path).map_err(|source| PolicyError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    if !meta.is_dir() {
        out.push(path.to_path_buf());
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = fs_err::read_dir(path)
        .map_err(|source| PolicyError::Read {
            path: path.to_path_buf(),
            source,
        })?
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

/// A regorus error's text, which names the file and line itself.
fn engine_error(path: &Path, e: impl std::fmt::Display) -> PolicyError {
    let msg = e.to_string();
    let msg = msg.trim().to_string();
    PolicyError::invalid(path, None, msg)
}

impl Policies {
    /// Loads the policy files and directories. A file that does not parse
    /// is an error naming it.
    pub fn load(paths: &[PathBuf], namespace: &str) -> Result<Policies, PolicyError> {
        let mut files = Vec::new();
        for p in paths {
            rego_files(p, &mut files)?;
        }
        let mut engine = regorus::Engine::new();
        for f in &files {
            let text = read_text(f)?;
            engine
                .add_policy(f.display().to_string(), text)
                .map_err(|e| engine_error(f, e))?;
        }
        Ok(Policies {
            engine,
            namespace: namespace.to_string(),
            files,
        })
    }

    /// The files loaded.
    pub fn files(&self) -> &[PathBuf] {
        &self.files
    }

    /// Evaluates the rules over `input` (the JSON report's text), with
    /// `data.vigil.today` set to `today` (`YYYY-MM-DD`), so that policies
    /// can reason about the age of advisories (`published`) without a
    /// clock of their own.
    pub fn evaluate(&self, input_json: &str, today: &str) -> Result<Verdict, PolicyError> {
        let mut engine = self.engine.clone();
        let first = self.files.first().cloned().unwrap_or_default();
        engine
            .set_input_json(input_json)
            .map_err(|e| engine_error(&first, format!("the report as input: {e}")))?;
        engine
            .add_data_json(&serde_json::json!({ "vigil": { "today": today } }).to_string())
            .map_err(|e| engine_error(&first, format!("data.vigil: {e}")))?;
        let mut verdict = Verdict::default();
        for (rules, out) in [
            (FAILING, &mut verdict.failures),
            (WARNING, &mut verdict.warnings),
        ] {
            for rule in rules {
                let query = format!("data.{}.{rule}", self.namespace);
                let results = engine
                    .eval_query(query.clone(), false)
                    .map_err(|e| engine_error(&first, format!("{query}: {e}")))?;
                for r in &results.result {
                    for expr in &r.expressions {
                        let json = expr
                            .value
                            .to_json_str()
                            .map_err(|e| engine_error(&first, format!("{query}: {e}")))?;
                        let value: Value = serde_json::from_str(&json).unwrap_or(Value::Null);
                        out.extend(messages(&value).into_iter().map(|text| Message {
                            rule: (*rule).to_string(),
                            text,
                        }));
                    }
                }
            }
        }
        for list in [&mut verdict.failures, &mut verdict.warnings] {
            list.sort_by(|a, b| (&a.rule, &a.text).cmp(&(&b.rule, &b.text)));
            list.dedup();
        }
        Ok(verdict)
    }
}

/// The messages of a rule's value: strings, objects' `msg`, anything else
/// as JSON. A boolean `true` (a rule written `deny if ...`) is one message
/// naming nothing; `false` and empty sets are none.
fn messages(value: &Value) -> Vec<String> {
    match value {
        Value::Array(items) => items.iter().flat_map(messages).collect(),
        Value::String(s) => vec![s.clone()],
        Value::Object(o) => match o.get("msg").and_then(Value::as_str) {
            Some(m) => vec![m.to_string()],
            None => vec![value.to_string()],
        },
        Value::Bool(true) => vec!["(no message)".to_string()],
        Value::Bool(false) | Value::Null => Vec::new(),
        other => vec![other.to_string()],
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/rego")
    }

    fn policies_dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../policies")
    }

    fn input(name: &str) -> String {
        read_text(&dir().join(name)).unwrap()
    }

    fn eval(policy: &str, input_name: &str) -> Verdict {
        Policies::load(&[policies_dir().join(policy)], "main")
            .unwrap()
            .evaluate(&input(input_name), "2026-11-27")
            .unwrap()
    }

    #[test]
    fn shipped_no_critical_with_fix() {
        let v = eval("no-critical-with-fix.rego", "report-bad.json");
        assert_eq!(
            v.failures.iter().map(|m| m.text.as_str()).collect::<Vec<_>>(),
            [
                "GHSA-crit-recent: CRITICAL in minimist 1.2.5 (web/package-lock.json) has a fix: upgrade to 1.2.6",
                "GHSA-xvch-5gv4-984h: CRITICAL in minimist 1.2.5 (web/package-lock.json) has a fix: upgrade to 1.2.6"
            ]
        );
        assert!(eval("no-critical-with-fix.rego", "report-good.json")
            .failures
            .is_empty());
    }

    #[test]
    fn shipped_no_old_critical_with_fix() {
        let v = eval("no-old-critical-with-fix.rego", "report-bad.json");
        // Published 2022-03-17: 1,716 days before 2026-11-27. The critical
        // published 17 days before is not old yet; the one without a fix
        // and the suppressed one are left out.
        assert_eq!(
            v.failures.iter().map(|m| m.text.as_str()).collect::<Vec<_>>(),
            ["GHSA-xvch-5gv4-984h: CRITICAL in minimist 1.2.5 (web/package-lock.json), published 2022-03-17 (1716 days ago), has a fix: upgrade to 1.2.6"]
        );
        assert!(eval("no-old-critical-with-fix.rego", "report-good.json")
            .failures
            .is_empty());
        // A month later, the recent one is old too.
        let later = Policies::load(
            &[policies_dir().join("no-old-critical-with-fix.rego")],
            "main",
        )
        .unwrap()
        .evaluate(&input("report-bad.json"), "2026-12-27")
        .unwrap();
        assert_eq!(later.failures.len(), 2, "{later:?}");
    }

    #[test]
    fn shipped_no_kev() {
        let v = eval("no-kev.rego", "report-bad.json");
        assert_eq!(v.failures.len(), 1);
        assert!(
            v.failures[0]
                .text
                .starts_with("RUSTSEC-2023-0061 (CVE-2023-4863) is known to be exploited"),
            "{v:?}"
        );
        assert!(eval("no-kev.rego", "report-good.json").failures.is_empty());
    }

    #[test]
    fn shipped_high_risk() {
        let v = eval("high-risk.rego", "report-bad.json");
        assert_eq!(
            v.failures.iter().map(|m| m.text.as_str()).collect::<Vec<_>>(),
            ["GHSA-xvch-5gv4-984h: risk 9.8, exposed to the internet: minimist 1.2.5 (exposed: listens on a public address; reaches postgresql; not in KEV)"]
        );
        assert_eq!(v.warnings.len(), 1, "{v:?}");
        assert!(
            v.warnings[0].text.starts_with("GHSA-crit-nofix: risk 7.5"),
            "{v:?}"
        );
        let good = eval("high-risk.rego", "report-good.json");
        assert!(
            good.failures.is_empty() && good.warnings.is_empty(),
            "{good:?}"
        );
    }

    #[test]
    fn shipped_licenses() {
        let v = eval("copyleft-licenses.rego", "report-bad.json");
        assert_eq!(
            v.failures.iter().map(|m| m.text.as_str()).collect::<Vec<_>>(),
            ["gpl-lib 1.0.0 (web/package-lock.json) is licensed AGPL-3.0-only, a network copyleft license"]
        );
        assert_eq!(v.warnings.len(), 1, "{v:?}");
        assert!(v.warnings[0].text.starts_with("lgpl-lib 2.0.0"), "{v:?}");
        let v = eval("copyleft-licenses.rego", "report-good.json");
        assert!(v.failures.is_empty() && v.warnings.is_empty(), "{v:?}");
    }

    #[test]
    fn directories_namespaces_and_message_shapes() {
        let p = Policies::load(&[dir().join("shapes")], "custom").unwrap();
        assert_eq!(p.files().len(), 1, "the _test.rego file is left out");
        let v = p.evaluate(&input("report-bad.json"), "2026-11-27").unwrap();
        let texts: Vec<(&str, &str)> = v
            .failures
            .iter()
            .map(|m| (m.rule.as_str(), m.text.as_str()))
            .collect();
        assert_eq!(
            texts,
            [
                ("deny", "as a string"),
                ("deny", "as an object"),
                ("violation", "a violation")
            ]
        );
        // Another namespace has no rules: nothing fails.
        let p = Policies::load(&[dir().join("shapes")], "main").unwrap();
        assert_eq!(
            p.evaluate(&input("report-bad.json"), "2026-11-27").unwrap(),
            Verdict::default()
        );
    }

    #[test]
    fn broken_policies_are_named() {
        let err = Policies::load(&[dir().join("broken.rego")], "main").unwrap_err();
        assert!(err.to_string().contains("broken.rego"), "{err}");
        let err = Policies::load(&[dir().join("absent.rego")], "main").unwrap_err();
        assert!(err.to_string().contains("absent.rego"), "{err}");
    }
}
