-- Arbor local store, version 14: conversations imported from other apps' exports (issue 18).
--
-- conversations.source_format  where it was imported from: chatgpt, claude, openwebui,
--                              librechat (or what an Arbor export said); NULL: made here
-- conversations.source_id      its id in that export
-- messages.source_id           the node's id in that export; a re-import adds only the nodes
--                              whose source id the conversation lacks (idempotent)
-- All three are written once, with the row, and never change.
ALTER TABLE conversations ADD COLUMN source_format TEXT;
ALTER TABLE conversations ADD COLUMN source_id TEXT;
ALTER TABLE messages ADD COLUMN source_id TEXT;
-- Look-ups only, not unique: a teammate's copy of the same export, or the same new messages
-- imported by two people into one shared conversation, may arrive by sync, and a pulled row must
-- never fail on them (the importer itself never writes a source id twice).
CREATE INDEX conversations_by_source ON conversations (source_format, source_id)
    WHERE source_id IS NOT NULL;
CREATE INDEX messages_by_source ON messages (conversation_id, source_id)
    WHERE source_id IS NOT NULL;

-- One import of a file: a durable job (kind "import") works through it; `done` counts the
-- conversations handled (imported, skipped or failed), written in the same transaction as each
-- conversation, so an import killed half way resumes after the last one it finished.
CREATE TABLE import_runs (
    id          TEXT PRIMARY KEY,
    path        TEXT NOT NULL,
    format      TEXT NOT NULL,        -- as asked (auto), then as detected
    total       INTEGER,              -- conversations in the file; NULL until counted
    done        INTEGER NOT NULL DEFAULT 0,
    state       TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed', 'cancelled')),
    error       TEXT NOT NULL DEFAULT '', -- what stopped the file (not one conversation's error)
    created_at  INTEGER NOT NULL,
    finished_at INTEGER
);

-- What became of each conversation of a run, in file order: the summary.
CREATE TABLE import_results (
    run_id          TEXT NOT NULL REFERENCES import_runs (id) ON DELETE CASCADE,
    seq             INTEGER NOT NULL, -- the conversation's index in the file
    outcome         TEXT NOT NULL CHECK (outcome IN ('imported', 'skipped', 'error')),
    conversation_id TEXT,
    source_id       TEXT NOT NULL DEFAULT '',
    title           TEXT NOT NULL DEFAULT '',
    messages        INTEGER NOT NULL DEFAULT 0,
    messages_added  INTEGER NOT NULL DEFAULT 0,
    place           TEXT NOT NULL DEFAULT '', -- where in the file, for an error
    reason          TEXT NOT NULL DEFAULT '', -- why skipped, or the error
    PRIMARY KEY (run_id, seq)
) WITHOUT ROWID;

-- Team sync: the source columns are shared fields of the rows (the triggers as 0013 left
-- them, plus the new columns).
DROP TRIGGER sync_conversation_update;
CREATE TRIGGER sync_conversation_update AFTER UPDATE OF title, settings, deleted_at, workspace_id,
    source_format, source_id ON conversations
    WHEN NEW.workspace_id IS NOT NULL AND (SELECT applying FROM sync_flags) = 0
BEGIN
    INSERT INTO sync_outbox (entity, entity_id) VALUES ('conversation', NEW.id)
        ON CONFLICT (entity, entity_id) DO UPDATE SET version = version + 1, error = '';
    -- Moved into a workspace: its whole tree goes with it, parents first.
    INSERT INTO sync_outbox (entity, entity_id)
        SELECT 'message', id FROM messages
        WHERE conversation_id = NEW.id AND OLD.workspace_id IS NULL
        ORDER BY created_at, rowid
        ON CONFLICT (entity, entity_id) DO UPDATE SET version = version + 1, error = '';
END;

DROP TRIGGER sync_message_update;
CREATE TRIGGER sync_message_update AFTER UPDATE OF content, status, error, finish_reason,
    prompt_tokens, completion_tokens, label, finished_at, deleted_at, deleted_batch, reasoning,
    reasoning_ms, reasoning_data, tool_calls, cached_tokens, reasoning_tokens, usage_estimated,
    cost_nanos, currency, source_id ON messages
    WHEN NEW.synced_at IS NULL
         AND (SELECT workspace_id FROM conversations WHERE id = NEW.conversation_id) IS NOT NULL
         AND (SELECT applying FROM sync_flags) = 0
BEGIN
    INSERT INTO sync_outbox (entity, entity_id) VALUES ('message', NEW.id)
        ON CONFLICT (entity, entity_id) DO UPDATE SET version = version + 1, error = '';
END;
