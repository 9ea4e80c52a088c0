//! Retention end to end: uploads over HTTP, rows aged in the database, then
//! a prune — old rows go, new ones stay, events a reader has not read stay
//! (with their fixed findings), the latest upload of an asset stays, and a
//! retried upload within the window is still a duplicate — on SQLite and
//! (when VIGIL_TEST_POSTGRES_URL is set) PostgreSQL.

#![allow(clippy::unwrap_used)]

mod support;

use std::time::{Duration, Instant};

use serde_json::Value;
use sqlx::Row;
use support::{each_backend, report, TestServer};
use vigil_server::retention::{self, Pruned};

const DAY: i64 = 86_400;

fn count(srv: &TestServer, sql: &str) -> i64 {
    let db = srv.state.db.clone();
    let sql = sql.to_string();
    srv.block_on(async move {
        sqlx::query(&sql)
            .fetch_one(&db.pool)
            .await
            .unwrap()
            .get::<i64, _>(0)
    })
}

fn prune(srv: &TestServer) -> Pruned {
    let state = srv.state.clone();
    srv.block_on(async move { retention::run_once(&state).await.unwrap() })
        .expect("no other replica prunes")
}

fn upload_status(srv: &TestServer, key: &str, name: &str) -> (u16, Value) {
    srv.upload(&srv.admin_token, key, &report(name))
}

#[test]
fn old_rows_are_pruned_and_what_is_still_needed_is_kept() {
    each_backend(|srv| {
        // Four findings new, then the Dockerfile one fixed; a third upload
        // (the same report, another key) changes nothing.
        assert_eq!(
            upload_status(srv, "old-upload-0001", "report-a.json").0,
            202
        );
        assert_eq!(
            upload_status(srv, "mid-upload-0002", "report-b.json").0,
            202
        );
        assert_eq!(
            upload_status(srv, "new-upload-0003", "report-b.json").0,
            202
        );
        assert_eq!(count(srv, "SELECT COUNT(*) FROM events"), 5);
        // The notification dispatcher reads them all.
        let started = Instant::now();
        while count(
            srv,
            "SELECT COUNT(*) FROM event_cursors WHERE high_seq < (SELECT MAX(seq) FROM events)",
        ) > 0
        {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "the dispatcher did not read the events"
            );
            std::thread::sleep(Duration::from_millis(50));
        }

        // Age everything: events 100 days, the fixed finding fixed 400
        // days ago, the audit log 500 days, the first upload 200 days and
        // the second 100 days.
        srv.sql(&format!(
            "UPDATE events SET created_at = created_at - {}, seq = seq - {}",
            100 * DAY,
            100 * DAY * 1_000_000
        ));
        srv.sql(&format!(
            "UPDATE findings SET fixed_at = fixed_at - {} WHERE state = 'fixed'",
            400 * DAY
        ));
        srv.sql(&format!("UPDATE audit_log SET at = at - {}", 500 * DAY));
        srv.sql(&format!(
            "UPDATE uploads SET received_at = received_at - {} WHERE id = 'old-upload-0001'",
            200 * DAY
        ));
        srv.sql(&format!(
            "UPDATE uploads SET received_at = received_at - {} WHERE id = 'mid-upload-0002'",
            100 * DAY
        ));
        // A SIEM exporter stuck before the `finding.fixed` event.
        let fixed_seq = count(srv, "SELECT seq FROM events WHERE kind = 'finding.fixed'");
        srv.sql(&format!(
            "INSERT INTO event_cursors (consumer, floor_seq, high_seq, updated_at) \
             VALUES ('siem-stuck', {0}, {0}, 0)",
            fixed_seq - 1
        ));
        // Webhook deliveries: one made 100 days ago (two attempts), one
        // still pending from then, one made today.
        let now = vigil_server::db::now();
        for (id, status, age) in [
            ("d-old", "delivered", 100 * DAY),
            ("d-pending", "pending", 100 * DAY),
            ("d-new", "delivered", 0),
        ] {
            srv.sql(&format!(
                "INSERT INTO deliveries (id, rule_id, event_id, event_kind, finding_id, status, \
                 attempts, next_attempt_at_ms, body, created_at) \
                 VALUES ('{id}', 'r', 'e-{id}', 'finding.new', 'f', '{status}', 1, 0, '{{}}', {})",
                now - age
            ));
            srv.sql(&format!(
                "INSERT INTO delivery_attempts (delivery_id, attempt, at, status, duration_ms) \
                 VALUES ('{id}', 1, {}, 500, 3)",
                now - age
            ));
        }
        srv.sql(&format!(
            "INSERT INTO delivery_attempts (delivery_id, attempt, at, status, duration_ms) \
             VALUES ('d-old', 2, {}, 200, 3)",
            now - 100 * DAY
        ));
        let fixed_ids = count(
            srv,
            "SELECT COUNT(*) FROM finding_ids WHERE finding_id IN \
             (SELECT id FROM findings WHERE state = 'fixed')",
        );

        let pruned = prune(srv);
        let backend = srv.backend;
        // The four events every reader read go; the one the stuck
        // exporter has not read stays, and so does its fixed finding.
        assert_eq!(pruned.events, 4, "{backend}: {pruned:?}");
        assert_eq!(count(srv, "SELECT COUNT(*) FROM events"), 1);
        assert_eq!(
            count(
                srv,
                "SELECT COUNT(*) FROM events WHERE kind = 'finding.fixed'"
            ),
            1
        );
        assert_eq!(pruned.findings, 0, "{backend}: {pruned:?}");
        assert_eq!(
            count(srv, "SELECT COUNT(*) FROM findings WHERE state = 'fixed'"),
            1
        );
        // The old delivery and its attempts go; the pending and the new
        // one stay.
        assert_eq!((pruned.deliveries, pruned.delivery_attempts), (1, 2));
        assert_eq!(
            count(srv, "SELECT COUNT(*) FROM deliveries WHERE id = 'd-old'"),
            0
        );
        assert_eq!(count(srv, "SELECT COUNT(*) FROM deliveries"), 2);
        assert_eq!(count(srv, "SELECT COUNT(*) FROM delivery_attempts"), 2);
        // The upload of 200 days ago goes; the one within the window (100
        // days) still answers a retry as a duplicate, and so does the
        // latest.
        assert_eq!(pruned.uploads, 1, "{backend}: {pruned:?}");
        for key in ["mid-upload-0002", "new-upload-0003"] {
            let (s, v) = upload_status(srv, key, "report-b.json");
            assert_eq!(s, 200, "{backend} {key}: {v}");
            assert_eq!(v["duplicate"], true);
        }
        // The old audit entries go; the prune itself is audited.
        assert!(pruned.audit_log >= 1, "{pruned:?}");
        assert_eq!(
            count(
                srv,
                "SELECT COUNT(*) FROM audit_log WHERE action = 'server.init'"
            ),
            0
        );
        let db = srv.state.db.clone();
        let detail: String = srv.block_on(async move {
            sqlx::query("SELECT detail FROM audit_log WHERE action = 'retention.prune'")
                .fetch_one(&db.pool)
                .await
                .unwrap()
                .get("detail")
        });
        let detail: Value = serde_json::from_str(&detail).unwrap();
        assert_eq!(detail["events"], 4);
        assert_eq!(detail["uploads"], 1);
        // Per table in the metrics.
        let metrics = srv.state.metrics.render();
        assert!(
            metrics.contains("\nvigil_retention_pruned_rows_total{table=\"events\"} 4\n"),
            "{metrics}"
        );
        assert!(metrics
            .contains("\nvigil_retention_pruned_rows_total{table=\"delivery_attempts\"} 2\n"));

        // The exporter catches up: its event and the fixed finding (with
        // its IDs) go now. Nothing else changed: a second prune right
        // after finds nothing more.
        srv.sql(&format!(
            "UPDATE event_cursors SET floor_seq = {0}, high_seq = {0} WHERE consumer = 'siem-stuck'",
            fixed_seq
        ));
        let pruned = prune(srv);
        assert_eq!(pruned.events, 1, "{backend}: {pruned:?}");
        assert_eq!((pruned.findings, pruned.finding_ids), (1, fixed_ids as u64));
        assert_eq!(
            count(srv, "SELECT COUNT(*) FROM findings WHERE state = 'fixed'"),
            0
        );
        assert_eq!(count(srv, "SELECT COUNT(*) FROM findings"), 3);
        assert_eq!(prune(srv), Pruned::default());

        // Even long out of the window, the latest upload of the asset
        // stays (the asset page shows it).
        srv.sql(&format!(
            "UPDATE uploads SET received_at = received_at - {}",
            300 * DAY
        ));
        assert_eq!(prune(srv).uploads, 1);
        let (s, v) = upload_status(srv, "new-upload-0003", "report-b.json");
        assert_eq!((s, &v["duplicate"]), (200, &Value::Bool(true)), "{v}");
        // A retry of a pruned upload is an upload again.
        assert_eq!(
            upload_status(srv, "old-upload-0001", "report-a.json").0,
            202
        );
    });
}

