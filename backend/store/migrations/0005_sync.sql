-- Arbor local store, version 5: the local half of team sync (DESIGN §5).
--
-- A conversation with a workspace_id is shared through the team server; NULL means personal.
-- Local writes to shared rows are queued in sync_outbox by the triggers below and pushed later
-- (the outbox is the write-ahead log of unpushed changes). Rows applied from the server are
-- written while sync_flags.applying = 1, so they are not queued back.

ALTER TABLE conversations ADD COLUMN workspace_id TEXT;
CREATE INDEX conversations_by_workspace ON conversations (workspace_id) WHERE workspace_id IS NOT NULL;

-- When this copy of a message arrived from the server (local clock); NULL for a message written
-- here. Pulls update only arrived messages, and unread counts use it.
ALTER TABLE messages ADD COLUMN synced_at INTEGER;
CREATE INDEX messages_synced ON messages (conversation_id, synced_at) WHERE synced_at IS NOT NULL;

-- The workspaces the connected person belongs to, as last seen on the server.
CREATE TABLE sync_workspaces (
    id   TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL
);

-- Key/value state of the sync client: the pull cursor (cursor_xid, cursor_id), the server and
-- user it belongs to.
CREATE TABLE sync_state (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- One row per changed entity, in the order the entity was first queued (seq), so a parent is
-- always pushed before its children. version grows with every further change; a push removes
-- the row only if its version is still the one that was pushed.
CREATE TABLE sync_outbox (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    entity    TEXT NOT NULL CHECK (entity IN ('conversation', 'message')),
    entity_id TEXT NOT NULL,
    version   INTEGER NOT NULL DEFAULT 1,
    error     TEXT NOT NULL DEFAULT '',
    UNIQUE (entity, entity_id)
);

CREATE TABLE sync_flags (
    applying INTEGER NOT NULL
);
INSERT INTO sync_flags (applying) VALUES (0);

-- When the person last read each conversation (local clock).
CREATE TABLE read_state (
    conversation_id TEXT PRIMARY KEY,
    read_at         INTEGER NOT NULL
);

CREATE TRIGGER sync_conversation_insert AFTER INSERT ON conversations
    WHEN NEW.workspace_id IS NOT NULL AND (SELECT applying FROM sync_flags) = 0
BEGIN
    INSERT INTO sync_outbox (entity, entity_id) VALUES ('conversation', NEW.id)
        ON CONFLICT (entity, entity_id) DO UPDATE SET version = version + 1, error = '';
END;

-- Only shared fields: navigating (current_leaf_id) or a new message (updated_at) is not a change
-- teammates need, and a teammate's conversation may only be changed by its creator.
CREATE TRIGGER sync_conversation_update AFTER UPDATE OF title, settings, deleted_at, workspace_id
    ON conversations
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

CREATE TRIGGER sync_message_insert AFTER INSERT ON messages
    WHEN (SELECT workspace_id FROM conversations WHERE id = NEW.conversation_id) IS NOT NULL
         AND (SELECT applying FROM sync_flags) = 0
BEGIN
    INSERT INTO sync_outbox (entity, entity_id) VALUES ('message', NEW.id)
        ON CONFLICT (entity, entity_id) DO UPDATE SET version = version + 1, error = '';
END;

-- Only messages written here (a teammate's message is theirs to change) and only shared fields
-- (child_count, visited_at are local).
CREATE TRIGGER sync_message_update AFTER UPDATE OF content, status, error, finish_reason,
    prompt_tokens, completion_tokens, label, finished_at, deleted_at, deleted_batch ON messages
    WHEN NEW.synced_at IS NULL
         AND (SELECT workspace_id FROM conversations WHERE id = NEW.conversation_id) IS NOT NULL
         AND (SELECT applying FROM sync_flags) = 0
BEGIN
    INSERT INTO sync_outbox (entity, entity_id) VALUES ('message', NEW.id)
        ON CONFLICT (entity, entity_id) DO UPDATE SET version = version + 1, error = '';
END;

-- Streamed text arrives as chunks; each flush is a checkpoint teammates see live.
CREATE TRIGGER sync_chunk_insert AFTER INSERT ON message_chunks
    WHEN (SELECT c.workspace_id FROM messages m JOIN conversations c ON c.id = m.conversation_id
          WHERE m.id = NEW.message_id) IS NOT NULL
         AND (SELECT applying FROM sync_flags) = 0
BEGIN
    INSERT INTO sync_outbox (entity, entity_id) VALUES ('message', NEW.message_id)
        ON CONFLICT (entity, entity_id) DO UPDATE SET version = version + 1, error = '';
END;
