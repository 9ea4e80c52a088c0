//! Agent snapshots: a host's processes, what they load, what they expose
//! and reach. The host becomes an asset whose inventory is what runs on it
//! (loaded packages and its containers' packages), its findings carry
//! their runtime context, and each container is an asset related to it.

use anyhow::Result;
use serde_json::{json, Value};
use sqlx::Row;
use vigil_agent::inventory::{annotate, inventory, HostInventory};
use vigil_agent::{Delta, Exposure, Snapshot};

use crate::auth::Principal;
use crate::db::now;
use crate::ingest::{self, AssetKey, Changes, FindingRow, Invalid};
use crate::rematch::Advisories;
use crate::AppState;

/// What an agent sent: a full snapshot or a delta against its previous
/// document.
#[derive(Debug)]
pub enum Upload {
    /// A full snapshot.
    Full(Box<Snapshot>),
    /// A delta.
    Delta(Box<Delta>),
}

/// Reads a full snapshot or, when `kind` is `delta`, a delta
/// (docs/server-protocol.md).
pub fn parse_upload(body: &[u8]) -> Result<Upload, Invalid> {
    let value: Value =
        serde_json::from_slice(body).map_err(|e| Invalid(format!("the body is not JSON: {e}")))?;
    if value.get("kind").and_then(Value::as_str) == Some("delta") {
        let d: Delta = serde_json::from_value(value)
            .map_err(|e| Invalid(format!("the body is not an agent delta: {e}")))?;
        if d.schema_version != 1 {
            return Err(Invalid(format!(
                "unsupported delta schema_version {} (this server reads 1)",
                d.schema_version
            )));
        }
        return Ok(Upload::Delta(Box::new(d)));
    }
    let bytes = serde_json::to_vec(&value).map_err(|e| Invalid(e.to_string()))?;
    parse_snapshot(&bytes).map(|s| Upload::Full(Box::new(s)))
}

/// The stored snapshot of a host and the upload it came from.
pub async fn stored_snapshot(
    state: &AppState,
    host_id: &str,
) -> Result<Option<(String, Snapshot)>> {
    let asset = AssetKey {
        kind: "host".into(),
        name: host_id.to_string(),
    }
    .id();
    let row = sqlx::query("SELECT upload_id, snapshot FROM host_snapshots WHERE asset_id = $1")
        .bind(asset)
        .fetch_optional(&state.db.pool)
        .await?;
    match row {
        Some(r) => {
            let snapshot: Snapshot = serde_json::from_str(&r.get::<String, _>("snapshot"))?;
            Ok(Some((r.get("upload_id"), snapshot)))
        }
        None => Ok(None),
    }
}

/// A heartbeat (a delta that changes nothing): the host is alive; its
/// inventory and findings stay as they are.
pub async fn store_heartbeat(
    state: &AppState,
    principal: &Principal,
    upload_id: &str,
    snapshot: &Snapshot,
    bytes: usize,
) -> Result<String> {
    let now = now();
    let host_id = AssetKey {
        kind: "host".into(),
        name: snapshot.host.id.clone(),
    }
    .id();
    let mut tx = state.db.begin_write(Some(&host_id)).await?;
    sqlx::query("UPDATE assets SET last_seen = $2, last_upload_id = $3 WHERE id = $1")
        .bind(&host_id)
        .bind(now)
        .bind(upload_id)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "UPDATE host_snapshots SET upload_id = $2, taken_at = $3, snapshot = $4 WHERE asset_id = $1",
    )
    .bind(&host_id)
    .bind(upload_id)
    .bind(&snapshot.taken_at)
    .bind(serde_json::to_string(snapshot)?)
    .execute(&mut **tx)
    .await?;
    let summary = json!({ "asset_id": host_id, "heartbeat": true });
    ingest::record_upload(
        &mut tx, upload_id, "snapshot", &host_id, principal, bytes, &summary,
    )
    .await?;
    tx.commit().await?;
    Ok(host_id)
}

/// Records (or refreshes) a relation between two assets.
async fn relate(
    tx: &mut crate::db::WriteTx<'_>,
    from: &str,
    to: &str,
    relation: &str,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO asset_relations (from_id, to_id, relation, last_seen) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (from_id, to_id, relation) DO UPDATE SET last_seen = $4",
    )
    .bind(from)
    .bind(to)
    .bind(relation)
    .bind(now)
    .execute(&mut ***tx)
    .await?;
    Ok(())
}

/// Reads a full snapshot (`vigil agent --once --format json`).
pub fn parse_snapshot(body: &[u8]) -> Result<Snapshot, Invalid> {
    let snapshot: Snapshot = serde_json::from_slice(body)
        .map_err(|e| Invalid(format!("the body is not an agent snapshot: {e}")))?;
    if snapshot.schema_version != 1 {
        return Err(Invalid(format!(
            "unsupported snapshot schema_version {} (this server reads 1)",
            snapshot.schema_version
        )));
    }
    if snapshot.host.id.is_empty() || snapshot.host.id.len() > 128 {
        return Err(Invalid("host.id must have 1 to 128 characters".into()));
    }
    Ok(snapshot)
}

fn rank(e: Exposure) -> u8 {
    match e {
        Exposure::Loopback => 0,
        Exposure::Internal => 1,
        Exposure::Public => 2,
    }
}

