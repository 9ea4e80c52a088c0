//! Kubernetes admission control: a `ValidatingAdmissionWebhook` endpoint
//! that allows or denies a pod (or a workload's pod template) by what the
//! server knows of its images.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sqlx::Row;

use crate::db::Db;
use crate::ingest::severity_rank;

/// What the webhook denies.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AdmissionPolicy {
    /// Deny images with open findings at or above this severity
    /// (`CRITICAL`, `HIGH`, `MEDIUM`, `LOW`); `None`: severity alone
    /// denies nothing.
    pub deny_severity: Option<String>,
    /// Deny images with an open vulnerability whose risk score
    /// (docs/risk.md) is at or above this; `None`: the score denies
    /// nothing.
    #[serde(default)]
    pub deny_risk: Option<f64>,
    /// Deny images with an open known-exploited vulnerability.
    pub deny_kev: bool,
    /// Deny images the server has never seen a scan of (else allow them
    /// with a warning).
    pub deny_unknown: bool,
    /// Namespaces never checked (`kube-system`).
    pub exempt_namespaces: Vec<String>,
}

impl Default for AdmissionPolicy {
    fn default() -> Self {
        AdmissionPolicy {
            deny_severity: Some("CRITICAL".into()),
            deny_risk: None,
            deny_kev: true,
            deny_unknown: false,
            exempt_namespaces: vec!["kube-system".into()],
        }
    }
}

/// The images of an object under review: a Pod's containers, or the pod
/// template of a workload (Deployment, StatefulSet, DaemonSet, ReplicaSet,
/// Job, CronJob).
pub fn images(kind: &str, object: &Value) -> Vec<String> {
    let spec = match kind {
        "Pod" => &object["spec"],
        "CronJob" => &object["spec"]["jobTemplate"]["spec"]["template"]["spec"],
        _ => &object["spec"]["template"]["spec"],
    };
    let mut out = Vec::new();
    for list in ["initContainers", "containers", "ephemeralContainers"] {
        for c in spec[list].as_array().into_iter().flatten() {
            if let Some(image) = c["image"].as_str() {
                if !out.iter().any(|i| i == image) {
                    out.push(image.to_string());
                }
            }
        }
    }
    out
}

/// The forms a reference is stored under: as written, and with Docker
/// Hub's implicit registry and `library/` spelled out or left out.
fn reference_forms(reference: &str) -> Vec<String> {
    let mut forms = vec![reference.to_string()];
    let first = reference.split('/').next().unwrap_or_default();
    let has_registry = reference.contains('/')
        && (first.contains('.') || first.contains(':') || first == "localhost");
    if !has_registry {
        let path = if reference.contains('/') {
            reference.to_string()
        } else {
            format!("library/{reference}")
        };
        forms.push(format!("docker.io/{path}"));
        forms.push(path);
    } else if let Some(rest) = reference.strip_prefix("docker.io/") {
        forms.push(rest.to_string());
        if let Some(short) = rest.strip_prefix("library/") {
            forms.push(short.to_string());
        }
    }
    forms.sort();
    forms.dedup();
    forms
}

/// The image asset the server knows for a reference: by digest when the
/// reference pins one, else the most recently scanned asset with that
/// reference. A placeholder (an image only seen running, crate::images)
/// was never scanned: not found.
async fn find_image(db: &Db, image: &str) -> anyhow::Result<Option<(String, String)>> {
    if let Some((_, digest)) = image.split_once('@') {
        let row = sqlx::query(
            "SELECT id, name FROM assets WHERE kind = 'image' AND name LIKE $1 \
             AND metadata NOT LIKE '%\"placeholder\":true%' ORDER BY last_seen DESC LIMIT 1",
        )
        .bind(format!("%@{digest}"))
        .fetch_optional(&db.pool)
        .await?;
        return Ok(row.map(|r| (r.get("id"), r.get("name"))));
    }
    for form in reference_forms(image) {
        let row = sqlx::query(
            "SELECT id, name FROM assets WHERE kind = 'image' AND (name = $1 OR metadata LIKE $2) \
             AND metadata NOT LIKE '%\"placeholder\":true%' ORDER BY last_seen DESC LIMIT 1",
        )
        .bind(&form)
        .bind(format!(
            "%\"reference\":{}%",
            serde_json::to_string(&form).unwrap_or_default()
        ))
        .fetch_optional(&db.pool)
        .await?;
        if let Some(r) = row {
            return Ok(Some((r.get("id"), r.get("name"))));
        }
    }
    Ok(None)
}

/// The decision on one AdmissionReview request.
#[derive(Debug, Default)]
pub struct Decision {
    /// Allowed.
    pub allowed: bool,
    /// Why not, when denied.
    pub message: Option<String>,
    /// Warnings shown to the user (`kubectl` prints them).
    pub warnings: Vec<String>,
}