#[test]
fn off_keeps_rows_forever_and_one_replica_prunes_at_a_time() {
    support::each_backend_with(
        |config| {
            config.retention.events = None;
            config.retention.uploads = None;
            config.retention.audit = None;
            config.retention.fixed = None;
        },
        |srv| {
            assert_eq!(
                upload_status(srv, "off-upload-0001", "report-a.json").0,
                202
            );
            assert_eq!(
                upload_status(srv, "off-upload-0002", "report-b.json").0,
                202
            );
            srv.sql(&format!(
                "UPDATE events SET created_at = created_at - {0}, seq = seq - {0}000000",
                1000 * DAY
            ));
            srv.sql(&format!(
                "UPDATE uploads SET received_at = received_at - {}",
                1000 * DAY
            ));
            srv.sql(&format!("UPDATE audit_log SET at = at - {}", 1000 * DAY));
            srv.sql(&format!(
                "UPDATE findings SET fixed_at = fixed_at - {}",
                1000 * DAY
            ));
            assert_eq!(prune(srv), Pruned::default());
            assert_eq!(count(srv, "SELECT COUNT(*) FROM uploads"), 2);
            if srv.backend == "postgres" {
                // Another replica holds the lock: this one skips the round.
                let state = srv.state.clone();
                let skipped = srv.block_on(async move {
                    let mut conn = state.db.pool.acquire().await.unwrap();
                    sqlx::query("SELECT pg_advisory_lock($1)")
                        .bind(vigil_server::db::lock_key("vigil-retention"))
                        .execute(&mut *conn)
                        .await
                        .unwrap();
                    let outcome = retention::run_once(&state).await.unwrap();
                    sqlx::query("SELECT pg_advisory_unlock($1)")
                        .bind(vigil_server::db::lock_key("vigil-retention"))
                        .execute(&mut *conn)
                        .await
                        .unwrap();
                    outcome
                });
                assert_eq!(skipped, None);
            }
        },
    );
}
