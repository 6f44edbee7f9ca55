-- Arbor local store, version 1: conversations as trees, streaming chunks, durable jobs.

CREATE TABLE conversations (
    id              TEXT PRIMARY KEY,
    title           TEXT NOT NULL DEFAULT '',
    current_leaf_id TEXT,
    settings        TEXT NOT NULL DEFAULT '{}',
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    deleted_at      INTEGER
);
CREATE INDEX conversations_by_update ON conversations (updated_at DESC) WHERE deleted_at IS NULL;

CREATE TABLE messages (
    id                TEXT PRIMARY KEY,
    conversation_id   TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    parent_id         TEXT REFERENCES messages (id),
    role              TEXT NOT NULL CHECK (role IN ('system', 'user', 'assistant')),
    author            TEXT NOT NULL DEFAULT '',
    provider          TEXT NOT NULL DEFAULT '',
    model             TEXT NOT NULL DEFAULT '',
    content           TEXT NOT NULL DEFAULT '',
    status            TEXT NOT NULL CHECK (status IN ('queued', 'streaming', 'complete', 'cancelled', 'error', 'interrupted')),
    error             TEXT NOT NULL DEFAULT '',
    finish_reason     TEXT NOT NULL DEFAULT '',
    prompt_tokens     INTEGER,
    completion_tokens INTEGER,
    created_at        INTEGER NOT NULL,
    finished_at       INTEGER,
    visited_at        INTEGER,
    deleted_at        INTEGER
);
-- Children of a node in branch order; roots are the children of NULL within a conversation.
CREATE INDEX messages_children ON messages (conversation_id, parent_id, created_at, id);
CREATE INDEX messages_parent ON messages (parent_id);
CREATE INDEX messages_live ON messages (status) WHERE status IN ('queued', 'streaming');

-- While a reply streams, text is appended here in small batches (the cost of a flush does not
-- grow with the message); the chunks are folded into messages.content when the stream ends.
CREATE TABLE message_chunks (
    message_id TEXT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    seq        INTEGER NOT NULL,
    text       TEXT NOT NULL,
    PRIMARY KEY (message_id, seq)
) WITHOUT ROWID;

CREATE TABLE jobs (
    id           INTEGER PRIMARY KEY,
    kind         TEXT NOT NULL,
    queue        TEXT NOT NULL DEFAULT 'default',
    priority     INTEGER NOT NULL DEFAULT 0,
    payload      TEXT NOT NULL DEFAULT '{}',
    subject_id   TEXT,
    state        TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed', 'cancelled')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL DEFAULT 1,
    run_at       INTEGER NOT NULL,
    lease_owner  TEXT,
    last_error   TEXT NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    started_at   INTEGER,
    finished_at  INTEGER
);
CREATE INDEX jobs_due ON jobs (priority DESC, run_at, id) WHERE state = 'queued';
CREATE INDEX jobs_running ON jobs (lease_owner) WHERE state = 'running';
CREATE INDEX jobs_subject ON jobs (subject_id);

-- Processes that run jobs. A job whose owner is gone (dead pid on this host, or no heartbeat)
-- is recovered by the next process that opens the store.
CREATE TABLE workers (
    id           TEXT PRIMARY KEY,
    host         TEXT NOT NULL,
    pid          INTEGER NOT NULL,
    started_at   INTEGER NOT NULL,
    heartbeat_at INTEGER NOT NULL
);
