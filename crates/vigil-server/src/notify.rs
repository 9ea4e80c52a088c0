//! Notifications: webhooks called when findings change (docs/server.md,
//! "Notifications").
//!
//! An admin defines rules (a URL, a payload format — generic JSON,
//! Slack-compatible or Microsoft Teams-compatible — and filters: minimum
//! severity, teams, known-exploited only, event kinds). The dispatcher
//! reads the event queue once (its cursor is in the database) and queues a
//! delivery for every rule an event matches, with the body fixed at that
//! moment; the sender posts due deliveries, retrying failures with
//! exponential backoff and jitter, and logs every attempt. With several
//! servers on one PostgreSQL database, a delivery is claimed by one server
//! (`FOR UPDATE SKIP LOCKED`) before it is sent.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::Sha256;
use sqlx::Row;

use crate::api::ApiError;
use crate::auth::{self, Permission, Principal, Role};
use crate::db::{now, opt_int, opt_text, random_id, Backend, Db};
use crate::events::{self, Event};
use crate::ingest::severity_rank;
use crate::query::{self, FindingOut};
use crate::AppState;

/// The event reader's name of the dispatcher.
pub const CONSUMER: &str = "notify";

/// How long one webhook call may take.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// How long a claimed delivery stays another server's before it may be
/// claimed again (a server that stopped mid-call): longer than a call.
const LEASE_MS: i64 = 60_000;

/// The event kinds a rule may name.
pub const EVENT_KINDS: [&str; 3] = ["finding.new", "finding.reopened", "finding.fixed"];

/// Notification settings.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The server's public base URL, linked from payloads (`server_url`).
    pub public_url: Option<String>,
    /// The first retry's delay; each next one is four times longer (with
    /// ±20 % jitter): 30 s, 2 min, 8 min, 32 min, 2 h 8 min by default.
    pub backoff_base: Duration,
    /// Attempts before a delivery is `failed`.
    pub max_attempts: i64,
    /// How often the dispatcher and the sender look for work.
    pub poll_interval: Duration,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            public_url: None,
            backoff_base: Duration::from_secs(30),
            max_attempts: 6,
            poll_interval: Duration::from_secs(1),
        }
    }
}

/// A webhook's payload format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// `{event, finding, server_url}`, optionally signed.
    Json,
    /// A Slack incoming-webhook message (`text` and `blocks`).
    Slack,
    /// A Microsoft Teams message with an Adaptive Card.
    Teams,
}

impl Format {
    fn as_str(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Slack => "slack",
            Format::Teams => "teams",
        }
    }

    fn parse(s: &str) -> Format {
        match s {
            "slack" => Format::Slack,
            "teams" => Format::Teams,
            _ => Format::Json,
        }
    }
}

/// A new notification rule.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleRequest {
    /// What it is for.
    pub name: String,
    /// The webhook (`https://…`, or `http://…`).
    pub url: String,
    /// `json` (default), `slack` or `teams`.
    pub format: Option<Format>,
    /// The least severity notified: `CRITICAL`, `HIGH` (default; `LOW`
    /// with a `min_risk`), `MEDIUM`, `LOW`.
    pub min_severity: Option<String>,
    /// The least risk score notified (0–10, docs/risk.md): findings
    /// without a score are then left out.
    pub min_risk: Option<f64>,
    /// Only findings on these teams' assets; all when empty.
    #[serde(default)]
    pub teams: Vec<String>,
    /// Only findings listed as known exploited.
    #[serde(default)]
    pub kev_only: bool,
    /// The event kinds: `finding.new`, `finding.reopened`, `finding.fixed`
    /// (default: new and reopened).
    pub events: Option<Vec<String>>,
    /// A key to sign `json` bodies with (HMAC-SHA256, header
    /// `X-Vigil-Signature: sha256=<hex>`).
    pub secret: Option<String>,
}

/// A notification rule as stored.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Rule {
    /// Its ID.
    pub id: String,
    /// Its name.
    pub name: String,
    /// The webhook.
    pub url: String,
    /// The payload format.
    pub format: Format,
    /// The least severity notified.
    pub min_severity: String,
    /// The least risk score notified; `null`: any.
    pub min_risk: Option<f64>,
    /// Teams (all when empty).
    pub teams: Vec<String>,
    /// Known-exploited findings only.
    pub kev_only: bool,
    /// Event kinds.
    pub events: Vec<String>,
    /// Whether bodies are signed (the key is never shown).
    pub signed: bool,
    /// Who created it.
    pub created_by: String,
    /// When (RFC 3339).
    pub created_at: String,
}

impl Rule {
    fn from_row(r: &sqlx::any::AnyRow) -> Rule {
        let list = |c: &str| -> Vec<String> {
            serde_json::from_str(&r.get::<String, _>(c)).unwrap_or_default()
        };
        Rule {
            id: r.get("id"),
            name: r.get("name"),
            url: r.get("url"),
            format: Format::parse(&r.get::<String, _>("format")),
            min_severity: r.get("min_severity"),
            min_risk: opt_int(r, "min_risk_tenths").map(|t| t as f64 / 10.0),
            teams: list("teams"),
            kev_only: r.get::<i64, _>("kev_only") != 0,
            events: list("events"),
            signed: opt_text(r, "secret").is_some(),
            created_by: r.get("created_by"),
            created_at: vigil_model::time::rfc3339(r.get("created_at")),
        }
    }

