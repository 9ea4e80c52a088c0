//! The REST API (`/api/v1`), health and metrics endpoints.

use std::collections::HashMap;
use std::io::Read;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Path, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sqlx::Row;
use utoipa::OpenApi;

use crate::auth::{self, Permission, Principal, Role};
use crate::db::{now, random_id};
use crate::ingest::{self, Changes};
use crate::query::{self, AssetFilter, FindingFilter, Page};
use crate::rematch::{self, RematchReport};
use crate::AppState;

/// An error answered to a client: a status and a message that names the
/// problem. Internal errors are logged with an ID; the client gets only
/// the ID.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    message: String,
    retry_after: Option<u64>,
}

impl ApiError {
    /// 400.
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, message)
    }

    /// 401.
    pub fn unauthorized(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, message)
    }

    /// 403.
    pub fn forbidden(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, message)
    }

    /// 404.
    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, message)
    }

    /// Any status.
    pub fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            message: message.into(),
            retry_after: None,
        }
    }

    /// Its status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// Its message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// 500: the cause is logged, never sent.
    pub fn internal(e: impl std::fmt::Display) -> ApiError {
        let id = random_id();
        tracing::error!(error_id = %id, error = %e, "internal error");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("internal error (logged as {id})"),
        )
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(e: anyhow::Error) -> ApiError {
        ApiError::internal(format!("{e:#}"))
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> ApiError {
        ApiError::internal(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut r = (self.status, Json(json!({ "error": self.message }))).into_response();
        if let Some(s) = self.retry_after {
            if let Ok(v) = HeaderValue::from_str(&s.to_string()) {
                r.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        r
    }
}

type ApiResult<T> = Result<T, ApiError>;

/// Token buckets per caller (the token, else the client address).
#[derive(Debug)]
pub struct RateLimiter {
    per_second: f64,
    buckets: Mutex<HashMap<String, (f64, Instant)>>,
}

impl RateLimiter {
    /// Allows `per_second` requests per second and caller, in bursts of
    /// up to twice that.
    pub fn new(per_second: u32) -> RateLimiter {
        RateLimiter {
            per_second: f64::from(per_second.max(1)),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one request from the caller's bucket; false when empty.
    pub fn allow(&self, key: &str) -> bool {
        let Ok(mut buckets) = self.buckets.lock() else {
            return true;
        };
        let now = Instant::now();
        let burst = self.per_second * 2.0;
        if buckets.len() > 100_000 {
            // Forget idle callers rather than grow without bound.
            buckets.retain(|_, (_, t)| now.duration_since(*t).as_secs() < 60);
        }
        let (tokens, last) = buckets.entry(key.to_string()).or_insert((burst, now));
        *tokens = (*tokens + now.duration_since(*last).as_secs_f64() * self.per_second).min(burst);
        *last = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

async fn limits(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let key = match request.headers().get(header::AUTHORIZATION) {
        Some(v) => auth::token_hash(v.to_str().unwrap_or_default()),
        None => request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip().to_string())
            .unwrap_or_default(),
    };
    let response = if state.limiter.allow(&key) {
        // The whole body is read (within the limit) before any handler
        // answers: a request refused early (401, 403) would otherwise
        // leave its body unread and the client's kept-alive connection
        // closed under it.
        let (parts, body) = request.into_parts();
        match axum::body::to_bytes(body, state.config.max_upload_bytes).await {
            Ok(bytes) => {
                next.run(Request::from_parts(parts, axum::body::Body::from(bytes)))
                    .await
            }
            Err(_) => ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!(
                    "the body is larger than the {}-byte limit",
                    state.config.max_upload_bytes
                ),
            )
            .into_response(),
        }
    } else {
        state.metrics.rate_limited.inc();
        ApiError {
            status: StatusCode::TOO_MANY_REQUESTS,
            message: "too many requests; slow down".into(),
            retry_after: Some(1),
        }
        .into_response()
    };
    let m = &state.metrics;
    m.requests.inc();
    if response.status().is_client_error() {
        m.client_errors.inc();
    } else if response.status().is_server_error() {
        m.server_errors.inc();
    }
    m.request_seconds.observe(started.elapsed().as_secs_f64());
    response
}

/// The whole HTTP application.
pub fn router(state: AppState) -> Router {
    let max = state.config.max_upload_bytes;
    let api = Router::new()
        .route("/scans", post(upload_scan))
        .route("/sboms", post(upload_sbom))
        .route("/agents/snapshots", post(upload_snapshot))
        .route("/vex", post(upload_vex))
        .route("/findings", get(list_findings))
        .route("/findings/{id}", get(get_finding))
        .route("/findings/triage", post(triage))
        .route("/stats", get(stats))
        .route("/assets", get(list_assets))
        .route("/assets/{id}", get(get_asset).patch(update_asset))
        .route("/assets/{id}/components", get(list_components))
        .route("/vulnerabilities/{id}/assets", get(vulnerability_assets))
        .route("/advisories/update", post(update_advisories))
        .route("/advisories/status", get(advisory_status))
        .route("/login", post(login))
        .route("/teams", get(list_teams).post(create_team))
        .route("/users", post(create_user))
        .route("/tokens", get(list_tokens).post(create_token))
        .route("/tokens/{id}", axum::routing::delete(revoke_token))
        .route("/audit", get(audit_log))
        .route("/admission/review", post(admission_review))
        .route("/openapi.json", get(openapi))
        .merge(crate::notify::routes());
    Router::new()
        .nest("/api/v1", api)
        .merge(crate::web::router())
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .layer(middleware::from_fn_with_state(state.clone(), limits))
        // Compressed bodies are limited here and again after decompression.
        .layer(DefaultBodyLimit::max(max))
        .with_state(state)
}

async fn readyz(State(state): State<AppState>) -> Response {
    if state.db.ping().await {
        (StatusCode::OK, "ready\n").into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n").into_response()
    }
}

async fn metrics(State(state): State<AppState>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.render(),
    )
        .into_response()
}

/// The body of an upload, decompressed (gzip) within the size limit.
fn upload_body(headers: &HeaderMap, body: &Bytes, max: usize) -> ApiResult<Vec<u8>> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/json");
    if !content_type.starts_with("application/json") && !content_type.ends_with("+json") {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!("Content-Type must be application/json, not {content_type}"),
        ));
    }
    let encoding = headers
        .get(header::CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("identity");
    match encoding {
        "identity" => Ok(body.to_vec()),
        "gzip" => {
            let mut out = Vec::new();
            flate2::read::GzDecoder::new(&body[..])
                .take(max as u64 + 1)
                .read_to_end(&mut out)
                .map_err(|e| ApiError::bad_request(format!("the gzip body cannot be read: {e}")))?;
            if out.len() > max {
                return Err(ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    format!("the decompressed body is larger than the {max}-byte limit"),
                ));
            }
            Ok(out)
        }
        other => Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!("unsupported Content-Encoding {other:?} (use gzip or none)"),
        )),
    }
}

