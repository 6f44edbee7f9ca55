-- Job engine, version 2: per-queue settings (pause, limits), every attempt's outcome (the
-- dead-letter list shows them), and a token estimate per job for tokens/minute budgets.

-- One row per queue that has settings; a queue without a row runs unpaused and unlimited.
-- A chat job's queue is its provider id, so these are per-provider limits.
CREATE TABLE job_queues (
    name                TEXT PRIMARY KEY,
    paused              INTEGER NOT NULL DEFAULT 0,
    concurrency         INTEGER NOT NULL DEFAULT 0, -- 0 = only the engine's own limit
    requests_per_minute INTEGER NOT NULL DEFAULT 0, -- 0 = unlimited
    tokens_per_minute   INTEGER NOT NULL DEFAULT 0, -- 0 = unlimited
    updated_at          INTEGER NOT NULL DEFAULT 0
);

-- Every attempt that did not succeed (a success is the job row itself). Rows go with their job.
CREATE TABLE job_attempts (
    id          INTEGER PRIMARY KEY,
    job_id      INTEGER NOT NULL,
    attempt     INTEGER NOT NULL,
    worker      TEXT,
    outcome     TEXT NOT NULL, -- retry, failed, cancelled, recovered
    error       TEXT NOT NULL DEFAULT '',
    started_at  INTEGER,
    finished_at INTEGER NOT NULL
);
CREATE INDEX job_attempts_job ON job_attempts (job_id, id);

ALTER TABLE jobs ADD COLUMN tokens_estimate INTEGER NOT NULL DEFAULT 0;

-- The dashboard counts per queue and state, and reads recent history by finish time.
CREATE INDEX jobs_queue_state ON jobs (queue, state);
CREATE INDEX jobs_finished ON jobs (finished_at) WHERE finished_at IS NOT NULL;