    /// Whether an event about this finding is to be notified.
    pub fn matches(&self, kind: &str, finding: &FindingOut) -> bool {
        self.events.iter().any(|e| e == kind)
            && severity_rank(&finding.severity) >= severity_rank(&self.min_severity)
            && (self.teams.is_empty()
                || finding
                    .asset
                    .team
                    .as_ref()
                    .is_some_and(|t| self.teams.contains(t)))
            && (!self.kev_only || finding.kev)
            && self.min_risk.is_none_or(|min| {
                finding.risk.as_ref().is_some_and(|r| {
                    crate::risk::score_tenths(r.score) >= crate::risk::score_tenths(min)
                })
            })
    }
}

/// The notification routes, nested under `/api/v1`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/notifications/rules", get(list_rules).post(create_rule))
        .route(
            "/notifications/rules/{id}",
            axum::routing::delete(delete_rule),
        )
        .route("/notifications/deliveries", get(list_deliveries))
}

/// The OpenAPI description of the notification routes.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(create_rule, list_rules, delete_rule, list_deliveries),
    components(schemas(RuleRequest, Rule, Format))
)]
pub struct NotifyApi;

/// Create a notification rule (admin).
#[utoipa::path(post, path = "/api/v1/notifications/rules", tag = "notifications",
    request_body = RuleRequest,
    responses((status = 201, body = Rule), (status = 400, description = "An invalid rule")),
    security(("bearer" = [])))]
async fn create_rule(
    State(state): State<AppState>,
    principal: Principal,
    Json(req): Json<RuleRequest>,
) -> Result<Response, ApiError> {
    let rule = add_rule(&state, &principal, req).await?;
    Ok((StatusCode::CREATED, Json(rule)).into_response())
}

/// Creates a notification rule (admins only), checked and audited: the
/// API's `POST /api/v1/notifications/rules` and the dashboard's form.
pub async fn add_rule(
    state: &AppState,
    principal: &Principal,
    req: RuleRequest,
) -> Result<Rule, ApiError> {
    principal.require(Permission::Admin)?;
    let name = req.name.trim();
    if name.is_empty() {
        return Err(ApiError::bad_request("a rule needs a name"));
    }
    let url = req.url.trim();
    if !(url.starts_with("https://") || url.starts_with("http://"))
        || url.parse::<ureq::http::Uri>().is_err()
    {
        return Err(ApiError::bad_request(format!(
            "the webhook URL must be an http:// or https:// URL, not {url:?}"
        )));
    }
    let min_risk = req
        .min_risk
        .map(crate::risk::min_tenths)
        .transpose()
        .map_err(ApiError::bad_request)?;
    // With a least risk score, the risk decides unless a severity is given.
    let min_severity = req
        .min_severity
        .as_deref()
        .unwrap_or(if min_risk.is_some() { "LOW" } else { "HIGH" })
        .to_ascii_uppercase();
    if severity_rank(&min_severity) == 0 {
        return Err(ApiError::bad_request(format!(
            "min_severity must be CRITICAL, HIGH, MEDIUM or LOW, not {min_severity:?}"
        )));
    }
    let events: Vec<String> = match &req.events {
        Some(list) if list.is_empty() => {
            return Err(ApiError::bad_request("events must name at least one kind"))
        }
        Some(list) => list
            .iter()
            .map(|e| e.trim().to_string())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect(),
        None => vec!["finding.new".into(), "finding.reopened".into()],
    };
    if let Some(bad) = events.iter().find(|e| !EVENT_KINDS.contains(&e.as_str())) {
        return Err(ApiError::bad_request(format!(
            "unknown event kind {bad:?} (known: {})",
            EVENT_KINDS.join(", ")
        )));
    }
    for team in &req.teams {
        let known = sqlx::query("SELECT id FROM teams WHERE name = $1")
            .bind(team)
            .fetch_optional(&state.db.pool)
            .await?;
        if known.is_none() {
            return Err(ApiError::bad_request(format!("no team {team:?}")));
        }
    }
    let format = req.format.unwrap_or(Format::Json);
    let secret = req.secret.filter(|s| !s.is_empty());
    if secret.is_some() && format != Format::Json {
        return Err(ApiError::bad_request(
            "only json bodies are signed: Slack and Teams webhooks carry their secret in the URL",
        ));
    }
    let id = random_id();
    let created = now();
    sqlx::query(
        "INSERT INTO notification_rules (id, name, url, format, min_severity, teams, kev_only, events, \
         secret, created_by, created_at, min_risk_tenths) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(&id)
    .bind(name)
    .bind(url)
    .bind(format.as_str())
    .bind(&min_severity)
    .bind(json!(req.teams).to_string())
    .bind(i64::from(req.kev_only))
    .bind(json!(events).to_string())
    .bind(secret.as_deref())
    .bind(&principal.actor)
    .bind(created)
    .bind(min_risk)
    .execute(&state.db.pool)
    .await?;
    auth::audit(
        &state.db,
        &principal.actor,
        "notification_rule.create",
        &format!("notification_rule:{id}"),
        json!({ "name": name, "format": format, "min_severity": min_severity,
                "min_risk": min_risk.map(|t| t as f64 / 10.0), "teams": req.teams, "kev_only": req.kev_only, "events": events,
                "signed": secret.is_some() }),
    )
    .await;
    load_rule(&state.db, &id)
        .await?
        .ok_or_else(|| ApiError::internal("the new rule is gone"))
}

async fn load_rule(db: &Db, id: &str) -> Result<Option<Rule>, sqlx::Error> {
    Ok(
        sqlx::query("SELECT * FROM notification_rules WHERE id = $1 AND deleted_at IS NULL")
            .bind(id)
            .fetch_optional(&db.pool)
            .await?
            .as_ref()
            .map(Rule::from_row),
    )
}

/// The rules in force, oldest first.
pub async fn active_rules(db: &Db) -> Result<Vec<Rule>> {
    Ok(sqlx::query(
        "SELECT * FROM notification_rules WHERE deleted_at IS NULL ORDER BY created_at, id",
    )
    .fetch_all(&db.pool)
    .await?
    .iter()
    .map(Rule::from_row)
    .collect())
}

/// List the notification rules (admin).
#[utoipa::path(get, path = "/api/v1/notifications/rules", tag = "notifications",
    responses((status = 200, body = Object)), security(("bearer" = [])))]
