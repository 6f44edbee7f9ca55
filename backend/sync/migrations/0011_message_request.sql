-- Arbor team server, version 11: what a reply was asked with beside its conversation (issues 20
-- and 22).
--
-- request  JSON object (text), NULL when it has nothing: {"tools": [...], "prompt": "..."}, the
--          tool servers the reply was offered (by name) and a fused reply's rendered prompt,
--          which stands in for the user's last turn. Set when the message is written, never
--          changed, so a teammate's regenerate or continue asks with the same ones.
--
-- Writes still go only through arbor.push (SECURITY DEFINER, session_user, forced row-level
-- security); it and arbor.pull (as version 10 left them) are replaced with the same checks and
-- the new column. A client of an earlier version refuses to work with this server (it says to
-- update Arbor).

ALTER TABLE arbor.messages ADD COLUMN request text;

-- ---------------------------------------------------------------------------------------------
-- Writes: arbor.push as in version 10, with request (written with the insert only).

CREATE OR REPLACE FUNCTION arbor.push(conversation_rows json, message_rows json)
RETURNS TABLE (entity text, id uuid, outcome text)
LANGUAGE plpgsql SECURITY DEFINER
-- pg_temp last: no temporary object of the caller's can stand in for one of ours.
SET search_path = pg_catalog, arbor, pg_temp
-- A writer of the same workspace may hold its log head (a push in an open transaction): give up
-- after a while instead of waiting for ever; the client retries.
SET lock_timeout = '5s'
AS $$
#variable_conflict use_column
DECLARE
    me CONSTANT text := session_user;
    results arbor.push_outcome[];
    written uuid[];
