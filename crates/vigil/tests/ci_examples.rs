//! The CI examples in docs/ci and the pre-commit hook definition parse,
//! and carry the fields they depend on.
#![allow(clippy::unwrap_used)] // Tests state their expectations with unwrap.

use std::path::PathBuf;

use serde_yaml_ng::Value;

fn load(rel: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel);
    let text = std::fs::read_to_string(&path).unwrap();
    serde_yaml_ng::from_str(&text).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

#[test]
fn github_workflow_uploads_sarif_with_the_permission_it_needs() {
    let wf = load("docs/ci/github-actions.yml");
    let job = &wf["jobs"]["scan"];
    assert_eq!(job["permissions"]["security-events"], "write");
    let steps = job["steps"].as_sequence().unwrap();
    let upload = steps
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("github/codeql-action/upload-sarif@"))
        })
        .unwrap();
    assert_eq!(upload["with"]["sarif_file"], "vigil.sarif");
    let scan = steps.iter().find(|s| s["name"] == "Scan").unwrap();
    assert!(scan["run"]
        .as_str()
        .unwrap()
        .contains("--output sarif=vigil.sarif"));
    assert!(wf["on"]["pull_request"].is_null() || wf["on"]["pull_request"].is_mapping());
}

#[test]
fn gitlab_job_publishes_junit_and_cyclonedx() {
    let ci = load("docs/ci/gitlab-ci.yml");
    let job = &ci["vigil"];
    let script = job["script"][0].as_str().unwrap();
    assert!(script.contains("junit=vigil-junit.xml"), "{script}");
    assert!(
        script.contains("cyclonedx=gl-sbom-vigil.cdx.json"),
        "{script}"
    );
    assert_eq!(job["artifacts"]["reports"]["junit"], "vigil-junit.xml");
    assert_eq!(
        job["artifacts"]["reports"]["cyclonedx"],
        "gl-sbom-vigil.cdx.json"
    );
    assert_eq!(job["artifacts"]["when"], "always");
}

#[test]
fn pre_commit_hook_has_the_required_fields() {
    let hooks = load(".pre-commit-hooks.yaml");
    let hook = &hooks.as_sequence().unwrap()[0];
    // pre-commit requires id, name, entry and language.
    assert_eq!(hook["id"], "vigil");
    assert!(hook["name"].is_string());
    assert_eq!(hook["entry"], "vigil scan --fail-on high");
    assert_eq!(hook["language"], "system");
    assert_eq!(hook["pass_filenames"], false);
    // The `files` regex picks lockfiles and nothing else.
    let files = hook["files"].as_str().unwrap();
    for name in [
        "Cargo.lock",
        "web/package-lock.json",
        "requirements.txt",
        "go.sum",
    ] {
        assert!(regex_lite_match(files, name), "{name}");
    }
    assert!(!regex_lite_match(files, "README.md"));
}

/// The hook's regex is an alternation of literal names after `(^|/)`:
/// checked without a regex engine by expanding the alternatives.
fn regex_lite_match(pattern: &str, path: &str) -> bool {
    let inner = pattern
        .strip_prefix("(^|/)(")
        .and_then(|p| p.strip_suffix(")$"))
        .unwrap();
    let name = path.rsplit('/').next().unwrap();
    inner.split('|').any(|alt| {
        let alt = alt.replace("\\.", ".");
        match alt.split_once("[^/]*") {
            Some((pre, post)) => name.starts_with(pre) && name.ends_with(post),
            None => alt == name,
        }
    })
}
