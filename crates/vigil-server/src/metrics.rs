//! Counters in the Prometheus text exposition format, at `/metrics`.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// A monotonically increasing counter.
#[derive(Debug, Default)]
pub struct Counter(AtomicU64);

impl Counter {
    /// Adds one.
    pub fn inc(&self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }

    /// Adds `n`.
    pub fn add(&self, n: u64) {
        self.0.fetch_add(n, Ordering::Relaxed);
    }

    /// The value.
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// Request durations in fixed buckets (seconds).
#[derive(Debug)]
pub struct Histogram {
    bounds: &'static [f64],
    inner: Mutex<(Vec<u64>, f64, u64)>,
}

const BOUNDS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

impl Default for Histogram {
    fn default() -> Self {
        Histogram {
            bounds: BOUNDS,
            inner: Mutex::new((vec![0; BOUNDS.len()], 0.0, 0)),
        }
    }
}

impl Histogram {
    /// Records one observation.
    pub fn observe(&self, seconds: f64) {
        if let Ok(mut g) = self.inner.lock() {
            for (i, b) in self.bounds.iter().enumerate() {
                if seconds <= *b {
                    g.0[i] += 1;
                }
            }
            g.1 += seconds;
            g.2 += 1;
        }
    }

    fn write(&self, out: &mut String, name: &str, help: &str) {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} histogram");
        if let Ok(g) = self.inner.lock() {
            for (i, b) in self.bounds.iter().enumerate() {
                let _ = writeln!(out, "{name}_bucket{{le=\"{b}\"}} {}", g.0[i]);
            }
            let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {}", g.2);
            let _ = writeln!(out, "{name}_sum {}", g.1);
            let _ = writeln!(out, "{name}_count {}", g.2);
        }
    }
}

/// The server's counters.
#[derive(Debug, Default)]
pub struct Metrics {
    /// HTTP requests answered.
    pub requests: Counter,
    /// Requests answered with a 4xx status.
    pub client_errors: Counter,
    /// Requests answered with a 5xx status.
    pub server_errors: Counter,
    /// Requests refused for a missing or bad token.
    pub auth_failures: Counter,
    /// Requests refused by the rate limit.
    pub rate_limited: Counter,
    /// Scan reports stored.
    pub scans_stored: Counter,
    /// Agent snapshots (full or delta) stored.
    pub snapshots_stored: Counter,
    /// SBOMs stored.
    pub sboms_stored: Counter,
    /// Uploads recognised as retries of stored ones.
    pub duplicate_uploads: Counter,
    /// Uploads refused as malformed or too large.
    pub rejected_uploads: Counter,
    /// Findings created (first seen).
    pub findings_created: Counter,
    /// Advisory updates run.
    pub advisory_updates: Counter,
    /// Findings created by re-matching after an advisory update.
    pub rematch_findings: Counter,
    /// Webhook calls made (every attempt).
    pub notification_attempts: Counter,
    /// Notifications delivered.
    pub notifications_delivered: Counter,
    /// Notifications given up on (refused, or out of attempts).
    pub notifications_failed: Counter,
    /// Events sent to SIEM destinations (each destination counts).
    pub siem_events_exported: Counter,
    /// Request durations.
    pub request_seconds: Histogram,
    /// Rows deleted by retention, per table.
    pub pruned_rows: Mutex<BTreeMap<&'static str, u64>>,
}

impl Metrics {
    /// Counts `n` rows of `table` deleted by retention.
    pub fn pruned(&self, table: &'static str, n: u64) {
        if let Ok(mut m) = self.pruned_rows.lock() {
            *m.entry(table).or_default() += n;
        }
    }

    /// The exposition text.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let counters: [(&str, &str, &Counter); 17] = [
            (
                "vigil_http_requests_total",
                "HTTP requests answered",
                &self.requests,
            ),
            (
                "vigil_http_client_errors_total",
                "Requests answered with a 4xx status",
                &self.client_errors,
            ),
            (
                "vigil_http_server_errors_total",
                "Requests answered with a 5xx status",
                &self.server_errors,
            ),
            (
                "vigil_auth_failures_total",
                "Requests with a missing, unknown, revoked or expired token",
                &self.auth_failures,
            ),
            (
                "vigil_rate_limited_total",
                "Requests refused by the rate limit",
                &self.rate_limited,
            ),
            (
                "vigil_scans_stored_total",
                "Scan reports stored",
                &self.scans_stored,
            ),
            (
                "vigil_snapshots_stored_total",
                "Agent snapshots stored",
                &self.snapshots_stored,
            ),
            (
                "vigil_sboms_stored_total",
                "SBOMs stored",
                &self.sboms_stored,
            ),
            (
                "vigil_duplicate_uploads_total",
                "Uploads recognised as retries of stored uploads",
                &self.duplicate_uploads,
            ),
            (
                "vigil_rejected_uploads_total",
                "Uploads refused as malformed or too large",
                &self.rejected_uploads,
            ),
            (
                "vigil_findings_created_total",
                "Findings seen for the first time",
                &self.findings_created,
            ),
            (
                "vigil_advisory_updates_total",
                "Advisory updates run",
                &self.advisory_updates,
            ),
            (
                "vigil_rematch_findings_total",
                "Findings created by re-matching after an advisory update",
                &self.rematch_findings,
            ),
            (
                "vigil_notification_attempts_total",
                "Webhook calls made, retries included",
                &self.notification_attempts,
            ),
            (
                "vigil_notifications_delivered_total",
                "Notifications delivered",
                &self.notifications_delivered,
            ),
            (
                "vigil_notifications_failed_total",
                "Notifications given up on",
                &self.notifications_failed,
            ),
            (
                "vigil_siem_events_exported_total",
                "Events sent to SIEM destinations",
                &self.siem_events_exported,
            ),
        ];
        for (name, help, c) in counters {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {}",
                c.get()
            );
        }
        let name = "vigil_retention_pruned_rows_total";
        let _ = writeln!(
            out,
            "# HELP {name} Rows deleted by retention, per table\n# TYPE {name} counter"
        );
        if let Ok(m) = self.pruned_rows.lock() {
            for (table, _) in crate::retention::Pruned::default().tables() {
                let n = m.get(table).copied().unwrap_or(0);
                let _ = writeln!(out, "{name}{{table=\"{table}\"}} {n}");
            }
        }
        self.request_seconds.write(
            &mut out,
            "vigil_http_request_duration_seconds",
            "HTTP request durations",
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_cumulative_buckets() {
        let m = Metrics::default();
        m.requests.add(3);
        m.request_seconds.observe(0.02);
        m.request_seconds.observe(3.0);
        m.pruned("events", 5000);
        m.pruned("events", 12);
        let text = m.render();
        assert!(text.contains("\nvigil_retention_pruned_rows_total{table=\"events\"} 5012\n"));
        assert!(text.contains("\nvigil_retention_pruned_rows_total{table=\"uploads\"} 0\n"));
        assert!(text.contains("\nvigil_http_requests_total 3\n"), "{text}");
        assert!(text.contains("vigil_http_request_duration_seconds_bucket{le=\"0.025\"} 1\n"));
        assert!(text.contains("vigil_http_request_duration_seconds_bucket{le=\"5\"} 2\n"));
        assert!(text.contains("vigil_http_request_duration_seconds_count 2\n"));
    }
}