BEGIN
    -- Lock the log heads of the caller's writable workspaces in this push, in one order, before
    -- writing anything: two pushes over the same workspaces cannot deadlock.
    PERFORM 1 FROM arbor.log_heads h
    WHERE h.workspace_id IN (
              SELECT r.workspace_id FROM json_to_recordset(conversation_rows) AS r(workspace_id uuid)
              UNION
              SELECT r.workspace_id FROM json_to_recordset(message_rows) AS r(workspace_id uuid))
      AND h.workspace_id IN (SELECT m.workspace_id FROM arbor.members m
                             WHERE m.role_name = me AND m.role IN ('admin', 'member'))
    ORDER BY h.workspace_id
    FOR UPDATE;

    -- Conversations. A seen row (t) is one of the caller's workspaces (forced row-level
    -- security); last writer by updated_at wins for the mutable fields, a tombstone sticks.
    WITH judged AS (
        SELECT r.*, t.id IS NOT NULL AS seen,
               CASE WHEN m.role IS NULL THEN 'not-a-member'
                    WHEN m.role = 'viewer' THEN 'viewer'
                    WHEN t.id IS NOT NULL AND t.workspace_id <> r.workspace_id THEN 'id-taken'
                    WHEN t.id IS NOT NULL AND t.created_by <> me AND m.role <> 'admin'
                        THEN 'not-yours'
               END AS refusal,
               -- A fork's origin stays in its workspace: a conversation of the same workspace,
               -- on the server or in this push (checked again once this push is written).
               CASE WHEN EXISTS (SELECT 1 FROM arbor.conversations o
                                 WHERE o.id = r.forked_from_conversation_id
                                   AND o.workspace_id = r.workspace_id)
                      OR EXISTS (SELECT 1 FROM json_to_recordset(conversation_rows)
                                              AS b(id uuid, workspace_id uuid)
                                 WHERE b.id = r.forked_from_conversation_id
                                   AND b.workspace_id = r.workspace_id)
                    THEN r.forked_from_conversation_id END AS origin_conversation
        FROM json_to_recordset(conversation_rows) AS r(
                 id uuid, workspace_id uuid, title text, current_leaf_id uuid, settings text,
                 forked_from_conversation_id uuid, forked_from_message_id uuid, created_at bigint,
                 updated_at bigint, deleted_at bigint, source_format text, source_id text)
        LEFT JOIN arbor.members m ON m.workspace_id = r.workspace_id AND m.role_name = me
        LEFT JOIN arbor.conversations t ON t.id = r.id
    ), updated AS (
        UPDATE arbor.conversations t
        SET title = coalesce(p.title, ''), current_leaf_id = p.current_leaf_id,
            settings = coalesce(p.settings, '{}')::jsonb,
            updated_at = p.updated_at, deleted_at = coalesce(t.deleted_at, p.deleted_at)
        FROM judged p
        WHERE p.refusal IS NULL AND p.seen AND t.id = p.id
          AND (t.updated_at < p.updated_at OR (t.deleted_at IS NULL AND p.deleted_at IS NOT NULL))
        RETURNING t.id
    ), inserted AS (
        INSERT INTO arbor.conversations AS t (id, workspace_id, title, current_leaf_id, settings,
            created_by, forked_from_conversation_id, forked_from_message_id, created_at,
            updated_at, deleted_at, source_format, source_id)
        SELECT p.id, p.workspace_id, coalesce(p.title, ''), p.current_leaf_id,
               coalesce(p.settings, '{}')::jsonb, me, p.origin_conversation,
               CASE WHEN p.origin_conversation IS NOT NULL THEN p.forked_from_message_id END,
               p.created_at, p.updated_at, p.deleted_at, p.source_format, p.source_id
        FROM judged p WHERE p.refusal IS NULL AND NOT p.seen
        ON CONFLICT (id) DO NOTHING
        RETURNING t.id
    )
    SELECT array_agg(ROW(p.id,
               CASE WHEN p.refusal IS NOT NULL THEN p.refusal
                    WHEN p.seen AND p.id IN (SELECT u.id FROM updated u) THEN 'ok'
                    WHEN p.seen THEN 'unchanged'
                    WHEN p.id IN (SELECT i.id FROM inserted i) THEN 'ok'
                    ELSE 'conflict' END)::arbor.push_outcome)
    INTO results FROM judged p;
    written := ARRAY(SELECT r.id FROM unnest(results) r WHERE r.outcome = 'ok');
    -- Not inserted: another push of the caller's wrote it meanwhile (busy, push again), or the
    -- id belongs to a row the caller cannot see.
    RETURN QUERY
    SELECT 'conversation'::text, r.id,
           CASE WHEN r.outcome <> 'conflict' THEN r.outcome
                WHEN EXISTS (SELECT 1 FROM arbor.conversations t WHERE t.id = r.id) THEN 'busy'
                ELSE 'id-taken' END
    FROM unnest(results) r;

    -- Messages. Seen rows move forward only: text grows while streaming, a final status is
    -- kept, labels and tombstones follow; the comparison is with the caller's own row. New rows
    -- need their conversation on the server and their parent there or accepted in this push,
    -- in the same conversation.
    WITH RECURSIVE judged AS (
        SELECT r.*, t.id IS NOT NULL AS seen,
               CASE WHEN m.role IS NULL THEN 'not-a-member'
                    WHEN m.role = 'viewer' THEN 'viewer'
                    WHEN t.id IS NOT NULL AND (t.workspace_id <> r.workspace_id
                                               OR t.conversation_id <> r.conversation_id)
                        THEN 'id-taken'
                    WHEN t.id IS NOT NULL AND t.author <> me THEN 'not-yours'
                    WHEN t.id IS NULL AND NOT EXISTS (
                             SELECT 1 FROM arbor.conversations c
                             WHERE c.id = r.conversation_id AND c.workspace_id = r.workspace_id)
                        THEN 'conversation-missing'
               END AS refusal
        FROM json_to_recordset(message_rows) AS r(
                 id uuid, workspace_id uuid, conversation_id uuid, parent_id uuid, role text,
                 provider text, model text, content text, status text, error text,
                 finish_reason text, prompt_tokens integer, completion_tokens integer, label text,
                 created_at bigint, finished_at bigint, deleted_at bigint, deleted_batch text,
                 reasoning text, reasoning_ms bigint, reasoning_data text, tool_calls text,
                 cached_tokens integer, reasoning_tokens integer, usage_estimated boolean,
                 cost_nanos bigint, currency text, source_id text, first_token_at bigint,
                 fused_from text, params text, request text)
        LEFT JOIN arbor.members m ON m.workspace_id = r.workspace_id AND m.role_name = me
        LEFT JOIN arbor.messages t ON t.id = r.id
    ), fresh AS (
        SELECT p.* FROM judged p WHERE p.refusal IS NULL AND NOT p.seen
    ), accepted(id) AS (
        SELECT p.id FROM fresh p
        WHERE p.parent_id IS NULL
           OR EXISTS (SELECT 1 FROM arbor.messages q
                      WHERE q.id = p.parent_id AND q.workspace_id = p.workspace_id
                        AND q.conversation_id = p.conversation_id)
        UNION
        SELECT c.id FROM accepted a
        JOIN fresh q ON q.id = a.id
        JOIN fresh c ON c.parent_id = q.id AND c.conversation_id = q.conversation_id
                    AND c.workspace_id = q.workspace_id
    ), updated AS (
        UPDATE arbor.messages t SET
            content = CASE WHEN t.status IN ('queued', 'streaming', 'interrupted')
                           THEN coalesce(p.content, '') ELSE t.content END,
            status = CASE WHEN t.status IN ('queued', 'streaming', 'interrupted')
                          THEN p.status ELSE t.status END,
            reasoning = CASE WHEN t.status IN ('queued', 'streaming', 'interrupted')
                             THEN coalesce(p.reasoning, '') ELSE t.reasoning END,
            reasoning_ms = CASE WHEN t.status IN ('queued', 'streaming', 'interrupted')
                                THEN p.reasoning_ms ELSE t.reasoning_ms END,
            reasoning_data = CASE WHEN t.status IN ('queued', 'streaming', 'interrupted')
                                  THEN p.reasoning_data ELSE t.reasoning_data END,
            first_token_at = CASE WHEN t.status IN ('queued', 'streaming', 'interrupted')
                                  THEN p.first_token_at ELSE t.first_token_at END,
            error = coalesce(p.error, ''), finish_reason = coalesce(p.finish_reason, ''),
            prompt_tokens = p.prompt_tokens,
            completion_tokens = p.completion_tokens, finished_at = p.finished_at,
            cached_tokens = p.cached_tokens, reasoning_tokens = p.reasoning_tokens,
            usage_estimated = coalesce(p.usage_estimated, false), cost_nanos = p.cost_nanos,
            currency = p.currency,
            label = p.label, deleted_at = p.deleted_at, deleted_batch = p.deleted_batch,
            tool_calls = p.tool_calls
        FROM judged p
        WHERE p.refusal IS NULL AND p.seen AND t.id = p.id AND t.author = me
          AND ((t.status IN ('queued', 'streaming', 'interrupted')
                AND (t.content, t.status, t.error, t.finish_reason, t.reasoning, t.reasoning_ms,
                     t.reasoning_data, t.prompt_tokens, t.completion_tokens, t.cached_tokens,
                     t.reasoning_tokens, t.usage_estimated, t.cost_nanos, t.currency,
                     t.first_token_at)
                    IS DISTINCT FROM
                    (coalesce(p.content, ''), p.status, coalesce(p.error, ''),
                     coalesce(p.finish_reason, ''), coalesce(p.reasoning, ''), p.reasoning_ms,
                     p.reasoning_data, p.prompt_tokens, p.completion_tokens, p.cached_tokens,
                     p.reasoning_tokens, coalesce(p.usage_estimated, false), p.cost_nanos,
                     p.currency, p.first_token_at))
               OR (t.label, t.deleted_at, t.deleted_batch, t.tool_calls) IS DISTINCT FROM
                  (p.label, p.deleted_at, p.deleted_batch, p.tool_calls))
        RETURNING t.id
    ), inserted AS (
        INSERT INTO arbor.messages AS t (id, workspace_id, conversation_id, parent_id, role,
            author, provider, model, content, status, error, finish_reason, prompt_tokens,
            completion_tokens, label, created_at, finished_at, deleted_at, deleted_batch,
            reasoning, reasoning_ms, reasoning_data, tool_calls, cached_tokens, reasoning_tokens,
            usage_estimated, cost_nanos, currency, source_id, first_token_at, fused_from, params,
            request)
        SELECT p.id, p.workspace_id, p.conversation_id, p.parent_id, p.role, me,
               coalesce(p.provider, ''), coalesce(p.model, ''), coalesce(p.content, ''),
               p.status, coalesce(p.error, ''), coalesce(p.finish_reason, ''), p.prompt_tokens,
               p.completion_tokens, p.label, p.created_at, p.finished_at, p.deleted_at,
               p.deleted_batch, coalesce(p.reasoning, ''), p.reasoning_ms, p.reasoning_data,
               p.tool_calls, p.cached_tokens, p.reasoning_tokens,
               coalesce(p.usage_estimated, false), p.cost_nanos, p.currency, p.source_id,
               p.first_token_at, p.fused_from, p.params, p.request
        FROM fresh p WHERE p.id IN (SELECT a.id FROM accepted a)
        ON CONFLICT (id) DO NOTHING
        RETURNING t.id
    )
    SELECT array_agg(ROW(p.id,
               CASE WHEN p.refusal IS NOT NULL THEN p.refusal
                    WHEN p.seen AND p.id IN (SELECT u.id FROM updated u) THEN 'ok'
                    WHEN p.seen THEN 'unchanged'
                    WHEN p.id IN (SELECT i.id FROM inserted i) THEN 'ok'
                    WHEN p.id IN (SELECT a.id FROM accepted a) THEN 'conflict'
                    ELSE 'parent-missing' END)::arbor.push_outcome)
    INTO results FROM judged p;
    RETURN QUERY
    SELECT 'message'::text, r.id,
           CASE WHEN r.outcome <> 'conflict' THEN r.outcome
                WHEN EXISTS (SELECT 1 FROM arbor.messages t WHERE t.id = r.id) THEN 'busy'
                ELSE 'id-taken' END
    FROM unnest(results) r;

    -- A fork written here whose origin did not make it (refused in this push), or whose message
    -- is not of the origin conversation, keeps no (or only the conversation) origin.
    UPDATE arbor.conversations t
    SET forked_from_conversation_id = o.origin,
        forked_from_message_id = CASE WHEN o.origin IS NOT NULL AND EXISTS (
            SELECT 1 FROM arbor.messages om
            WHERE om.id = t.forked_from_message_id AND om.conversation_id = o.origin)
            THEN t.forked_from_message_id END
    FROM (SELECT c.id AS fork, v.id AS origin FROM arbor.conversations c
          LEFT JOIN arbor.conversations v
                 ON v.id = c.forked_from_conversation_id AND v.workspace_id = c.workspace_id
          WHERE c.id = ANY (written) AND c.forked_from_conversation_id IS NOT NULL) o
    WHERE t.id = o.fork
      AND (o.origin IS NULL OR (t.forked_from_message_id IS NOT NULL AND NOT EXISTS (
               SELECT 1 FROM arbor.messages om
               WHERE om.id = t.forked_from_message_id AND om.conversation_id = o.origin)));
