-- The context-aware risk score of each vulnerability finding
-- (docs/risk.md), in tenths (7.5 → 75) so that it stays an integer column
-- on both databases; NULL when the finding has no score (no CVSS vector, or
-- not a vulnerability). Filled from the finding's `risk.score` on every
-- insert and update; rows stored before this migration are filled by the
-- server right after it (from their stored JSON).
ALTER TABLE findings ADD COLUMN risk_tenths BIGINT;
-- "Open findings, highest risk first", `min_risk`, and the risk bands of
-- the statistics.
CREATE INDEX findings_risk ON findings (state, risk_tenths);

-- The known-exploited IDs the findings' `kev` flags last followed: after an
-- advisory update, only the findings of the IDs whose KEV status changed
-- are refreshed (their flag and risk score).
CREATE TABLE kev_state (
    id TEXT PRIMARY KEY
);

-- The EPSS scores the findings' `epss` figures last followed (the score
-- date of the advisory store's import): a new import refreshes the figures
-- and risk scores of the open vulnerability findings once.
CREATE TABLE risk_inputs (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- A notification rule's least risk score, in tenths; NULL: any (the
-- severity filter alone).
ALTER TABLE notification_rules ADD COLUMN min_risk_tenths BIGINT;