async fn list_rules(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<Json<Value>, ApiError> {
    principal.require(Permission::Admin)?;
    let items = active_rules(&state.db).await?;
    Ok(Json(json!({ "items": items })))
}

/// Delete a notification rule (admin); its pending deliveries are dropped
/// (`failed`), its delivery log stays.
#[utoipa::path(delete, path = "/api/v1/notifications/rules/{id}", tag = "notifications",
    params(("id" = String, Path, description = "The rule's ID")),
    responses((status = 204), (status = 404, description = "No such rule")),
    security(("bearer" = [])))]
async fn delete_rule(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    remove_rule(&state, &principal, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Deletes a notification rule (admins only), audited: the API's
/// `DELETE /api/v1/notifications/rules/{id}` and the dashboard's button.
pub async fn remove_rule(
    state: &AppState,
    principal: &Principal,
    id: &str,
) -> Result<(), ApiError> {
    principal.require(Permission::Admin)?;
    let mut tx = state.db.pool.begin().await?;
    let r = sqlx::query(
        "UPDATE notification_rules SET deleted_at = $2 WHERE id = $1 AND deleted_at IS NULL",
    )
    .bind(id)
    .bind(now())
    .execute(&mut *tx)
    .await?;
    if r.rows_affected() == 0 {
        return Err(ApiError::not_found(format!("no notification rule {id}")));
    }
    sqlx::query(
        "UPDATE deliveries SET status = 'failed', last_error = 'the rule was deleted' \
         WHERE rule_id = $1 AND status = 'pending'",
    )
    .bind(id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    auth::audit(
        &state.db,
        &principal.actor,
        "notification_rule.delete",
        &format!("notification_rule:{id}"),
        json!({}),
    )
    .await;
    Ok(())
}

/// Filters of the delivery log.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct DeliveryFilter {
    /// One rule's ID.
    pub rule: Option<String>,
    /// `pending`, `delivered` or `failed`.
    pub status: Option<String>,
    /// How many items (1–1000; default 100).
    pub limit: Option<i64>,
    /// How many to skip (default 0).
    pub offset: Option<i64>,
}

/// The delivery log, newest first, with every attempt (admins and
/// analysts).
#[utoipa::path(get, path = "/api/v1/notifications/deliveries", tag = "notifications",
    params(DeliveryFilter),
    responses((status = 200, description = "A page of deliveries", body = Object)),
    security(("bearer" = [])))]