/// The upload's ID: the `Idempotency-Key` header, else the body's hash.
fn upload_id(headers: &HeaderMap, body: &[u8]) -> ApiResult<String> {
    match headers.get("idempotency-key") {
        Some(v) => {
            let id = v.to_str().unwrap_or_default();
            if ingest::valid_upload_id(id) {
                Ok(id.to_string())
            } else {
                Err(ApiError::bad_request(
                    "Idempotency-Key must have 8 to 128 letters, digits, '-', '_' or '.'",
                ))
            }
        }
        None => Ok(ingest::body_upload_id(body)),
    }
}

/// The answer to an upload.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UploadAck {
    /// The upload's ID (its `Idempotency-Key`).
    pub upload_id: String,
    /// True when this upload was stored before (a retry): nothing changed.
    pub duplicate: bool,
    /// The asset it was about.
    pub asset_id: String,
    /// What it changed (absent for a duplicate).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub changes: Option<Changes>,
}

fn duplicate_ack(state: &AppState, upload_id: String, asset_id: String) -> Response {
    state.metrics.duplicate_uploads.inc();
    (
        StatusCode::OK,
        Json(UploadAck {
            upload_id,
            duplicate: true,
            asset_id,
            changes: None,
        }),
    )
        .into_response()
}

/// The start of every upload: the caller may upload this kind, the body
/// decompresses within the limit, and its key was not stored before. The
/// body is read before the token is judged (a client still sending would
/// otherwise see the connection close instead of the 401).
enum Received {
    /// A new upload: its key and body.
    New(Principal, String, Vec<u8>),
    /// A retry of a stored upload: the answer.
    Duplicate(Response),
}

async fn receive(
    state: &AppState,
    principal: Result<Principal, ApiError>,
    permission: Permission,
    headers: &HeaderMap,
    body: &Bytes,
) -> ApiResult<Received> {
    let principal = principal?;
    principal.require(permission)?;
    let body = upload_body(headers, body, state.config.max_upload_bytes).inspect_err(|_| {
        state.metrics.rejected_uploads.inc();
    })?;
    let id = upload_id(headers, &body)?;
    if let Some((_, asset_id, _)) = ingest::find_upload(&state.db.pool, &id).await? {
        return Ok(Received::Duplicate(duplicate_ack(state, id, asset_id)));
    }
    Ok(Received::New(principal, id, body))
}

/// The end of every upload: VEX statements applied to the asset, the
/// acknowledgement; a failure that turns out to be a raced copy of the
/// same upload (the other one committed) answers as a duplicate.
async fn acknowledge(
    state: &AppState,
    id: String,
    kind: &str,
    stored: anyhow::Result<(String, Changes)>,
) -> ApiResult<Response> {
    match stored {
        Ok((asset_id, changes)) => {
            match kind {
                "sbom" => state.metrics.sboms_stored.inc(),
                "snapshot" => state.metrics.snapshots_stored.inc(),
                _ => state.metrics.scans_stored.inc(),
            }
            state.metrics.findings_created.add(changes.new);
            let statements = crate::sbom::statements(&state.db).await?;
            if !statements.is_empty() {
                crate::sbom::apply(&state.db, &statements, Some(&asset_id)).await?;
            }
            tracing::info!(upload = %id, kind, asset = %asset_id, new = changes.new, fixed = changes.fixed, "upload stored");
            Ok((
                StatusCode::ACCEPTED,
                Json(UploadAck {
                    upload_id: id,
                    duplicate: false,
                    asset_id,
                    changes: Some(changes),
                }),
            )
                .into_response())
        }
        Err(e) => {
            if let Some((_, asset_id, _)) = ingest::find_upload(&state.db.pool, &id).await? {
                return Ok(duplicate_ack(state, id, asset_id));
            }
            Err(e.into())
        }
    }
}

/// Upload a scan report (`vigil scan --format json`, with `source`).
#[utoipa::path(post, path = "/api/v1/scans", tag = "uploads",
    request_body(content = Object, description = "The CLI's JSON report (docs/report-json.md); gzip allowed"),
    params(("Idempotency-Key" = Option<String>, Header, description = "The upload's ID; retries reuse it")),
    responses((status = 202, description = "Stored", body = UploadAck),
        (status = 200, description = "Already stored (a retry)", body = UploadAck),
        (status = 400, description = "Malformed: the message names the field"),
        (status = 413, description = "Too large"), (status = 415, description = "Not JSON")),
    security(("bearer" = [])))]
async fn upload_scan(
    State(state): State<AppState>,
    principal: Result<Principal, ApiError>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let (principal, id, body) =
        match receive(&state, principal, Permission::UploadScan, &headers, &body).await? {
            Received::New(p, id, body) => (p, id, body),
            Received::Duplicate(r) => return Ok(r),
        };
    let upload = ingest::parse_scan(&body).map_err(|e| {
        state.metrics.rejected_uploads.inc();
        ApiError::bad_request(e.0)
    })?;
    store_upload(&state, &principal, id, upload, body.len(), "scan").await
}

/// Stores a validated upload (scan report or SBOM) with the server's own
/// matches of its components and the organisation's VEX statements.
async fn store_upload(
    state: &AppState,
    principal: &Principal,
    id: String,
    upload: ingest::ScanUpload,
    bytes: usize,
    kind: &str,
) -> ApiResult<Response> {
    if principal.role == Role::Developer {
        let owner = asset_team(state, &upload.asset.id()).await?;
        if owner.is_some_and(|t| Some(t) != principal.team_id) {
            return Err(ApiError::forbidden("this asset belongs to another team"));
        }
    }
    // The server's own advisories, for the report's components.
    let path = state.advisories.path().to_path_buf();
    let components: Vec<vigil_model::Component> =
        upload.components.iter().map(|(_, c)| c.clone()).collect();
    let extra = tokio::task::spawn_blocking(move || {
        rematch::Advisories::match_blocking(&path, &components)
    })
    .await
    .map_err(ApiError::internal)??;
    let stored = ingest::store_scan(&state.db, kind, &upload, extra, principal, &id, bytes).await;
    acknowledge(state, id, kind, stored).await
}

