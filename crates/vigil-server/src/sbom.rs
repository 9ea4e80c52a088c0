//! Third-party software described by a CycloneDX SBOM (never scanned
//! here), and VEX documents whose statements apply across the
//! organisation.

use std::path::Path;

use anyhow::Result;
use serde_json::Value;
use sqlx::Row;
use vigil_inventory::Extractor;
use vigil_policy::vex::{Statement, VexDocument};

use crate::db::{now, random_id, Db};
use crate::ingest::{AssetKey, Invalid, ScanUpload};

/// Reads a CycloneDX JSON SBOM into an upload: the asset is `sbom` named
/// `name@version` (the query's, else the BOM's `metadata.component`).
pub fn parse_sbom(
    body: &[u8],
    name: Option<&str>,
    version: Option<&str>,
) -> Result<ScanUpload, Invalid> {
    let text =
        std::str::from_utf8(body).map_err(|_| Invalid("the SBOM is not UTF-8 text".into()))?;
    let doc: Value =
        serde_json::from_str(text).map_err(|e| Invalid(format!("the SBOM is not JSON: {e}")))?;
    if doc.get("bomFormat").and_then(Value::as_str) != Some("CycloneDX") {
        return Err(Invalid(
            "not a CycloneDX JSON BOM (no \"bomFormat\": \"CycloneDX\")".into(),
        ));
    }
    let meta = &doc["metadata"]["component"];
    let name = name
        .map(str::to_string)
        .or_else(|| {
            meta["name"].as_str().map(|n| match meta["group"].as_str() {
                Some(g) if !g.is_empty() => format!("{g}/{n}"),
                _ => n.to_string(),
            })
        })
        .ok_or_else(|| {
            Invalid("the SBOM names no product (metadata.component.name): give ?name=".into())
        })?;
    let version = version
        .map(str::to_string)
        .or_else(|| meta["version"].as_str().map(str::to_string));
    let input = vigil_inventory::FileInput::new(
        "sbom.cdx.json",
        Path::new("sbom.cdx.json"),
        text,
        Path::new(""),
    );
    let extracted = vigil_inventory::extractors::sbom::cyclonedx::CycloneDx
        .extract(&input)
        .map_err(|e| Invalid(e.to_string()))?;
    let components = extracted
        .components
        .into_iter()
        .map(|c| {
            let value = serde_json::to_value(&c).unwrap_or(Value::Null);
            (value, c)
        })
        .collect();
    let full = match &version {
        Some(v) => format!("{name}@{v}"),
        None => name.clone(),
    };
    let mut metadata = serde_json::Map::new();
    metadata.insert("product".into(), Value::String(name));
    if let Some(v) = version {
        metadata.insert("version".into(), Value::String(v));
    }
    if let Some(serial) = doc["serialNumber"].as_str() {
        metadata.insert("serial_number".into(), Value::String(serial.into()));
    }
    Ok(ScanUpload {
        asset: AssetKey {
            kind: "sbom".into(),
            name: full,
        },
        metadata: Value::Object(metadata),
        components,
        findings: Vec::new(),
    })
}

/// Parses a VEX document (OpenVEX or CycloneDX VEX).
pub fn parse_vex(name: &str, body: &[u8]) -> Result<VexDocument, Invalid> {
    let text = std::str::from_utf8(body)
        .map_err(|_| Invalid("the VEX document is not UTF-8 text".into()))?;
    VexDocument::parse(Path::new(name), text).map_err(|e| Invalid(e.to_string()))
}

/// Stores a VEX document and applies it to the findings stored so far.
/// Returns how many findings it marked.
pub async fn store_vex(
    db: &Db,
    name: &str,
    doc: &VexDocument,
    body: &[u8],
    actor: &str,
) -> Result<u64> {
    sqlx::query(
        "INSERT INTO vex_documents (id, name, format, statements, uploaded_at, uploaded_by, body) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(random_id())
    .bind(name)
    .bind(format!("{:?}", doc.format))
    .bind(doc.statements.len() as i64)
    .bind(now())
    .bind(actor)
    .bind(String::from_utf8_lossy(body).into_owned())
    .execute(&db.pool)
    .await?;
    apply(db, &doc.statements, None).await
}

/// Every stored VEX statement, oldest document first.
pub async fn statements(db: &Db) -> Result<Vec<Statement>> {
    let rows = sqlx::query("SELECT name, body FROM vex_documents ORDER BY uploaded_at, id")
        .fetch_all(&db.pool)
        .await?;
    let mut out = Vec::new();
    for r in rows {
        let name: String = r.get("name");
        match VexDocument::parse(Path::new(&name), &r.get::<String, _>("body")) {
            Ok(d) => out.extend(d.statements),
            Err(e) => {
                tracing::warn!(document = %name, error = %e, "a stored VEX document no longer parses")
            }
        }
    }
    Ok(out)
}

/// Marks the findings (of one asset, or all) that suppressing statements
/// are about: triage `vex`, with the status and justification as reason.
/// A user's own triage is left alone.
pub async fn apply(db: &Db, statements: &[Statement], asset_id: Option<&str>) -> Result<u64> {
    let mut marked = 0;
    for s in statements.iter().filter(|s| s.suppresses) {
        for id in s.ids() {
            let rows = sqlx::query(
                "SELECT f.id, f.asset_id, f.data FROM finding_ids fi JOIN findings f ON f.id = fi.finding_id \
                 WHERE fi.vuln_id = $1 AND (f.triage IS NULL OR f.triage = 'suppressed')",
            )
            .bind(id.to_ascii_uppercase())
            .fetch_all(&db.pool)
            .await?;
            for r in rows {
                if asset_id.is_some_and(|a| a != r.get::<String, _>("asset_id")) {
                    continue;
                }
                let data: Value =
                    serde_json::from_str(&r.get::<String, _>("data")).unwrap_or(Value::Null);
                let mut ids: Vec<&str> = vec![data["id"].as_str().unwrap_or_default()];
                if let Some(a) = data["aliases"].as_array() {
                    ids.extend(a.iter().filter_map(Value::as_str));
                }
                if !s.applies(&ids, data["package"]["purl"].as_str()) {
                    continue;
                }
                let reason = match (&s.justification, &s.reason) {
                    (Some(j), Some(r)) => format!("VEX {}: {j}: {r}", s.status),
                    (Some(j), None) => format!("VEX {}: {j}", s.status),
                    (None, Some(r)) => format!("VEX {}: {r}", s.status),
                    (None, None) => format!("VEX {}", s.status),
                };
                sqlx::query(
                    "UPDATE findings SET triage = 'vex', triage_reason = $2, triage_by = 'vex' WHERE id = $1",
                )
                .bind(r.get::<String, _>("id"))
                .bind(reason)
                .execute(&db.pool)
                .await?;
                marked += 1;
            }
        }
    }
    Ok(marked)
}
