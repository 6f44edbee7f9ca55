-- Arbor local store: asking several models at once (issue 20).
--
-- first_token_at  when the reply's first token (text or reasoning) arrived, ms since the epoch
--                 (NULL: none yet, or a reply from before this version). Time to first token is
--                 first_token_at - created_at (what the user waited, queueing included); tokens
--                 per second are completion_tokens / (finished_at - first_token_at). Kept with
--                 the message, so both survive restarts and are shared with the team.
-- fused_from      a fused reply: JSON array of the ids of the replies it was written from
--                 (["0190…", "0190…"]); NULL for every other message. Set when it is stored,
--                 never changed.
ALTER TABLE messages ADD COLUMN first_token_at INTEGER;
ALTER TABLE messages ADD COLUMN fused_from TEXT;

-- Named model sets for "send to several models": per device (a setting of this Arbor, not
-- shared with the team). `models` is a JSON array in the order of the columns:
--   [{"provider": "openai-work", "model": "gpt-4.1", "parameters": {"temperature": 0.2}}, …]
-- "parameters" (optional) overrides the conversation's for that column only.
CREATE TABLE model_sets (
    name        TEXT PRIMARY KEY,
    models      TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
) WITHOUT ROWID;

-- Team sync: both new columns are shared fields (the trigger as 0014 left it, plus them) (fused_from is written with the insert, which
-- sync_message_insert already pushes; it is named here too so a later change would be pushed).
DROP TRIGGER sync_message_update;
CREATE TRIGGER sync_message_update AFTER UPDATE OF content, status, error, finish_reason,
    prompt_tokens, completion_tokens, label, finished_at, deleted_at, deleted_batch, reasoning,
    reasoning_ms, reasoning_data, tool_calls, cached_tokens, reasoning_tokens, usage_estimated,
    cost_nanos, currency, source_id, first_token_at, fused_from ON messages
    WHEN NEW.synced_at IS NULL
         AND (SELECT workspace_id FROM conversations WHERE id = NEW.conversation_id) IS NOT NULL
         AND (SELECT applying FROM sync_flags) = 0
BEGIN
    INSERT INTO sync_outbox (entity, entity_id) VALUES ('message', NEW.id)
        ON CONFLICT (entity, entity_id) DO UPDATE SET version = version + 1, error = '';
END;
