-- Version 2: labels (bookmarks), forks, subtree deletion batches, full-text search.

ALTER TABLE messages ADD COLUMN label TEXT;
-- All rows tombstoned by one "delete subtree" share a batch id, so undo restores exactly them.
ALTER TABLE messages ADD COLUMN deleted_batch TEXT;
CREATE INDEX messages_labels ON messages (conversation_id) WHERE label IS NOT NULL;

ALTER TABLE conversations ADD COLUMN forked_from_conversation_id TEXT;
ALTER TABLE conversations ADD COLUMN forked_from_message_id TEXT;

-- Full-text search over every message of every branch (external content: no second copy).
CREATE VIRTUAL TABLE message_fts USING fts5(content, content = 'messages', content_rowid = 'rowid',
                                            tokenize = 'unicode61 remove_diacritics 2');
INSERT INTO message_fts (rowid, content) SELECT rowid, content FROM messages;

CREATE TRIGGER message_fts_insert AFTER INSERT ON messages BEGIN
    INSERT INTO message_fts (rowid, content) VALUES (new.rowid, new.content);
END;
CREATE TRIGGER message_fts_delete AFTER DELETE ON messages BEGIN
    INSERT INTO message_fts (message_fts, rowid, content) VALUES ('delete', old.rowid, old.content);
END;
CREATE TRIGGER message_fts_update AFTER UPDATE OF content ON messages BEGIN
    INSERT INTO message_fts (message_fts, rowid, content) VALUES ('delete', old.rowid, old.content);
    INSERT INTO message_fts (rowid, content) VALUES (new.rowid, new.content);
END;

-- Live children per message, kept by triggers: the visible path reads its sibling counts from
-- the parents it already walks instead of counting siblings at every level.
ALTER TABLE messages ADD COLUMN child_count INTEGER NOT NULL DEFAULT 0;
UPDATE messages SET child_count = (SELECT count(*) FROM messages c WHERE c.parent_id = messages.id AND c.deleted_at IS NULL);

CREATE TRIGGER messages_child_insert AFTER INSERT ON messages
WHEN new.parent_id IS NOT NULL AND new.deleted_at IS NULL BEGIN
    UPDATE messages SET child_count = child_count + 1 WHERE id = new.parent_id;
END;
CREATE TRIGGER messages_child_tombstone AFTER UPDATE OF deleted_at ON messages
WHEN new.parent_id IS NOT NULL AND (old.deleted_at IS NULL) <> (new.deleted_at IS NULL) BEGIN
    UPDATE messages SET child_count = child_count + (CASE WHEN new.deleted_at IS NULL THEN 1 ELSE -1 END)
    WHERE id = new.parent_id;
END;
CREATE TRIGGER messages_child_delete AFTER DELETE ON messages
WHEN old.parent_id IS NOT NULL AND old.deleted_at IS NULL BEGIN
    UPDATE messages SET child_count = child_count - 1 WHERE id = old.parent_id;
END;
