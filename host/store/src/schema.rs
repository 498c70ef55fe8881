//! The schema, as a list of migrations applied in order. A file records how many it has had in
//! SQLite's `user_version`; opening one upgrades it in place, one transaction per step, and a file
//! from a newer SecureScan is refused, never rewritten.

/// Migration `n` (1-based) takes a file from `user_version` n-1 to n. Never edit a released step:
/// add the next one.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        // What `securescan scan` saved for `history` before the server existed.
        sql: "
CREATE TABLE scans (
    id TEXT PRIMARY KEY,
    target TEXT NOT NULL,
    scan_types TEXT NOT NULL,
    status TEXT NOT NULL,
    started_at TEXT NOT NULL,
    completed_at TEXT NOT NULL,
    findings_count INTEGER NOT NULL,
    risk_score REAL NOT NULL,
    summary TEXT NOT NULL,
    scanners TEXT NOT NULL
);
CREATE TABLE findings (
    scan_id TEXT NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    fingerprint TEXT NOT NULL,
    severity TEXT NOT NULL,
    finding TEXT NOT NULL,
    PRIMARY KEY (scan_id, position)
);
CREATE INDEX findings_by_fingerprint ON findings(fingerprint);
",
        rebuilds_tables: false,
    },
    Migration {
        // The server's scan lifecycle: a scan exists before it runs (pending, no start time),
        // may end failed or cancelled with a reason, and names its url and host targets. The
        // findings get the columns the API filters on, and triage arrives. `scans` is rebuilt
        // because SQLite cannot drop a NOT NULL; the CLI's `completed-with-failures` becomes
        // `completed` (its failed scanners are in `scanners`, where the server keeps them too).
        sql: "
CREATE TABLE scans_v2 (
    id TEXT PRIMARY KEY,
    target TEXT NOT NULL,
    target_url TEXT,
    target_host TEXT,
    scan_types TEXT NOT NULL,
    status TEXT NOT NULL
        CHECK (status IN ('pending', 'running', 'completed', 'failed', 'cancelled')),
    created_at TEXT NOT NULL,
    started_at TEXT,
    completed_at TEXT,
    findings_count INTEGER NOT NULL DEFAULT 0,
    risk_score REAL,
    summary TEXT,
    scanners TEXT NOT NULL DEFAULT '[]',
    error TEXT
);
INSERT INTO scans_v2 (id, target, scan_types, status, created_at, started_at, completed_at,
                      findings_count, risk_score, summary, scanners)
    SELECT id, target, scan_types,
           CASE status WHEN 'completed-with-failures' THEN 'completed' ELSE status END,
           started_at, started_at, completed_at, findings_count, risk_score, summary, scanners
    FROM scans;
DROP TABLE scans;
ALTER TABLE scans_v2 RENAME TO scans;
CREATE INDEX scans_by_start ON scans(started_at DESC, id);
CREATE INDEX scans_by_status ON scans(status);

ALTER TABLE findings ADD COLUMN scanner TEXT NOT NULL DEFAULT '';
ALTER TABLE findings ADD COLUMN scan_type TEXT NOT NULL DEFAULT '';
ALTER TABLE findings ADD COLUMN rank INTEGER NOT NULL DEFAULT 4;
ALTER TABLE findings ADD COLUMN suppressed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE findings ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';
UPDATE findings SET
    scanner = coalesce(json_extract(finding, '$.scanner'), ''),
    scan_type = coalesce(json_extract(finding, '$.scan_type'), ''),
    rank = CASE severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2
                         WHEN 'low' THEN 3 ELSE 4 END,
    suppressed = json_extract(finding, '$.metadata.suppressed_by') IS NOT NULL,
    tags = coalesce(json_extract(finding, '$.compliance_tags'), '[]');
CREATE INDEX findings_by_rank ON findings(scan_id, rank, position);

CREATE TABLE finding_states (
    fingerprint TEXT PRIMARY KEY,
    status TEXT NOT NULL CHECK (status IN
        ('new', 'triaged', 'false_positive', 'accepted_risk', 'fixed', 'wont_fix')),
    note TEXT,
    updated_at TEXT NOT NULL,
    updated_by TEXT
);
CREATE INDEX finding_states_by_status ON finding_states(status);
CREATE TABLE finding_comments (
    id TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    text TEXT NOT NULL,
    author TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX finding_comments_by_fingerprint ON finding_comments(fingerprint, created_at);
",
        rebuilds_tables: true,
    },
    Migration {
        // API keys (only a salted hash of each; a revoked key is kept for the record), and who
        // made each verdict and comment: the key that was used, never a name the client sent.
        sql: "
CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    prefix TEXT NOT NULL,
    key_hash TEXT NOT NULL,
    scopes TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT,
    expires_at TEXT,
    last_used_at TEXT,
    rotated_at TEXT,
    revoked_at TEXT,
    revoked_by TEXT
);
ALTER TABLE finding_states ADD COLUMN updated_by_key TEXT;
ALTER TABLE finding_comments ADD COLUMN author_key TEXT;
",
        rebuilds_tables: false,
    },
    Migration {
        // In-app notifications: the operator's inbox of finished-with-findings and failed scans.
        sql: "
CREATE TABLE notifications (
    id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    severity TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT,
    scan_id TEXT,
    link TEXT,
    created_at TEXT NOT NULL,
    read_at TEXT
);
CREATE INDEX notifications_by_time ON notifications(created_at DESC, id);
CREATE INDEX notifications_unread ON notifications(read_at) WHERE read_at IS NULL;
",
        rebuilds_tables: false,
    },
    Migration {
        // Outbound webhooks and their durable delivery queue: a delivery is committed before any
        // HTTP call, and each webhook's deliveries go out in insertion (rowid) order.
        sql: "
CREATE TABLE webhooks (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    url TEXT NOT NULL,
    secret TEXT NOT NULL,
    event_filter TEXT NOT NULL,
    enabled INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT
);
CREATE TABLE webhook_deliveries (
    id TEXT PRIMARY KEY,
    webhook_id TEXT NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
    event TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL
        CHECK (status IN ('pending', 'delivering', 'succeeded', 'failed')),
    attempt INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    created_unix INTEGER NOT NULL,
    next_attempt_unix INTEGER NOT NULL,
    updated_at TEXT NOT NULL,
    response_code INTEGER,
    response_body TEXT,
    error TEXT
);
CREATE INDEX webhook_deliveries_queue ON webhook_deliveries(webhook_id, status);
",
        rebuilds_tables: false,
    },
];

pub struct Migration {
    pub sql: &'static str,
    /// The step drops and recreates a table others reference: foreign keys must be off while it
    /// runs (SQLite ignores that pragma inside a transaction), and are checked before it commits.
    pub rebuilds_tables: bool,
}

/// The version a file has once every migration ran.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;