END
$$;

-- ---------------------------------------------------------------------------------------------
-- Reads: arbor.pull as in version 10, returning request too (its result type changes, so it is
-- dropped and created again, with its grants).

DROP FUNCTION arbor.pull(json, integer);
CREATE FUNCTION arbor.pull(positions json, max_changes integer)
RETURNS TABLE (workspace_id uuid, last_position bigint, changes integer,
               entity text, entity_id uuid,
               -- messages
               conversation_id uuid, parent_id uuid, role text, author text, provider text,
               model text, content text, status text, error text, finish_reason text,
               label text, deleted_batch text, prompt_tokens integer, completion_tokens integer,
               finished_at bigint,
               -- conversations
               title text, current_leaf_id uuid, settings text, created_by text,
               forked_from_conversation_id uuid, forked_from_message_id uuid, updated_at bigint,
               -- both
               created_at bigint, deleted_at bigint,
               -- messages (version 5)
               reasoning text, reasoning_ms bigint, reasoning_data text,
               -- messages (version 6)
               tool_calls text,
               -- messages (version 7)
               cached_tokens integer, reasoning_tokens integer, usage_estimated boolean,
               cost_nanos bigint, currency text,
               -- conversations, both (version 8)
               source_format text, source_id text,
               -- messages (version 9)
               first_token_at bigint, fused_from text,
               -- messages (version 10)
               params text,
               -- messages (version 11)
               request text)
