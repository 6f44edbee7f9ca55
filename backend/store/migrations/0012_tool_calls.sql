-- Arbor local store, version 12: the tool calls a reply asked for are kept with it.
--
-- tool_calls  JSON array, one object per call in the order the model made them; NULL when the
--             reply made none (domain/toolcall.h):
--               [{"id": "call_abc",              -- the vendor's id ("" when it gave none)
--                 "name": "get_weather",         -- the tool
--                 "arguments": "{\"city\":\"Paris\"}",  -- JSON text, whole, as the model wrote it
--                 "at": 25,                      -- content length (UTF-16) when the call began:
--                                                -- where it sits among the text
--                 "status": "requested"}]        -- "requested": asked for, not run
--             Room for the tools issue (MCP), on the same entries and with no other schema
--             change: "status" moves on (awaiting_approval, running, done, failed, denied,
--             interrupted), "result" (text), "is_error", "started_at" and "finished_at" (ms
--             since the epoch). Unlike content, a finished reply's calls may still change (their
--             status and result), so the column is not frozen with the text. Written when a
--             call is whole (with the text's next flush) and when the reply ends, also when it
--             fails after a call was complete.
ALTER TABLE messages ADD COLUMN tool_calls TEXT;

-- Team sync: the calls are a shared field.
DROP TRIGGER sync_message_update;
CREATE TRIGGER sync_message_update AFTER UPDATE OF content, status, error, finish_reason,
    prompt_tokens, completion_tokens, label, finished_at, deleted_at, deleted_batch, reasoning,
    reasoning_ms, reasoning_data, tool_calls ON messages
    WHEN NEW.synced_at IS NULL
         AND (SELECT workspace_id FROM conversations WHERE id = NEW.conversation_id) IS NOT NULL
         AND (SELECT applying FROM sync_flags) = 0
BEGIN
    INSERT INTO sync_outbox (entity, entity_id) VALUES ('message', NEW.id)
        ON CONFLICT (entity, entity_id) DO UPDATE SET version = version + 1, error = '';
END;
