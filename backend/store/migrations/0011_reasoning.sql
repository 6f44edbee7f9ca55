-- Arbor local store, version 11: a reply's reasoning ("thinking") is kept with it.
--
-- reasoning       the model's reasoning text, shown apart from the answer
-- reasoning_ms    how long the model reasoned: first reasoning to first answer text (or the end);
--                 NULL when unknown or when it did not reason
-- reasoning_data  JSON (llm/reasoningdata.h): what the vendor gave to send back with this reply
--                 when the conversation goes on (Anthropic thinking signatures and redacted
--                 thinking, Gemini thought signatures per part); NULL when nothing
ALTER TABLE messages ADD COLUMN reasoning TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN reasoning_ms INTEGER;
ALTER TABLE messages ADD COLUMN reasoning_data TEXT;

-- While a reply streams, its reasoning is appended here as its text is to message_chunks, and
-- folded into messages.reasoning when the stream ends.
CREATE TABLE message_reasoning_chunks (
    message_id TEXT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    seq        INTEGER NOT NULL,
    text       TEXT NOT NULL,
    PRIMARY KEY (message_id, seq)
) WITHOUT ROWID;

-- Search covers the reasoning too: a word only in a reply's reasoning finds the reply.
DROP TRIGGER message_fts_insert;
DROP TRIGGER message_fts_delete;
DROP TRIGGER message_fts_update;
DROP TABLE message_fts;
CREATE VIRTUAL TABLE message_fts USING fts5(content, reasoning, content = 'messages',
                                            content_rowid = 'rowid',
                                            tokenize = 'unicode61 remove_diacritics 2');
INSERT INTO message_fts (message_fts) VALUES ('rebuild');

CREATE TRIGGER message_fts_insert AFTER INSERT ON messages BEGIN
    INSERT INTO message_fts (rowid, content, reasoning)
    VALUES (new.rowid, new.content, new.reasoning);
END;
CREATE TRIGGER message_fts_delete AFTER DELETE ON messages BEGIN
    INSERT INTO message_fts (message_fts, rowid, content, reasoning)
    VALUES ('delete', old.rowid, old.content, old.reasoning);
END;
CREATE TRIGGER message_fts_update AFTER UPDATE OF content, reasoning ON messages BEGIN
    INSERT INTO message_fts (message_fts, rowid, content, reasoning)
    VALUES ('delete', old.rowid, old.content, old.reasoning);
    INSERT INTO message_fts (rowid, content, reasoning)
    VALUES (new.rowid, new.content, new.reasoning);
END;

-- Team sync: the reasoning is a shared field, and streamed reasoning is a checkpoint too.
DROP TRIGGER sync_message_update;
CREATE TRIGGER sync_message_update AFTER UPDATE OF content, status, error, finish_reason,
    prompt_tokens, completion_tokens, label, finished_at, deleted_at, deleted_batch, reasoning,
    reasoning_ms, reasoning_data ON messages
    WHEN NEW.synced_at IS NULL
         AND (SELECT workspace_id FROM conversations WHERE id = NEW.conversation_id) IS NOT NULL
         AND (SELECT applying FROM sync_flags) = 0
BEGIN
    INSERT INTO sync_outbox (entity, entity_id) VALUES ('message', NEW.id)
        ON CONFLICT (entity, entity_id) DO UPDATE SET version = version + 1, error = '';
END;

CREATE TRIGGER sync_reasoning_chunk_insert AFTER INSERT ON message_reasoning_chunks
    WHEN (SELECT c.workspace_id FROM messages m JOIN conversations c ON c.id = m.conversation_id
          WHERE m.id = NEW.message_id) IS NOT NULL
         AND (SELECT applying FROM sync_flags) = 0
BEGIN
    INSERT INTO sync_outbox (entity, entity_id) VALUES ('message', NEW.message_id)
        ON CONFLICT (entity, entity_id) DO UPDATE SET version = version + 1, error = '';
END;
