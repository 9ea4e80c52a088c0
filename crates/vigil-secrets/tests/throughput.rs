//! A rough throughput figure: one thread scanning generated mixed source.
//! Ignored by default (`cargo test -p vigil-secrets --test throughput --
//! --ignored --nocapture`); build in release for real numbers.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

use vigil_secrets::{RuleSet, Scanner};

/// Lines of the kinds a repository holds: code with the words secret
/// rules look for (`token`, `password`, `key`, `secret`, `api`), config,
/// JSON, URLs, prose. None holds a secret.
const LINES: &[&str] = &[
    "fn parse_token(input: &str) -> Result<Token, Error> { let key = input.trim(); Ok(Token::new(key)) }",
    "    if (password.length < 8) { throw new Error('password too short: ' + user.name); }",
    "const apiUrl = `${process.env.API_BASE}/v1/users/${userId}/sessions`;",
    "      \"name\": \"left-pad\", \"version\": \"1.3.0\", \"description\": \"String left pad\",",
    "def get_secret(name: str) -> str:\n    return os.environ[name]",
    "# The configuration reads the token from the environment; never commit it.",
    "SELECT id, name, created_at FROM accounts WHERE owner_id = $1 AND deleted_at IS NULL;",
    "  image: registry.example.com/team/app:1.4.2  # pinned by digest in CI",
    "import { useState, useEffect } from 'react'; import axios from 'axios';",
    "for (int i = 0; i < keys.size(); i++) { map.put(keys.get(i), values.get(i)); }",
    "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt.",
    "    url = \"https://github.com/vigil-sec/vigil/blob/main/docs/secrets.md#rules\"",
    "password_hash = bcrypt.hashpw(password.encode(), bcrypt.gensalt())",
    "let api_key = std::env::var(\"API_KEY\").context(\"API_KEY is not set\")?;",
];

#[test]
#[ignore = "a measurement, not a check"]
fn throughput_on_generated_mixed_source() {
    let scanner = Scanner::new(RuleSet::builtin().unwrap()).unwrap();
    let mut text = String::new();
    let target = 64 * 1024 * 1024;
    let mut i = 0usize;
    while text.len() < target {
        text.push_str(LINES[i % LINES.len()]);
        text.push('\n');
        i = i.wrapping_mul(31).wrapping_add(7) % 1_000_003;
    }
    // One file of 1 MiB at a time, as a tree of files is scanned.
    let started = std::time::Instant::now();
    let mut hits = 0;
    for chunk in text.as_bytes().chunks(1024 * 1024) {
        hits += scanner.scan("src/mixed.txt", chunk).len();
    }
    let secs = started.elapsed().as_secs_f64();
    let mib = text.len() as f64 / (1024.0 * 1024.0);
    println!(
        "{mib:.0} MiB in {secs:.2} s: {:.0} MiB/s on one thread ({hits} hits)",
        mib / secs
    );
    assert_eq!(hits, 0);
}

/// The workspace's own Rust sources and docs (the secret rules and their
/// fixtures left out), repeated to 64 MiB.
#[test]
#[ignore = "a measurement, not a check"]
fn throughput_on_this_repository_sources() {
    let scanner = Scanner::new(RuleSet::builtin().unwrap()).unwrap();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap();
    let mut files = Vec::new();
    for f in vigil_secrets::walk(&root.join("crates"), false)
        .into_iter()
        .chain(vigil_secrets::walk(&root.join("docs"), false))
    {
        let name = f
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        if (name.ends_with(".rs") || name.ends_with(".md"))
            && !name.contains("vigil-secrets")
            && !name.contains("fixtures")
        {
            files.push(std::fs::read(&f).unwrap());
        }
    }
    let one: usize = files.iter().map(Vec::len).sum();
    let rounds = (64 * 1024 * 1024) / one.max(1) + 1;
    let started = std::time::Instant::now();
    let mut hits = 0;
    for _ in 0..rounds {
        for f in &files {
            hits += scanner.scan("src/file.rs", f).len();
        }
    }
    let secs = started.elapsed().as_secs_f64();
    let mib = (one * rounds) as f64 / (1024.0 * 1024.0);
    println!(
        "{mib:.0} MiB ({} files x {rounds}) in {secs:.2} s: {:.0} MiB/s on one thread ({} hits a round)",
        files.len(),
        mib / secs,
        hits / rounds
    );
}
