-- Arbor local store: a reply's own parameters kept with the reply (issue 20).
--
-- params  JSON object of the parameters this reply alone was asked with over its conversation's
--         ({"temperature": 1.5, "max_tokens": 400}: a compare column's), NULL when none. Set
--         when the reply is stored, never changed; regenerating, retrying or continuing it asks
--         with the same ones. Until now they lived only on the reply's job, which is pruned and
--         never shared: kept with the message they survive both and reach the team.
ALTER TABLE messages ADD COLUMN params TEXT;

-- Replies of an earlier Arbor whose job is still kept get the parameters it carried (the newest
-- job of the reply). Before the sync trigger below names params: nothing is queued to push.
UPDATE messages SET params = (
    SELECT json_extract(j.payload, '$.parameters') FROM jobs j
    WHERE j.subject_id = messages.id AND json_type(j.payload, '$.parameters') = 'object'
    ORDER BY j.id DESC LIMIT 1)
WHERE role = 'assistant'
  AND id IN (SELECT subject_id FROM jobs
             WHERE subject_id IS NOT NULL AND json_valid(payload)
               AND json_type(payload, '$.parameters') = 'object');

-- Team sync: a shared field (the trigger as 0015 left it, plus params). params is written with
-- the insert, which sync_message_insert already pushes; it is named here too so that a later
-- change would be pushed.
DROP TRIGGER sync_message_update;
CREATE TRIGGER sync_message_update AFTER UPDATE OF content, status, error, finish_reason,
    prompt_tokens, completion_tokens, label, finished_at, deleted_at, deleted_batch, reasoning,
    reasoning_ms, reasoning_data, tool_calls, cached_tokens, reasoning_tokens, usage_estimated,
    cost_nanos, currency, source_id, first_token_at, fused_from, params ON messages
    WHEN NEW.synced_at IS NULL
         AND (SELECT workspace_id FROM conversations WHERE id = NEW.conversation_id) IS NOT NULL
         AND (SELECT applying FROM sync_flags) = 0
BEGIN
    INSERT INTO sync_outbox (entity, entity_id) VALUES ('message', NEW.id)
        ON CONFLICT (entity, entity_id) DO UPDATE SET version = version + 1, error = '';
END;
