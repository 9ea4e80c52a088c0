-- What happened to findings, in order: the queue that notifications and
-- SIEM exports read. Written in the same transaction as the change, so an
-- acknowledged upload's events are never lost.
CREATE TABLE events (
    id TEXT PRIMARY KEY,
    seq BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    kind TEXT NOT NULL,
    finding_id TEXT NOT NULL,
    asset_id TEXT NOT NULL
);
CREATE INDEX events_seq ON events (seq);