/// Upload an agent snapshot (`vigil agent --once --format json`, or what
/// `vigil agent --server` sends).
#[utoipa::path(post, path = "/api/v1/agents/snapshots", tag = "uploads",
    request_body(content = Object, description = "An agent snapshot (docs/agent.md); gzip allowed"),
    params(("Idempotency-Key" = Option<String>, Header, description = "The upload's ID; retries reuse it")),
    responses((status = 202, description = "Stored", body = UploadAck),
        (status = 200, description = "Already stored (a retry)", body = UploadAck),
        (status = 400, description = "Not a snapshot: the message names the problem")),
    security(("bearer" = [])))]
async fn upload_snapshot(
    State(state): State<AppState>,
    principal: Result<Principal, ApiError>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let (principal, id, body) = match receive(
        &state,
        principal,
        Permission::UploadSnapshot,
        &headers,
        &body,
    )
    .await?
    {
        Received::New(p, id, body) => (p, id, body),
        Received::Duplicate(r) => return Ok(r),
    };
    let upload = crate::agents::parse_upload(&body).map_err(|e| {
        state.metrics.rejected_uploads.inc();
        ApiError::bad_request(e.0)
    })?;
    let snapshot = match upload {
        crate::agents::Upload::Full(s) => *s,
        crate::agents::Upload::Delta(d) => {
            // A delta applies to the document the server holds for the host,
            // and only to that one.
            let stored = crate::agents::stored_snapshot(&state, &d.host_id).await?;
            let mut base = match stored {
                Some((upload, snapshot)) if upload == d.base => snapshot,
                _ => {
                    return Err(ApiError::new(
                        StatusCode::CONFLICT,
                        format!(
                            "the server does not have the delta's base {} for host {}; send a full snapshot",
                            d.base, d.host_id
                        ),
                    ))
                }
            };
            vigil_agent::apply(&mut base, &d);
            if d.is_heartbeat() {
                let asset_id =
                    crate::agents::store_heartbeat(&state, &principal, &id, &base, body.len())
                        .await?;
                state.metrics.snapshots_stored.inc();
                return Ok((
                    StatusCode::ACCEPTED,
                    Json(UploadAck {
                        upload_id: id,
                        duplicate: false,
                        asset_id,
                        changes: Some(Changes::default()),
                    }),
                )
                    .into_response());
            }
            base
        }
    };
    let stored = crate::agents::store_snapshot(&state, &principal, &id, snapshot, body.len()).await;
    acknowledge(&state, id, "snapshot", stored).await
}

/// `?name=&version=` of an SBOM upload.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct SbomParams {
    /// The product's name (default: the BOM's `metadata.component`).
    pub name: Option<String>,
    /// Its version (default: the BOM's).
    pub version: Option<String>,
}

/// Upload a CycloneDX JSON SBOM of software not scanned here.
#[utoipa::path(post, path = "/api/v1/sboms", tag = "uploads",
    request_body(content = Object, description = "A CycloneDX JSON BOM; gzip allowed"),
    params(SbomParams, ("Idempotency-Key" = Option<String>, Header, description = "The upload's ID")),
    responses((status = 202, description = "Stored", body = UploadAck),
        (status = 200, description = "Already stored (a retry)", body = UploadAck),
        (status = 400, description = "Not a CycloneDX JSON BOM")),
    security(("bearer" = [])))]
async fn upload_sbom(
    State(state): State<AppState>,
    principal: Result<Principal, ApiError>,
    Query(params): Query<SbomParams>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let (principal, id, body) =
        match receive(&state, principal, Permission::UploadScan, &headers, &body).await? {
            Received::New(p, id, body) => (p, id, body),
            Received::Duplicate(r) => return Ok(r),
        };
    let upload = crate::sbom::parse_sbom(&body, params.name.as_deref(), params.version.as_deref())
        .map_err(|e| {
            state.metrics.rejected_uploads.inc();
            ApiError::bad_request(e.0)
        })?;
    store_upload(&state, &principal, id, upload, body.len(), "sbom").await
}

/// `?name=` of a VEX upload.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct VexParams {
    /// A name for the document (default: `vex`).
    pub name: Option<String>,
}

/// Upload a VEX document (OpenVEX or CycloneDX): its statements apply to
/// every asset's findings, now and later.
#[utoipa::path(post, path = "/api/v1/vex", tag = "uploads",
    request_body(content = Object, description = "An OpenVEX or CycloneDX VEX document"),
    params(VexParams),
    responses((status = 201, description = "Stored; how many findings it marked", body = Object),
        (status = 400, description = "Not a VEX document")),
    security(("bearer" = [])))]
async fn upload_vex(
    State(state): State<AppState>,
    principal: Result<Principal, ApiError>,
    Query(params): Query<VexParams>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let principal = principal?;
    // A VEX statement changes findings everywhere: a triage decision.
    principal.require(Permission::Triage)?;
    let body = upload_body(&headers, &body, state.config.max_upload_bytes)?;
    let name = params.name.unwrap_or_else(|| "vex".into());
    let doc = crate::sbom::parse_vex(&name, &body).map_err(|e| ApiError::bad_request(e.0))?;
    let marked = crate::sbom::store_vex(&state.db, &name, &doc, &body, &principal.actor).await?;
    auth::audit(
        &state.db,
        &principal.actor,
        "vex.upload",
        &format!("vex:{name}"),
        json!({ "statements": doc.statements.len(), "findings_marked": marked }),
    )
    .await;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "statements": doc.statements.len(), "findings_marked": marked })),
    )
        .into_response())
}

async fn asset_team(state: &AppState, asset_id: &str) -> ApiResult<Option<String>> {
    let row = sqlx::query("SELECT team_id FROM assets WHERE id = $1")
        .bind(asset_id)
        .fetch_optional(&state.db.pool)
        .await?;
    Ok(row.and_then(|r| crate::db::opt_text(&r, "team_id")))
}

/// List findings.
#[utoipa::path(get, path = "/api/v1/findings", tag = "findings",
    params(FindingFilter, Page),
    responses((status = 200, description = "A page of findings", body = Object),
        (status = 400, description = "An unknown `sort` or a `min_risk` out of range")),
    security(("bearer" = [])))]