async fn list_deliveries(
    State(state): State<AppState>,
    principal: Principal,
    Query(filter): Query<DeliveryFilter>,
) -> Result<Json<Value>, ApiError> {
    if !matches!(principal.role, Role::Admin | Role::Analyst) {
        return Err(ApiError::forbidden(format!(
            "the {} role may not read the delivery log",
            principal.role
        )));
    }
    if let Some(s) = &filter.status {
        if !["pending", "delivered", "failed"].contains(&s.as_str()) {
            return Err(ApiError::bad_request(format!(
                "status must be pending, delivered or failed, not {s:?}"
            )));
        }
    }
    let limit = filter.limit.unwrap_or(100).clamp(1, 1000);
    let offset = filter.offset.unwrap_or(0).max(0);
    let mut conditions = vec!["1 = 1".to_string()];
    let mut binds = Vec::new();
    if let Some(r) = &filter.rule {
        binds.push(r.clone());
        conditions.push(format!("d.rule_id = ${}", binds.len()));
    }
    if let Some(s) = &filter.status {
        binds.push(s.clone());
        conditions.push(format!("d.status = ${}", binds.len()));
    }
    let wh = conditions.join(" AND ");
    let count_sql = format!("SELECT COUNT(*) AS n FROM deliveries d WHERE {wh}");
    let mut count = sqlx::query(&count_sql);
    for b in &binds {
        count = count.bind(b);
    }
    let total: i64 = count.fetch_one(&state.db.pool).await?.get("n");
    let sql = format!(
        "SELECT d.*, r.name AS rule_name FROM deliveries d \
         LEFT JOIN notification_rules r ON r.id = d.rule_id WHERE {wh} \
         ORDER BY d.created_at DESC, d.id LIMIT {limit} OFFSET {offset}"
    );
    let mut q = sqlx::query(&sql);
    for b in &binds {
        q = q.bind(b);
    }
    let rows = q.fetch_all(&state.db.pool).await?;
    let mut items = Vec::with_capacity(rows.len());
    for r in &rows {
        let id: String = r.get("id");
        let attempts: Vec<Value> = sqlx::query(
            "SELECT attempt, at, status, error, duration_ms FROM delivery_attempts \
             WHERE delivery_id = $1 ORDER BY attempt",
        )
        .bind(&id)
        .fetch_all(&state.db.pool)
        .await?
        .iter()
        .map(|a| {
            json!({
                "attempt": a.get::<i64, _>("attempt"),
                "at": vigil_model::time::rfc3339(a.get("at")),
                "status": opt_int(a, "status"),
                "error": opt_text(a, "error"),
                "duration_ms": a.get::<i64, _>("duration_ms"),
            })
        })
        .collect();
        let status: String = r.get("status");
        items.push(json!({
            "id": id,
            "rule_id": r.get::<String, _>("rule_id"),
            "rule_name": opt_text(r, "rule_name"),
            "event_id": r.get::<String, _>("event_id"),
            "event": r.get::<String, _>("event_kind"),
            "finding_id": r.get::<String, _>("finding_id"),
            "status": status,
            "attempts": r.get::<i64, _>("attempts"),
            "last_status": opt_int(r, "last_status"),
            "last_error": opt_text(r, "last_error"),
            "created_at": vigil_model::time::rfc3339(r.get("created_at")),
            "delivered_at": opt_int(r, "delivered_at").map(vigil_model::time::rfc3339),
            "next_attempt_at": (status == "pending")
                .then(|| vigil_model::time::rfc3339(r.get::<i64, _>("next_attempt_at_ms") / 1000)),
            "attempt_log": attempts,
        }));
    }
    let next = offset + limit;
    Ok(Json(json!({
        "items": items,
        "total": total,
        "next_offset": (next < total).then_some(next),
    })))
}

/// Registers the dispatcher's cursor, then runs the dispatcher and the
/// sender in the background until the runtime stops.
pub async fn start(state: &AppState) -> Result<()> {
    events::register(&state.db, CONSUMER).await?;
    let every = state.config.notify.poll_interval;
    let s = state.clone();
    tokio::spawn(async move {
        loop {
            match dispatch_once(&s).await {
                Ok(n) if n > 0 => continue,
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %format!("{e:#}"), "notification dispatch failed"),
            }
            tokio::time::sleep(every).await;
        }
    });
    let s = state.clone();
    tokio::spawn(async move {
        let agent = http_agent();
        loop {
            match send_once(&s, &agent).await {
                Ok(n) if n > 0 => continue,
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %format!("{e:#}"), "notification delivery failed"),
            }
            tokio::time::sleep(every).await;
        }
    });
    Ok(())
}

/// Matches the next batch of events against the rules and queues their
/// deliveries; returns how many events were read.
pub async fn dispatch_once(state: &AppState) -> Result<usize> {
    let db = &state.db;
    let Some(mut batch) = events::claim(db, CONSUMER, 200).await? else {
        return Ok(0);
    };
    let n = batch.events.len();
    if n == 0 {
        return Ok(0);
    }
    let rules = active_rules(db).await?;
    let mut queued = Vec::new();
    if !rules.is_empty() {
        for event in &batch.events {
            let Some(finding) = query::finding(db, &event.finding_id, None).await? else {
                tracing::warn!(event = %event.id, finding = %event.finding_id,
                    "an event's finding is gone; not notified");
                continue;
            };
            for rule in rules.iter().filter(|r| r.matches(&event.kind, &finding)) {
                let body = payload(
                    rule.format,
                    event,
                    &finding,
                    state.config.notify.public_url.as_deref(),
                );
                queued.push((rule.id.clone(), event.clone(), body.to_string()));
            }
        }
    }
    let created = now();
    let due = now_ms();
    let tx = batch.tx(db).await?;
    for (rule_id, event, body) in &queued {
        sqlx::query(
            "INSERT INTO deliveries (id, rule_id, event_id, event_kind, finding_id, status, attempts, \
             next_attempt_at_ms, body, created_at) VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6, $7, $8) \
             ON CONFLICT (rule_id, event_id) DO NOTHING",
        )
        .bind(random_id())
        .bind(rule_id)
        .bind(&event.id)
        .bind(&event.kind)
        .bind(&event.finding_id)
        .bind(due)
        .bind(body)
        .bind(created)
        .execute(&mut **tx)
        .await?;
    }
    batch.commit(db, n).await?;
    if !queued.is_empty() {
        tracing::info!(
            events = n,
            deliveries = queued.len(),
            "notifications queued"
        );
    }
    Ok(n)
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// The HTTP client of webhook calls: a 10-second limit per call, no
/// redirects, the public web roots.
pub fn http_agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(TIMEOUT))
        .http_status_as_error(false)
        .max_redirects(0)
        .user_agent(concat!("vigil/", env!("CARGO_PKG_VERSION")))
        .build()
        .into()
}

