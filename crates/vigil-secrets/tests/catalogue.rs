//! The built-in catalogue: every rule compiles, IDs are unique, every
//! rule finds its true examples and no rule finds anything in any false
//! example.
#![allow(clippy::unwrap_used)]

use std::collections::HashSet;

use vigil_secrets::{RuleSet, Scanner};

/// An example's bytes: `hex:...` for binary rules, else the text.
fn bytes(example: &str) -> Vec<u8> {
    match example.strip_prefix("hex:") {
        Some(hex) => (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
            .collect(),
        None => example.as_bytes().to_vec(),
    }
}

fn scanner() -> Scanner {
    Scanner::new(RuleSet::builtin().unwrap()).unwrap()
}

#[test]
fn catalogue_is_large_and_ids_are_unique_and_stable_slugs() {
    let set = RuleSet::builtin().unwrap();
    assert!(set.rules().len() >= 150, "{} rules", set.rules().len());
    let mut ids = HashSet::new();
    for r in set.rules() {
        assert!(ids.insert(r.id.clone()), "{} twice", r.id);
        assert!(
            r.id.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
            "built-in IDs are lower-case slugs: {}",
            r.id
        );
        assert!(!r.title.is_empty() && !r.description.is_empty(), "{}", r.id);
        assert!(
            !r.examples.positive.is_empty(),
            "{} has no true example",
            r.id
        );
    }
}

#[test]
fn every_rule_finds_its_true_examples() {
    let s = scanner();
    let mut failures = Vec::new();
    for (i, r) in s.rules().rules().iter().enumerate() {
        for (n, ex) in r.examples.positive.iter().enumerate() {
            if s.scan_rule("example.txt", &bytes(ex), i).is_empty() {
                failures.push(format!("{} true example {n}", r.id));
            }
        }
    }
    assert!(failures.is_empty(), "not found:\n{}", failures.join("\n"));
}

#[test]
fn no_rule_finds_anything_in_false_examples() {
    let s = scanner();
    let mut failures = Vec::new();
    for r in s.rules().rules() {
        for (n, ex) in r.examples.negative.iter().enumerate() {
            let b = bytes(ex);
            let hits = if ex.starts_with("hex:") {
                s.scan_binary("example.bin", &b)
            } else {
                s.scan("example.txt", &b)
            };
            for hit in hits {
                failures.push(format!(
                    "{} false example {n}: found by {}",
                    r.id,
                    s.rule(&hit).id
                ));
            }
        }
    }
    assert!(failures.is_empty(), "found:\n{}", failures.join("\n"));
}

#[test]
fn github_true_examples_carry_valid_checksums() {
    let set = RuleSet::builtin().unwrap();
    for r in set.rules().iter().filter(|r| r.checksum.is_some()) {
        for ex in &r.examples.positive {
            let token = ex
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .find(|w| w.starts_with("gh"))
                .unwrap();
            assert!(
                vigil_secrets::checksum_ok(r.checksum.unwrap(), token.as_bytes()),
                "{}",
                r.id
            );
        }
    }
}

#[test]
fn the_catalogue_page_is_fresh() {
    let page = vigil_secrets::docs::catalogue(&RuleSet::builtin().unwrap());
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/secret-rules.md");
    if std::env::var_os("VIGIL_UPDATE_DOCS").is_some() {
        std::fs::write(&path, &page).unwrap();
    }
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        current == page,
        "docs/secret-rules.md is stale: VIGIL_UPDATE_DOCS=1 cargo test -p vigil-secrets --test catalogue"
    );
}
