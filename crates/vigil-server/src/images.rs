//! Images as assets, and which containers run them. A scan upload
//! (`vigil scan image ... --server`) names its image asset
//! `registry/repository@digest`; an agent snapshot names the image each
//! container runs as its runtime recorded it (`nginx:1.25`, with a
//! digest and image ID when known). Both go through [`normalize`]
//! (`docker.io` and `library/` for Docker Hub, as `docker pull` reads a
//! reference), so one image is one asset whoever saw it first; the
//! container is related to it by `runs_image`.
//!
//! A container whose image no scan uploaded gets a placeholder image
//! asset (metadata `placeholder: true`), named `repository@digest` when
//! the digest is known, else `repository:tag`. A later scan of that image
//! takes over the placeholder's relations and the placeholder is deleted
//! (docs/server.md, "Images and the containers running them").

use anyhow::Result;
use serde_json::{json, Map, Value};
use sqlx::Row;
use vigil_agent::ContainerImage;

use crate::ingest::AssetKey;

/// The relation of a container to the image it runs.
pub const RUNS_IMAGE: &str = "runs_image";

/// A reference in its normalized form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageName {
    /// `registry/path` (`docker.io/library/nginx`, `ghcr.io/org/app`).
    pub repository: String,
    /// The tag (`latest` when neither tag nor digest is given).
    pub tag: Option<String>,
    /// The digest the reference pins.
    pub digest: Option<String>,
}

/// Normalizes an image reference as `docker pull` reads it: the registry
/// defaults to `docker.io` (`index.docker.io` is `docker.io` too), a
/// one-part Docker Hub path gets `library/`. `None` for what is not a
/// registry reference: a path or archive (`./app`, `/tmp/x`, `app.tar`),
/// an image ID.
pub fn normalize(reference: &str) -> Option<ImageName> {
    let r = reference.trim();
    if r.is_empty()
        || r.starts_with(['/', '.', '~'])
        || [".tar", ".tar.gz", ".tgz", ".zip"]
            .iter()
            .any(|s| r.ends_with(s))
        || is_image_id(r)
    {
        return None;
    }
    let (rest, digest) = match r.split_once('@') {
        Some((rest, d)) => {
            let hex = d.strip_prefix("sha256:")?;
            if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                return None;
            }
            (rest, Some(d.to_ascii_lowercase()))
        }
        None => (r, None),
    };
    let (domain, path) = match rest.split_once('/') {
        Some((first, path))
            if first.contains('.') || first.contains(':') || first == "localhost" =>
        {
            (first.to_ascii_lowercase(), path)
        }
        _ => ("docker.io".to_string(), rest),
    };
    let domain = if domain == "index.docker.io" {
        "docker.io".to_string()
    } else {
        domain
    };
    let (path, tag) = match path.rsplit_once(':') {
        Some((p, t)) if !t.contains('/') => (p, Some(t.to_string())),
        _ => (path, None),
    };
    let valid_path = !path.is_empty()
        && path.split('/').all(|c| {
            !c.is_empty()
                && c.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
        });
    let valid_tag = tag.as_deref().is_none_or(|t| {
        !t.is_empty()
            && t.len() <= 128
            && t.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
    });
    if !valid_path || !valid_tag {
        return None;
    }
    let path = if domain == "docker.io" && !path.contains('/') {
        format!("library/{path}")
    } else {
        path.to_string()
    };
    let tag = tag.or_else(|| digest.is_none().then(|| "latest".to_string()));
    Some(ImageName {
        repository: format!("{domain}/{path}"),
        tag,
        digest,
    })
}