async fn list_findings(
    State(state): State<AppState>,
    principal: Principal,
    Query(filter): Query<FindingFilter>,
    Query(page): Query<Page>,
) -> ApiResult<Json<query::Paged<query::FindingOut>>> {
    principal.require(Permission::Read)?;
    filter.check().map_err(ApiError::bad_request)?;
    Ok(Json(
        query::findings(&state.db, &filter, page, principal.team_scope()).await?,
    ))
}

/// One finding.
#[utoipa::path(get, path = "/api/v1/findings/{id}", tag = "findings",
    params(("id" = String, Path, description = "The finding's ID")),
    responses((status = 200, body = query::FindingOut), (status = 404, description = "No such finding")),
    security(("bearer" = [])))]
async fn get_finding(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> ApiResult<Json<query::FindingOut>> {
    principal.require(Permission::Read)?;
    query::finding(&state.db, &id, principal.team_scope())
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::not_found(format!("no finding {id}")))
}

/// A triage decision on findings.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct TriageRequest {
    /// The findings.
    pub ids: Vec<String>,
    /// `accept` (a risk, with a justification and optional expiry),
    /// `false_positive` (with a justification), or `reopen` (undo).
    pub action: String,
    /// Why.
    pub justification: Option<String>,
    /// When an accepted risk expires (`YYYY-MM-DD`).
    pub expires: Option<String>,
}

/// Parses `YYYY-MM-DD` into Unix seconds at the end of that day (UTC).
fn parse_day(s: &str) -> Option<i64> {
    let mut parts = s.split('-');
    let y: i64 = parts.next()?.parse().ok()?;
    let m: i64 = parts.next()?.parse().ok()?;
    let d: i64 = parts.next()?.parse().ok()?;
    if parts.next().is_some() || !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + 86_399)
}

/// Accept a risk, mark false positives, or reopen findings.
#[utoipa::path(post, path = "/api/v1/findings/triage", tag = "findings",
    request_body = TriageRequest,
    responses((status = 200, description = "How many findings changed", body = Object),
        (status = 400, description = "Missing justification, bad action or date")),
    security(("bearer" = [])))]
async fn triage(
    State(state): State<AppState>,
    principal: Principal,
    Json(req): Json<TriageRequest>,
) -> ApiResult<Json<Value>> {
    let changed = apply_triage(&state, &principal, &req).await?;
    Ok(Json(json!({ "changed": changed })))
}

/// A triage decision by `principal`, checked (role, justification,
/// expiry), applied and written to the audit log: the API's and the
/// dashboard's one way to triage. Returns how many findings changed.
pub async fn apply_triage(
    state: &AppState,
    principal: &Principal,
    req: &TriageRequest,
) -> ApiResult<u64> {
    principal.require(Permission::Triage)?;
    if req.ids.is_empty() || req.ids.len() > 10_000 {
        return Err(ApiError::bad_request("`ids` must list 1 to 10000 findings"));
    }
    let justification = req
        .justification
        .as_deref()
        .map(str::trim)
        .filter(|j| !j.is_empty());
    let (triage, expires) = match req.action.as_str() {
        "accept" | "false_positive" => {
            if justification.is_none() {
                return Err(ApiError::bad_request(format!(
                    "`{}` needs a justification",
                    req.action
                )));
            }
            let expires = match req.expires.as_deref() {
                Some(d) => Some(parse_day(d).ok_or_else(|| {
                    ApiError::bad_request(format!("`expires` {d:?} is not a YYYY-MM-DD date"))
                })?),
                None => None,
            };
            if expires.is_some_and(|e| e < now()) {
                return Err(ApiError::bad_request("`expires` is in the past"));
            }
            let t = if req.action == "accept" {
                "accepted"
            } else {
                "false_positive"
            };
            (Some(t), expires)
        }
        "reopen" => (None, None),
        other => {
            return Err(ApiError::bad_request(format!(
                "unknown action {other:?}: use accept, false_positive or reopen"
            )))
        }
    };
    let mut tx = state.db.begin_write(None).await?;
    let mut changed = 0u64;
    for id in &req.ids {
        let r = sqlx::query(
            "UPDATE findings SET triage = $2, triage_reason = $3, triage_expires = $4, triage_by = $5 WHERE id = $1",
        )
        .bind(id)
        .bind(triage)
        .bind(if triage.is_some() { justification } else { None })
        .bind(expires)
        .bind(triage.map(|_| principal.actor.as_str()))
        .execute(&mut **tx)
        .await?;
        changed += r.rows_affected();
    }
    tx.commit().await?;
    for id in &req.ids {
        auth::audit(
            &state.db,
            &principal.actor,
            &format!("finding.{}", req.action),
            &format!("finding:{id}"),
            json!({ "justification": justification, "expires": req.expires }),
        )
        .await;
    }
    Ok(changed)
}

/// Remediation figures: MTTR and SLA breaches per severity and team.
#[utoipa::path(get, path = "/api/v1/stats", tag = "findings",
    responses((status = 200, body = query::Stats)),
    security(("bearer" = [])))]
async fn stats(
    State(state): State<AppState>,
    principal: Principal,
) -> ApiResult<Json<query::Stats>> {
    principal.require(Permission::Read)?;
    Ok(Json(
        query::stats(&state.db, &state.config.sla, principal.team_scope()).await?,
    ))
}

/// List assets.
#[utoipa::path(get, path = "/api/v1/assets", tag = "assets",
    params(AssetFilter, Page),
    responses((status = 200, description = "A page of assets", body = Object)),
    security(("bearer" = [])))]
async fn list_assets(
    State(state): State<AppState>,
    principal: Principal,
    Query(filter): Query<AssetFilter>,
    Query(page): Query<Page>,
) -> ApiResult<Json<query::Paged<query::AssetOut>>> {
    principal.require(Permission::Read)?;
    Ok(Json(
        query::assets(&state.db, &filter, page, principal.team_scope()).await?,
    ))
}

/// One asset.
#[utoipa::path(get, path = "/api/v1/assets/{id}", tag = "assets",
    params(("id" = String, Path, description = "The asset's ID")),
    responses((status = 200, body = query::AssetOut), (status = 404, description = "No such asset")),
    security(("bearer" = [])))]
async fn get_asset(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> ApiResult<Json<query::AssetOut>> {
    principal.require(Permission::Read)?;
    query::asset(&state.db, &id, principal.team_scope())
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::not_found(format!("no asset {id}")))
}

/// A change to an asset.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct AssetUpdate {
    /// The team that owns it (a team name), or null for none.
    pub team: Option<String>,
}