LANGUAGE plpgsql STABLE
SET enable_seqscan = off SET enable_bitmapscan = off
AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    WITH page AS MATERIALIZED (
        SELECT l.workspace_id, l.position, l.entity, l.entity_id
        FROM arbor.my_memberships mm
        CROSS JOIN LATERAL (
            SELECT c.workspace_id, c.position, c.entity, c.entity_id FROM arbor.changes c
            WHERE c.workspace_id = mm.workspace_id
              AND c.position > coalesce((positions ->> mm.workspace_id::text)::bigint, 0)
            ORDER BY c.position
            LIMIT max_changes) l
    ), entities AS (
        SELECT DISTINCT p.workspace_id, p.entity, p.entity_id FROM page p
    )
    SELECT p.workspace_id, max(p.position), count(*)::integer, NULL::text, NULL::uuid,
           NULL::uuid, NULL::uuid, NULL::text, NULL::text, NULL::text, NULL::text, NULL::text,
           NULL::text, NULL::text, NULL::text, NULL::text, NULL::text, NULL::integer,
           NULL::integer, NULL::bigint, NULL::text, NULL::uuid, NULL::text, NULL::text,
           NULL::uuid, NULL::uuid, NULL::bigint, NULL::bigint, NULL::bigint,
           NULL::text, NULL::bigint, NULL::text, NULL::text,
           NULL::integer, NULL::integer, NULL::boolean, NULL::bigint, NULL::text,
           NULL::text, NULL::text, NULL::bigint, NULL::text, NULL::text, NULL::text
    FROM page p GROUP BY p.workspace_id
    UNION ALL
    SELECT e.workspace_id, NULL::bigint, NULL::integer, e.entity, e.entity_id,
           m.conversation_id, m.parent_id, m.role, m.author, m.provider, m.model, m.content,
           m.status, m.error, m.finish_reason, m.label, m.deleted_batch, m.prompt_tokens,
           m.completion_tokens, m.finished_at,
           v.title, v.current_leaf_id, v.settings::text, v.created_by,
           v.forked_from_conversation_id, v.forked_from_message_id, v.updated_at,
           coalesce(m.created_at, v.created_at), coalesce(m.deleted_at, v.deleted_at),
           m.reasoning, m.reasoning_ms, m.reasoning_data, m.tool_calls,
           m.cached_tokens, m.reasoning_tokens, m.usage_estimated, m.cost_nanos, m.currency,
           v.source_format, coalesce(m.source_id, v.source_id), m.first_token_at, m.fused_from,
           m.params, m.request
    FROM entities e
    LEFT JOIN arbor.messages m ON e.entity = 'message' AND m.id = e.entity_id
    LEFT JOIN arbor.conversations v ON e.entity = 'conversation' AND v.id = e.entity_id;
END
$$;

REVOKE ALL ON FUNCTION arbor.pull(json, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION arbor.pull(json, integer) TO arbor_user;
