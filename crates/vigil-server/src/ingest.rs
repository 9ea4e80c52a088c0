//! Uploads: a scan report (the CLI's JSON report) becomes an asset, its
//! current inventory and its findings, each with its lifecycle (new → open
//! → fixed → reopened). Everything of one upload is stored in one
//! transaction, and the upload is acknowledged only after it commits.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::Result;
use serde::Deserialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use sqlx::{Any, Row, Transaction};
use vigil_model::{Component, Ecosystem, Location, SourcePackage};

use crate::auth::Principal;
use crate::db::{now, random_id};

/// What was wrong with an upload: the client's fault, told back in a 4xx.
#[derive(Debug)]
pub struct Invalid(pub String);

/// The identity of what a report is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetKey {
    /// `repository`, `image`, `host`, `directory`, `rootfs`, `sbom`, ...
    pub kind: String,
    /// Its name within the kind: a repository URL, `name@sha256:…`, a host
    /// ID, a path.
    pub name: String,
}

impl AssetKey {
    /// The asset's ID: 32 hex digits of SHA-256 over kind and name, so an
    /// upload needs no lookup to know it.
    pub fn id(&self) -> String {
        let mut h = Sha256::new();
        h.update(self.kind.as_bytes());
        h.update([0]);
        h.update(self.name.as_bytes());
        hex::encode(&h.finalize()[..16])
    }
}

#[derive(Debug, Deserialize)]
struct SourceIn {
    kind: String,
    name: Option<String>,
    repository: Option<String>,
    commit: Option<String>,
    branch: Option<String>,
    digest: Option<String>,
}

#[derive(Debug, Deserialize)]
struct ImageIn {
    reference: String,
    digest: Option<String>,
    index_digest: Option<String>,
    config_digest: Option<String>,
}

#[derive(Debug, Deserialize)]
struct LocationIn {
    path: String,
    line: Option<u32>,
}

#[derive(Debug, Deserialize)]
struct SourcePackageIn {
    name: String,
    version: Option<String>,
}

/// A component of an uploaded report (the fields the server uses).
#[derive(Debug, Deserialize)]
pub struct ComponentIn {
    ecosystem: String,
    name: String,
    version: String,
    purl: Option<String>,
    #[serde(default)]
    locations: Vec<LocationIn>,
    release: Option<String>,
    source: Option<SourcePackageIn>,
}

impl ComponentIn {
    /// The model component (for matching), or why it cannot be one.
    pub fn to_component(&self) -> Result<Component, String> {
        let ecosystem: Ecosystem = self
            .ecosystem
            .parse()
            .map_err(|e: vigil_model::UnknownEcosystem| e.to_string())?;
        let mut c = Component::new(ecosystem, &self.name, &self.version);
        if let Some(p) = &self.purl {
            c.purl = p.clone();
        }
        c.locations = self
            .locations
            .iter()
            .map(|l| Location::new(&l.path, l.line))
            .collect();
        c.release = self.release.clone();
        c.source = self.source.as_ref().map(|s| SourcePackage {
            name: s.name.clone(),
            version: s.version.clone(),
        });
        Ok(c)
    }
}

#[derive(Debug, Deserialize)]
struct PackageIn {
    ecosystem: String,
    name: String,
    version: String,
}

#[derive(Debug, Deserialize)]
struct RuntimeIn {
    exposure: Option<String>,
}

/// A finding of an uploaded report (the fields the server indexes; the
/// whole finding is kept as sent).
#[derive(Debug, Deserialize)]
struct FindingIn {
    kind: String,
    id: String,
    #[serde(default)]
    aliases: Vec<String>,
    title: String,
    severity: String,
    #[serde(default)]
    kev: bool,
    #[serde(default)]
    fix_available: bool,
    package: Option<PackageIn>,
    location: LocationIn,
    fingerprint: String,
    suppression: Option<Value>,
    runtime: Option<RuntimeIn>,
}

#[derive(Debug, Deserialize)]
struct ReportIn {
    schema_version: u32,
    target: String,
    source: Option<SourceIn>,
    image: Option<ImageIn>,
    #[serde(default)]
    components: Vec<Value>,
    #[serde(default)]
    findings: Vec<Value>,
}