/// Change an asset's owner.
#[utoipa::path(patch, path = "/api/v1/assets/{id}", tag = "assets",
    params(("id" = String, Path, description = "The asset's ID")),
    request_body = AssetUpdate,
    responses((status = 200, body = query::AssetOut), (status = 404, description = "No such asset or team")),
    security(("bearer" = [])))]
async fn update_asset(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    Json(req): Json<AssetUpdate>,
) -> ApiResult<Json<query::AssetOut>> {
    set_asset_team(&state, &principal, &id, req.team.as_deref()).await?;
    query::asset(&state.db, &id, None)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::not_found(format!("no asset {id}")))
}

/// Gives an asset to a team (a name), or to none: admins only, audited
/// (the API's `PATCH /api/v1/assets/{id}` and the dashboard's form).
pub async fn set_asset_team(
    state: &AppState,
    principal: &Principal,
    id: &str,
    team: Option<&str>,
) -> ApiResult<()> {
    principal.require(Permission::Admin)?;
    let team_id = match team {
        Some(name) => Some(team_id_by_name(state, name).await?),
        None => None,
    };
    let r = sqlx::query("UPDATE assets SET team_id = $2 WHERE id = $1")
        .bind(id)
        .bind(&team_id)
        .execute(&state.db.pool)
        .await?;
    if r.rows_affected() == 0 {
        return Err(ApiError::not_found(format!("no asset {id}")));
    }
    auth::audit(
        &state.db,
        &principal.actor,
        "asset.update",
        &format!("asset:{id}"),
        json!({ "team": team }),
    )
    .await;
    Ok(())
}

async fn team_id_by_name(state: &AppState, name: &str) -> ApiResult<String> {
    sqlx::query("SELECT id FROM teams WHERE name = $1")
        .bind(name)
        .fetch_optional(&state.db.pool)
        .await?
        .map(|r| r.get::<String, _>("id"))
        .ok_or_else(|| ApiError::not_found(format!("no team {name:?}")))
}

/// An asset's current inventory.
#[utoipa::path(get, path = "/api/v1/assets/{id}/components", tag = "assets",
    params(("id" = String, Path, description = "The asset's ID"), Page),
    responses((status = 200, description = "A page of components", body = Object)),
    security(("bearer" = [])))]
async fn list_components(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    Query(page): Query<Page>,
) -> ApiResult<Json<query::Paged<Value>>> {
    principal.require(Permission::Read)?;
    if query::asset(&state.db, &id, principal.team_scope())
        .await?
        .is_none()
    {
        return Err(ApiError::not_found(format!("no asset {id}")));
    }
    Ok(Json(query::components(&state.db, &id, page).await?))
}

/// Where is this vulnerability right now?
#[utoipa::path(get, path = "/api/v1/vulnerabilities/{id}/assets", tag = "vulnerabilities",
    params(("id" = String, Path, description = "Any ID or alias: CVE-…, GHSA-…, OSV IDs")),
    responses((status = 200, body = query::VulnerabilityAssets)),
    security(("bearer" = [])))]
async fn vulnerability_assets(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> ApiResult<Json<query::VulnerabilityAssets>> {
    principal.require(Permission::Read)?;
    Ok(Json(
        query::vulnerability_assets(&state.db, &id, principal.team_scope()).await?,
    ))
}

/// What to update advisories from.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct UpdateRequest {
    /// Files or directories on the server's disk to import instead of the
    /// configured sources (offline: OSV archives, records, the KEV
    /// catalogue).
    #[serde(default)]
    pub paths: Vec<String>,
}

/// Update the advisories now and re-match what changed.
#[utoipa::path(post, path = "/api/v1/advisories/update", tag = "advisories",
    request_body = UpdateRequest,
    responses((status = 200, body = RematchReport)),
    security(("bearer" = [])))]
async fn update_advisories(
    State(state): State<AppState>,
    principal: Principal,
    body: Option<Json<UpdateRequest>>,
) -> ApiResult<Json<RematchReport>> {
    let req = body.map(|b| b.0).unwrap_or_default();
    Ok(Json(run_advisory_update(&state, &principal, &req).await?))
}

/// Updates the advisories (admins only) and re-matches, audited: the
/// API's `POST /api/v1/advisories/update` and the dashboard's button.
pub async fn run_advisory_update(
    state: &AppState,
    principal: &Principal,
    req: &UpdateRequest,
) -> ApiResult<RematchReport> {
    principal.require(Permission::Admin)?;
    let source = if req.paths.is_empty() {
        rematch::Source::Configured
    } else {
        for p in &req.paths {
            if !std::path::Path::new(p).exists() {
                return Err(ApiError::bad_request(format!(
                    "{p}: no such file or directory on the server"
                )));
            }
        }
        rematch::Source::Paths(req.paths.iter().map(Into::into).collect())
    };
    let report = rematch::update(state, source).await?;
    auth::audit(
        &state.db,
        &principal.actor,
        "advisories.update",
        "advisories",
        json!({ "paths": req.paths, "changed": report.changed_advisories, "new_findings": report.new_findings }),
    )
    .await;
    Ok(report)
}

/// The advisory database's freshness.
#[utoipa::path(get, path = "/api/v1/advisories/status", tag = "advisories",
    responses((status = 200, description = "Last update time", body = Object)),
    security(("bearer" = [])))]
async fn advisory_status(
    State(state): State<AppState>,
    principal: Principal,
) -> ApiResult<Json<Value>> {
    principal.require(Permission::Read)?;
    let advisories = state.advisories.clone();
    let last = tokio::task::spawn_blocking(move || advisories.last_update())
        .await
        .map_err(ApiError::internal)?;
    let tracked: i64 = sqlx::query("SELECT COUNT(*) AS n FROM advisory_state")
        .fetch_one(&state.db.pool)
        .await?
        .get("n");
    Ok(Json(json!({
        "last_update": last.map(vigil_model::time::rfc3339),
        "advisories_matched": tracked,
    })))
}

/// A login.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct LoginRequest {
    /// The user name.
    pub username: String,
    /// The password.
    pub password: String,
}

/// Exchange a user name and password for a session token (12 hours).
#[utoipa::path(post, path = "/api/v1/login", tag = "auth",
    request_body = LoginRequest,
    responses((status = 200, description = "A token", body = Object), (status = 401, description = "Wrong name or password")))]
async fn login(
    State(state): State<AppState>,
    extensions: axum::http::Extensions,
    Json(req): Json<LoginRequest>,
) -> ApiResult<Json<Value>> {
    let client = client_address(&extensions);
    let (token, role, expires) =
        password_session(&state, client, &req.username, &req.password).await?;
    Ok(Json(json!({
        "token": token,
        "role": role,
        "expires_at": vigil_model::time::rfc3339(expires),
    })))
}

