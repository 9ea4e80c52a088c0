//! `docs/rules/` is generated from the rules: this test fails when a page
//! is stale, missing or left over, and rewrites them all when
//! `VIGIL_UPDATE_DOCS=1`.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use vigil_iac::docs::{index, rule_page, Example};
use vigil_iac::RuleSet;

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A built-in rule's fixtures, failing one first.
fn examples(source: &str) -> Vec<Example> {
    let rego = source.strip_prefix("builtin:").unwrap();
    let dir = crate_dir()
        .join("rules")
        .join(rego.trim_end_matches(".rego"));
    let mut out: Vec<Example> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| {
            let file = p.file_name().unwrap().to_str().unwrap().to_string();
            Example {
                fails: file.starts_with("fail"),
                text: std::fs::read_to_string(&p).unwrap(),
                file,
            }
        })
        .collect();
    out.sort_by(|a, b| (!a.fails, &a.file).cmp(&(!b.fails, &b.file)));
    out
}

#[test]
fn rule_docs_are_fresh() {
    let rules = RuleSet::load(&[]).unwrap();
    let docs = crate_dir().join("../../docs/rules");
    let mut pages: Vec<(PathBuf, String)> = rules
        .rules()
        .iter()
        .map(|r| {
            (
                docs.join(format!("{}.md", r.id)),
                rule_page(r, &examples(&r.source)),
            )
        })
        .collect();
    pages.push((docs.join("README.md"), index(rules.rules())));
    if std::env::var_os("VIGIL_UPDATE_DOCS").is_some() {
        std::fs::create_dir_all(&docs).unwrap();
        for e in std::fs::read_dir(&docs).unwrap() {
            std::fs::remove_file(e.unwrap().path()).unwrap();
        }
        for (path, text) in &pages {
            std::fs::write(path, text).unwrap();
        }
        return;
    }
    let hint = "run `VIGIL_UPDATE_DOCS=1 cargo test -p vigil-iac --test docs`";
    for (path, text) in &pages {
        let on_disk = std::fs::read_to_string(path)
            .unwrap_or_else(|_| panic!("{} is missing: {hint}", path.display()));
        assert!(on_disk == *text, "{} is stale: {hint}", path.display());
    }
    let expected: Vec<&Path> = pages.iter().map(|(p, _)| p.as_path()).collect();
    for e in std::fs::read_dir(&docs).unwrap() {
        let p = e.unwrap().path();
        assert!(
            expected.iter().any(|x| *x == p),
            "{} belongs to no rule: {hint}",
            p.display()
        );
    }
}
