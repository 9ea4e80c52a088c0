-- Notifications (webhook rules, their deliveries and every attempt) and
-- the progress of each reader of the event queue (the notification
-- dispatcher, each SIEM exporter).

-- Where each reader of `events` is: every event with `seq` above
-- `floor_seq` that has no `event_progress` row is still to be read. Events
-- are read in `seq` order, but a transaction may commit an event with a
-- lower `seq` after a higher one is read: the reader looks back a while
-- below `high_seq` (the highest read) for such late events.
CREATE TABLE event_cursors (
    consumer TEXT PRIMARY KEY,
    floor_seq BIGINT NOT NULL,
    high_seq BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- The events a reader has handled within its look-back window.
CREATE TABLE event_progress (
    consumer TEXT NOT NULL,
    event_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    PRIMARY KEY (consumer, event_id)
);
CREATE INDEX event_progress_seq ON event_progress (consumer, seq);

CREATE TABLE notification_rules (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    url TEXT NOT NULL,
    format TEXT NOT NULL,
    min_severity TEXT NOT NULL,
    -- JSON arrays of team names and of event kinds.
    teams TEXT NOT NULL,
    kev_only BIGINT NOT NULL,
    events TEXT NOT NULL,
    secret TEXT,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    deleted_at BIGINT
);

-- One webhook call to make: the body is fixed when the event is matched,
-- so that every attempt sends (and signs) the same bytes. Times of the
-- retry schedule are in milliseconds (`_ms`), the others in seconds.
CREATE TABLE deliveries (
    id TEXT PRIMARY KEY,
    rule_id TEXT NOT NULL,
    event_id TEXT NOT NULL,
    event_kind TEXT NOT NULL,
    finding_id TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    next_attempt_at_ms BIGINT NOT NULL,
    claim TEXT,
    last_status BIGINT,
    last_error TEXT,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    delivered_at BIGINT
);
CREATE UNIQUE INDEX deliveries_identity ON deliveries (rule_id, event_id);
CREATE INDEX deliveries_due ON deliveries (status, next_attempt_at_ms);
CREATE INDEX deliveries_created ON deliveries (created_at);

CREATE TABLE delivery_attempts (
    delivery_id TEXT NOT NULL,
    attempt BIGINT NOT NULL,
    at BIGINT NOT NULL,
    status BIGINT,
    error TEXT,
    duration_ms BIGINT NOT NULL,
    PRIMARY KEY (delivery_id, attempt)
);