/// Whether a string is an image ID (`sha256:<64 hex>` or 64 hex digits).
fn is_image_id(s: &str) -> bool {
    let hex = s.strip_prefix("sha256:").unwrap_or(s);
    hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The name of an image asset: `repository@digest` (normalized) when the
/// digest is known (tags move), else `repository:tag`; a reference that
/// does not normalize (a path, an image ID) as given, its tag replaced by
/// the digest when there is one.
pub fn asset_name(reference: &str, digest: Option<&str>) -> String {
    let name = normalize(reference);
    match (name, digest) {
        (Some(n), Some(d)) => format!("{}@{d}", n.repository),
        (Some(n), None) => match (&n.digest, &n.tag) {
            (Some(d), _) => format!("{}@{d}", n.repository),
            (None, Some(t)) => format!("{}:{t}", n.repository),
            (None, None) => n.repository,
        },
        (None, Some(d)) => {
            let repo = reference.split('@').next().unwrap_or(reference);
            let repo = match repo.rfind(':') {
                Some(i) if !repo[i..].contains('/') => &repo[..i],
                _ => repo,
            };
            format!("{repo}@{d}")
        }
        (None, None) => reference.to_string(),
    }
}

/// The facts an image asset's metadata carries so that containers find
/// it: the normalized `repository` and `tag`.
pub fn name_metadata(reference: &str, metadata: &mut Map<String, Value>) {
    if let Some(n) = normalize(reference) {
        metadata.insert("repository".into(), Value::String(n.repository));
        if let Some(t) = n.tag {
            metadata.insert("tag".into(), Value::String(t));
        }
    }
}

/// `"key":"value"` as it appears in stored (compact) metadata, for LIKE
/// (a `_` of the value matches any character: the rows found are checked
/// again); `None` for a value that cannot be searched so.
fn like(key: &str, value: &str) -> Option<String> {
    (!value.is_empty() && !value.contains(['%', '"', '\\'])).then(|| {
        let pair = json!({ key: value }).to_string();
        format!("%{}%", pair.trim_start_matches('{').trim_end_matches('}'))
    })
}

/// Whether an asset exists.
async fn exists(tx: &mut crate::db::WriteTx<'_>, id: &str) -> Result<Option<bool>> {
    let row = sqlx::query("SELECT metadata FROM assets WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut ***tx)
        .await?;
    Ok(row.map(|r| {
        r.get::<String, _>("metadata")
            .contains("\"placeholder\":true")
    }))
}

/// The most recently seen scanned (not placeholder) image asset whose
/// metadata has all of `facts`.
async fn find_scanned(
    tx: &mut crate::db::WriteTx<'_>,
    facts: &[(&str, &str)],
) -> Result<Option<String>> {
    let patterns: Option<Vec<String>> = facts.iter().map(|(k, v)| like(k, v)).collect();
    let Some(patterns) = patterns else {
        return Ok(None);
    };
    let mut sql = String::from(
        "SELECT id, metadata FROM assets \
         WHERE kind = 'image' AND metadata NOT LIKE '%\"placeholder\":true%'",
    );
    for i in 0..patterns.len() {
        sql.push_str(&format!(" AND metadata LIKE ${}", i + 1));
    }
    sql.push_str(" ORDER BY last_seen DESC, id");
    let mut q = sqlx::query(&sql);
    for p in &patterns {
        q = q.bind(p);
    }
    let rows = q.fetch_all(&mut ***tx).await?;
    Ok(rows.iter().find_map(|r| {
        let meta: Value = serde_json::from_str(&r.get::<String, _>("metadata")).ok()?;
        facts
            .iter()
            .all(|(k, v)| meta.get(*k).and_then(Value::as_str) == Some(*v))
            .then(|| r.get("id"))
    }))
}

/// Relates a container asset to the image asset of the image it runs,
/// creating a placeholder image asset when no scan uploaded it: the image
/// asset's ID.
pub async fn relate_container(
    tx: &mut crate::db::WriteTx<'_>,
    container_id: &str,
    image: &ContainerImage,
    team_id: Option<&str>,
    upload_id: &str,
    now: i64,
) -> Result<String> {
    let name = normalize(&image.reference);
    let digest = image
        .digest
        .clone()
        .or_else(|| name.as_ref().and_then(|n| n.digest.clone()));
    let mut found = None;
    // 1. The scan's own name: `repository@digest`.
    if let Some(d) = &digest {
        let key = AssetKey {
            kind: "image".into(),
            name: asset_name(&image.reference, Some(d)),
        };
        if exists(tx, &key.id()).await? == Some(false) {
            found = Some(key.id());
        }
    }
    // 2. A scanned image by its digests: the runtime's repository digest
    // may be the scan's index digest (a multi-platform image pulled by
    // Docker), its image ID the scan's configuration digest.
    if found.is_none() {
        if let Some(d) = &digest {
            found = match find_scanned(tx, &[("digest", d)]).await? {
                Some(id) => Some(id),
                None => find_scanned(tx, &[("index_digest", d)]).await?,
            };
        }
    }
    if found.is_none() {
        if let Some(i) = &image.id {
            found = find_scanned(tx, &[("config_digest", i)]).await?;
        }
    }
    // 3. Only a tag known: the most recently scanned image of that tag.
    if found.is_none() && digest.is_none() && image.id.is_none() {
        if let Some(ImageName {
            repository,
            tag: Some(tag),
            ..
        }) = &name
        {
            found = find_scanned(tx, &[("repository", repository), ("tag", tag)]).await?;
        }
    }
    let image_id = match found {
        Some(id) => id,
        None => {
            // 4. The asset by name (a placeholder, or a scan without a
            // digest), else a new placeholder.
            let key = AssetKey {
                kind: "image".into(),
                name: asset_name(&image.reference, digest.as_deref()),
            };
            if exists(tx, &key.id()).await? != Some(false) {
                let mut meta = Map::new();
                meta.insert("placeholder".into(), Value::Bool(true));
                meta.insert("reference".into(), Value::String(image.reference.clone()));
                if let Some(d) = &digest {
                    meta.insert("digest".into(), Value::String(d.clone()));
                }
                if let Some(i) = &image.id {
                    meta.insert("config_digest".into(), Value::String(i.clone()));
                }
                name_metadata(&image.reference, &mut meta);
                crate::ingest::upsert_asset(tx, &key, team_id, upload_id, &Value::Object(meta), now)
                    .await?
            } else {
                key.id()
            }
        }
    };
    sqlx::query(
        "INSERT INTO asset_relations (from_id, to_id, relation, last_seen) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (from_id, to_id, relation) DO UPDATE SET last_seen = $4",
    )
    .bind(container_id)
    .bind(&image_id)
    .bind(RUNS_IMAGE)
    .bind(now)
    .execute(&mut ***tx)
    .await?;
    Ok(image_id)
}

/// After a scan stored image asset `image_id` (with its `metadata`): the
/// placeholders of the same image — same digest (or index digest), same
/// configuration digest, or, for a placeholder known by tag only, the
/// same `repository:tag` — hand their relations over and are deleted.
/// How many were taken over.
pub async fn adopt_placeholders(
    tx: &mut crate::db::WriteTx<'_>,
    image_id: &str,
    metadata: &Value,
) -> Result<u64> {
    let text = |k: &str| metadata.get(k).and_then(Value::as_str).map(str::to_string);
    let mut candidates: Vec<String> = Vec::new();
    for (key, value) in [
        ("digest", text("digest")),
        ("digest", text("index_digest")),
        ("config_digest", text("config_digest")),
    ] {
        let Some(pattern) = value.as_deref().and_then(|v| like(key, v)) else {
            continue;
        };
        let rows = sqlx::query(
            "SELECT id FROM assets WHERE kind = 'image' AND id <> $1 \
             AND metadata LIKE '%\"placeholder\":true%' AND metadata LIKE $2",
        )
        .bind(image_id)
        .bind(&pattern)
        .fetch_all(&mut ***tx)
        .await?;
        candidates.extend(rows.iter().map(|r| r.get::<String, _>("id")));
    }
    if let (Some(repo), Some(tag)) = (text("repository"), text("tag")) {
        let by_tag = AssetKey {
            kind: "image".into(),
            name: format!("{repo}:{tag}"),
        }
        .id();
        if by_tag != image_id && exists(tx, &by_tag).await? == Some(true) {
            candidates.push(by_tag);
        }
    }
    candidates.sort();
    candidates.dedup();
    for old in &candidates {
        sqlx::query(
            "INSERT INTO asset_relations (from_id, to_id, relation, last_seen) \
             SELECT from_id, $2, relation, last_seen FROM asset_relations WHERE to_id = $1 \
             ON CONFLICT (from_id, to_id, relation) DO NOTHING",
        )
        .bind(old)
        .bind(image_id)
        .execute(&mut ***tx)
        .await?;
        sqlx::query("DELETE FROM asset_relations WHERE to_id = $1 OR from_id = $1")
            .bind(old)
            .execute(&mut ***tx)
            .await?;
        sqlx::query("DELETE FROM assets WHERE id = $1")
            .bind(old)
            .execute(&mut ***tx)
            .await?;
    }
    Ok(candidates.len() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    const D: &str = "sha256:2222222222222222222222222222222222222222222222222222222222222222";

    #[test]
    fn references_normalize_as_docker_reads_them() {
        let n = |r: &str| normalize(r).map(|n| (n.repository, n.tag, n.digest));
        assert_eq!(
            n("nginx"),
            Some((
                "docker.io/library/nginx".into(),
                Some("latest".into()),
                None
            ))
        );
        assert_eq!(
            n("index.docker.io/library/nginx:1.25"),
            Some(("docker.io/library/nginx".into(), Some("1.25".into()), None))
        );
        assert_eq!(
            n("bitnami/redis:7"),
            Some(("docker.io/bitnami/redis".into(), Some("7".into()), None))
        );
        assert_eq!(
            n(&format!("registry.example.org:5000/team/app:1.2@{D}")),
            Some((
                "registry.example.org:5000/team/app".into(),
                Some("1.2".into()),
                Some(D.into())
            ))
        );
        assert_eq!(
            n("localhost/app"),
            Some(("localhost/app".into(), Some("latest".into()), None))
        );
        for not in [
            "./app",
            "/tmp/layout",
            "app.tar",
            "image.tar.gz",
            D,
            "UPPER/case",
            "",
        ] {
            assert_eq!(n(not), None, "{not}");
        }
    }

    #[test]
    fn asset_names_match_between_scans_and_containers() {
        // What a scan of `nginx:1.25` and a Kubernetes container of
        // `docker.io/library/nginx:1.25` both name.
        assert_eq!(
            asset_name("nginx:1.25", Some(D)),
            format!("docker.io/library/nginx@{D}")
        );
        assert_eq!(
            asset_name("docker.io/library/nginx:1.25", Some(D)),
            asset_name("nginx:1.25", Some(D))
        );
        assert_eq!(
            asset_name(&format!("nginx@{D}"), None),
            format!("docker.io/library/nginx@{D}")
        );
        assert_eq!(
            asset_name("ghcr.io/example/api:2.4.1", None),
            "ghcr.io/example/api:2.4.1"
        );
        // Not a registry reference: as before normalization existed.
        assert_eq!(asset_name("app.tar", Some(D)), format!("app.tar@{D}"));
        assert_eq!(asset_name("app.tar", None), "app.tar");
    }

    #[test]
    fn like_patterns_are_the_compact_json_pair() {
        assert_eq!(
            like("digest", D).as_deref(),
            Some(format!("%\"digest\":\"{D}\"%").as_str())
        );
        assert_eq!(like("tag", "a%b"), None);
    }
}
