//! Who is calling, and what they may do: users with argon2 passwords, API
//! tokens stored as their SHA-256, roles and teams.

use std::fmt;

use anyhow::{anyhow, Result};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::api::ApiError;
use crate::db::{self, now, random_id, Db};
use crate::AppState;

/// A role: what a user or token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Everything, including users, teams, tokens and advisory updates.
    Admin,
    /// Reads everything; triages findings (accept a risk, mark a false
    /// positive, reopen).
    Analyst,
    /// Reads its own team's assets and findings; uploads scans for its team.
    Developer,
    /// Reads everything; changes nothing.
    Viewer,
    /// Uploads scans, SBOMs and VEX documents; reads nothing.
    Ci,
    /// Uploads agent snapshots; reads nothing.
    Agent,
}

impl Role {
    /// Its name, as the API writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Analyst => "analyst",
            Role::Developer => "developer",
            Role::Viewer => "viewer",
            Role::Ci => "ci",
            Role::Agent => "agent",
        }
    }

    /// Parses a role name.
    pub fn parse(s: &str) -> Option<Role> {
        Some(match s {
            "admin" => Role::Admin,
            "analyst" => Role::Analyst,
            "developer" => Role::Developer,
            "viewer" => Role::Viewer,
            "ci" => Role::Ci,
            "agent" => Role::Agent,
            _ => return None,
        })
    }

    /// Every role.
    pub const ALL: [Role; 6] = [
        Role::Admin,
        Role::Analyst,
        Role::Developer,
        Role::Viewer,
        Role::Ci,
        Role::Agent,
    ];
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An action that needs a permission.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Read assets, findings and vulnerabilities (a developer: its team's).
    Read,
    /// Upload scan reports, SBOMs and VEX documents.
    UploadScan,
    /// Upload agent snapshots.
    UploadSnapshot,
    /// Accept a risk, mark a false positive, reopen.
    Triage,
    /// Users, teams, tokens, asset ownership, advisory updates, the audit
    /// log.
    Admin,
}

/// Whether `role` has `permission`: the one table every endpoint's check
/// goes through (docs/server.md lists it).
pub fn allows(role: Role, permission: Permission) -> bool {
    use Permission as P;
    match role {
        Role::Admin => true,
        Role::Analyst => matches!(permission, P::Read | P::Triage),
        Role::Developer => matches!(permission, P::Read | P::UploadScan),
        Role::Viewer => matches!(permission, P::Read),
        Role::Ci => matches!(permission, P::UploadScan),
        Role::Agent => matches!(permission, P::UploadSnapshot),
    }
}

/// The caller of a request, from its `Authorization: Bearer` token.
#[derive(Debug, Clone)]
pub struct Principal {
    /// The token's ID (never the token).
    pub token_id: String,
    /// Who, for the audit log: the user name, or `token:<name>`.
    pub actor: String,
    /// Its role.
    pub role: Role,
    /// Its team, if any: a developer sees only this team's assets; assets
    /// first uploaded by it belong to it.
    pub team_id: Option<String>,
}

impl Principal {
    /// Fails with 403 unless the role has the permission.
    pub fn require(&self, permission: Permission) -> Result<(), ApiError> {
        if allows(self.role, permission) {
            Ok(())
        } else {
            Err(ApiError::forbidden(format!(
                "the {} role may not do this",
                self.role
            )))
        }
    }

    /// The team whose assets alone this caller may read; `None` for all.
    pub fn team_scope(&self) -> Option<&str> {
        if self.role == Role::Developer {
            // A developer without a team sees nothing rather than everything.
            Some(self.team_id.as_deref().unwrap_or(""))
        } else {
            None
        }
    }
}

/// The SHA-256 (hex) under which a token is stored.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A new token: `vgl_` and 40 hex digits of randomness.
pub fn new_token() -> String {
    format!("vgl_{}{}", random_id(), &random_id()[..8])
}

/// Hashes a password with argon2id (its default parameters).
pub fn hash_password(password: &str) -> Result<String> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| anyhow!("random generator: {e}"))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| anyhow!("salt: {e}"))?;
    let hash = argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| anyhow!("hashing the password: {e}"))?;
    Ok(hash.to_string())
}

