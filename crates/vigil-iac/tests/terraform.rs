//! Terraform rules over whole modules and plans: findings in the file of
//! their resource, unknown values left alone, plans checked like HCL.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use vigil_iac::{check_files, check_text, walk, Format, RuleSet};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/terraform")
}

#[test]
fn plan_json_is_checked_by_the_same_rules() {
    let rules = RuleSet::load(&[]).unwrap();
    let text = std::fs::read_to_string(fixtures().join("plan/plan.json")).unwrap();
    let found = check_text(
        &rules,
        &rules.compile().unwrap(),
        Format::Terraform,
        "plan.json",
        &text,
    )
    .unwrap();
    let pab = found.iter().find(|f| f.id == "VIGIL-AWS-002").unwrap();
    assert_eq!(
        pab.resource.as_deref(),
        Some("aws_s3_bucket_public_access_block.logs")
    );
    assert_eq!(pab.location.path, "plan.json");
    assert_eq!(pab.location.line, Some(26));
    let db: Vec<_> = found
        .iter()
        .filter(|f| f.resource.as_deref() == Some("module.db.aws_db_instance.main"))
        .map(|f| f.id.as_str())
        .collect();
    assert!(db.contains(&"VIGIL-AWS-013"), "{db:?}");
    assert!(db.contains(&"VIGIL-AWS-014"), "{db:?}");
    assert!(!db.contains(&"VIGIL-AWS-016"), "{db:?}");
    // The public access block refers to the bucket through the plan's
    // configuration.
    assert!(!found.iter().any(|f| f.id == "VIGIL-AWS-003"), "{found:#?}");
}

#[test]
fn rules_do_not_fire_on_unknown_values() {
    let rules = RuleSet::load(&[]).unwrap();
    let text = std::fs::read_to_string(fixtures().join("unknown/main.tf")).unwrap();
    let found = check_text(
        &rules,
        &rules.compile().unwrap(),
        Format::Terraform,
        "main.tf",
        &text,
    )
    .unwrap();
    let ids: Vec<&str> = found.iter().map(|f| f.id.as_str()).collect();
    for id in [
        "VIGIL-AWS-001",
        "VIGIL-AWS-003",
        "VIGIL-AWS-013",
        "VIGIL-AWS-014",
    ] {
        assert!(
            !ids.contains(&id),
            "{id} fired on an unknown value: {ids:?}"
        );
    }
    // What is known is still checked.
    assert!(ids.contains(&"VIGIL-AWS-016"), "{ids:?}");
}

#[test]
fn module_findings_are_located_in_their_own_files() {
    let rules = RuleSet::load(&[]).unwrap();
    let root = fixtures().join("module");
    let scan = check_files(&rules, &root, &walk(&root, true)).unwrap();
    assert!(scan.diagnostics.is_empty(), "{:?}", scan.diagnostics);
    assert!(scan.files.contains(&"main.tf".to_string()));
    assert!(scan.files.contains(&"modules/bucket/main.tf".to_string()));
    let acl: Vec<_> = scan
        .findings
        .iter()
        .filter(|f| f.id == "VIGIL-AWS-001")
        .collect();
    assert_eq!(acl.len(), 2, "{acl:#?}");
    let child = acl
        .iter()
        .find(|f| f.resource.as_deref() == Some("module.data.aws_s3_bucket.this"))
        .unwrap();
    assert_eq!(child.location.path, "modules/bucket/main.tf");
    assert_eq!(child.location.line, Some(3));
    let root_bucket = acl
        .iter()
        .find(|f| f.resource.as_deref() == Some("aws_s3_bucket.logs"))
        .unwrap();
    assert_eq!(root_bucket.location.path, "main.tf");
    assert_eq!(root_bucket.location.line, Some(24));
    // The called module is not checked a second time on its own.
    assert!(!scan
        .findings
        .iter()
        .any(|f| f.resource.as_deref() == Some("aws_s3_bucket.this")));
    // An inline ignore in the resource's file.
    let ignored = scan
        .findings
        .iter()
        .find(|f| {
            f.id == "VIGIL-AWS-003" && f.resource.as_deref() == Some("aws_s3_bucket.regional")
        })
        .unwrap();
    let s = ignored.suppression.as_ref().unwrap();
    assert_eq!(s.source, "main.tf");
    assert_eq!(s.reason.as_deref(), Some("blocked at the account level"));
}

#[test]
fn admin_policies_are_found_in_documents_and_partly_known_policies() {
    let rules = RuleSet::load(&[]).unwrap();
    let text = std::fs::read_to_string(fixtures().join("iam/main.tf")).unwrap();
    let found = check_text(
        &rules,
        &rules.compile().unwrap(),
        Format::Terraform,
        "main.tf",
        &text,
    )
    .unwrap();
    let mut admin: Vec<(&str, u32)> = found
        .iter()
        .filter(|f| f.id == "VIGIL-AWS-011")
        .map(|f| (f.resource.as_deref().unwrap(), f.location.line.unwrap()))
        .collect();
    admin.sort();
    assert_eq!(
        admin,
        vec![
            ("aws_iam_role_policy.partly_known", 22),
            ("data.aws_iam_policy_document.admin", 8),
        ]
    );
}
