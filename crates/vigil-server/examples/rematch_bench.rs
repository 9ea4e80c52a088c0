//! The re-match benchmark (bench/server.sh): 100,000 stored assets with 10
//! components each; one new advisory arrives for a package 1 % of them hold
//! (then one that 10 % hold); it prints how long the update took until the
//! new findings were stored and their notification events queued.
//!
//! `cargo run --release -p vigil-server --example rematch_bench -- [ASSETS] [postgres://…]`

#![allow(clippy::unwrap_used, clippy::print_stdout)]

use std::time::Instant;

use serde_json::json;
use sqlx::Row;
use vigil_model::{Component, Ecosystem, Location};
use vigil_server::{ingest, rematch, AppState, Config};

fn advisory(dir: &std::path::Path, id: &str, package: &str) {
    std::fs::create_dir_all(dir).unwrap();
    let record = json!({"schema_version": "1.6.0", "id": id, "modified": "2026-11-01T00:00:00Z",
        "summary": format!("a benchmark advisory for {package}"),
        "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
        "affected": [{"package": {"ecosystem": "npm", "name": package},
            "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "9.0.0"}]}]}]});
    std::fs::write(dir.join(format!("{id}.json")), record.to_string()).unwrap();
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let assets: usize = args.get(1).map_or(100_000, |a| a.parse().unwrap());
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::new("127.0.0.1:0".parse().unwrap(), dir.path().into());
    config.database_url = args.get(2).cloned();
    let backend = if config.database_url.is_some() {
        "postgresql"
    } else {
        "sqlite"
    };
    let state = AppState::open(config).await.unwrap();

    let t = Instant::now();
    let per_tx = 1000;
    for chunk in 0..assets.div_ceil(per_tx) {
        let mut tx = state.db.pool.begin().await.unwrap();
        for i in chunk * per_tx..((chunk + 1) * per_tx).min(assets) {
            let key = ingest::AssetKey {
                kind: "repository".into(),
                name: format!("https://git.example.org/bench/repo-{i}.git"),
            };
            let id = ingest::upsert_asset(&mut tx, &key, None, "bench", &json!({}), 0)
                .await
                .unwrap();
            let mut components: Vec<(serde_json::Value, Component)> = (0..10)
                .map(|k| {
                    let name = format!("lib-{}", (i * 7 + k * 131) % 5000);
                    let mut c = Component::new(Ecosystem::Npm, name, "1.0.0");
                    c.locations = vec![Location::new("package-lock.json", None)];
                    (serde_json::to_value(&c).unwrap(), c)
                })
                .collect();
            for (pkg, every) in [("bench-rare", 100), ("bench-popular", 10)] {
                if i % every == 0 {
                    let mut c = Component::new(Ecosystem::Npm, pkg, "1.0.0");
                    c.locations = vec![Location::new("package-lock.json", None)];
                    components.push((serde_json::to_value(&c).unwrap(), c));
                }
            }
            ingest::replace_components(&mut tx, &id, &components)
                .await
                .unwrap();
        }
        tx.commit().await.unwrap();
    }
    println!(
        "{backend}: stored {assets} assets ({} components) in {:.1} s",
        assets * 10 + assets / 100 + assets / 10,
        t.elapsed().as_secs_f64()
    );

    // The advisories known before: one about a package nobody has.
    let base = dir.path().join("advisories-0");
    advisory(&base, "BENCH-0000", "nobody-has-this");
    rematch::update(&state, rematch::Source::Paths(vec![base]))
        .await
        .unwrap();

    for (id, package, holders) in [
        ("BENCH-0001", "bench-rare", assets / 100),
        ("BENCH-0002", "bench-popular", assets / 10),
    ] {
        let d = dir.path().join(id);
        advisory(&d, id, package);
        let events_before: i64 = sqlx::query("SELECT COUNT(*) AS n FROM events")
            .fetch_one(&state.db.pool)
            .await
            .unwrap()
            .get("n");
        let t = Instant::now();
        let report = rematch::update(&state, rematch::Source::Paths(vec![d]))
            .await
            .unwrap();
        let total = t.elapsed();
        let events: i64 = sqlx::query("SELECT COUNT(*) AS n FROM events")
            .fetch_one(&state.db.pool)
            .await
            .unwrap()
            .get("n");
        assert_eq!(report.new_findings as usize, holders);
        assert_eq!((events - events_before) as usize, holders);
        println!(
            "{backend}: one new advisory for a package {holders} of {assets} assets hold: {} findings stored and {} notification events queued in {:.3} s (re-match {} ms, the rest the advisory import)",
            report.new_findings,
            events - events_before,
            total.as_secs_f64(),
            report.rematch_ms
        );
    }
}