/// Decides on a review's object.
pub async fn decide(
    db: &Db,
    policy: &AdmissionPolicy,
    namespace: Option<&str>,
    kind: &str,
    object: &Value,
) -> anyhow::Result<Decision> {
    if namespace.is_some_and(|n| policy.exempt_namespaces.iter().any(|e| e == n)) {
        return Ok(Decision {
            allowed: true,
            ..Decision::default()
        });
    }
    let threshold = policy.deny_severity.as_deref().map(severity_rank);
    let risk_threshold = policy
        .deny_risk
        .map(|r| crate::risk::min_tenths(r.clamp(0.0, 10.0)).unwrap_or(0));
    let mut reasons = Vec::new();
    let mut warnings = Vec::new();
    for image in images(kind, object) {
        let Some((asset_id, name)) = find_image(db, &image).await? else {
            if policy.deny_unknown {
                reasons.push(format!("image {image} has never been scanned by vigil"));
            } else {
                warnings.push(format!(
                    "vigil: image {image} has never been scanned; allowed without a check"
                ));
            }
            continue;
        };
        let rows = sqlx::query(
            "SELECT rule_id, severity, severity_rank, kev, risk_tenths FROM findings \
             WHERE asset_id = $1 AND state <> 'fixed' AND triage IS NULL \
             AND kind IN ('vulnerability', 'secret') ORDER BY severity_rank DESC, rule_id",
        )
        .bind(&asset_id)
        .fetch_all(&db.pool)
        .await?;
        let mut blocking: Vec<String> = Vec::new();
        for r in &rows {
            let rank: i64 = r.get("severity_rank");
            let kev = r.get::<i64, _>("kev") != 0;
            let risk = crate::db::opt_int(r, "risk_tenths");
            let by_severity = threshold.is_some_and(|t| rank >= t);
            let by_risk = risk_threshold.is_some_and(|t| risk.is_some_and(|r| r >= t));
            if by_severity || by_risk || (policy.deny_kev && kev) {
                let id: String = r.get("rule_id");
                let sev: String = r.get("severity");
                let mut why = vec![sev];
                if let Some(t) = risk {
                    why.push(format!("risk {:.1}", t as f64 / 10.0));
                }
                if kev {
                    why.push("known exploited".into());
                }
                blocking.push(format!("{id} ({})", why.join(", ")));
            }
        }
        if !blocking.is_empty() {
            let shown: Vec<&str> = blocking.iter().take(5).map(String::as_str).collect();
            let more = blocking.len().saturating_sub(5);
            reasons.push(format!(
                "image {image} ({name}) has {} open finding{} the policy denies: {}{}",
                blocking.len(),
                if blocking.len() == 1 { "" } else { "s" },
                shown.join(", "),
                if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                }
            ));
        }
    }
    Ok(Decision {
        allowed: reasons.is_empty(),
        message: (!reasons.is_empty()).then(|| format!("denied by vigil: {}", reasons.join("; "))),
        warnings,
    })
}

/// The AdmissionReview answer for a request UID.
pub fn review_response(uid: &str, d: &Decision) -> Value {
    let mut response = json!({ "uid": uid, "allowed": d.allowed });
    if let Some(m) = &d.message {
        response["status"] = json!({ "code": 403, "reason": "Forbidden", "message": m });
    }
    if !d.warnings.is_empty() {
        response["warnings"] = json!(d.warnings);
    }
    json!({
        "apiVersion": "admission.k8s.io/v1",
        "kind": "AdmissionReview",
        "response": response,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_come_from_every_container_list_and_pod_template() {
        let pod = json!({"spec": {"initContainers": [{"image": "busybox:1.36"}],
            "containers": [{"image": "web:1"}, {"image": "web:1"}, {"image": "sidecar:2"}]}});
        assert_eq!(images("Pod", &pod), ["busybox:1.36", "web:1", "sidecar:2"]);
        let deploy = json!({"spec": {"template": {"spec": {"containers": [{"image": "api:3"}]}}}});
        assert_eq!(images("Deployment", &deploy), ["api:3"]);
        let cron = json!({"spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": [{"image": "job:4"}]}}}}}});
        assert_eq!(images("CronJob", &cron), ["job:4"]);
    }

    #[test]
    fn docker_hub_references_have_several_spellings() {
        assert_eq!(
            reference_forms("nginx:1.25"),
            [
                "docker.io/library/nginx:1.25",
                "library/nginx:1.25",
                "nginx:1.25"
            ]
        );
        assert_eq!(
            reference_forms("docker.io/library/nginx:1.25"),
            [
                "docker.io/library/nginx:1.25",
                "library/nginx:1.25",
                "nginx:1.25"
            ]
        );
        assert_eq!(
            reference_forms("registry.example.org:5000/app:1"),
            ["registry.example.org:5000/app:1"]
        );
    }
}
