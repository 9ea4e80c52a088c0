//! Property tests of the ingest payloads: whatever the body, the server
//! answers 4xx naming the problem (or stores it), never 5xx, never panics.

#![allow(clippy::unwrap_used)]

mod support;

use proptest::prelude::*;
use serde_json::Value;
use support::{fixture, TestServer};

/// A valid report with one part replaced by an arbitrary JSON value.
fn mutated(path: &[&str], replacement: Value) -> Value {
    let mut report: Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("report-a.json")).unwrap()).unwrap();
    let mut at = &mut report;
    for (i, key) in path.iter().enumerate() {
        let next = match key.parse::<usize>() {
            Ok(n) => at.get_mut(n),
            Err(_) => at.get_mut(*key),
        };
        match next {
            Some(v) if i + 1 < path.len() => at = v,
            Some(v) => {
                *v = replacement;
                return report;
            }
            None => return report,
        }
    }
    report
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        "\\PC{0,40}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{1,12}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

const PATHS: &[&[&str]] = &[
    &["schema_version"],
    &["target"],
    &["source"],
    &["source", "kind"],
    &["source", "repository"],
    &["image"],
    &["components"],
    &["components", "0"],
    &["components", "0", "ecosystem"],
    &["components", "0", "version"],
    &["components", "0", "locations"],
    &["findings"],
    &["findings", "0"],
    &["findings", "0", "severity"],
    &["findings", "0", "fingerprint"],
    &["findings", "0", "package"],
    &["findings", "0", "location"],
    &["findings", "3", "suppression"],
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Parsing alone: an error names where the document is wrong.
    #[test]
    fn a_mutated_report_parses_or_is_refused_with_a_message(
        which in 0..PATHS.len(),
        replacement in json_value(),
    ) {
        let body = serde_json::to_vec(&mutated(PATHS[which], replacement)).unwrap();
        if let Err(e) = vigil_server::ingest::parse_scan(&body) {
            prop_assert!(!e.0.is_empty());
        }
    }

    #[test]
    fn arbitrary_bytes_are_refused_with_a_message(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        match vigil_server::ingest::parse_scan(&bytes) {
            Ok(_) => {}
            Err(e) => prop_assert!(e.0.starts_with("the body is not a vigil JSON report")
                || e.0.contains("schema_version") || e.0.contains('[') , "{}", e.0),
        }
        if let Err(e) = vigil_server::agents::parse_upload(&bytes) {
            prop_assert!(!e.0.is_empty());
        }
    }
}

/// Over HTTP: mutated reports and snapshots get a 202 or a 4xx with an
/// `error`, never a 5xx.
#[test]
fn the_server_answers_malformed_uploads_with_4xx() {
    let srv = TestServer::start(None);
    let agent = srv.token("agent", None);
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 96,
        ..ProptestConfig::default()
    });
    let strategy = (0..PATHS.len(), json_value(), any::<bool>());
    runner
        .run(&strategy, |(which, replacement, as_snapshot)| {
            let (path, token, body) = if as_snapshot {
                let mut snap: Value = serde_json::from_str(
                    &std::fs::read_to_string(
                        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                            .join("../vigil/tests/fixtures/agent/snapshot-debian12.json"),
                    )
                    .unwrap(),
                )
                .unwrap();
                let key = ["host", "processes", "taken_at", "schema_version"][which % 4];
                snap[key] = replacement;
                ("/api/v1/agents/snapshots", agent.as_str(), snap)
            } else {
                (
                    "/api/v1/scans",
                    srv.admin_token.as_str(),
                    mutated(PATHS[which], replacement),
                )
            };
            let bytes = serde_json::to_vec(&body).unwrap();
            let (status, v) = srv.call("POST", path, Some(token), &[], Some(&bytes));
            prop_assert!(
                status == 202 || status == 200 || (400..500).contains(&status),
                "{status}: {v}"
            );
            if status >= 400 {
                prop_assert!(v["error"].as_str().is_some_and(|e| !e.is_empty()), "{v}");
            }
            Ok(())
        })
        .unwrap();
}