/// The client's address, when the server knows it (not in tests that
/// call the router directly).
pub fn client_address(extensions: &axum::http::Extensions) -> Option<std::net::IpAddr> {
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
}

/// 429 for a client that failed to log in too often (`auth::LoginThrottle`).
pub fn too_many_logins(wait: u64) -> ApiError {
    ApiError {
        status: StatusCode::TOO_MANY_REQUESTS,
        message: format!("too many failed logins; try again in {wait} s"),
        retry_after: Some(wait),
    }
}

/// Checks a user name and password and opens a session: a token that
/// expires in 12 hours (the API's login and the dashboard's). Returns the
/// token, the role and the expiry (Unix seconds); 401 on a wrong name or
/// password or a disabled user, with the same work either way; 429 once
/// the client failed too often (`auth::LoginThrottle`), checked first.
pub async fn password_session(
    state: &AppState,
    client: Option<std::net::IpAddr>,
    username: &str,
    password: &str,
) -> ApiResult<(String, Role, i64)> {
    if let Some(wait) = state.logins.wait(client, Some(username)) {
        state.metrics.auth_failures.inc();
        tracing::warn!(client = ?client, username, "login refused: too many failures");
        return Err(too_many_logins(wait));
    }
    let row = sqlx::query(
        "SELECT id, password_hash, role, team_id, disabled FROM users WHERE username = $1",
    )
    .bind(username)
    .fetch_optional(&state.db.pool)
    .await?;
    // The same work and the same answer whether or not the user exists.
    let stored = row
        .as_ref()
        .map(|r| r.get::<String, _>("password_hash"))
        .unwrap_or_else(|| {
            "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0000000000000000000000000000000000000000000".into()
        });
    let password = password.to_string();
    let ok = tokio::task::spawn_blocking(move || auth::verify_password(&password, &stored))
        .await
        .map_err(ApiError::internal)?;
    let Some(row) = row.filter(|r| ok && r.get::<i64, _>("disabled") == 0) else {
        state.metrics.auth_failures.inc();
        state.logins.failed(client, Some(username));
        return Err(ApiError::unauthorized("wrong user name or password"));
    };
    state.logins.succeeded(client, username);
    let role = Role::parse(&row.get::<String, _>("role"))
        .ok_or_else(|| ApiError::internal("a user has an unknown role"))?;
    let expires = now() + auth::SESSION_SECONDS;
    let team: Option<String> = crate::db::opt_text(&row, "team_id");
    let user_id: String = row.get("id");
    let (_, token) = auth::create_token(
        &state.db,
        "session",
        role,
        team.as_deref(),
        Some(&user_id),
        username,
        Some(expires),
    )
    .await?;
    auth::audit(
        &state.db,
        username,
        "user.login",
        &format!("user:{username}"),
        json!({}),
    )
    .await;
    Ok((token, role, expires))
}

/// A new team.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct TeamRequest {
    /// Its name.
    pub name: String,
}

/// List teams.
#[utoipa::path(get, path = "/api/v1/teams", tag = "admin",
    responses((status = 200, body = Object)), security(("bearer" = [])))]
async fn list_teams(State(state): State<AppState>, principal: Principal) -> ApiResult<Json<Value>> {
    principal.require(Permission::Read)?;
    let rows = sqlx::query("SELECT id, name FROM teams ORDER BY name")
        .fetch_all(&state.db.pool)
        .await?;
    let items: Vec<Value> = rows
        .iter()
        .map(|r| json!({ "id": r.get::<String, _>("id"), "name": r.get::<String, _>("name") }))
        .collect();
    Ok(Json(json!({ "items": items })))
}

/// Create a team.
#[utoipa::path(post, path = "/api/v1/teams", tag = "admin", request_body = TeamRequest,
    responses((status = 201, body = Object), (status = 409, description = "Exists")), security(("bearer" = [])))]
async fn create_team(
    State(state): State<AppState>,
    principal: Principal,
    Json(req): Json<TeamRequest>,
) -> ApiResult<Response> {
    let (id, name) = add_team(&state, &principal, &req.name).await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": id, "name": name }))).into_response())
}

/// Creates a team (admins only; 409 when it exists), audited: the API's
/// `POST /api/v1/teams` and the dashboard's form. Returns its ID and name.
pub async fn add_team(
    state: &AppState,
    principal: &Principal,
    name: &str,
) -> ApiResult<(String, String)> {
    principal.require(Permission::Admin)?;
    let name = name.trim();
    if name.is_empty() || name.len() > 200 {
        return Err(ApiError::bad_request("a team name has 1 to 200 characters"));
    }
    if team_id_by_name(state, name).await.is_ok() {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            format!("team {name:?} exists"),
        ));
    }
    let id = random_id();
    sqlx::query("INSERT INTO teams (id, name, created_at) VALUES ($1, $2, $3)")
        .bind(&id)
        .bind(name)
        .bind(now())
        .execute(&state.db.pool)
        .await?;
    auth::audit(
        &state.db,
        &principal.actor,
        "team.create",
        &format!("team:{name}"),
        json!({}),
    )
    .await;
    Ok((id, name.to_string()))
}

/// A new user.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct UserRequest {
    /// The login name.
    pub username: String,
    /// The password (at least 12 characters).
    pub password: String,
    /// `admin`, `analyst`, `developer` or `viewer`.
    pub role: Role,
    /// The team (a name); developers need one.
    pub team: Option<String>,
}

/// Create a user.
#[utoipa::path(post, path = "/api/v1/users", tag = "admin", request_body = UserRequest,
    responses((status = 201, body = Object), (status = 409, description = "Exists")), security(("bearer" = [])))]
async fn create_user(
    State(state): State<AppState>,
    principal: Principal,
    Json(req): Json<UserRequest>,
) -> ApiResult<Response> {
    let id = add_user(&state, &principal, &req).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "id": id, "username": req.username, "role": req.role })),
    )
        .into_response())
}