/// Whether `password` matches the stored hash.
pub fn verify_password(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|h| {
        argon2::Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// Stores a new token and returns it (the only time it is seen).
#[allow(clippy::too_many_arguments)]
pub async fn create_token(
    db: &Db,
    name: &str,
    role: Role,
    team_id: Option<&str>,
    user_id: Option<&str>,
    created_by: &str,
    expires_at: Option<i64>,
) -> Result<(String, String)> {
    let token = new_token();
    let id = random_id();
    sqlx::query(
        "INSERT INTO tokens (id, name, token_hash, role, team_id, user_id, created_by, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&id)
    .bind(name)
    .bind(token_hash(&token))
    .bind(role.as_str())
    .bind(team_id)
    .bind(user_id)
    .bind(created_by)
    .bind(now())
    .bind(expires_at)
    .execute(&db.pool)
    .await?;
    Ok((id, token))
}

/// Looks a token up: its principal, unless unknown, revoked or expired.
pub async fn principal_for(db: &Db, token: &str) -> Result<Option<Principal>> {
    let row = sqlx::query(
        "SELECT t.id, t.name, t.role, t.team_id, t.expires_at, t.revoked_at, t.last_used_at, \
         u.username, u.disabled FROM tokens t LEFT JOIN users u ON u.id = t.user_id \
         WHERE t.token_hash = $1",
    )
    .bind(token_hash(token))
    .fetch_optional(&db.pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let now = now();
    if db::opt_int(&row, "revoked_at").is_some()
        || db::opt_int(&row, "expires_at").is_some_and(|e| e <= now)
        || db::opt_int(&row, "disabled").is_some_and(|d| d != 0)
    {
        return Ok(None);
    }
    let Some(role) = Role::parse(&row.get::<String, _>("role")) else {
        return Ok(None);
    };
    let id: String = row.get("id");
    // Written at most once a minute per token: reads stay reads.
    if db::opt_int(&row, "last_used_at").is_none_or(|t| now - t > 60) {
        sqlx::query("UPDATE tokens SET last_used_at = $1 WHERE id = $2")
            .bind(now)
            .bind(&id)
            .execute(&db.pool)
            .await?;
    }
    let actor = match db::opt_text(&row, "username") {
        Some(user) => user,
        None => format!("token:{}", row.get::<String, _>("name")),
    };
    Ok(Some(Principal {
        token_id: id,
        actor,
        role,
        team_id: db::opt_text(&row, "team_id"),
    }))
}

impl FromRequestParts<AppState> for Principal {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| ApiError::unauthorized("missing Authorization: Bearer <token>"))?;
        let token = header
            .strip_prefix("Bearer ")
            .or_else(|| header.strip_prefix("bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                ApiError::unauthorized("the Authorization header is not a Bearer token")
            })?;
        match principal_for(&state.db, token).await {
            Ok(Some(p)) => Ok(p),
            Ok(None) => {
                state.metrics.auth_failures.inc();
                Err(ApiError::unauthorized("unknown, revoked or expired token"))
            }
            Err(e) => Err(ApiError::internal(e)),
        }
    }
}

/// How long a session lasts: a login's token expires after this many
/// seconds.
pub const SESSION_SECONDS: i64 = 12 * 3600;

/// How long failed logins are remembered.
pub const LOGIN_WINDOW: std::time::Duration = std::time::Duration::from_secs(15 * 60);
/// Failed logins from one client for one user name within
/// [`LOGIN_WINDOW`] before further attempts are refused.
pub const LOGIN_FAILURES_PER_USER: u32 = 10;
/// Failed logins from one client, whatever the user name (or token),
/// within [`LOGIN_WINDOW`] before further attempts are refused.
pub const LOGIN_FAILURES_PER_CLIENT: u32 = 50;

/// Failed logins per client address and per client and user name (the
/// API's `POST /login` and the dashboard's login form): once a client has
/// failed too often within the window, its attempts are refused — right
/// password or not — until the window since its first failure has passed.
/// Keyed by client and name together, so that nobody can lock a user out
/// from elsewhere by failing on purpose.
#[derive(Debug, Default)]
pub struct LoginThrottle {
    failures: std::sync::Mutex<std::collections::HashMap<String, (u32, std::time::Instant)>>,
}

impl LoginThrottle {
    fn keys(client: Option<std::net::IpAddr>, username: Option<&str>) -> Vec<(String, u32)> {
        let client = client.map_or_else(|| "unknown".to_string(), |c| c.to_string());
        let mut keys = vec![(format!("client {client}"), LOGIN_FAILURES_PER_CLIENT)];
        if let Some(u) = username {
            keys.push((
                format!("user {client} {}", u.to_lowercase()),
                LOGIN_FAILURES_PER_USER,
            ));
        }
        keys
    }

    /// The seconds to wait before trying again, when this client (for this
    /// user name) has failed too often; `None`: go ahead.
    pub fn wait(&self, client: Option<std::net::IpAddr>, username: Option<&str>) -> Option<u64> {
        let mut failures = self.failures.lock().ok()?;
        let now = std::time::Instant::now();
        failures.retain(|_, (_, first)| now.duration_since(*first) < LOGIN_WINDOW);
        Self::keys(client, username)
            .iter()
            .filter_map(|(key, max)| {
                let (n, first) = failures.get(key)?;
                (*n >= *max).then(|| (LOGIN_WINDOW - now.duration_since(*first)).as_secs().max(1))
            })
            .max()
    }

    /// Counts a failed attempt.
    pub fn failed(&self, client: Option<std::net::IpAddr>, username: Option<&str>) {
        let Ok(mut failures) = self.failures.lock() else {
            return;
        };
        let now = std::time::Instant::now();
        if failures.len() > 100_000 {
            failures.retain(|_, (_, first)| now.duration_since(*first) < LOGIN_WINDOW);
        }
        for (key, _) in Self::keys(client, username) {
            failures.entry(key).or_insert((0, now)).0 += 1;
        }
    }

    /// A successful login forgets the failures for this user name from
    /// this client.
    pub fn succeeded(&self, client: Option<std::net::IpAddr>, username: &str) {
        if let Ok(mut failures) = self.failures.lock() {
            for (key, _) in Self::keys(client, Some(username)).into_iter().skip(1) {
                failures.remove(&key);
            }
        }
    }
}

/// Opens a session for the holder of an API token (the dashboard's token
/// login): a new token with the same role, team and user that expires in
/// 12 hours, or with the token, whichever is sooner — the API token itself
/// never goes into a cookie, so that logging out revokes only the session.
/// `None` when the token is unknown, revoked or expired.
pub async fn session_for_token(db: &Db, token: &str) -> Result<Option<(String, Principal)>> {
    let Some(principal) = principal_for(db, token).await? else {
        return Ok(None);
    };
    let row = sqlx::query("SELECT name, user_id, expires_at FROM tokens WHERE id = $1")
        .bind(&principal.token_id)
        .fetch_one(&db.pool)
        .await?;
    let name: String = row.get("name");
    let expires = now() + SESSION_SECONDS;
    let expires = db::opt_int(&row, "expires_at").map_or(expires, |e| e.min(expires));
    let user_id = db::opt_text(&row, "user_id");
    let (_, session) = create_token(
        db,
        &format!("session ({name})"),
        principal.role,
        principal.team_id.as_deref(),
        user_id.as_deref(),
        &principal.actor,
        Some(expires),
    )
    .await?;
    audit(
        db,
        &principal.actor,
        "user.login",
        &format!("token:{}", principal.token_id),
        serde_json::json!({ "with": "token" }),
    )
    .await;
    Ok(Some((session, principal)))
}

/// Revokes a token by ID (a session at logout).
pub async fn revoke(db: &Db, token_id: &str) -> Result<()> {
    sqlx::query("UPDATE tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
        .bind(now())
        .bind(token_id)
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// Records a change in the audit log.
pub async fn audit(db: &Db, actor: &str, action: &str, target: &str, detail: serde_json::Value) {
    let result = sqlx::query(
        "INSERT INTO audit_log (id, at, actor, action, target, detail) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(random_id())
    .bind(now())
    .bind(actor)
    .bind(action)
    .bind(target)
    .bind(detail.to_string())
    .execute(&db.pool)
    .await;
    if let Err(e) = result {
        tracing::error!(error = %e, action, target, "could not write the audit log");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_logins_are_throttled_per_client_and_name() {
        let t = LoginThrottle::default();
        let a: std::net::IpAddr = "192.0.2.1".parse().unwrap();
        let b: std::net::IpAddr = "192.0.2.2".parse().unwrap();
        for _ in 0..LOGIN_FAILURES_PER_USER {
            assert_eq!(t.wait(Some(a), Some("Alice")), None);
            t.failed(Some(a), Some("alice"));
        }
        let wait = t.wait(Some(a), Some("ALICE")).expect("refused");
        assert!(wait > 0 && wait <= LOGIN_WINDOW.as_secs());
        // Another client, or another name from this client, goes on.
        assert_eq!(t.wait(Some(b), Some("alice")), None);
        assert_eq!(t.wait(Some(a), Some("bob")), None);
        // Many names from one client: the client itself is refused.
        for i in 0..LOGIN_FAILURES_PER_CLIENT {
            t.failed(Some(b), Some(&format!("user{i}")));
        }
        assert!(t.wait(Some(b), Some("carol")).is_some());
        assert!(t.wait(Some(b), None).is_some());
        // A success forgets this name's failures (not the client's).
        t.succeeded(Some(a), "alice");
        assert_eq!(t.wait(Some(a), Some("alice")), None);
    }

    #[test]
    fn passwords_hash_and_verify() {
        let h = hash_password("correct horse").expect("hash");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &h));
        assert!(!verify_password("wrong horse", &h));
        assert!(!verify_password("correct horse", "not a hash"));
    }

    #[test]
    fn tokens_are_random_and_stored_hashed() {
        let a = new_token();
        assert!(a.starts_with("vgl_") && a.len() == 44);
        assert_ne!(a, new_token());
        assert_eq!(token_hash(&a).len(), 64);
        assert_ne!(token_hash(&a), a);
    }

    #[test]
    fn only_admins_administer_and_only_uploaders_upload() {
        for role in Role::ALL {
            assert_eq!(allows(role, Permission::Admin), role == Role::Admin);
            assert_eq!(
                allows(role, Permission::UploadSnapshot),
                matches!(role, Role::Admin | Role::Agent)
            );
            assert_eq!(
                allows(role, Permission::Triage),
                matches!(role, Role::Admin | Role::Analyst)
            );
            assert_eq!(
                allows(role, Permission::Read),
                !matches!(role, Role::Ci | Role::Agent)
            );
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
    }
}