/// A finding ready to store.
#[derive(Debug, Clone)]
pub struct FindingRow {
    /// Its fingerprint (identity within the asset).
    pub fingerprint: String,
    /// `vulnerability`, `misconfiguration`, `secret`, `license`.
    pub kind: String,
    /// The advisory or rule ID.
    pub rule_id: String,
    /// Every ID it is known by (its own and its aliases).
    pub ids: Vec<String>,
    /// The title.
    pub title: String,
    /// `CRITICAL` … `UNKNOWN`.
    pub severity: String,
    /// Listed as known exploited.
    pub kev: bool,
    /// A fixed version exists.
    pub fix_available: bool,
    /// The package, when about one: (ecosystem, name, version).
    pub package: Option<(String, String, String)>,
    /// The file it was found in.
    pub path: String,
    /// The runtime exposure of the package, where known.
    pub exposure: Option<String>,
    /// Suppressed in the source (ignore file, VEX, inline comment).
    pub suppressed: bool,
    /// The risk score in tenths (`risk.score` × 10), when it has one.
    pub risk_tenths: Option<i64>,
    /// The whole finding as reported.
    pub data: Value,
}

/// The rank by which severities sort (higher is worse).
pub fn severity_rank(s: &str) -> i64 {
    match s {
        "CRITICAL" => 4,
        "HIGH" => 3,
        "MEDIUM" => 2,
        "LOW" => 1,
        _ => 0,
    }
}

impl FindingRow {
    /// Reads one finding of a report. A vulnerability sent without a risk
    /// score (by a vigil from before the score) gets one here.
    pub fn from_value(mut v: Value) -> Result<FindingRow, String> {
        crate::risk::ensure(&mut v);
        let risk_tenths = crate::risk::tenths(&v);
        let f = FindingIn::deserialize(&v).map_err(|e| e.to_string())?;
        if f.fingerprint.is_empty() || f.fingerprint.len() > 128 {
            return Err("`fingerprint` must have 1 to 128 characters".into());
        }
        if !matches!(
            f.kind.as_str(),
            "vulnerability" | "misconfiguration" | "secret" | "license"
        ) {
            return Err(format!("unknown finding kind {:?}", f.kind));
        }
        let severity = f.severity.to_ascii_uppercase();
        if !matches!(
            severity.as_str(),
            "CRITICAL" | "HIGH" | "MEDIUM" | "LOW" | "UNKNOWN"
        ) {
            return Err(format!("unknown severity {:?}", f.severity));
        }
        let mut ids: Vec<String> = std::iter::once(f.id.clone())
            .chain(f.aliases.iter().cloned())
            .collect();
        ids.sort();
        ids.dedup();
        Ok(FindingRow {
            fingerprint: f.fingerprint,
            kind: f.kind,
            rule_id: f.id,
            ids,
            title: f.title,
            severity,
            kev: f.kev,
            fix_available: f.fix_available,
            package: f.package.map(|p| (p.ecosystem, p.name, p.version)),
            path: f.location.path,
            exposure: f.runtime.and_then(|r| r.exposure),
            suppressed: f.suppression.is_some(),
            risk_tenths,
            data: v,
        })
    }
}

/// A report, validated and ready to store.
#[derive(Debug)]
pub struct ScanUpload {
    /// What it is about.
    pub asset: AssetKey,
    /// Facts about the asset (commit, branch, digest, target).
    pub metadata: Value,
    /// Its components, as sent and as model components.
    pub components: Vec<(Value, Component)>,
    /// Its findings.
    pub findings: Vec<FindingRow>,
}

/// Strips credentials from a repository URL.
fn clean_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => format!("{}{}", &url[..s + 3], &url[at + 1..]),
        _ => url.to_string(),
    }
}

