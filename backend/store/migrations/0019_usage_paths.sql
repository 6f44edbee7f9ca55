-- Arbor local store, version 19: branch totals kept per message (issue 19, "per branch").
--
-- A branch is the path from a root to a leaf, so its total is a prefix sum: every message keeps
-- the summed usage of its path (itself and all its ancestors), per currency, and the branch
-- being read costs one look-up of its leaf's rows (store::usage::pathTotals), whatever the
-- path's length. Usage and currency are counted as the day totals of 0013 count them ('' =
-- replies that had no price).
--
-- These sums include tombstoned messages: deleting is a tombstone on a whole subtree, so a
-- tombstone changes no live message's sum, and a tombstone or its undo costs no propagation.
-- Reads subtract nothing in that case. The one state where a live message sits under a
-- tombstoned one (a teammate's delete crossing a reply added offline, or a sync page applied
-- half) is counted per conversation in usage_path_breaks; while it is non-zero, or the leaf
-- itself is tombstoned, pathTotals walks the path as before instead.
--
-- What each change costs:
-- * a message inserted: its parent's rows copied (one per currency on the path) plus its own;
-- * a reply finishing (usage set on a message without children): one row;
-- * usage or cost changed on a message that already has children (a teammate's correction
--   arriving by sync, a repricing): the change is added to every message of its subtree;
-- * a tombstone or its undo: a count of its live children (usage_path_breaks);
-- * a message deleted (a conversation purged): its own rows. The foreign key on parent_id
--   keeps a child from being written before its parent or outliving it, so no subtree moves;
--   parent_id itself never changes (messages are immutable, DESIGN.md §2).

CREATE TABLE usage_paths (
    message_id        TEXT NOT NULL,
    currency          TEXT NOT NULL,
    messages          INTEGER NOT NULL DEFAULT 0,
    estimated         INTEGER NOT NULL DEFAULT 0,
    input_tokens      INTEGER NOT NULL DEFAULT 0,
    output_tokens     INTEGER NOT NULL DEFAULT 0,
    cached_tokens     INTEGER NOT NULL DEFAULT 0,
    reasoning_tokens  INTEGER NOT NULL DEFAULT 0,
    cost_nanos        INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (message_id, currency)
) WITHOUT ROWID;

