-- Arbor local store: what a reply was asked with beside its conversation, kept with the reply
-- (issues 20 and 22).
--
-- request  JSON object, NULL when it has nothing: {"tools": [...], "prompt": "..."}.
--          tools   the tool servers the reply was offered (their names, as its job's options
--                  carry them; present, even empty, when the reply was sent with tools);
--          prompt  a fused reply's rendered prompt (the fuse template filled with the user's
--                  turn and the sources), which stands in for the user's last turn.
--          Set when the reply is stored, never changed; regenerating, retrying or continuing it
--          asks with the same ones. Until now they lived only on the reply's job, which the jobs
--          dashboard can discard and which is pruned and never shared: kept with the message
--          they survive both and reach the team. (The job still carries them for its own run.)
ALTER TABLE messages ADD COLUMN request TEXT;

-- Replies of an earlier Arbor whose job is still kept get what it carried (the newest job of
-- the reply). Before the sync trigger below names request: nothing is queued to push.
UPDATE messages SET request = (
    SELECT nullif(json_patch('{}', json_object(
               'prompt', CASE WHEN json_type(j.payload, '$.prompt') = 'text'
                                   AND json_extract(j.payload, '$.prompt') <> ''
                              THEN json_extract(j.payload, '$.prompt') END,
               'tools', json(CASE WHEN json_type(j.payload, '$.options.tools') = 'array'
                                  THEN json_extract(j.payload, '$.options.tools') END))), '{}')
    FROM jobs j
    WHERE j.subject_id = messages.id AND json_valid(j.payload)
    ORDER BY j.id DESC LIMIT 1)
WHERE role = 'assistant'
  AND id IN (SELECT subject_id FROM jobs
             WHERE subject_id IS NOT NULL AND json_valid(payload)
               AND (json_type(payload, '$.options.tools') = 'array'
                    OR json_type(payload, '$.prompt') = 'text'));

-- Team sync: a shared field (the trigger as 0022 left it, plus request). request is written with
-- the insert, which sync_message_insert already pushes; it is named here too so that a later
-- change would be pushed.
DROP TRIGGER sync_message_update;
CREATE TRIGGER sync_message_update AFTER UPDATE OF content, status, error, finish_reason,
    prompt_tokens, completion_tokens, label, finished_at, deleted_at, deleted_batch, reasoning,
    reasoning_ms, reasoning_data, tool_calls, cached_tokens, reasoning_tokens, usage_estimated,
    cost_nanos, currency, source_id, first_token_at, fused_from, params, request ON messages
    WHEN NEW.synced_at IS NULL
         AND (SELECT workspace_id FROM conversations WHERE id = NEW.conversation_id) IS NOT NULL
         AND (SELECT applying FROM sync_flags) = 0
BEGIN
    INSERT INTO sync_outbox (entity, entity_id) VALUES ('message', NEW.id)
        ON CONFLICT (entity, entity_id) DO UPDATE SET version = version + 1, error = '';
END;
