//! Recall and precision on a generated corpus: planted secrets of every
//! built-in rule in real-looking source, among decoys that must not fire
//! (tests/corpus/mod.rs). Goals: recall ≥ 98 %, precision ≥ 95 %.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

#[path = "support/corpus.rs"]
mod corpus;

use std::collections::HashSet;

use vigil_secrets::{RuleSet, ScanOptions, Scanner};

const SEED: u64 = 0x5eed_2026;

#[test]
fn recall_and_precision_on_the_generated_corpus() {
    let scanner = Scanner::new(RuleSet::builtin().unwrap()).unwrap();
    let corpus = corpus::generate(&scanner, SEED);
    let dir = tempfile::tempdir().unwrap();
    corpus.write(dir.path()).unwrap();
    std::fs::write(
        dir.path().join("manifest.json"),
        serde_json::to_vec_pretty(&corpus.manifest()).unwrap(),
    )
    .unwrap();

    // Every built-in rule has a planted value.
    let planted_rules: HashSet<&str> = corpus.planted.iter().map(|p| p.rule.as_str()).collect();
    let unplanted: Vec<&str> = scanner
        .rules()
        .rules()
        .iter()
        .map(|r| r.id.as_str())
        .filter(|id| !planted_rules.contains(id))
        .collect();
    assert!(
        unplanted.is_empty(),
        "rules without a planted value: {unplanted:?}"
    );

    let scan = vigil_secrets::scan(&scanner, dir.path(), &ScanOptions::default());
    let findings: Vec<(String, u32, u32, String)> = scan
        .findings
        .iter()
        .filter(|f| f.location.path != "manifest.json")
        .map(|f| {
            (
                f.location.path.clone(),
                f.location.line.unwrap_or(0),
                f.location.column.unwrap_or(0),
                f.id.clone(),
            )
        })
        .collect();

    let hits = |p: &corpus::Planted, f: &(String, u32, u32, String)| {
        f.0 == p.path
            && p.line <= f.1
            && f.1 <= p.end_line
            && (p.line == 0
                || f.1 != p.line
                || p.line != p.end_line
                || (p.column <= f.2 && f.2 < p.end_column))
    };
    let mut missed = Vec::new();
    let mut other_rule = Vec::new();
    for p in &corpus.planted {
        let by: Vec<&(String, u32, u32, String)> = findings.iter().filter(|f| hits(p, f)).collect();
        if by.is_empty() {
            missed.push(p);
        } else if !by.iter().any(|f| f.3 == p.rule) {
            other_rule.push((p, by[0].3.clone()));
        }
    }
    let false_positives: Vec<&(String, u32, u32, String)> = findings
        .iter()
        .filter(|f| !corpus.planted.iter().any(|p| hits(p, f)))
        .collect();
    let found = corpus.planted.len() - missed.len();
    let recall = found as f64 / corpus.planted.len() as f64;
    let precision = (findings.len() - false_positives.len()) as f64 / findings.len().max(1) as f64;
    let bytes: usize = corpus.files.iter().map(|(_, b)| b.len()).sum();
    println!(
        "corpus: {} files, {} KiB, {} planted secrets ({} rules), {} decoys",
        corpus.files.len(),
        bytes / 1024,
        corpus.planted.len(),
        planted_rules.len(),
        corpus.decoys.len()
    );
    println!(
        "findings: {}; recall {:.2} % ({found}/{}), precision {:.2} % ({} false positives)",
        findings.len(),
        100.0 * recall,
        corpus.planted.len(),
        100.0 * precision,
        false_positives.len()
    );
    for p in &missed {
        println!(
            "MISSED {} ({}) at {}:{}:{}",
            p.rule, p.context, p.path, p.line, p.column
        );
    }
    for (p, by) in &other_rule {
        println!(
            "OTHER RULE {} found as {by} ({}) at {}:{}",
            p.rule, p.context, p.path, p.line
        );
    }
    for f in &false_positives {
        let decoy = corpus
            .decoys
            .iter()
            .find(|d| d.path == f.0 && d.line == f.1)
            .map_or("filler", |d| d.kind.as_str());
        println!(
            "FALSE POSITIVE {} ({decoy}) at {}:{}:{}",
            f.3, f.0, f.1, f.2
        );
    }
    assert!(recall >= 0.98, "recall {recall:.4} < 0.98");
    assert!(precision >= 0.95, "precision {precision:.4} < 0.95");
}
