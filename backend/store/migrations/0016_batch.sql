-- Arbor local store: batch runs (issue 21). A run is a prompt template x an input list x one or
-- more models. Runs are local (never synced): a million rows must not flood sync, search or the
-- sidebar; a row becomes an ordinary conversation only when it is opened (conversation_id).
--
-- state: draft (imported, not started), running, paused, completed, cancelled.
-- columns: the input's column names, a JSON array (a CSV header, or JSONL keys in order of first
-- appearance); a row's input is a JSON array of strings in that order.
CREATE TABLE batch_runs (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL,
    template        TEXT NOT NULL,
    system_prompt   TEXT NOT NULL DEFAULT '',
    columns         TEXT NOT NULL DEFAULT '[]',
    state           TEXT NOT NULL DEFAULT 'draft',
    max_concurrency INTEGER NOT NULL DEFAULT 0,  -- 0 = no cap of its own
    max_tokens      INTEGER NOT NULL DEFAULT 0,  -- 0 = the model's default
    model_count     INTEGER NOT NULL DEFAULT 1,
    row_count       INTEGER NOT NULL DEFAULT 0,
    bad_rows        INTEGER NOT NULL DEFAULT 0,  -- skipped at import
    done_count      INTEGER NOT NULL DEFAULT 0,  -- results (row x model) that succeeded
    failed_count    INTEGER NOT NULL DEFAULT 0,  -- results that failed for good
    input_tokens    INTEGER NOT NULL DEFAULT 0,
    output_tokens   INTEGER NOT NULL DEFAULT 0,
    cost_nanos      INTEGER NOT NULL DEFAULT 0,  -- of the results that had a price
    currency        TEXT NOT NULL DEFAULT '',   -- theirs ('': none had one)
    created_at      INTEGER NOT NULL,
    started_at      INTEGER,                     -- the latest start or resume (NULL: not running)
    finished_at     INTEGER,
    active_ms       INTEGER NOT NULL DEFAULT 0   -- time spent running before the latest start
);

-- The models of a run, in the order given. next_row: the row the next job of this model takes
-- (a hint: rows below it that have no result are found again after a pause or a retry).
CREATE TABLE batch_models (
    run_id   INTEGER NOT NULL REFERENCES batch_runs (id) ON DELETE CASCADE,
    idx      INTEGER NOT NULL,
    provider TEXT NOT NULL,
    model    TEXT NOT NULL,
    next_row INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (run_id, idx)
) WITHOUT ROWID;

-- The input rows, numbered 0.. in file order; line is where the row starts in the file.
CREATE TABLE batch_rows (
    run_id INTEGER NOT NULL,
    row_no INTEGER NOT NULL,
    line   INTEGER NOT NULL,
    input  TEXT NOT NULL,
    PRIMARY KEY (run_id, row_no)
) WITHOUT ROWID;

-- One row per (run, row, model) from the moment its job is queued: exactly one result each.
-- status: queued (a job holds it), done, failed. The job's completion and the result commit in
-- one transaction, and only a queued result turns into done or failed.
CREATE TABLE batch_results (
    run_id          INTEGER NOT NULL,
    row_no          INTEGER NOT NULL,
    model_idx       INTEGER NOT NULL,
    status          TEXT NOT NULL,
    job_id          INTEGER,
    text            TEXT,
    error           TEXT,
    input_tokens    INTEGER,
    output_tokens   INTEGER,
    cost_nanos      INTEGER,      -- NULL: no price known (never 0)
    currency        TEXT,
    finished_at     INTEGER,
    conversation_id TEXT,         -- set once the row is opened as a conversation
    PRIMARY KEY (run_id, row_no, model_idx)
) WITHOUT ROWID;
CREATE INDEX batch_results_failed ON batch_results (run_id, row_no) WHERE status = 'failed';
CREATE INDEX batch_results_queued ON batch_results (run_id, model_idx, row_no)
    WHERE status = 'queued';

-- Bad input rows met at import (skipped, or the one that stopped it), for the report.
CREATE TABLE batch_bad_rows (
    run_id INTEGER NOT NULL REFERENCES batch_runs (id) ON DELETE CASCADE,
    line   INTEGER NOT NULL,
    reason TEXT NOT NULL,
    PRIMARY KEY (run_id, line)
) WITHOUT ROWID;