-- Per conversation: how many live messages have a tombstoned parent (normally 0).
CREATE TABLE usage_path_breaks (
    conversation_id    TEXT PRIMARY KEY,
    live_under_deleted INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

-- Backfill: the sums down from every root (or message whose parent is missing), once per
-- currency that occurs; a message adds its own usage to the walk of its own currency.
INSERT INTO usage_paths (message_id, currency, messages, estimated, input_tokens, output_tokens,
                         cached_tokens, reasoning_tokens, cost_nanos)
WITH RECURSIVE
    currencies(currency) AS (
        SELECT DISTINCT CASE WHEN cost_nanos IS NULL THEN '' ELSE coalesce(currency, '') END
        FROM messages WHERE prompt_tokens IS NOT NULL OR completion_tokens IS NOT NULL),
    walk(id, currency, messages, estimated, input_tokens, output_tokens, cached_tokens,
         reasoning_tokens, cost_nanos) AS (
        SELECT m.id, c.currency,
               CASE WHEN ((m.prompt_tokens IS NOT NULL OR m.completion_tokens IS NOT NULL) AND (CASE WHEN m.cost_nanos IS NULL THEN '' ELSE coalesce(m.currency, '') END) = c.currency) THEN 1 ELSE 0 END,
               CASE WHEN ((m.prompt_tokens IS NOT NULL OR m.completion_tokens IS NOT NULL) AND (CASE WHEN m.cost_nanos IS NULL THEN '' ELSE coalesce(m.currency, '') END) = c.currency) THEN m.usage_estimated ELSE 0 END,
               CASE WHEN ((m.prompt_tokens IS NOT NULL OR m.completion_tokens IS NOT NULL) AND (CASE WHEN m.cost_nanos IS NULL THEN '' ELSE coalesce(m.currency, '') END) = c.currency) THEN coalesce(m.prompt_tokens, 0) ELSE 0 END,
               CASE WHEN ((m.prompt_tokens IS NOT NULL OR m.completion_tokens IS NOT NULL) AND (CASE WHEN m.cost_nanos IS NULL THEN '' ELSE coalesce(m.currency, '') END) = c.currency) THEN coalesce(m.completion_tokens, 0) ELSE 0 END,
               CASE WHEN ((m.prompt_tokens IS NOT NULL OR m.completion_tokens IS NOT NULL) AND (CASE WHEN m.cost_nanos IS NULL THEN '' ELSE coalesce(m.currency, '') END) = c.currency) THEN coalesce(m.cached_tokens, 0) ELSE 0 END,
               CASE WHEN ((m.prompt_tokens IS NOT NULL OR m.completion_tokens IS NOT NULL) AND (CASE WHEN m.cost_nanos IS NULL THEN '' ELSE coalesce(m.currency, '') END) = c.currency) THEN coalesce(m.reasoning_tokens, 0) ELSE 0 END,
               CASE WHEN ((m.prompt_tokens IS NOT NULL OR m.completion_tokens IS NOT NULL) AND (CASE WHEN m.cost_nanos IS NULL THEN '' ELSE coalesce(m.currency, '') END) = c.currency) THEN coalesce(m.cost_nanos, 0) ELSE 0 END
        FROM messages m, currencies c
        WHERE m.parent_id IS NULL
              OR NOT EXISTS (SELECT 1 FROM messages p WHERE p.id = m.parent_id)
        UNION ALL
        SELECT m.id, w.currency,
               w.messages + CASE WHEN ((m.prompt_tokens IS NOT NULL OR m.completion_tokens IS NOT NULL) AND (CASE WHEN m.cost_nanos IS NULL THEN '' ELSE coalesce(m.currency, '') END) = w.currency) THEN 1 ELSE 0 END,
               w.estimated + CASE WHEN ((m.prompt_tokens IS NOT NULL OR m.completion_tokens IS NOT NULL) AND (CASE WHEN m.cost_nanos IS NULL THEN '' ELSE coalesce(m.currency, '') END) = w.currency) THEN m.usage_estimated ELSE 0 END,
               w.input_tokens + CASE WHEN ((m.prompt_tokens IS NOT NULL OR m.completion_tokens IS NOT NULL) AND (CASE WHEN m.cost_nanos IS NULL THEN '' ELSE coalesce(m.currency, '') END) = w.currency) THEN coalesce(m.prompt_tokens, 0) ELSE 0 END,
               w.output_tokens + CASE WHEN ((m.prompt_tokens IS NOT NULL OR m.completion_tokens IS NOT NULL) AND (CASE WHEN m.cost_nanos IS NULL THEN '' ELSE coalesce(m.currency, '') END) = w.currency) THEN coalesce(m.completion_tokens, 0) ELSE 0 END,
               w.cached_tokens + CASE WHEN ((m.prompt_tokens IS NOT NULL OR m.completion_tokens IS NOT NULL) AND (CASE WHEN m.cost_nanos IS NULL THEN '' ELSE coalesce(m.currency, '') END) = w.currency) THEN coalesce(m.cached_tokens, 0) ELSE 0 END,
               w.reasoning_tokens + CASE WHEN ((m.prompt_tokens IS NOT NULL OR m.completion_tokens IS NOT NULL) AND (CASE WHEN m.cost_nanos IS NULL THEN '' ELSE coalesce(m.currency, '') END) = w.currency) THEN coalesce(m.reasoning_tokens, 0) ELSE 0 END,
               w.cost_nanos + CASE WHEN ((m.prompt_tokens IS NOT NULL OR m.completion_tokens IS NOT NULL) AND (CASE WHEN m.cost_nanos IS NULL THEN '' ELSE coalesce(m.currency, '') END) = w.currency) THEN coalesce(m.cost_nanos, 0) ELSE 0 END
        FROM walk w JOIN messages m ON m.parent_id = w.id)
SELECT * FROM walk WHERE messages > 0;

INSERT INTO usage_path_breaks (conversation_id, live_under_deleted)
SELECT m.conversation_id, count(*) FROM messages m JOIN messages p ON p.id = m.parent_id
WHERE m.deleted_at IS NULL AND p.deleted_at IS NOT NULL GROUP BY m.conversation_id;

-- A new message: its parent's sums (copied; none for a root) plus its own usage.
CREATE TRIGGER usage_path_insert AFTER INSERT ON messages
BEGIN
    DELETE FROM usage_paths WHERE message_id = NEW.id; -- left by an INSERT OR REPLACE
    INSERT INTO usage_paths (message_id, currency, messages, estimated, input_tokens,
                             output_tokens, cached_tokens, reasoning_tokens, cost_nanos)
    SELECT NEW.id, currency, messages, estimated, input_tokens, output_tokens, cached_tokens,
           reasoning_tokens, cost_nanos
    FROM usage_paths WHERE message_id = NEW.parent_id AND messages > 0;
    INSERT INTO usage_paths (message_id, currency, messages, estimated, input_tokens,
                             output_tokens, cached_tokens, reasoning_tokens, cost_nanos)
    SELECT NEW.id, CASE WHEN NEW.cost_nanos IS NULL THEN '' ELSE coalesce(NEW.currency, '') END,
           1, NEW.usage_estimated, coalesce(NEW.prompt_tokens, 0),
           coalesce(NEW.completion_tokens, 0), coalesce(NEW.cached_tokens, 0),
           coalesce(NEW.reasoning_tokens, 0), coalesce(NEW.cost_nanos, 0)
    WHERE NEW.prompt_tokens IS NOT NULL OR NEW.completion_tokens IS NOT NULL
    ON CONFLICT (message_id, currency) DO UPDATE SET messages = messages + 1,
        estimated = estimated + excluded.estimated,
        input_tokens = input_tokens + excluded.input_tokens,
        output_tokens = output_tokens + excluded.output_tokens,
        cached_tokens = cached_tokens + excluded.cached_tokens,
        reasoning_tokens = reasoning_tokens + excluded.reasoning_tokens,
        cost_nanos = cost_nanos + excluded.cost_nanos;
    -- Live under a tombstoned parent: a break (a tombstoned message has no children yet).
    INSERT INTO usage_path_breaks (conversation_id, live_under_deleted)
    SELECT NEW.conversation_id, 1
    WHERE NEW.deleted_at IS NULL
          AND (SELECT deleted_at FROM messages WHERE id = NEW.parent_id) IS NOT NULL
    ON CONFLICT (conversation_id) DO UPDATE SET live_under_deleted = live_under_deleted + 1;
END;

-- A message's own usage changed (a reply finishing; a teammate's correction; a repricing): the
-- old figures out of, the new ones into, its sums and those of every message under it.
CREATE TRIGGER usage_path_own AFTER UPDATE OF prompt_tokens, completion_tokens, cached_tokens,
    reasoning_tokens, usage_estimated, cost_nanos, currency ON messages
    WHEN OLD.prompt_tokens IS NOT NEW.prompt_tokens
         OR OLD.completion_tokens IS NOT NEW.completion_tokens
         OR OLD.cached_tokens IS NOT NEW.cached_tokens
         OR OLD.reasoning_tokens IS NOT NEW.reasoning_tokens
         OR OLD.usage_estimated IS NOT NEW.usage_estimated
         OR OLD.cost_nanos IS NOT NEW.cost_nanos
         OR OLD.currency IS NOT NEW.currency