struct Claimed {
    id: String,
    claim: String,
    attempts: i64,
    body: String,
    event_kind: String,
    url: String,
    secret: Option<String>,
}

/// What became of one attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    Delivered,
    Retry,
    Failed,
}

/// What an answer (or no answer) means for a delivery: 2xx delivered;
/// 4xx other than 408 and 429, and redirects (not followed), failed at
/// once; anything else retried.
fn classify(status: Option<u16>) -> Outcome {
    match status {
        Some(s) if (200..300).contains(&s) => Outcome::Delivered,
        Some(408 | 429) => Outcome::Retry,
        Some(s) if (300..500).contains(&s) => Outcome::Failed,
        _ => Outcome::Retry,
    }
}

/// The delay before retry number `attempts` (1 for the first retry):
/// `base × 4^(attempts−1)`, ±20 % jitter.
fn backoff(base: Duration, attempts: i64) -> Duration {
    let factor = 4f64.powi((attempts - 1).clamp(0, 10) as i32);
    let mut byte = [0u8; 1];
    let jitter = match getrandom::fill(&mut byte) {
        Ok(()) => 0.8 + 0.4 * f64::from(byte[0]) / 255.0,
        Err(_) => 1.0,
    };
    base.mul_f64(factor * jitter)
}

/// Claims the due deliveries (at most 16) and sends them; returns how many
/// were attempted.
pub async fn send_once(state: &AppState, agent: &ureq::Agent) -> Result<usize> {
    let db = &state.db;
    let claimed = claim_deliveries(db).await?;
    if claimed.is_empty() {
        return Ok(0);
    }
    let mut calls = Vec::with_capacity(claimed.len());
    for d in claimed {
        let agent = agent.clone();
        calls.push(tokio::task::spawn_blocking(move || {
            let started = Instant::now();
            let result = post(&agent, &d);
            (d, result, started.elapsed())
        }));
    }
    let mut n = 0;
    for call in calls {
        let (d, result, took) = call.await.context("a webhook call panicked")?;
        record_attempt(state, &d, result, took).await?;
        n += 1;
    }
    Ok(n)
}

async fn claim_deliveries(db: &Db) -> Result<Vec<Claimed>> {
    let token = random_id();
    let now = now_ms();
    let lock = if db.backend == Backend::Postgres {
        " FOR UPDATE SKIP LOCKED"
    } else {
        ""
    };
    let mut tx = db.pool.begin().await?;
    // The outer conditions are checked again on a row another server has
    // just claimed (PostgreSQL re-reads it after the lock): it no longer
    // qualifies.
    sqlx::query(&format!(
        "UPDATE deliveries SET claim = $1, next_attempt_at_ms = $2 \
         WHERE status = 'pending' AND next_attempt_at_ms <= $3 AND id IN \
         (SELECT id FROM deliveries WHERE status = 'pending' AND next_attempt_at_ms <= $3 \
         ORDER BY next_attempt_at_ms LIMIT 16{lock})"
    ))
    .bind(&token)
    .bind(now + LEASE_MS)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let rows = sqlx::query(
        "SELECT d.id, d.attempts, d.body, d.event_kind, r.url, r.secret FROM deliveries d \
         JOIN notification_rules r ON r.id = d.rule_id WHERE d.claim = $1 AND d.status = 'pending'",
    )
    .bind(&token)
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(rows
        .iter()
        .map(|r| Claimed {
            id: r.get("id"),
            claim: token.clone(),
            attempts: r.get("attempts"),
            body: r.get("body"),
            event_kind: r.get("event_kind"),
            url: r.get("url"),
            secret: opt_text(r, "secret"),
        })
        .collect())
}

/// `sha256=<hex>` of the body under the key.
pub fn signature(secret: &str, body: &[u8]) -> String {
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(m) => m,
        // HMAC takes keys of any length; this branch is never taken.
        Err(_) => return String::new(),
    };
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

fn post(agent: &ureq::Agent, d: &Claimed) -> Result<u16, String> {
    let delivery_id = d.id.as_str();
    let mut request = agent
        .post(&d.url)
        .header("Content-Type", "application/json")
        .header("X-Vigil-Event", &d.event_kind)
        .header("X-Vigil-Delivery", delivery_id);
    if let Some(secret) = &d.secret {
        request = request.header("X-Vigil-Signature", signature(secret, d.body.as_bytes()));
    }
    match request.send(d.body.as_bytes()) {
        Ok(mut response) => {
            // Read (a little of) the answer so the connection can be reused.
            let _ = response
                .body_mut()
                .with_config()
                .limit(64 * 1024)
                .read_to_vec();
            Ok(response.status().as_u16())
        }
        Err(e) => Err(e.to_string()),
    }
}