/// Creates a user (admins only; 409 when the name is taken), checked and
/// audited: the API's `POST /api/v1/users` and the dashboard's form.
/// Returns its ID.
pub async fn add_user(
    state: &AppState,
    principal: &Principal,
    req: &UserRequest,
) -> ApiResult<String> {
    principal.require(Permission::Admin)?;
    if req.password.chars().count() < 12 {
        return Err(ApiError::bad_request(
            "a password has at least 12 characters",
        ));
    }
    if matches!(req.role, Role::Ci | Role::Agent) {
        return Err(ApiError::bad_request(
            "ci and agent are roles of tokens, not users: POST /api/v1/tokens",
        ));
    }
    if req.role == Role::Developer && req.team.is_none() {
        return Err(ApiError::bad_request("a developer needs a team"));
    }
    let team_id = match &req.team {
        Some(t) => Some(team_id_by_name(state, t).await?),
        None => None,
    };
    let exists = sqlx::query("SELECT id FROM users WHERE username = $1")
        .bind(&req.username)
        .fetch_optional(&state.db.pool)
        .await?;
    if exists.is_some() {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            format!("user {:?} exists", req.username),
        ));
    }
    let password = req.password.clone();
    let hash = tokio::task::spawn_blocking(move || auth::hash_password(&password))
        .await
        .map_err(ApiError::internal)??;
    let id = random_id();
    sqlx::query(
        "INSERT INTO users (id, username, password_hash, role, team_id, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&id)
    .bind(&req.username)
    .bind(hash)
    .bind(req.role.as_str())
    .bind(&team_id)
    .bind(now())
    .execute(&state.db.pool)
    .await?;
    auth::audit(
        &state.db,
        &principal.actor,
        "user.create",
        &format!("user:{}", req.username),
        json!({ "role": req.role, "team": req.team }),
    )
    .await;
    Ok(id)
}

/// A new API token.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct TokenRequest {
    /// What it is for (`ci payments`, `agents eu-west`).
    pub name: String,
    /// Its role (`ci` for pipelines, `agent` for agents, ...).
    pub role: Role,
    /// Its team (a name): assets it uploads first belong to that team.
    pub team: Option<String>,
    /// Days until it expires; never when absent.
    pub expires_days: Option<i64>,
}

/// Create an API token; the answer is the only time it is shown.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "admin", request_body = TokenRequest,
    responses((status = 201, body = Object)), security(("bearer" = [])))]
async fn create_token(
    State(state): State<AppState>,
    principal: Principal,
    Json(req): Json<TokenRequest>,
) -> ApiResult<Response> {
    let created = issue_token(&state, &principal, &req).await?;
    Ok((StatusCode::CREATED, Json(created)).into_response())
}

/// Creates an API token (admins only), audited: the API's
/// `POST /api/v1/tokens` and the dashboard's form. The answer (`id`,
/// `name`, `role`, `token`, `expires_at`) is the only time the token is
/// seen.
pub async fn issue_token(
    state: &AppState,
    principal: &Principal,
    req: &TokenRequest,
) -> ApiResult<Value> {
    principal.require(Permission::Admin)?;
    if req.name.trim().is_empty() {
        return Err(ApiError::bad_request("a token needs a name"));
    }
    let team_id = match &req.team {
        Some(t) => Some(team_id_by_name(state, t).await?),
        None => None,
    };
    if req.role == Role::Developer && team_id.is_none() {
        return Err(ApiError::bad_request("a developer token needs a team"));
    }
    let expires = req
        .expires_days
        .filter(|d| *d > 0)
        .map(|d| now() + d * 86_400);
    let (id, token) = auth::create_token(
        &state.db,
        req.name.trim(),
        req.role,
        team_id.as_deref(),
        None,
        &principal.actor,
        expires,
    )
    .await?;
    auth::audit(
        &state.db,
        &principal.actor,
        "token.create",
        &format!("token:{id}"),
        json!({ "name": req.name, "role": req.role, "team": req.team }),
    )
    .await;
    Ok(json!({
        "id": id,
        "name": req.name.trim(),
        "role": req.role,
        "token": token,
        "expires_at": expires.map(vigil_model::time::rfc3339),
    }))
}

/// List API tokens (never the tokens themselves).
#[utoipa::path(get, path = "/api/v1/tokens", tag = "admin",
    responses((status = 200, body = Object)), security(("bearer" = [])))]
async fn list_tokens(
    State(state): State<AppState>,
    principal: Principal,
) -> ApiResult<Json<Value>> {
    let items = token_list(&state, &principal).await?;
    Ok(Json(json!({ "items": items })))
}

/// The API tokens (admins only; never the tokens themselves, nor
/// sessions), oldest first.
pub async fn token_list(state: &AppState, principal: &Principal) -> ApiResult<Vec<Value>> {
    principal.require(Permission::Admin)?;
    let rows = sqlx::query(
        "SELECT k.id, k.name, k.role, k.created_by, k.created_at, k.expires_at, k.last_used_at, k.revoked_at, \
         t.name AS team FROM tokens k LEFT JOIN teams t ON t.id = k.team_id \
         WHERE k.name <> 'session' ORDER BY k.created_at, k.id",
    )
    .fetch_all(&state.db.pool)
    .await?;
    let time =
        |r: &sqlx::any::AnyRow, c: &str| crate::db::opt_int(r, c).map(vigil_model::time::rfc3339);
    let items: Vec<Value> = rows
        .iter()
        .map(|r| {
            json!({
                "id": r.get::<String, _>("id"),
                "name": r.get::<String, _>("name"),
                "role": r.get::<String, _>("role"),
                "team": crate::db::opt_text(r, "team"),
                "created_by": crate::db::opt_text(r, "created_by"),
                "created_at": time(r, "created_at"),
                "expires_at": time(r, "expires_at"),
                "last_used_at": time(r, "last_used_at"),
                "revoked_at": time(r, "revoked_at"),
            })
        })
        .collect();
    Ok(items)
}

/// Revoke an API token.
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "admin",
    params(("id" = String, Path, description = "The token's ID")),
    responses((status = 204), (status = 404, description = "No such token")), security(("bearer" = [])))]
async fn revoke_token(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    revoke_api_token(&state, &principal, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Revokes an API token (admins only; 404 when there is no active one),
/// audited: the API's `DELETE /api/v1/tokens/{id}` and the dashboard's
/// button.
pub async fn revoke_api_token(state: &AppState, principal: &Principal, id: &str) -> ApiResult<()> {
    principal.require(Permission::Admin)?;
    let r = sqlx::query("UPDATE tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL")
        .bind(id)
        .bind(now())
        .execute(&state.db.pool)
        .await?;
    if r.rows_affected() == 0 {
        return Err(ApiError::not_found(format!("no active token {id}")));
    }
    auth::audit(
        &state.db,
        &principal.actor,
        "token.revoke",
        &format!("token:{id}"),
        json!({}),
    )
    .await;
    Ok(())
}

/// The audit log, newest first.
#[utoipa::path(get, path = "/api/v1/audit", tag = "admin", params(Page),
    responses((status = 200, body = Object)), security(("bearer" = [])))]