/// Validates a scan report. Errors name the field (and the index of the
/// component or finding) that is wrong.
pub fn parse_scan(body: &[u8]) -> Result<ScanUpload, Invalid> {
    let report: ReportIn = serde_json::from_slice(body)
        .map_err(|e| Invalid(format!("the body is not a vigil JSON report: {e}")))?;
    if report.schema_version != 1 {
        return Err(Invalid(format!(
            "unsupported report schema_version {} (this server reads 1)",
            report.schema_version
        )));
    }
    let mut metadata = serde_json::Map::new();
    metadata.insert("target".into(), Value::String(report.target.clone()));
    let asset = match (&report.source, &report.image) {
        (Some(s), _) if s.kind == "repository" => {
            let name = s
                .repository
                .as_deref()
                .map(clean_url)
                .or_else(|| s.name.clone())
                .unwrap_or_else(|| report.target.clone());
            for (k, v) in [("commit", &s.commit), ("branch", &s.branch)] {
                if let Some(v) = v {
                    metadata.insert(k.into(), Value::String(v.clone()));
                }
            }
            AssetKey {
                kind: "repository".into(),
                name,
            }
        }
        (_, Some(img)) => {
            // What a container's runtime may know the image by
            // (crate::images).
            for (k, v) in [
                ("index_digest", &img.index_digest),
                ("config_digest", &img.config_digest),
            ] {
                if let Some(v) = v {
                    metadata.insert(k.into(), Value::String(v.clone()));
                }
            }
            image_key(&img.reference, img.digest.as_deref(), &mut metadata)
        }
        (Some(s), None) if s.kind == "image" => image_key(
            s.name.as_deref().unwrap_or(&report.target),
            s.digest.as_deref(),
            &mut metadata,
        ),
        (Some(s), None) => AssetKey {
            kind: s.kind.clone(),
            name: s.name.clone().unwrap_or_else(|| report.target.clone()),
        },
        (None, None) => AssetKey {
            kind: "directory".into(),
            name: report.target.clone(),
        },
    };
    if asset.name.is_empty() || asset.name.len() > 1024 {
        return Err(Invalid(
            "the scanned target's name must have 1 to 1024 characters".into(),
        ));
    }
    if !asset
        .kind
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b == b'-')
        || asset.kind.is_empty()
    {
        return Err(Invalid(format!("invalid source kind {:?}", asset.kind)));
    }
    let mut components = Vec::with_capacity(report.components.len());
    for (i, v) in report.components.into_iter().enumerate() {
        let c: ComponentIn = serde_json::from_value(v.clone())
            .map_err(|e| Invalid(format!("components[{i}]: {e}")))?;
        let model = c
            .to_component()
            .map_err(|e| Invalid(format!("components[{i}]: {e}")))?;
        components.push((v, model));
    }
    let mut findings = Vec::with_capacity(report.findings.len());
    for (i, v) in report.findings.into_iter().enumerate() {
        findings
            .push(FindingRow::from_value(v).map_err(|e| Invalid(format!("findings[{i}]: {e}")))?);
    }
    Ok(ScanUpload {
        asset,
        metadata: Value::Object(metadata),
        components,
        findings,
    })
}

fn image_key(
    reference: &str,
    digest: Option<&str>,
    metadata: &mut serde_json::Map<String, Value>,
) -> AssetKey {
    metadata.insert("reference".into(), Value::String(reference.to_string()));
    // One asset per image content: `repository@digest` (the repository
    // normalized, `docker.io/library/` for Docker Hub) when the digest is
    // known (tags move), else the reference as given.
    crate::images::name_metadata(reference, metadata);
    let name = match digest {
        Some(d) => {
            metadata.insert("digest".into(), Value::String(d.to_string()));
            crate::images::asset_name(reference, Some(d))
        }
        None => reference.to_string(),
    };
    AssetKey {
        kind: "image".into(),
        name,
    }
}

/// What storing one upload changed.
#[derive(Debug, Default, Clone, Copy, serde::Serialize, utoipa::ToSchema)]
pub struct Changes {
    /// Findings seen for the first time.
    pub new: u64,
    /// Findings fixed before and seen again.
    pub reopened: u64,
    /// Findings no longer reported.
    pub fixed: u64,
    /// Findings stored in all.
    pub findings: u64,
    /// Components stored.
    pub components: u64,
}

