//! Writes the generated secrets corpus (tests/support/corpus.rs) to a
//! directory, for comparing scanners on it or measuring throughput.
//!
//! ```text
//! cargo run -p vigil-secrets --example secrets_corpus -- DIR            # DIR/tree + DIR/manifest.json
//! cargo run -p vigil-secrets --example secrets_corpus -- DIR --bulk-mib 1024   # ~1 GiB of mixed source
//! ```
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)]

#[path = "../tests/support/corpus.rs"]
mod corpus;

use vigil_secrets::{RuleSet, Scanner};

/// The seed of the accuracy test (tests/corpus.rs uses the same).
const SEED: u64 = 0x5eed_2026;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(dir) = args.first() else {
        eprintln!("usage: secrets_corpus DIR [--bulk-mib N]");
        std::process::exit(2);
    };
    let dir = std::path::PathBuf::from(dir);
    std::fs::create_dir_all(&dir).unwrap();
    let scanner = Scanner::new(RuleSet::builtin().unwrap()).unwrap();
    if let Some(mib) = args
        .iter()
        .position(|a| a == "--bulk-mib")
        .and_then(|i| args.get(i + 1))
    {
        let mib: u64 = mib.parse().unwrap();
        let (bytes, files) = corpus::write_bulk(&scanner, &dir, mib * 1024 * 1024, SEED).unwrap();
        println!("{bytes} bytes in {files} files below {}", dir.display());
        return;
    }
    let c = corpus::generate(&scanner, SEED);
    c.write(&dir.join("tree")).unwrap();
    std::fs::write(
        dir.join("manifest.json"),
        serde_json::to_vec_pretty(&c.manifest()).unwrap(),
    )
    .unwrap();
    println!(
        "{} files, {} planted secrets, {} decoys below {}/tree; ground truth in manifest.json",
        c.files.len(),
        c.planted.len(),
        c.decoys.len(),
        dir.display()
    );
}