async fn record_attempt(
    state: &AppState,
    d: &Claimed,
    result: Result<u16, String>,
    took: Duration,
) -> Result<()> {
    let settings = &state.config.notify;
    let (id, token) = (d.id.as_str(), d.claim.as_str());
    let attempt = d.attempts + 1;
    let (status, error) = match &result {
        Ok(s) => (Some(i64::from(*s)), None),
        Err(e) => (None, Some(e.clone())),
    };
    let mut outcome = classify(result.as_ref().ok().copied());
    if outcome == Outcome::Retry && attempt >= settings.max_attempts {
        outcome = Outcome::Failed;
    }
    let error = error.or_else(|| match outcome {
        Outcome::Delivered => None,
        _ => status.map(|s| format!("HTTP {s}")),
    });
    let now_s = now();
    let mut tx = state.db.pool.begin().await?;
    sqlx::query(
        "INSERT INTO delivery_attempts (delivery_id, attempt, at, status, error, duration_ms) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (delivery_id, attempt) DO NOTHING",
    )
    .bind(id)
    .bind(attempt)
    .bind(now_s)
    .bind(status)
    .bind(error.as_deref())
    .bind(took.as_millis() as i64)
    .execute(&mut *tx)
    .await?;
    let (new_status, next, delivered_at) = match outcome {
        Outcome::Delivered => ("delivered", now_ms(), Some(now_s)),
        Outcome::Failed => ("failed", now_ms(), None),
        Outcome::Retry => (
            "pending",
            now_ms() + backoff(settings.backoff_base, attempt).as_millis() as i64,
            None,
        ),
    };
    sqlx::query(
        "UPDATE deliveries SET status = $3, attempts = $4, next_attempt_at_ms = $5, last_status = $6, \
         last_error = $7, delivered_at = $8 WHERE id = $1 AND claim = $2 AND status = 'pending'",
    )
    .bind(id)
    .bind(token)
    .bind(new_status)
    .bind(attempt)
    .bind(next)
    .bind(status)
    .bind(error.as_deref())
    .bind(delivered_at)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    let m = &state.metrics;
    m.notification_attempts.inc();
    match outcome {
        Outcome::Delivered => m.notifications_delivered.inc(),
        Outcome::Failed => m.notifications_failed.inc(),
        Outcome::Retry => {}
    }
    match outcome {
        Outcome::Delivered => tracing::debug!(delivery = id, attempt, "notification delivered"),
        Outcome::Retry => tracing::info!(delivery = id, attempt, error = ?error,
            "notification not delivered; will retry"),
        Outcome::Failed => tracing::warn!(delivery = id, attempt, error = ?error,
            "notification failed"),
    }
    Ok(())
}

/// The body of a delivery in a format.
pub fn payload(
    format: Format,
    event: &Event,
    finding: &FindingOut,
    server_url: Option<&str>,
) -> Value {
    match format {
        Format::Json => json_payload(event, finding, server_url),
        Format::Slack => slack_payload(event, finding, server_url),
        Format::Teams => teams_payload(event, finding, server_url),
    }
}

fn json_payload(event: &Event, finding: &FindingOut, server_url: Option<&str>) -> Value {
    let mut v = json!({
        "event": {
            "id": event.id,
            "kind": event.kind,
            "at": vigil_model::time::rfc3339(event.created_at),
        },
        "finding": finding,
    });
    if let Some(u) = server_url {
        v["server_url"] = json!(u.trim_end_matches('/'));
    }
    v
}