/// The widest exposure of any listening socket of the host.
fn widest_exposure(snapshot: &Snapshot) -> Option<&'static str> {
    snapshot
        .processes
        .iter()
        .flat_map(|p| p.listening.iter().map(|l| l.exposure))
        .max_by_key(|e| rank(*e))
        .map(|e| match e {
            Exposure::Loopback => "loopback",
            Exposure::Internal => "internal",
            Exposure::Public => "public",
        })
}

/// Stores a snapshot: the host asset, its inventory and findings (with
/// runtime context), its containers and their relation to it, and the
/// snapshot itself (deltas apply to it), in one transaction.
pub async fn store_snapshot(
    state: &AppState,
    principal: &Principal,
    upload_id: &str,
    snapshot: Snapshot,
    bytes: usize,
) -> Result<(String, Changes)> {
    // Inventory and matching are CPU work: off the async threads.
    let path = state.advisories.path().to_path_buf();
    let (snapshot, components, findings) = tokio::task::spawn_blocking(move || -> Result<_> {
        let HostInventory { inventory, runtime } = inventory(&snapshot);
        let mut findings = Advisories::match_findings_blocking(&path, &inventory.components)?;
        // The runtime context of each package, then the risk score it
        // gives (docs/risk.md).
        findings.iter_mut().for_each(|f| {
            annotate(&runtime, f);
            vigil_risk::context::annotate(f);
        });
        let rows = findings
            .into_iter()
            .filter_map(|f| {
                serde_json::to_value(&f)
                    .ok()
                    .and_then(|v| FindingRow::from_value(v).ok())
            })
            .collect::<Vec<_>>();
        let components = inventory
            .components
            .into_iter()
            .map(|c| (serde_json::to_value(&c).unwrap_or(Value::Null), c))
            .collect::<Vec<_>>();
        Ok((snapshot, components, rows))
    })
    .await??;
    let now = now();
    let host = AssetKey {
        kind: "host".into(),
        name: snapshot.host.id.clone(),
    };
    let exposure = widest_exposure(&snapshot);
    let metadata = json!({
        "hostname": snapshot.host.hostname,
        "os": snapshot.host.os,
        "kernel": snapshot.host.kernel,
        "taken_at": snapshot.taken_at,
        "processes": snapshot.processes.len(),
        "containers": snapshot.containers.len(),
        "unseen": snapshot.unseen.iter().map(|u| format!("{}: {}", u.what, u.why)).collect::<Vec<_>>(),
    });
    let mut tx = state.db.begin_write(Some(&host.id())).await?;
    let host_id = ingest::upsert_asset(
        &mut tx,
        &host,
        principal.team_id.as_deref(),
        upload_id,
        &metadata,
        now,
    )
    .await?;
    sqlx::query("UPDATE assets SET exposure = $2 WHERE id = $1")
        .bind(&host_id)
        .bind(exposure)
        .execute(&mut **tx)
        .await?;
    let n = ingest::replace_components(&mut tx, &host_id, &components).await?;
    let mut changes =
        ingest::store_findings(&mut tx, &host_id, &findings, "scan", true, now).await?;
    changes.components = n;
    for c in &snapshot.containers {
        let key = AssetKey {
            kind: "container".into(),
            name: c.id.clone(),
        };
        let meta = json!({
            "runtime": c.runtime,
            "pod": c.pod,
            "os": c.os,
            "host": snapshot.host.hostname,
            "processes": c.processes.len(),
            "packages": c.packages.len(),
            "image": c.image,
        });
        let id = ingest::upsert_asset(
            &mut tx,
            &key,
            principal.team_id.as_deref(),
            upload_id,
            &meta,
            now,
        )
        .await?;
        relate(&mut tx, &id, &host_id, "runs_on", now).await?;
        // The image it runs (crate::images): a scanned image asset, else
        // a placeholder.
        if let Some(image) = &c.image {
            crate::images::relate_container(
                &mut tx,
                &id,
                image,
                principal.team_id.as_deref(),
                upload_id,
                now,
            )
            .await?;
        }
        // A Kubernetes pod: an asset of its own, the container in it.
        if let Some(pod) = &c.pod {
            let pod_key = AssetKey {
                kind: "pod".into(),
                name: pod.clone(),
            };
            let pod_id = ingest::upsert_asset(
                &mut tx,
                &pod_key,
                principal.team_id.as_deref(),
                upload_id,
                &json!({ "host": snapshot.host.hostname }),
                now,
            )
            .await?;
            relate(&mut tx, &id, &pod_id, "in_pod", now).await?;
            relate(&mut tx, &pod_id, &host_id, "runs_on", now).await?;
        }
    }
    sqlx::query(
        "INSERT INTO host_snapshots (asset_id, upload_id, taken_at, snapshot) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (asset_id) DO UPDATE SET upload_id = $2, taken_at = $3, snapshot = $4",
    )
    .bind(&host_id)
    .bind(upload_id)
    .bind(&snapshot.taken_at)
    .bind(serde_json::to_string(&snapshot)?)
    .execute(&mut **tx)
    .await?;
    let summary = json!({ "asset_id": host_id, "changes": changes });
    ingest::record_upload(
        &mut tx, upload_id, "snapshot", &host_id, principal, bytes, &summary,
    )
    .await?;
    tx.commit().await?;
    Ok((host_id, changes))
}