BEGIN
    UPDATE usage_paths SET messages = messages - 1,
        estimated = estimated - OLD.usage_estimated,
        input_tokens = input_tokens - coalesce(OLD.prompt_tokens, 0),
        output_tokens = output_tokens - coalesce(OLD.completion_tokens, 0),
        cached_tokens = cached_tokens - coalesce(OLD.cached_tokens, 0),
        reasoning_tokens = reasoning_tokens - coalesce(OLD.reasoning_tokens, 0),
        cost_nanos = cost_nanos - coalesce(OLD.cost_nanos, 0)
    WHERE (OLD.prompt_tokens IS NOT NULL OR OLD.completion_tokens IS NOT NULL)
          AND currency = CASE WHEN OLD.cost_nanos IS NULL THEN ''
                              ELSE coalesce(OLD.currency, '') END
          AND message_id IN (
              WITH RECURSIVE sub(id) AS (
                  SELECT NEW.id
                  UNION ALL
                  SELECT m.id FROM messages m JOIN sub ON m.parent_id = sub.id)
              SELECT id FROM sub);
    INSERT INTO usage_paths (message_id, currency, messages, estimated, input_tokens,
                             output_tokens, cached_tokens, reasoning_tokens, cost_nanos)
    SELECT sub.id, CASE WHEN NEW.cost_nanos IS NULL THEN '' ELSE coalesce(NEW.currency, '') END,
           1, NEW.usage_estimated, coalesce(NEW.prompt_tokens, 0),
           coalesce(NEW.completion_tokens, 0), coalesce(NEW.cached_tokens, 0),
           coalesce(NEW.reasoning_tokens, 0), coalesce(NEW.cost_nanos, 0)
    FROM (WITH RECURSIVE sub(id) AS (
              SELECT NEW.id
              UNION ALL
              SELECT m.id FROM messages m JOIN sub ON m.parent_id = sub.id)
          SELECT id FROM sub) sub
    WHERE NEW.prompt_tokens IS NOT NULL OR NEW.completion_tokens IS NOT NULL
    ON CONFLICT (message_id, currency) DO UPDATE SET messages = messages + 1,
        estimated = estimated + excluded.estimated,
        input_tokens = input_tokens + excluded.input_tokens,
        output_tokens = output_tokens + excluded.output_tokens,
        cached_tokens = cached_tokens + excluded.cached_tokens,
        reasoning_tokens = reasoning_tokens + excluded.reasoning_tokens,
        cost_nanos = cost_nanos + excluded.cost_nanos;
