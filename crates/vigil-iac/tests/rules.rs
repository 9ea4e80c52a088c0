//! Every rule's fixtures: `rules/<format>/<ID>/fail.*` must produce at
//! least one finding of that rule, `pass.*` none; every rule file is
//! built in.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use vigil_iac::{check_text, Compiled, Format, RuleSet};

fn rules_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("rules")
}

fn ids(rules: &RuleSet, compiled: &Compiled, format: Format, path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap();
    check_text(rules, compiled, format, "fixture", &text)
        .unwrap_or_else(|d| panic!("{}: {d}", path.display()))
        .into_iter()
        .map(|f| f.id)
        .collect()
}

/// The fixture of a rule's directory whose file stem is `stem`
/// (`fail.yaml`, `pass.Dockerfile`, `fail.tf`, ...).
fn fixture(dir: &Path, stem: &str) -> PathBuf {
    std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .find(|p| p.file_stem().is_some_and(|s| s == stem))
        .unwrap_or_else(|| panic!("{}: no {stem}.* fixture", dir.display()))
}

#[test]
fn every_rule_has_passing_and_failing_fixtures() {
    let rules = RuleSet::load(&[]).unwrap();
    let compiled = rules.compile().unwrap();
    let mut files = 0;
    // rules/<format>/<ID>.rego, its fixtures in rules/<format>/<ID>/.
    for dir in std::fs::read_dir(rules_dir()).unwrap() {
        let dir = dir.unwrap().path();
        let name = dir.file_name().unwrap().to_str().unwrap().to_string();
        if name == "lib" {
            continue;
        }
        let format =
            Format::from_name(&name).unwrap_or_else(|| panic!("rules/{name}: not a format"));
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "rego") {
                continue;
            }
            files += 1;
            let id = path.file_stem().unwrap().to_str().unwrap();
            let rule = rules
                .get(id)
                .unwrap_or_else(|| panic!("{id} is not built in"));
            assert!(rule.formats.contains(&name), "{id}: formats");
            let fixtures = dir.join(id);
            let fail = ids(&rules, &compiled, format, &fixture(&fixtures, "fail"));
            assert!(
                fail.iter().any(|f| f == id),
                "{id}: fail fixture gives {fail:?}"
            );
            let pass = ids(&rules, &compiled, format, &fixture(&fixtures, "pass"));
            assert!(
                !pass.iter().any(|f| f == id),
                "{id}: pass fixture gives {pass:?}"
            );
        }
    }
    assert_eq!(files, rules.rules().len());
    assert!(files >= 25, "{files}");
}

#[test]
fn good_manifests_are_clean() {
    // The pass fixture of the first rule of each format breaks no rule.
    let rules = RuleSet::load(&[]).unwrap();
    let compiled = rules.compile().unwrap();
    let k = rules_dir().join("kubernetes/VIGIL-K8S-001/pass.yaml");
    assert_eq!(
        ids(&rules, &compiled, Format::Kubernetes, &k),
        Vec::<String>::new()
    );
    let d = rules_dir().join("dockerfile/VIGIL-DF-001/pass.Dockerfile");
    assert_eq!(
        ids(&rules, &compiled, Format::Dockerfile, &d),
        Vec::<String>::new()
    );
    let c = rules_dir().join("compose/VIGIL-COMPOSE-001/pass.yaml");
    assert_eq!(
        ids(&rules, &compiled, Format::Compose, &c),
        Vec::<String>::new()
    );
    let c = rules_dir().join("cloudformation/VIGIL-CFN-001/pass.yaml");
    assert_eq!(
        ids(&rules, &compiled, Format::CloudFormation, &c),
        Vec::<String>::new()
    );
    for id in ["VIGIL-GHA-001", "VIGIL-GHA-002", "VIGIL-GHA-006"] {
        let g = rules_dir().join(format!("github-actions/{id}/pass.yaml"));
        assert_eq!(
            ids(&rules, &compiled, Format::GithubActions, &g),
            Vec::<String>::new()
        );
    }
}

#[test]
fn custom_rules_dir_adds_rules() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/custom-rules");
    let rules = RuleSet::load(&[dir]).unwrap();
    let rule = rules.get("ACME-001").unwrap();
    assert_eq!(rule.severity, vigil_model::Severity::Critical);
    let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: default\nspec: {}\n";
    let found = check_text(
        &rules,
        &rules.compile().unwrap(),
        Format::Kubernetes,
        "p.yaml",
        text,
    )
    .unwrap();
    let acme: Vec<_> = found.iter().filter(|f| f.id == "ACME-001").collect();
    assert_eq!(acme.len(), 1);
    assert_eq!(acme[0].location.line, Some(5));
    assert_eq!(acme[0].resource.as_deref(), Some("Pod/p"));
}

