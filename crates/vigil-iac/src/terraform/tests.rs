#![allow(clippy::unwrap_used)]

use super::*;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/terraform")
}

fn resource<'a>(doc: &'a Value, id: &str) -> &'a Value {
    doc["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("no {id} in {doc:#}"))
}

fn load(dir: &str) -> Loaded {
    load_module(&fixtures(), &fixtures().join(dir))
}

#[test]
fn variables_tfvars_and_locals_are_evaluated() {
    let l = load("module");
    let logs = resource(&l.doc, "aws_s3_bucket.logs");
    // terraform.tfvars sets env = "prod" and acl = "public-read".
    assert_eq!(logs["attributes"]["bucket"], "acme-prod-logs");
    assert_eq!(logs["attributes"]["acl"], "public-read");
    assert_eq!(logs["attributes"]["tags"]["Env"], "PROD");
    let pab = resource(&l.doc, "aws_s3_bucket_public_access_block.logs");
    assert_eq!(pab["attributes"]["block_public_acls"], false);
    assert_eq!(l.doc["variables"]["env"]["default"], "dev");
    assert_eq!(l.doc["variables"]["env"]["value"], "prod");
    assert_eq!(l.doc["locals"]["prefix"], "acme-prod");
}

#[test]
fn locals_that_double_each_other_become_unknown() {
    // Forty locals each twice the one before would be 8 TiB.
    let l = load("doubling");
    let b = resource(&l.doc, "aws_s3_bucket.b");
    assert!(
        b["attributes"]["bucket"]["__unknown__"].is_string(),
        "{b:#}"
    );
    assert_eq!(l.doc["locals"]["l1"], "xxxxxxxxxxxxxxxx");
}

#[test]
fn references_are_kept_as_addresses() {
    let l = load("module");
    let pab = resource(&l.doc, "aws_s3_bucket_public_access_block.logs");
    assert_eq!(pab["attributes"]["bucket"], "aws_s3_bucket.logs.id");
    let v = resource(&l.doc, "module.data.aws_s3_bucket_versioning.this");
    assert_eq!(
        v["attributes"]["bucket"],
        "module.data.aws_s3_bucket.this.id"
    );
}

#[test]
fn unknown_values_stay_unknown() {
    let l = load("module");
    // var.region has no default and no value.
    let r = resource(&l.doc, "aws_s3_bucket.regional");
    assert_eq!(
        r["attributes"]["bucket"]["__unknown__"], "local.regional",
        "{r:#}"
    );
    // A module input that is a reference is unknown in the child, even
    // where the child's variable has a default.
    let b = resource(&l.doc, "module.data.aws_s3_bucket.this");
    assert!(b["attributes"]["tags"]["Owner"]["__unknown__"].is_string());
}

#[test]
fn local_modules_are_followed_with_their_inputs() {
    let l = load("module");
    let b = resource(&l.doc, "module.data.aws_s3_bucket.this");
    assert_eq!(b["attributes"]["bucket"], "acme-prod-data");
    assert_eq!(b["attributes"]["acl"], "public-read");
    assert_eq!(b["module"], "module.data");
    assert_eq!(b["path"], "module/modules/bucket/main.tf");
    assert_eq!(b["line"], 1);
    assert_eq!(b["end_line"], 9);
    assert_eq!(b["attributes"]["__lines__"]["acl"], 3);
    assert_eq!(l.called.len(), 1);
    assert!(l
        .files
        .contains(&"module/modules/bucket/variables.tf".to_string()));
    assert!(l.sources.contains_key("module/modules/bucket/main.tf"));
    // Nested blocks are arrays of objects with their lines.
    let v = resource(&l.doc, "module.data.aws_s3_bucket_versioning.this");
    let vc = &v["attributes"]["versioning_configuration"][0];
    assert_eq!(vc["status"], "Enabled");
    assert_eq!(vc["__line__"], 14);
}

#[test]
fn resources_carry_their_file_and_lines() {
    let l = load("module");
    let logs = resource(&l.doc, "aws_s3_bucket.logs");
    assert_eq!(logs["path"], "module/main.tf");
    assert_eq!(logs["line"], 22);
    assert_eq!(logs["end_line"], 29);
    assert_eq!(logs["module"], Value::Null);
    assert_eq!(logs["attributes"]["__line__"], 22);
    assert_eq!(logs["attributes"]["__lines__"]["acl"], 24);
    assert_eq!(l.doc["path"], "module");
}

#[test]
fn module_cycles_are_cut() {
    let l = load("cycle");
    assert!(resource(&l.doc, "aws_sqs_queue.q").is_object());
    assert_eq!(l.doc["resources"].as_array().unwrap().len(), 1);
    assert!(
        l.diagnostics
            .iter()
            .any(|d| d.message.contains("calls itself")),
        "{:?}",
        l.diagnostics
    );
}

#[test]
fn tf_json_is_read() {
    let l = load("json");
    let b = resource(&l.doc, "aws_s3_bucket.b");
    assert_eq!(b["attributes"]["bucket"], "acme-json");
    assert_eq!(b["attributes"]["acl"], "public-read");
    assert_eq!(b["path"], "json/main.tf.json");
    assert_eq!(b["line"], 9);
    assert_eq!(b["attributes"]["__lines__"]["acl"], 11);
    let v = resource(&l.doc, "aws_ebs_volume.v");
    assert_eq!(v["attributes"]["encrypted"], false);
}

#[test]
fn invalid_hcl_is_a_diagnostic_and_the_module_goes_on() {
    let l = load("invalid");
    let d = &l.diagnostics[0];
    assert_eq!(d.path.as_deref(), Some("invalid/broken.tf"));
    assert!(d.line.is_some_and(|l| l >= 4), "{d}");
    assert!(d.message.contains("invalid HCL"), "{d}");
    assert!(resource(&l.doc, "aws_ebs_volume.v").is_object());
}

#[test]
fn plan_json_is_read() {
    let text = std::fs::read_to_string(fixtures().join("plan/plan.json")).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    assert!(is_plan(&v));
    let doc = plan_input("plan.json", &text, &v);
    let logs = resource(&doc, "aws_s3_bucket.logs");
    assert_eq!(logs["line"], 12);
    assert_eq!(logs["path"], "plan.json");
    assert_eq!(logs["attributes"]["bucket"], "acme-prod-logs");
    let pab = resource(&doc, "aws_s3_bucket_public_access_block.logs");
    // The plan does not know the bucket's ID: the configuration's
    // reference stands in.
    assert_eq!(pab["attributes"]["bucket"], "aws_s3_bucket.logs.id");
    let db = resource(&doc, "module.db.aws_db_instance.main");
    assert_eq!(db["module"], "module.db");
    assert_eq!(db["attributes"]["storage_encrypted"], false);
    assert_eq!(doc["variables"]["env"]["value"], "prod");
}

#[test]
fn jsonencode_and_heredoc_policies_are_evaluated() {
    let text = std::fs::read_to_string(fixtures().join("policy/main.tf")).unwrap();
    let doc = text_input("p.tf", &text).unwrap();
    let p = resource(&doc, "aws_iam_policy.p");
    let policy: Value = serde_json::from_str(p["attributes"]["policy"].as_str().unwrap()).unwrap();
    assert_eq!(policy["Statement"][0]["Action"], "s3:*");
    let h = resource(&doc, "aws_iam_policy.h");
    assert!(h["attributes"]["policy"]
        .as_str()
        .unwrap()
        .contains("Statement"));
    let u = resource(&doc, "aws_iam_policy.u");
    assert_eq!(
        u["attributes"]["policy"]["__jsonencode__"]["Resource"],
        "aws_s3_bucket.b.arn"
    );
}

#[test]
fn count_zero_resources_do_not_exist() {
    let text = std::fs::read_to_string(fixtures().join("count/main.tf")).unwrap();
    let doc = text_input("q.tf", &text).unwrap();
    assert_eq!(doc["resources"].as_array().unwrap().len(), 0);
}

#[test]
fn module_paths_are_relative_to_a_relative_root() {
    // Tests run in the crate's directory.
    let l = load_module(
        Path::new("fixtures/terraform"),
        Path::new("fixtures/terraform/module"),
    );
    let b = resource(&l.doc, "module.data.aws_s3_bucket.this");
    assert_eq!(b["path"], "module/modules/bucket/main.tf");
}

#[test]
fn dynamic_blocks_are_unknown_content() {
    let text = std::fs::read_to_string(fixtures().join("dynamic/main.tf")).unwrap();
    let doc = text_input("main.tf", &text).unwrap();
    let sg = resource(&doc, "aws_security_group.web");
    let ingress = &sg["attributes"]["ingress"][0];
    assert_eq!(ingress["__dynamic__"], true);
    assert_eq!(ingress["protocol"], "tcp");
    assert!(
        ingress["cidr_blocks"]["__unknown__"].is_string(),
        "{ingress}"
    );
    assert_eq!(ingress["__line__"], 10);
    let egress = &sg["attributes"]["egress"][0];
    assert!(egress["from_port"]["__unknown__"].is_string(), "{egress}");
    assert_eq!(egress["cidr_blocks"][0], "10.0.0.0/8");
}