/// Creates or refreshes an asset; its team is set on creation only.
pub async fn upsert_asset(
    tx: &mut Transaction<'_, Any>,
    key: &AssetKey,
    team_id: Option<&str>,
    upload_id: &str,
    metadata: &Value,
    now: i64,
) -> Result<String> {
    let id = key.id();
    sqlx::query(
        "INSERT INTO assets (id, kind, name, team_id, first_seen, last_seen, last_upload_id, metadata) \
         VALUES ($1, $2, $3, $4, $5, $5, $6, $7) \
         ON CONFLICT (id) DO UPDATE SET last_seen = $5, last_upload_id = $6, metadata = $7",
    )
    .bind(&id)
    .bind(&key.kind)
    .bind(&key.name)
    .bind(team_id)
    .bind(now)
    .bind(upload_id)
    .bind(metadata.to_string())
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

/// Replaces an asset's inventory.
pub async fn replace_components(
    tx: &mut Transaction<'_, Any>,
    asset_id: &str,
    components: &[(Value, Component)],
) -> Result<u64> {
    sqlx::query("DELETE FROM components WHERE asset_id = $1")
        .bind(asset_id)
        .execute(&mut **tx)
        .await?;
    let mut seen = BTreeSet::new();
    let mut rows = Vec::with_capacity(components.len());
    for (raw, c) in components {
        // The advisory index's key: the source package of a Debian,
        // Ubuntu or Alpine package, normalized.
        let name = c.ecosystem.normalize_name(c.advisory_key().0);
        let path = c
            .locations
            .first()
            .map(|l| l.path.clone())
            .unwrap_or_default();
        if seen.insert((
            c.ecosystem.osv_name(),
            name.clone(),
            c.version.clone(),
            path.clone(),
        )) {
            rows.push(vec![
                Bound::Text(asset_id.to_string()),
                Bound::Text(c.ecosystem.osv_name().to_string()),
                Bound::Text(name),
                Bound::Text(c.version.clone()),
                Bound::Text(path),
                Bound::Text(raw.to_string()),
            ]);
        }
    }
    // Many rows per statement: one round trip per 150 components.
    let n = rows.len() as u64;
    insert_many(
        tx,
        "INSERT INTO components (asset_id, ecosystem, name, version, path, data)",
        6,
        rows,
    )
    .await?;
    Ok(n)
}

/// Stores findings for an asset. With `complete`, the findings are the
/// asset's whole current set: those stored before and absent now are
/// fixed. Without, findings are only added or refreshed (re-matching).
pub async fn store_findings(
    tx: &mut Transaction<'_, Any>,
    asset_id: &str,
    findings: &[FindingRow],
    origin: &str,
    complete: bool,
    now: i64,
) -> Result<Changes> {
    let existing: BTreeMap<String, (String, String)> =
        sqlx::query("SELECT id, fingerprint, state FROM findings WHERE asset_id = $1")
            .bind(asset_id)
            .fetch_all(&mut **tx)
            .await?
            .into_iter()
            .map(|r| {
                (
                    r.get::<String, _>("fingerprint"),
                    (r.get::<String, _>("id"), r.get::<String, _>("state")),
                )
            })
            .collect();
    let mut changes = Changes::default();
    let mut present = BTreeSet::new();
    for f in findings {
        if !present.insert(f.fingerprint.as_str()) {
            continue;
        }
        changes.findings += 1;
        let (pkg_eco, pkg_name, pkg_version) = match &f.package {
            Some((e, n, v)) => (Some(e.as_str()), Some(n.as_str()), Some(v.as_str())),
            None => (None, None, None),
        };
        let triage = f.suppressed.then_some("suppressed");
        match existing.get(&f.fingerprint) {
            None => {
                changes.new += 1;
                let id = finding_id(asset_id, &f.fingerprint);
                sqlx::query(
                    "INSERT INTO findings (id, asset_id, fingerprint, kind, rule_id, title, severity, \
                     severity_rank, kev, fix_available, package_ecosystem, package_name, package_version, \
                     path, exposure, origin, state, triage, first_seen, last_seen, data, risk_tenths) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, 'new', $17, $18, $18, $19, $20)",
                )
                .bind(&id)
                .bind(asset_id)
                .bind(&f.fingerprint)
                .bind(&f.kind)
                .bind(&f.rule_id)
                .bind(&f.title)
                .bind(&f.severity)
                .bind(severity_rank(&f.severity))
                .bind(f.kev as i64)
                .bind(f.fix_available as i64)
                .bind(pkg_eco)
                .bind(pkg_name)
                .bind(pkg_version)
                .bind(&f.path)
                .bind(f.exposure.as_deref())
                .bind(origin)
                .bind(triage)
                .bind(now)
                .bind(f.data.to_string())
                .bind(f.risk_tenths)
                .execute(&mut **tx)
                .await?;
                record_event(tx, "finding.new", &id, asset_id, now).await?;
                for vid in &f.ids {
                    sqlx::query(
                        "INSERT INTO finding_ids (vuln_id, finding_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                    )
                    .bind(vid.to_ascii_uppercase())
                    .bind(&id)
                    .execute(&mut **tx)
                    .await?;
                }
            }
            Some((id, state)) => {
                let next = match state.as_str() {
                    "fixed" => {
                        changes.reopened += 1;
                        record_event(tx, "finding.reopened", id, asset_id, now).await?;
                        "reopened"
                    }
                    _ if complete => "open",
                    other => other,
                };
                // A user's triage (accepted, false positive) stays; a
                // suppression in the source follows the source.
                sqlx::query(
                    "UPDATE findings SET title = $2, severity = $3, severity_rank = $4, kev = $5, \
                     fix_available = $6, package_version = $7, exposure = $8, state = $9, last_seen = $10, \
                     fixed_at = NULL, reopened_at = CASE WHEN $9 = 'reopened' AND state = 'fixed' THEN $10 ELSE reopened_at END, \
                     triage = CASE WHEN triage IS NULL OR triage = 'suppressed' THEN $11 ELSE triage END, \
                     data = $12, risk_tenths = $13 WHERE id = $1",
                )
                .bind(id)
                .bind(&f.title)
                .bind(&f.severity)
                .bind(severity_rank(&f.severity))
                .bind(f.kev as i64)
                .bind(f.fix_available as i64)
                .bind(pkg_version)
                .bind(f.exposure.as_deref())
                .bind(next)
                .bind(now)
                .bind(triage)
                .bind(f.data.to_string())
                .bind(f.risk_tenths)
                .execute(&mut **tx)
                .await?;
            }
        }
    }
    if complete {
        for (fp, (id, state)) in &existing {
            if state != "fixed" && !present.contains(fp.as_str()) {
                changes.fixed += 1;
                record_event(tx, "finding.fixed", id, asset_id, now).await?;
                sqlx::query("UPDATE findings SET state = 'fixed', fixed_at = $2 WHERE id = $1")
                    .bind(id)
                    .bind(now)
                    .execute(&mut **tx)
                    .await?;
            }
        }
    }
    Ok(changes)
}

/// Queues an event about a finding (`finding.new`, `finding.reopened`,
/// `finding.fixed`) for notifications and exports, in the transaction
/// that made the change. `seq` orders events (microseconds since the
/// epoch; the ID breaks ties).
pub async fn record_event(
    tx: &mut Transaction<'_, Any>,
    kind: &str,
    finding_id: &str,
    asset_id: &str,
    now: i64,
) -> Result<()> {
    let seq = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(now * 1_000_000, |d| d.as_micros() as i64);
    sqlx::query(
        "INSERT INTO events (id, seq, created_at, kind, finding_id, asset_id) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(random_id())
    .bind(seq)
    .bind(now)
    .bind(kind)
    .bind(finding_id)
    .bind(asset_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A finding's ID: 32 hex digits over the asset and the fingerprint.
pub fn finding_id(asset_id: &str, fingerprint: &str) -> String {
    let mut h = Sha256::new();
    h.update(asset_id.as_bytes());
    h.update([0]);
    h.update(fingerprint.as_bytes());
    hex::encode(&h.finalize()[..16])
}

/// Records the upload (its ID makes retries idempotent).
pub async fn record_upload(
    tx: &mut Transaction<'_, Any>,
    upload_id: &str,
    kind: &str,
    asset_id: &str,
    principal: &Principal,
    bytes: usize,
    summary: &Value,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO uploads (id, kind, asset_id, token_id, received_at, bytes, summary) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(upload_id)
    .bind(kind)
    .bind(asset_id)
    .bind(&principal.token_id)
    .bind(now())
    .bind(bytes as i64)
    .bind(summary.to_string())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A previously stored upload with this ID: (kind, asset ID, summary).
pub async fn find_upload(
    pool: &sqlx::AnyPool,
    upload_id: &str,
) -> Result<Option<(String, String, Value)>> {
    let row = sqlx::query("SELECT kind, asset_id, summary FROM uploads WHERE id = $1")
        .bind(upload_id)
        .fetch_optional(pool)
        .await?;
    Ok(row.map(|r| {
        (
            r.get("kind"),
            r.get("asset_id"),
            serde_json::from_str(&r.get::<String, _>("summary")).unwrap_or(Value::Null),
        )
    }))
}

/// Stores a validated scan: asset, inventory, findings (those of the
/// report and those the server's own advisories give for its components),
/// in one transaction.
pub async fn store_scan(
    db: &crate::Db,
    kind: &str,
    upload: &ScanUpload,
    extra_findings: Vec<FindingRow>,
    principal: &Principal,
    upload_id: &str,
    bytes: usize,
) -> Result<(String, Changes)> {
    let now = now();
    let mut tx = db.begin_write(Some(&upload.asset.id())).await?;
    let asset_id = upsert_asset(
        &mut tx,
        &upload.asset,
        principal.team_id.as_deref(),
        upload_id,
        &upload.metadata,
        now,
    )
    .await?;
    if upload.asset.kind == "image" {
        crate::images::adopt_placeholders(&mut tx, &asset_id, &upload.metadata).await?;
    }
    let components = replace_components(&mut tx, &asset_id, &upload.components).await?;
    // The report's own findings win over the server's for the same
    // fingerprint (they carry the scan's suppressions).
    let mut all = upload.findings.clone();
    let known: BTreeSet<String> = all.iter().map(|f| f.fingerprint.clone()).collect();
    all.extend(
        extra_findings
            .into_iter()
            .filter(|f| !known.contains(&f.fingerprint)),
    );
    let mut changes = store_findings(&mut tx, &asset_id, &all, "scan", true, now).await?;
    changes.components = components;
    let summary = serde_json::json!({
        "asset_id": asset_id,
        "changes": changes,
    });
    record_upload(
        &mut tx, upload_id, kind, &asset_id, principal, bytes, &summary,
    )
    .await?;
    tx.commit().await?;
    Ok((asset_id, changes))
}

/// A fresh upload ID for documents sent without one: the SHA-256 of the
/// body, so that a retried identical body is still recognised.
pub fn body_upload_id(body: &[u8]) -> String {
    hex::encode(&Sha256::digest(body)[..16])
}

/// Whether an `Idempotency-Key` is acceptable: 8 to 128 characters of
/// letters, digits, `-`, `_`, `.`.
pub fn valid_upload_id(id: &str) -> bool {
    (8..=128).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// A random upload ID (for server-side work that is not an upload).
pub fn internal_upload_id() -> String {
    format!("server-{}", random_id())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(extra: &str) -> String {
        format!(
            r#"{{"schema_version": 1, "target": "demo", {extra}
            "components": [{{"ecosystem": "PyPI", "name": "Jinja2", "version": "2.4.1",
              "purl": "pkg:pypi/jinja2@2.4.1", "locations": [{{"path": "requirements.txt", "line": 3}}]}}],
            "findings": [{{"kind": "vulnerability", "id": "GHSA-x", "aliases": ["CVE-2019-1"],
              "title": "t", "severity": "HIGH", "kev": false, "fix_available": true,
              "package": {{"ecosystem": "PyPI", "name": "Jinja2", "version": "2.4.1", "purl": "p"}},
              "location": {{"path": "requirements.txt"}}, "fingerprint": "abc123"}}]}}"#
        )
    }

    #[test]
    fn a_repository_is_named_by_its_remote_without_credentials() {
        let up = parse_scan(
            report(r#""source": {"kind": "repository", "repository": "https://ci:tok@git.example.org/team/app.git", "commit": "c0ffee", "branch": "main"},"#)
                .as_bytes(),
        )
        .expect("valid");
        assert_eq!(up.asset.kind, "repository");
        assert_eq!(up.asset.name, "https://git.example.org/team/app.git");
        assert_eq!(up.metadata["commit"], "c0ffee");
        assert_eq!(up.components.len(), 1);
        assert_eq!(up.components[0].1.name, "Jinja2");
        assert_eq!(up.findings[0].ids, vec!["CVE-2019-1", "GHSA-x"]);
    }

    #[test]
    fn an_image_is_named_by_repository_and_digest() {
        let up = parse_scan(
            report(r#""image": {"reference": "registry.example.org:5000/app:1.2", "digest": "sha256:ab"},"#)
                .as_bytes(),
        )
        .expect("valid");
        assert_eq!(up.asset.kind, "image");
        assert_eq!(up.asset.name, "registry.example.org:5000/app@sha256:ab");
        assert_eq!(up.metadata["repository"], "registry.example.org:5000/app");
        let d = format!("sha256:{}", "ab".repeat(32));
        let up = parse_scan(
            report(&format!(r#""image": {{"reference": "nginx:1.25", "digest": "{d}", "config_digest": "sha256:cf"}},"#))
                .as_bytes(),
        )
        .expect("valid");
        assert_eq!(up.asset.name, format!("docker.io/library/nginx@{d}"));
        assert_eq!(up.metadata["config_digest"], "sha256:cf");
        assert_eq!(up.metadata["tag"], "1.25");
    }

    #[test]
    fn errors_name_the_field_and_index() {
        let bad = report("").replace("\"fingerprint\": \"abc123\"", "\"x\": 1");
        let e = parse_scan(bad.as_bytes()).expect_err("invalid");
        assert!(
            e.0.starts_with("findings[0]: missing field `fingerprint`"),
            "{}",
            e.0
        );
        let bad = report("").replace(
            "\"PyPI\", \"name\": \"Jinja2\", \"version\": \"2.4.1\",\n              \"purl\"",
            "\"Nope\", \"name\": \"Jinja2\", \"version\": \"2.4.1\",\n              \"purl\"",
        );
        let e = parse_scan(bad.as_bytes()).expect_err("invalid");
        assert!(e.0.contains("components[0]: unknown ecosystem"), "{}", e.0);
        let e = parse_scan(b"{\"schema_version\": 2, \"target\": \"x\"}").expect_err("invalid");
        assert!(e.0.contains("schema_version 2"), "{}", e.0);
        let e = parse_scan(b"not json").expect_err("invalid");
        assert!(
            e.0.starts_with("the body is not a vigil JSON report"),
            "{}",
            e.0
        );
    }

    #[test]
    fn upload_ids_are_checked() {
        assert!(valid_upload_id("0123456789abcdef"));
        assert!(!valid_upload_id("short"));
        assert!(!valid_upload_id("has space in it"));
        assert_eq!(body_upload_id(b"x"), body_upload_id(b"x"));
    }
}

/// A multi-row `INSERT` of `rows` (each `width` values) in chunks, binding
/// text and integer values in order.
async fn insert_many(
    tx: &mut Transaction<'_, Any>,
    head: &str,
    width: usize,
    rows: Vec<Vec<Bound>>,
) -> Result<()> {
    use std::fmt::Write;
    let backend = crate::db::Backend::of(tx);
    let per = (900 / width).max(1);
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<Vec<Bound>> = rows.by_ref().take(per).collect();
        let mut sql = String::with_capacity(head.len() + 8 + chunk.len() * width * 6);
        sql.push_str(head);
        sql.push_str(" VALUES ");
        let mut n = 0;
        for i in 0..chunk.len() {
            if i > 0 {
                sql.push(',');
            }
            sql.push('(');
            for j in 0..width {
                if j > 0 {
                    sql.push(',');
                }
                n += 1;
                match backend {
                    crate::db::Backend::Sqlite => sql.push('?'),
                    crate::db::Backend::Postgres => {
                        let _ = write!(sql, "${n}");
                    }
                }
            }
            sql.push(')');
        }
        let mut q = sqlx::query(&sql);
        for row in chunk {
            for v in row {
                q = match v {
                    Bound::Text(s) => q.bind(s),
                    Bound::OptText(s) => q.bind(s),
                    Bound::Int(i) => q.bind(i),
                    Bound::OptInt(i) => q.bind(i),
                };
            }
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

/// A value of [`insert_many`].
#[derive(Debug, Clone)]
enum Bound {
    Text(String),
    OptText(Option<String>),
    Int(i64),
    OptInt(Option<i64>),
}

/// Adds the findings re-matching found, many assets at once: new ones in
/// multi-row statements (with their events and IDs), fixed ones reopened,
/// and open ones refreshed only when they come from a changed advisory
/// (`changed`: IDs in upper case). Nothing is marked fixed.
pub async fn add_rematched(
    tx: &mut Transaction<'_, Any>,
    found: &[(String, FindingRow)],
    changed: &BTreeSet<String>,
    now: i64,
) -> Result<Changes> {
    let mut assets: Vec<&str> = found.iter().map(|(a, _)| a.as_str()).collect();
    assets.sort_unstable();
    assets.dedup();
    let mut existing: BTreeMap<(String, String), (String, String)> = BTreeMap::new();
    let backend = crate::db::Backend::of(tx);
    for chunk in assets.chunks(500) {
        let sql = format!(
            "SELECT asset_id, fingerprint, id, state FROM findings WHERE asset_id IN ({})",
            backend.params(chunk.len())
        );
        let mut q = sqlx::query(&sql);
        for a in chunk {
            q = q.bind(*a);
        }
        for r in q.fetch_all(&mut **tx).await? {
            existing.insert(
                (r.get("asset_id"), r.get("fingerprint")),
                (r.get("id"), r.get("state")),
            );
        }
    }
    let mut changes = Changes::default();
    let mut findings = Vec::new();
    let mut events = Vec::new();
    let mut ids = Vec::new();
    let mut seen = BTreeSet::new();
    let mut seq = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(now * 1_000_000, |d| d.as_micros() as i64);
    for (asset, f) in found {
        if !seen.insert((asset.as_str(), f.fingerprint.as_str())) {
            continue;
        }
        match existing.get(&(asset.clone(), f.fingerprint.clone())) {
            None => {
                changes.new += 1;
                let id = finding_id(asset, &f.fingerprint);
                let (e, n, v) = match &f.package {
                    Some((e, n, v)) => (Some(e.clone()), Some(n.clone()), Some(v.clone())),
                    None => (None, None, None),
                };
                findings.push(vec![
                    Bound::Text(id.clone()),
                    Bound::Text(asset.clone()),
                    Bound::Text(f.fingerprint.clone()),
                    Bound::Text(f.kind.clone()),
                    Bound::Text(f.rule_id.clone()),
                    Bound::Text(f.title.clone()),
                    Bound::Text(f.severity.clone()),
                    Bound::Int(severity_rank(&f.severity)),
                    Bound::Int(f.kev as i64),
                    Bound::Int(f.fix_available as i64),
                    Bound::OptText(e),
                    Bound::OptText(n),
                    Bound::OptText(v),
                    Bound::Text(f.path.clone()),
                    Bound::OptText(f.exposure.clone()),
                    Bound::Text("rematch".into()),
                    Bound::Text("new".into()),
                    Bound::Int(now),
                    Bound::Int(now),
                    Bound::Text(f.data.to_string()),
                    Bound::OptInt(f.risk_tenths),
                ]);
                seq += 1;
                events.push(vec![
                    Bound::Text(random_id()),
                    Bound::Int(seq),
                    Bound::Int(now),
                    Bound::Text("finding.new".into()),
                    Bound::Text(id.clone()),
                    Bound::Text(asset.clone()),
                ]);
                for vid in &f.ids {
                    ids.push(vec![
                        Bound::Text(vid.to_ascii_uppercase()),
                        Bound::Text(id.clone()),
                    ]);
                }
            }
            Some((id, state)) => {
                let from_changed = f
                    .ids
                    .iter()
                    .any(|i| changed.contains(&i.to_ascii_uppercase()));
                if state == "fixed" {
                    changes.reopened += 1;
                    record_event(tx, "finding.reopened", id, asset, now).await?;
                    sqlx::query(
                        "UPDATE findings SET state = 'reopened', reopened_at = $2, fixed_at = NULL, last_seen = $2, data = $3, risk_tenths = $4 WHERE id = $1",
                    )
                    .bind(id)
                    .bind(now)
                    .bind(f.data.to_string())
                    .bind(f.risk_tenths)
                    .execute(&mut **tx)
                    .await?;
                } else if from_changed {
                    sqlx::query(
                        "UPDATE findings SET title = $2, severity = $3, severity_rank = $4, kev = $5, fix_available = $6, data = $7, risk_tenths = $8 WHERE id = $1",
                    )
                    .bind(id)
                    .bind(&f.title)
                    .bind(&f.severity)
                    .bind(severity_rank(&f.severity))
                    .bind(f.kev as i64)
                    .bind(f.fix_available as i64)
                    .bind(f.data.to_string())
                    .bind(f.risk_tenths)
                    .execute(&mut **tx)
                    .await?;
                }
            }
        }
    }
    changes.findings = changes.new + changes.reopened;
    insert_many(
        tx,
        "INSERT INTO findings (id, asset_id, fingerprint, kind, rule_id, title, severity, severity_rank, kev, \
         fix_available, package_ecosystem, package_name, package_version, path, exposure, origin, state, \
         first_seen, last_seen, data, risk_tenths)",
        21,
        findings,
    )
    .await?;
    insert_many(
        tx,
        "INSERT INTO events (id, seq, created_at, kind, finding_id, asset_id)",
        6,
        events,
    )
    .await?;
    // An ID may repeat across a finding's own ID and aliases only once
    // (sorted, deduplicated), so no conflict within the batch.
    insert_many(tx, "INSERT INTO finding_ids (vuln_id, finding_id)", 2, ids).await?;
    Ok(changes)
}