#[test]
fn inline_ignore_suppresses_with_reason() {
    let rules = RuleSet::load(&[]).unwrap();
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/k8s/ignored.yaml"),
    )
    .unwrap();
    let found = check_text(
        &rules,
        &rules.compile().unwrap(),
        Format::Kubernetes,
        "ignored.yaml",
        &text,
    )
    .unwrap();
    let privileged = found.iter().find(|f| f.id == "VIGIL-K8S-001").unwrap();
    let s = privileged.suppression.as_ref().unwrap();
    assert_eq!(s.kind, vigil_model::SuppressionKind::Inline);
    assert_eq!(s.reason.as_deref(), Some("the CNI agent needs it"));
    let host = found.iter().find(|f| f.id == "VIGIL-K8S-005").unwrap();
    assert!(
        host.suppression.is_some(),
        "ignored on the resource's first line"
    );
    let other = found.iter().find(|f| f.id == "VIGIL-K8S-011").unwrap();
    assert!(other.suppression.is_none());
}

/// (rule ID, line, resource) of each finding of a fixture file.
fn hits(name: &str) -> Vec<(String, u32, String)> {
    let rules = RuleSet::load(&[]).unwrap();
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    check_text(
        &rules,
        &rules.compile().unwrap(),
        Format::Kubernetes,
        name,
        &text,
    )
    .unwrap()
    .into_iter()
    .map(|f| {
        (
            f.id,
            f.location.line.unwrap_or_default(),
            f.resource.unwrap_or_default(),
        )
    })
    .collect()
}

fn has(found: &[(String, u32, String)], id: &str, line: u32, resource: &str) -> bool {
    found
        .iter()
        .any(|(i, l, r)| i == id && *l == line && r == resource)
}

#[test]
fn every_workload_kind_is_checked() {
    let found = hits("k8s/kinds.yaml");
    for (resource, line) in [
        ("Pod/pod", 11),
        ("Deployment/deployment", 24),
        ("StatefulSet/statefulset", 37),
        ("DaemonSet/daemonset", 50),
        ("ReplicaSet/replicaset", 63),
        ("Job/job", 76),
        ("CronJob/cronjob", 92),
    ] {
        assert!(
            has(&found, "VIGIL-K8S-001", line, resource),
            "{resource}: {found:?}"
        );
    }
}

#[test]
fn helm_template_output_is_checked() {
    // `helm template` output: `---` then a `# Source:` comment per document.
    let found = hits("k8s/helm-output.yaml");
    assert!(
        has(&found, "VIGIL-K8S-018", 25, "Service/release-shop"),
        "{found:?}"
    );
    assert!(
        has(&found, "VIGIL-K8S-042", 86, "Deployment/release-shop"),
        "{found:?}"
    );
    assert!(
        has(
            &found,
            "VIGIL-K8S-014",
            103,
            "Pod/release-shop-test-connection"
        ),
        "{found:?}"
    );
    // The ServiceAccount opts out of token mounting, the Deployment uses it.
    assert!(!found
        .iter()
        .any(|f| f.0 == "VIGIL-K8S-017" && f.2 == "Deployment/release-shop"));
}

#[test]
fn kustomize_build_output_is_checked() {
    // `kustomize build` output: keys sorted, lists not indented.
    let found = hits("k8s/kustomize-output.yaml");
    assert!(
        has(&found, "VIGIL-K8S-050", 5, "Namespace/shop-prod"),
        "{found:?}"
    );
    assert!(
        has(
            &found,
            "VIGIL-K8S-024",
            17,
            "ClusterRole/shop-prod-operator"
        ),
        "{found:?}"
    );
    assert!(
        has(
            &found,
            "VIGIL-K8S-044",
            27,
            "ConfigMap/shop-config-8g2m5h7tkd"
        ),
        "{found:?}"
    );
    assert!(
        has(&found, "VIGIL-K8S-033", 60, "StatefulSet/shop-prod-db"),
        "{found:?}"
    );
}

#[test]
fn cloudformation_rules_survive_odd_shapes() {
    // Strings and numbers where objects and lists belong: no rule may
    // fail the evaluation of the whole file.
    let rules = RuleSet::load(&[]).unwrap();
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/cloudformation/odd-shapes.yaml"),
    )
    .unwrap();
    check_text(
        &rules,
        &rules.compile().unwrap(),
        Format::CloudFormation,
        "odd-shapes.yaml",
        &text,
    )
    .unwrap();
}

#[test]
fn built_in_rules_link_to_their_published_page() {
    let rules = RuleSet::load(&[]).unwrap();
    for r in rules.rules() {
        let url = r.url.as_deref().unwrap();
        assert!(
            url.starts_with("https://") && url.ends_with(&format!("/docs/rules/{}.md", r.id)),
            "{}: {url}",
            r.id
        );
    }
}
