//! A bounded load generator for `vigil server` (bench/server.sh): N
//! clients upload scan reports (each a repository of its own with 60
//! components and 20 findings, every upload with its own idempotency key)
//! for a fixed time, then it prints uploads per second and latency
//! percentiles. It stops by itself.
//!
//! `cargo run --release -p vigil-server --example loadgen -- URL TOKEN CLIENTS SECONDS`

#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

fn report(i: usize) -> Vec<u8> {
    let components: Vec<Value> = (0..60)
        .map(|c| {
            json!({"ecosystem": "npm", "name": format!("pkg-{c}"), "version": format!("1.{}.0", (i + c) % 7),
                "purl": format!("pkg:npm/pkg-{c}@1.{}.0", (i + c) % 7),
                "locations": [{"path": "package-lock.json", "line": c + 1}]})
        })
        .collect();
    const SEVERITIES: [&str; 4] = ["CRITICAL", "HIGH", "MEDIUM", "LOW"];
    let findings: Vec<Value> = (0..20)
        .map(|f| {
            let severity = SEVERITIES[f % 4];
            json!({"kind": "vulnerability", "id": format!("GHSA-load-{f:04}"), "aliases": [format!("CVE-2026-{:05}", 10_000 + f)],
                "title": "a finding of the load test", "severity": severity,
                "package": {"ecosystem": "npm", "name": format!("pkg-{f}"), "version": "1.0.0", "purl": format!("pkg:npm/pkg-{f}@1.0.0")},
                "location": {"path": "package-lock.json", "line": f + 1}, "fixed_versions": ["2.0.0"], "fix_available": true, "kev": false,
                "fingerprint": format!("{:032x}", (i as u128) << 16 | f as u128)})
        })
        .collect();
    serde_json::to_vec(&json!({"schema_version": 1, "target": ".",
        "source": {"kind": "repository", "repository": format!("https://git.example.org/load/repo-{i}.git"), "commit": "abc"},
        "components": components, "findings": findings})).unwrap()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 5 {
        eprintln!("usage: loadgen URL TOKEN CLIENTS SECONDS");
        std::process::exit(2);
    }
    let (url, token) = (args[1].clone(), args[2].clone());
    let clients: usize = args[3].parse().unwrap();
    let seconds: u64 = args[4].parse().unwrap();
    let run = format!(
        "{:x}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    );
    let next = Arc::new(AtomicUsize::new(0));
    let latencies: Arc<Mutex<Vec<Duration>>> = Arc::default();
    let errors = Arc::new(AtomicUsize::new(0));
    let end = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let threads: Vec<_> = (0..clients)
        .map(|_| {
            let (next, latencies, errors, url, token, run) = (
                next.clone(),
                latencies.clone(),
                errors.clone(),
                url.clone(),
                token.clone(),
                run.clone(),
            );
            std::thread::spawn(move || {
                let agent: ureq::Agent = ureq::Agent::config_builder()
                    .http_status_as_error(false)
                    .timeout_global(Some(Duration::from_secs(60)))
                    .build()
                    .into();
                while Instant::now() < end {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let body = report(i);
                    let t = Instant::now();
                    let r = agent
                        .post(format!("{url}/api/v1/scans"))
                        .header("Authorization", format!("Bearer {token}"))
                        .header("Content-Type", "application/json")
                        .header("Idempotency-Key", format!("load-{run}-{i}"))
                        .send(&body[..]);
                    match r {
                        Ok(resp) if resp.status() == 202 => {
                            latencies.lock().unwrap().push(t.elapsed())
                        }
                        _ => {
                            errors.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let elapsed = started.elapsed().as_secs_f64();
    let mut l = latencies.lock().unwrap().clone();
    l.sort();
    let pct = |p: f64| {
        l.get(((l.len() as f64 * p).ceil() as usize).saturating_sub(1))
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    println!(
        "uploads: {} in {elapsed:.1} s = {:.1}/s; errors: {}; latency ms p50 {:.1} p95 {:.1} p99 {:.1} max {:.1}",
        l.len(),
        l.len() as f64 / elapsed,
        errors.load(Ordering::Relaxed),
        pct(0.50),
        pct(0.95),
        pct(0.99),
        l.last().map_or(0.0, |d| d.as_secs_f64() * 1000.0),
    );
}
