-- VEX documents uploaded to the server: their statements apply to every
-- asset's findings, now and in later uploads.
CREATE TABLE vex_documents (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    format TEXT NOT NULL,
    statements BIGINT NOT NULL,
    uploaded_at BIGINT NOT NULL,
    uploaded_by TEXT NOT NULL,
    body TEXT NOT NULL
);