async fn audit_log(
    State(state): State<AppState>,
    principal: Principal,
    Query(page): Query<Page>,
) -> ApiResult<Json<Value>> {
    let items = audit_entries(&state, &principal, page).await?;
    Ok(Json(json!({ "items": items })))
}

/// A page of the audit log (admins only), newest first: `at`, `actor`,
/// `action`, `target`, `detail`.
pub async fn audit_entries(
    state: &AppState,
    principal: &Principal,
    page: Page,
) -> ApiResult<Vec<Value>> {
    principal.require(Permission::Admin)?;
    let limit = page.limit.unwrap_or(100).clamp(1, 1000);
    let offset = page.offset.unwrap_or(0).max(0);
    let rows = sqlx::query(&format!(
        "SELECT at, actor, action, target, detail FROM audit_log ORDER BY at DESC, id LIMIT {limit} OFFSET {offset}"
    ))
    .fetch_all(&state.db.pool)
    .await?;
    let items: Vec<Value> = rows
        .iter()
        .map(|r| {
            json!({
                "at": vigil_model::time::rfc3339(r.get("at")),
                "actor": r.get::<String, _>("actor"),
                "action": r.get::<String, _>("action"),
                "target": r.get::<String, _>("target"),
                "detail": serde_json::from_str::<Value>(&r.get::<String, _>("detail")).unwrap_or(Value::Null),
            })
        })
        .collect();
    Ok(items)
}

/// Kubernetes admission control: answers an AdmissionReview (v1) for a
/// Pod or a workload by the policy applied to what the server knows of
/// its images. Called by the Kubernetes API server (no token; enable it
/// with `--admission` and serve it over HTTPS).
#[utoipa::path(post, path = "/api/v1/admission/review", tag = "admission",
    request_body(content = Object, description = "An admission.k8s.io/v1 AdmissionReview"),
    responses((status = 200, description = "The AdmissionReview with its response", body = Object),
        (status = 400, description = "Not an AdmissionReview v1"),
        (status = 404, description = "Admission control is not enabled")))]
async fn admission_review(State(state): State<AppState>, body: Bytes) -> ApiResult<Json<Value>> {
    let Some(policy) = &state.config.admission else {
        return Err(ApiError::not_found(
            "admission control is not enabled on this server (--admission)",
        ));
    };
    let review: Value = serde_json::from_slice(&body)
        .map_err(|e| ApiError::bad_request(format!("the body is not JSON: {e}")))?;
    if review["apiVersion"] != "admission.k8s.io/v1" || review["kind"] != "AdmissionReview" {
        return Err(ApiError::bad_request(
            "not an AdmissionReview of apiVersion admission.k8s.io/v1",
        ));
    }
    let request = &review["request"];
    let uid = request["uid"]
        .as_str()
        .ok_or_else(|| ApiError::bad_request("the AdmissionReview has no request.uid"))?;
    let kind = request["kind"]["kind"].as_str().unwrap_or("Pod");
    let decision = if request["operation"] == "DELETE" {
        crate::admission::Decision {
            allowed: true,
            ..Default::default()
        }
    } else {
        crate::admission::decide(
            &state.db,
            policy,
            request["namespace"].as_str(),
            kind,
            &request["object"],
        )
        .await?
    };
    tracing::info!(
        uid,
        kind,
        namespace = request["namespace"].as_str().unwrap_or_default(),
        allowed = decision.allowed,
        "admission review"
    );
    Ok(Json(crate::admission::review_response(uid, &decision)))
}

#[derive(OpenApi)]
#[openapi(
    info(title = "vigil server API", description = "Uploads, assets, findings and vulnerabilities of the whole organisation (docs/server.md)."),
    paths(upload_scan, upload_snapshot, upload_sbom, upload_vex, stats, list_findings, get_finding, triage, list_assets, get_asset, update_asset,
        list_components, vulnerability_assets, update_advisories, advisory_status, login, list_teams,
        create_team, create_user, create_token, list_tokens, revoke_token, audit_log, admission_review, openapi),
    components(schemas(UploadAck, Changes, TriageRequest, AssetUpdate, UpdateRequest, RematchReport,
        LoginRequest, TeamRequest, UserRequest, TokenRequest, Role, query::FindingOut, query::AssetOut,
        query::AssetRef, query::RelationOut, query::PackageOut, query::TriageOut, query::SeverityCounts,
        query::VulnerabilityAssets, query::Stats, query::RemediationStats, query::SlaDays,
        query::RiskBands, crate::risk::RiskOut)),
    modifiers(&Bearer)
)]
struct ApiDoc;

struct Bearer;

impl utoipa::Modify for Bearer {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The OpenAPI document of this API.
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.merge(<crate::notify::NotifyApi as OpenApi>::openapi());
    doc.info.version = env!("CARGO_PKG_VERSION").to_string();
    doc
}

/// The OpenAPI document.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "meta",
    responses((status = 200, description = "This document", body = Object)))]
async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(openapi_document())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_parse_to_the_end_of_the_day() {
        assert_eq!(parse_day("1970-01-01"), Some(86_399));
        assert_eq!(parse_day("2000-03-01"), Some(951_868_800 + 86_399));
        assert_eq!(parse_day("2026-13-01"), None);
        assert_eq!(parse_day("tomorrow"), None);
    }

    #[test]
    fn the_rate_limit_refuses_bursts_beyond_twice_the_rate() {
        let l = RateLimiter::new(5);
        let allowed = (0..30).filter(|_| l.allow("a")).count();
        assert_eq!(allowed, 10);
        assert!(l.allow("b"), "another caller has its own budget");
    }

    #[test]
    fn every_route_is_in_the_openapi_document() {
        let doc = serde_json::to_value(openapi_document()).expect("serializes");
        let paths = doc["paths"].as_object().expect("paths");
        for p in [
            "/api/v1/scans",
            "/api/v1/findings",
            "/api/v1/assets",
            "/api/v1/vulnerabilities/{id}/assets",
            "/api/v1/tokens",
            "/api/v1/notifications/rules",
            "/api/v1/notifications/rules/{id}",
            "/api/v1/notifications/deliveries",
        ] {
            assert!(paths.contains_key(p), "{p} missing");
        }
    }
}
