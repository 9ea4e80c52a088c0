-- The server's schema, written once for SQLite and PostgreSQL: text and
-- 64-bit integer columns only (times are Unix seconds, flags 0/1, documents
-- JSON text), identifiers chosen by the server, so that the same statements
-- run on both.

CREATE TABLE teams (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    team_id TEXT REFERENCES teams (id),
    created_at BIGINT NOT NULL,
    disabled BIGINT NOT NULL DEFAULT 0
);

-- API tokens: only their SHA-256 is kept. A token acts with its own role
-- and team (an `agent` token for a fleet, a `ci` token for a pipeline).
CREATE TABLE tokens (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL,
    team_id TEXT REFERENCES teams (id),
    user_id TEXT REFERENCES users (id),
    created_by TEXT,
    created_at BIGINT NOT NULL,
    expires_at BIGINT,
    last_used_at BIGINT,
    revoked_at BIGINT
);

-- Every accepted upload, by its idempotency key: a retried upload is
-- recognised and not stored twice.
CREATE TABLE uploads (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    asset_id TEXT NOT NULL,
    token_id TEXT,
    received_at BIGINT NOT NULL,
    bytes BIGINT NOT NULL,
    summary TEXT NOT NULL
);
CREATE INDEX uploads_asset ON uploads (asset_id, received_at);

-- Repositories, images, hosts, containers, SBOM-described products.
CREATE TABLE assets (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    team_id TEXT REFERENCES teams (id),
    first_seen BIGINT NOT NULL,
    last_seen BIGINT NOT NULL,
    last_upload_id TEXT,
    exposure TEXT,
    metadata TEXT NOT NULL DEFAULT '{}'
);
CREATE UNIQUE INDEX assets_identity ON assets (kind, name);

-- "this image runs in this container on this host"
CREATE TABLE asset_relations (
    from_id TEXT NOT NULL,
    to_id TEXT NOT NULL,
    relation TEXT NOT NULL,
    last_seen BIGINT NOT NULL,
    PRIMARY KEY (from_id, to_id, relation)
);

-- The current inventory of each asset: what re-matching reads. `name` is
-- normalized by the ecosystem's rules (the advisory index's key).
CREATE TABLE components (
    asset_id TEXT NOT NULL,
    ecosystem TEXT NOT NULL,
    name TEXT NOT NULL,
    version TEXT NOT NULL,
    path TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (asset_id, ecosystem, name, version, path)
);
CREATE INDEX components_package ON components (ecosystem, name);

-- Findings, one per asset and fingerprint, with their lifecycle.
CREATE TABLE findings (
    id TEXT PRIMARY KEY,
    asset_id TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    kind TEXT NOT NULL,
    rule_id TEXT NOT NULL,
    title TEXT NOT NULL,
    severity TEXT NOT NULL,
    severity_rank BIGINT NOT NULL,
    kev BIGINT NOT NULL,
    fix_available BIGINT NOT NULL,
    package_ecosystem TEXT,
    package_name TEXT,
    package_version TEXT,
    path TEXT,
    exposure TEXT,
    origin TEXT NOT NULL,
    state TEXT NOT NULL,
    triage TEXT,
    triage_reason TEXT,
    triage_expires BIGINT,
    triage_by TEXT,
    first_seen BIGINT NOT NULL,
    last_seen BIGINT NOT NULL,
    fixed_at BIGINT,
    reopened_at BIGINT,
    data TEXT NOT NULL
);
CREATE UNIQUE INDEX findings_identity ON findings (asset_id, fingerprint);
CREATE INDEX findings_state ON findings (state, severity_rank);

-- Every ID of a vulnerability finding (its own and its aliases): "where is
-- CVE-X?" by any name.
CREATE TABLE finding_ids (
    vuln_id TEXT NOT NULL,
    finding_id TEXT NOT NULL,
    PRIMARY KEY (vuln_id, finding_id)
);
CREATE INDEX finding_ids_finding ON finding_ids (finding_id);

-- The latest agent snapshot of each host (deltas apply to it).
CREATE TABLE host_snapshots (
    asset_id TEXT PRIMARY KEY,
    upload_id TEXT NOT NULL,
    taken_at TEXT NOT NULL,
    snapshot TEXT NOT NULL
);

-- The content hash of every advisory the server has matched: an update
-- re-matches only what is new or changed.
CREATE TABLE advisory_state (
    id TEXT PRIMARY KEY,
    hash TEXT NOT NULL
);

-- Who changed what, when.
CREATE TABLE audit_log (
    id TEXT PRIMARY KEY,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);