END;

-- A tombstone or its undo: the sums stay; only the count of live messages under tombstoned
-- parents moves (by the message's live children, and by itself when its parent is tombstoned).
CREATE TRIGGER usage_path_tombstone AFTER UPDATE OF deleted_at ON messages
    WHEN (OLD.deleted_at IS NULL) <> (NEW.deleted_at IS NULL)
BEGIN
    INSERT INTO usage_path_breaks (conversation_id, live_under_deleted)
    SELECT NEW.conversation_id,
           CASE WHEN NEW.deleted_at IS NULL THEN -1 ELSE 1 END
           * ((SELECT count(*) FROM messages WHERE parent_id = NEW.id AND deleted_at IS NULL)
              - coalesce((SELECT deleted_at IS NOT NULL FROM messages
                          WHERE id = NEW.parent_id), 0))
    WHERE 1
    ON CONFLICT (conversation_id) DO UPDATE
        SET live_under_deleted = live_under_deleted + excluded.live_under_deleted;
END;

-- A message removed (its conversation purged): its own rows; a live one under a tombstoned
-- parent, or a tombstoned one over live children, takes its breaks along.
CREATE TRIGGER usage_path_delete AFTER DELETE ON messages
BEGIN
    DELETE FROM usage_paths WHERE message_id = OLD.id;
    UPDATE usage_path_breaks SET live_under_deleted = live_under_deleted
        - CASE WHEN OLD.deleted_at IS NULL
               THEN coalesce((SELECT deleted_at IS NOT NULL FROM messages
                              WHERE id = OLD.parent_id), 0)
               ELSE (SELECT count(*) FROM messages
                     WHERE parent_id = OLD.id AND deleted_at IS NULL) END
    WHERE conversation_id = OLD.conversation_id;
END;