/// What a notification says, whatever its format.
struct Summary {
    headline: String,
    title: String,
    facts: Vec<(&'static str, String)>,
    link: Option<String>,
}

fn summary(event: &Event, finding: &FindingOut, server_url: Option<&str>) -> Summary {
    let verb = match event.kind.as_str() {
        "finding.new" => "New",
        "finding.reopened" => "Reopened",
        "finding.fixed" => "Fixed",
        _ => "Changed",
    };
    let ids = {
        let aliases: Vec<&str> = finding.finding["aliases"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if aliases.is_empty() {
            finding.rule_id.clone()
        } else {
            format!("{} ({})", finding.rule_id, aliases.join(", "))
        }
    };
    // The risk score and its reasons next to the severity.
    let severity = match &finding.risk {
        Some(r) => format!("{} · {}", finding.severity, r.line()),
        None => finding.severity.clone(),
    };
    let mut facts = vec![("Severity", severity), ("ID", ids)];
    if let Some(p) = &finding.package {
        facts.push((
            "Package",
            format!("{}@{} ({})", p.name, p.version, p.ecosystem),
        ));
    }
    let asset = match &finding.asset.team {
        Some(t) => format!("{} {} (team {t})", finding.asset.kind, finding.asset.name),
        None => format!("{} {}", finding.asset.kind, finding.asset.name),
    };
    facts.push(("Asset", asset));
    let fixed: Vec<&str> = finding.finding["fixed_versions"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if finding.kind == "vulnerability" {
        let fix = if !fixed.is_empty() {
            format!("upgrade to {}", fixed.join(" or "))
        } else if finding.fix_available {
            "available".to_string()
        } else {
            "none known".to_string()
        };
        facts.push(("Fix", fix));
    }
    if finding.kev {
        facts.push(("Known exploited", "yes (CISA KEV)".to_string()));
    }
    if let Some(path) = &finding.path {
        facts.push(("Path", path.clone()));
    }
    Summary {
        headline: format!(
            "{verb} {} {}: {}",
            finding.severity, finding.kind, finding.rule_id
        ),
        title: finding.title.clone(),
        facts,
        link: server_url
            .map(|u| format!("{}/api/v1/findings/{}", u.trim_end_matches('/'), finding.id)),
    }
}

/// Text for Slack's mrkdwn: `&`, `<` and `>` are its control characters.
fn mrkdwn_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn slack_payload(event: &Event, finding: &FindingOut, server_url: Option<&str>) -> Value {
    let s = summary(event, finding, server_url);
    let fields: Vec<Value> = s
        .facts
        .iter()
        .map(|(k, v)| json!({ "type": "mrkdwn", "text": format!("*{k}*\n{}", mrkdwn_escape(v)) }))
        .collect();
    // A section holds at most 10 fields.
    let fields = &fields[..fields.len().min(10)];
    let mut blocks = vec![
        json!({ "type": "header", "text": { "type": "plain_text", "text": truncate(&s.headline, 150) } }),
        json!({ "type": "section",
                "text": { "type": "mrkdwn", "text": format!("*{}*", mrkdwn_escape(&s.title)) },
                "fields": fields }),
    ];
    let context = match &s.link {
        Some(l) => format!("vigil · <{l}|finding {}>", finding.id),
        None => format!("vigil · finding {}", finding.id),
    };
    blocks.push(json!({ "type": "context", "elements": [{ "type": "mrkdwn", "text": context }] }));
    json!({
        "text": mrkdwn_escape(&format!("{}: {}", s.headline, s.title)),
        "blocks": blocks,
    })
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max - 1).collect();
        t.push('…');
        t
    }
}

fn teams_payload(event: &Event, finding: &FindingOut, server_url: Option<&str>) -> Value {
    let s = summary(event, finding, server_url);
    let color = match (event.kind.as_str(), finding.severity.as_str()) {
        ("finding.fixed", _) => "Good",
        (_, "CRITICAL" | "HIGH") => "Attention",
        _ => "Warning",
    };
    let mut card = json!({
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": [
            { "type": "TextBlock", "text": s.headline, "weight": "Bolder", "size": "Medium",
              "color": color, "wrap": true },
            { "type": "TextBlock", "text": s.title, "wrap": true },
            { "type": "FactSet",
              "facts": s.facts.iter().map(|(k, v)| json!({ "title": k, "value": v })).collect::<Vec<_>>() },
        ],
    });
    if let Some(l) = &s.link {
        card["actions"] = json!([{ "type": "Action.OpenUrl", "title": "Open in vigil", "url": l }]);
    }
    json!({
        "type": "message",
        "attachments": [{
            "contentType": "application/vnd.microsoft.card.adaptive",
            "contentUrl": null,
            "content": card,
        }],
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::query::{AssetRef, PackageOut};

    fn finding(severity: &str, team: Option<&str>, kev: bool) -> FindingOut {
        FindingOut {
            id: "f1".into(),
            asset: AssetRef {
                id: "a1".into(),
                kind: "repository".into(),
                name: "git.example/shop".into(),
                team: team.map(str::to_string),
            },
            fingerprint: "fp".into(),
            kind: "vulnerability".into(),
            rule_id: "GHSA-xxxx".into(),
            title: "A <bad> & dangerous bug".into(),
            severity: severity.into(),
            kev,
            fix_available: true,
            package: Some(PackageOut {
                ecosystem: "PyPI".into(),
                name: "Jinja2".into(),
                version: "2.4.1".into(),
            }),
            path: None,
            exposure: None,
            risk: None,
            state: "new".into(),
            triage: None,
            origin: "scan".into(),
            first_seen: "2026-01-01T00:00:00Z".into(),
            last_seen: "2026-01-01T00:00:00Z".into(),
            fixed_at: None,
            reopened_at: None,
            finding: json!({ "aliases": ["CVE-2019-10906"], "fixed_versions": ["2.10.1"] }),
        }
    }

    fn rule(min: &str, teams: &[&str], kev_only: bool, events: &[&str]) -> Rule {
        Rule {
            id: "r".into(),
            name: "r".into(),
            url: "http://127.0.0.1:1/".into(),
            format: Format::Json,
            min_severity: min.into(),
            min_risk: None,
            teams: teams.iter().map(|s| s.to_string()).collect(),
            kev_only,
            events: events.iter().map(|s| s.to_string()).collect(),
            signed: false,
            created_by: "t".into(),
            created_at: String::new(),
        }
    }

    fn event(kind: &str) -> Event {
        Event {
            id: "e1".into(),
            seq: 1,
            created_at: 0,
            kind: kind.into(),
            finding_id: "f1".into(),
            asset_id: "a1".into(),
        }
    }

    #[test]
    fn rules_filter_by_severity_team_kev_and_kind() {
        let new = ["finding.new"];
        assert!(
            rule("HIGH", &[], false, &new).matches("finding.new", &finding("HIGH", None, false))
        );
        assert!(rule("HIGH", &[], false, &new)
            .matches("finding.new", &finding("CRITICAL", None, false)));
        assert!(
            !rule("HIGH", &[], false, &new).matches("finding.new", &finding("MEDIUM", None, false))
        );
        assert!(
            !rule("LOW", &[], false, &new).matches("finding.new", &finding("UNKNOWN", None, false))
        );
        assert!(
            !rule("LOW", &[], false, &new).matches("finding.fixed", &finding("HIGH", None, false))
        );
        let team = rule("LOW", &["payments"], false, &new);
        assert!(team.matches("finding.new", &finding("LOW", Some("payments"), false)));
        assert!(!team.matches("finding.new", &finding("LOW", Some("web"), false)));
        assert!(!team.matches("finding.new", &finding("LOW", None, false)));
        let kev = rule("LOW", &[], true, &new);
        assert!(kev.matches("finding.new", &finding("LOW", None, true)));
        assert!(!kev.matches("finding.new", &finding("CRITICAL", None, false)));
    }

    #[test]
    fn rules_with_a_least_risk_pass_only_findings_scored_at_or_above() {
        let with_risk = |score: f64| {
            let mut f = finding("HIGH", None, false);
            f.risk = Some(crate::risk::RiskOut {
                score,
                reasons: vec!["not in KEV".into()],
            });
            f
        };
        let mut r = rule("LOW", &[], false, &["finding.new"]);
        r.min_risk = Some(7.0);
        assert!(r.matches("finding.new", &with_risk(7.0)));
        assert!(r.matches("finding.new", &with_risk(9.8)));
        assert!(!r.matches("finding.new", &with_risk(6.9)));
        // No score: left out.
        assert!(!r.matches("finding.new", &finding("CRITICAL", None, false)));
    }

    #[test]
    fn slack_and_teams_show_the_risk_next_to_the_severity() {
        let mut f = finding("HIGH", None, false);
        f.risk = Some(crate::risk::RiskOut {
            score: 7.5,
            reasons: vec!["listens on loopback only".into(), "not in KEV".into()],
        });
        let s = slack_payload(&event("finding.new"), &f, None);
        assert_eq!(
            s["blocks"][1]["fields"][0]["text"],
            "*Severity*\nHIGH · risk 7.5 — listens on loopback only; not in KEV"
        );
        let t = teams_payload(&event("finding.new"), &f, None);
        assert_eq!(
            t["attachments"][0]["content"]["body"][2]["facts"][0]["value"],
            "HIGH · risk 7.5 — listens on loopback only; not in KEV"
        );
        let j = json_payload(&event("finding.new"), &f, None);
        assert_eq!(j["finding"]["risk"]["score"], 7.5);
        assert_eq!(
            j["finding"]["risk"]["reasons"][0],
            "listens on loopback only"
        );
    }

    #[test]
    fn answers_decide_between_delivered_retry_and_failed() {
        assert_eq!(classify(Some(200)), Outcome::Delivered);
        assert_eq!(classify(Some(204)), Outcome::Delivered);
        assert_eq!(classify(Some(400)), Outcome::Failed);
        assert_eq!(classify(Some(404)), Outcome::Failed);
        assert_eq!(classify(Some(301)), Outcome::Failed);
        assert_eq!(classify(Some(408)), Outcome::Retry);
        assert_eq!(classify(Some(429)), Outcome::Retry);
        assert_eq!(classify(Some(500)), Outcome::Retry);
        assert_eq!(classify(Some(503)), Outcome::Retry);
        assert_eq!(classify(None), Outcome::Retry);
    }

    #[test]
    fn backoff_grows_fourfold_with_jitter() {
        let base = Duration::from_secs(30);
        for (attempts, nominal) in [(1, 30.0), (2, 120.0), (3, 480.0), (5, 7680.0)] {
            let d = backoff(base, attempts).as_secs_f64();
            assert!(
                d >= nominal * 0.8 - 0.001 && d <= nominal * 1.2 + 0.001,
                "retry {attempts}: {d} s"
            );
        }
    }

    #[test]
    fn signatures_are_hmac_sha256() {
        // RFC 4231, test case 2.
        assert_eq!(
            signature("Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn slack_text_is_escaped_and_teams_cards_carry_facts() {
        let f = finding("HIGH", Some("payments"), true);
        let s = slack_payload(&event("finding.new"), &f, Some("https://vigil.example/"));
        let section = &s["blocks"][1];
        assert_eq!(
            section["text"]["text"],
            "*A &lt;bad&gt; &amp; dangerous bug*"
        );
        assert!(s["text"]
            .as_str()
            .unwrap()
            .starts_with("New HIGH vulnerability: GHSA-xxxx"));
        assert!(s["blocks"][2]["elements"][0]["text"]
            .as_str()
            .unwrap()
            .contains("<https://vigil.example/api/v1/findings/f1|finding f1>"));
        let t = teams_payload(&event("finding.fixed"), &f, None);
        let card = &t["attachments"][0]["content"];
        assert_eq!(card["type"], "AdaptiveCard");
        assert_eq!(card["body"][0]["color"], "Good");
        let facts = card["body"][2]["facts"].as_array().unwrap();
        assert!(facts
            .iter()
            .any(|f| f["title"] == "Fix" && f["value"] == "upgrade to 2.10.1"));
        assert!(facts.iter().any(|f| f["title"] == "Known exploited"));
        assert!(card.get("actions").is_none());
    }
}
