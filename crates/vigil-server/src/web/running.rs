//! Which images run where: the `runs_image` relations of containers
//! (crate::images) with the host each container runs on, seen from an
//! image (the containers and hosts running it), a container (its image)
//! or a host (the images its containers run). A container is running now
//! when its host's latest agent snapshot lists it.

use std::collections::{BTreeSet, HashMap, HashSet};

use serde_json::Value;
use sqlx::Row;

use crate::images::RUNS_IMAGE;
use crate::AppState;

/// One container running one image.
#[derive(Debug, Clone)]
pub struct RunningRow {
    /// The image asset.
    pub image_id: String,
    /// Its name.
    pub image: String,
    /// Whether no scan of it was uploaded (known from containers only).
    pub placeholder: bool,
    /// The container asset.
    pub container_id: String,
    /// Its ID, short.
    pub container: String,
    /// The host asset it runs on, if known.
    pub host_id: String,
    /// The host's name.
    pub host: String,
    /// Whether the host's latest snapshot lists the container.
    pub now: bool,
    /// When the relation was last seen (day).
    pub last_seen: String,
}

/// The images running on or as an asset.
#[derive(Debug, Default)]
pub struct Running {
    /// One sentence (`Running now on 3 containers on 2 hosts.`); empty
    /// when the asset has nothing to do with images.
    pub summary: String,
    /// The rows, those running now first.
    pub rows: Vec<RunningRow>,
    /// For an image: whether no scan of it was uploaded (a placeholder
    /// known from the containers running it).
    pub unscanned: bool,
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The containers running image `image` now, on how many hosts: the
/// phrase of an image finding's row (`running on 3 containers on 2
/// hosts`), empty when none does.
pub fn where_it_runs(r: &Running) -> String {
    let now: Vec<&RunningRow> = r.rows.iter().filter(|r| r.now).collect();
    if now.is_empty() {
        return String::new();
    }
    let hosts: BTreeSet<&str> = now
        .iter()
        .map(|r| r.host_id.as_str())
        .filter(|h| !h.is_empty())
        .collect();
    format!(
        "running on {} on {}",
        plural(now.len(), "container", "containers"),
        plural(hosts.len(), "host", "hosts")
    )
}

/// The image rows of an asset (`kind` image, container or host), only
/// containers of the team scope's assets.
pub async fn running(
    state: &AppState,
    id: &str,
    kind: &str,
    scope: Option<&str>,
) -> anyhow::Result<Running> {
    let side = match kind {
        "image" => "ri.to_id = $2",
        "container" => "ri.from_id = $2",
        "host" => "ro.to_id = $2",
        _ => return Ok(Running::default()),
    };
    let team = if scope.is_some() {
        " AND c.team_id = $3"
    } else {
        ""
    };
    let sql = format!(
        "SELECT ri.from_id AS container_id, c.name AS container, ri.to_id AS image_id, \
         i.name AS image, i.metadata AS image_meta, ri.last_seen, h.id AS host_id, h.metadata AS host_meta \
         FROM asset_relations ri \
         JOIN assets c ON c.id = ri.from_id \
         JOIN assets i ON i.id = ri.to_id \
         LEFT JOIN asset_relations ro ON ro.from_id = ri.from_id AND ro.relation = 'runs_on' \
         LEFT JOIN assets h ON h.id = ro.to_id AND h.kind = 'host' \
         WHERE ri.relation = $1 AND {side}{team} \
         ORDER BY i.name, c.name"
    );
    let mut q = sqlx::query(&sql).bind(RUNS_IMAGE).bind(id);
    if let Some(t) = scope {
        q = q.bind(t);
    }
    let rows = q.fetch_all(&state.db.pool).await?;
    // The containers of each host's latest snapshot.
    let mut current: HashMap<String, HashSet<String>> = HashMap::new();
    let mut out = Vec::new();
    for r in &rows {
        let host_id: Option<String> = r.try_get("host_id").ok().flatten();
        let host_id = host_id.unwrap_or_default();
        if !host_id.is_empty() && !current.contains_key(&host_id) {
            let ids = sqlx::query("SELECT snapshot FROM host_snapshots WHERE asset_id = $1")
                .bind(&host_id)
                .fetch_optional(&state.db.pool)
                .await?
                .and_then(|s| serde_json::from_str::<Value>(&s.get::<String, _>("snapshot")).ok())
                .and_then(|s| {
                    s.get("containers").and_then(Value::as_array).map(|cs| {
                        cs.iter()
                            .filter_map(|c| c.get("id").and_then(Value::as_str))
                            .map(str::to_string)
                            .collect()
                    })
                })
                .unwrap_or_default();
            current.insert(host_id.clone(), ids);
        }
        let meta = |col: &str| -> Value {
            r.try_get::<Option<String>, _>(col)
                .ok()
                .flatten()
                .and_then(|m| serde_json::from_str(&m).ok())
                .unwrap_or(Value::Null)
        };
        let container: String = r.get("container");
        let host = meta("host_meta")
            .get("hostname")
            .and_then(Value::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| host_id.get(..12).unwrap_or(&host_id).to_string());
        let last_seen: i64 = r.get("last_seen");
        out.push(RunningRow {
            image_id: r.get("image_id"),
            image: r.get("image"),
            placeholder: meta("image_meta").get("placeholder") == Some(&Value::Bool(true)),
            container_id: r.get("container_id"),
            now: current
                .get(&host_id)
                .is_some_and(|ids| ids.contains(&container)),
            container: container.get(..12).unwrap_or(&container).to_string(),
            host,
            host_id,
            last_seen: vigil_model::time::rfc3339(last_seen)
                .get(..10)
                .unwrap_or_default()
                .to_string(),
        });
    }
    out.sort_by_key(|r| !r.now);
    let now = out.iter().filter(|r| r.now).count();
    let summary = match kind {
        "image" if out.is_empty() => {
            "No container known to run this image (agents relate the containers they see).".into()
        }
        "image" => {
            let hosts: BTreeSet<&str> = out
                .iter()
                .filter(|r| r.now && !r.host_id.is_empty())
                .map(|r| r.host_id.as_str())
                .collect();
            let mut s = if now == 0 {
                "Not running now".to_string()
            } else {
                format!(
                    "Running now on {} on {}",
                    plural(now, "container", "containers"),
                    plural(hosts.len(), "host", "hosts")
                )
            };
            let before = out.len() - now;
            if before > 0 {
                s.push_str(&format!(
                    "; {} seen before",
                    plural(before, "container", "containers")
                ));
            }
            s + "."
        }
        "container" => match out.first() {
            Some(r) => format!("Runs image {}.", r.image),
            None => "The image it runs is not known.".into(),
        },
        _ if out.is_empty() => String::new(),
        _ => {
            let images: BTreeSet<&str> = out
                .iter()
                .filter(|r| r.now)
                .map(|r| r.image_id.as_str())
                .collect();
            format!(
                "Its containers run {} now.",
                plural(images.len(), "image", "images")
            )
        }
    };
    let unscanned = kind == "image"
        && sqlx::query("SELECT metadata FROM assets WHERE id = $1")
            .bind(id)
            .fetch_optional(&state.db.pool)
            .await?
            .is_some_and(|r| {
                r.get::<String, _>("metadata")
                    .contains("\"placeholder\":true")
            });
    Ok(Running {
        summary,
        rows: out,
        unscanned,
    })
}
