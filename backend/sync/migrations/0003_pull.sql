-- Arbor team server, version 3: one round trip per pull, and an index for deletes.
--
-- changes_after() is the change-log cursor read (see arbor.changes in version 1). It pins the
-- plan: right after a large write the table has no statistics yet, and the planner then chose a
-- bitmap scan of every row after the cursor plus a sort, for each page: a new client pulling a
-- 100,000-message workspace spent 16 s reading the log. The (xid, id) index scan in order reads
-- one page's rows and stops. SECURITY INVOKER: row-level security still filters the log.
-- PL/pgSQL rather than SQL for both functions: it keeps their plans for the session, and
-- planning arbor.pull() cost more than running it (1.5 ms per empty pull, times every client
-- woken by every message).
CREATE FUNCTION arbor.changes_after(after_xid xid8, after_id bigint, max_changes integer)
RETURNS TABLE (id bigint, xid xid8, workspace_id uuid, entity text, entity_id uuid,
               conversation_id uuid, op text)
LANGUAGE plpgsql STABLE
SET enable_bitmapscan = off SET enable_sort = off
AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    SELECT c.id, c.xid, c.workspace_id, c.entity, c.entity_id, c.conversation_id, c.op
    FROM arbor.changes c
    WHERE (c.xid, c.id) > (after_xid, after_id)
      AND c.xid < pg_snapshot_xmin(pg_current_snapshot())
    ORDER BY c.xid, c.id
    LIMIT max_changes;
END
$$;

-- A pull: the next page of the log joined with the rows it names, newest state, one row per
-- entity. Every row repeats the page summary: how many changes the page held, the cursor after
-- it, and whether committed changes wait above the watermark (a transaction older than them is
-- still running: pull again soon). An empty page is one row with a NULL entity. A row whose
-- entity is NULL in both halves was not readable (it cannot happen while the log and the rows
-- share one policy, but the client skips it rather than trusting that).
CREATE FUNCTION arbor.pull(after_xid xid8, after_id bigint, max_changes integer)
RETURNS TABLE (changes integer, last_xid text, last_id bigint, held_back boolean,
               entity text, entity_id uuid, workspace_id uuid,
               -- messages
               conversation_id uuid, parent_id uuid, role text, author text, provider text,
               model text, content text, status text, error text, finish_reason text,
               label text, deleted_batch text, prompt_tokens integer, completion_tokens integer,
               finished_at bigint,
               -- conversations
               title text, current_leaf_id uuid, settings text, created_by text,
               forked_from_conversation_id uuid, forked_from_message_id uuid, updated_at bigint,
               -- both
               created_at bigint, deleted_at bigint)
LANGUAGE plpgsql STABLE
-- A page is at most a few thousand rows: look each one up by its key, never scan a table.
SET enable_seqscan = off SET enable_bitmapscan = off
AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    WITH page AS MATERIALIZED (
        SELECT * FROM arbor.changes_after(after_xid, after_id, max_changes)
    ), summary AS (
        SELECT (SELECT count(*)::integer FROM page) AS changes,
               last.xid::text AS last_xid, last.id AS last_id,
               EXISTS (SELECT 1 FROM arbor.changes w
                       WHERE w.xid >= pg_snapshot_xmin(pg_current_snapshot())) AS held_back
        FROM (SELECT 1) one
        LEFT JOIN LATERAL (SELECT p.xid, p.id FROM page p ORDER BY p.xid DESC, p.id DESC
                           LIMIT 1) last ON true
    ), entities AS (
        SELECT DISTINCT p.entity, p.entity_id FROM page p
    )
    SELECT s.changes, s.last_xid, s.last_id, s.held_back, e.entity, e.entity_id,
           coalesce(m.workspace_id, v.workspace_id),
           m.conversation_id, m.parent_id, m.role, m.author, m.provider, m.model, m.content,
           m.status, m.error, m.finish_reason, m.label, m.deleted_batch, m.prompt_tokens,
           m.completion_tokens, m.finished_at,
           v.title, v.current_leaf_id, v.settings::text, v.created_by,
           v.forked_from_conversation_id, v.forked_from_message_id, v.updated_at,
           coalesce(m.created_at, v.created_at), coalesce(m.deleted_at, v.deleted_at)
    FROM summary s
    LEFT JOIN (entities e
               LEFT JOIN arbor.messages m ON e.entity = 'message' AND m.id = e.entity_id
               LEFT JOIN arbor.conversations v
                      ON e.entity = 'conversation' AND v.id = e.entity_id) ON true;
END
$$;

REVOKE ALL ON FUNCTION arbor.changes_after(xid8, bigint, integer),
                       arbor.pull(xid8, bigint, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION arbor.changes_after(xid8, bigint, integer),
                          arbor.pull(xid8, bigint, integer) TO arbor_user;

-- Deleting a message checks that no message still names it as parent (the composite foreign
-- key of version 1): without this index, each check scanned the table.
CREATE INDEX messages_parent ON arbor.messages (parent_id, workspace_id);

-- The policies of versions 1 and 2 called arbor.can_read() and friends once per row: a SQL
-- function whose body holds a subquery is never inlined, so every row ran the function's own
-- executor (about 10 µs; three times per pulled message). The same rule as an uncorrelated
-- subquery is evaluated once per statement and probed as a hash. The view is inlined into
-- each policy like the subquery it names; security_invoker keeps the members policy (own rows
-- only) in force. The functions stay for anyone who calls them.
CREATE VIEW arbor.my_memberships WITH (security_invoker = true) AS
    SELECT m.workspace_id, m.role FROM arbor.members m WHERE m.role_name = current_user;
REVOKE ALL ON arbor.my_memberships FROM PUBLIC;
GRANT SELECT ON arbor.my_memberships TO arbor_user;

ALTER POLICY workspaces_read ON arbor.workspaces
    USING (id IN (SELECT workspace_id FROM arbor.my_memberships));
ALTER POLICY conversations_read ON arbor.conversations
    USING (workspace_id IN (SELECT workspace_id FROM arbor.my_memberships));
ALTER POLICY conversations_create ON arbor.conversations
    WITH CHECK (workspace_id IN (SELECT workspace_id FROM arbor.my_memberships
                                 WHERE role IN ('admin', 'member'))
                AND created_by = current_user);
ALTER POLICY conversations_change ON arbor.conversations
    USING (workspace_id IN (SELECT workspace_id FROM arbor.my_memberships
                            WHERE role IN ('admin', 'member'))
           AND (created_by = current_user
                OR workspace_id IN (SELECT workspace_id FROM arbor.my_memberships
                                    WHERE role = 'admin')))
    WITH CHECK (workspace_id IN (SELECT workspace_id FROM arbor.my_memberships
                                 WHERE role IN ('admin', 'member')));
ALTER POLICY messages_read ON arbor.messages
    USING (workspace_id IN (SELECT workspace_id FROM arbor.my_memberships));
ALTER POLICY messages_create ON arbor.messages
    WITH CHECK (workspace_id IN (SELECT workspace_id FROM arbor.my_memberships
                                 WHERE role IN ('admin', 'member'))
                AND author = current_user);
ALTER POLICY messages_change ON arbor.messages
    USING (workspace_id IN (SELECT workspace_id FROM arbor.my_memberships
                            WHERE role IN ('admin', 'member'))
           AND author = current_user)
    WITH CHECK (workspace_id IN (SELECT workspace_id FROM arbor.my_memberships
                                 WHERE role IN ('admin', 'member'))
                AND author = current_user);
ALTER POLICY changes_read ON arbor.changes
    USING (workspace_id IN (SELECT workspace_id FROM arbor.my_memberships));
ALTER POLICY presence_read ON arbor.presence
    USING (workspace_id IN (SELECT workspace_id FROM arbor.my_memberships));
ALTER POLICY presence_own_insert ON arbor.presence
    WITH CHECK (role_name = current_user
                AND workspace_id IN (SELECT workspace_id FROM arbor.my_memberships));
ALTER POLICY presence_own_update ON arbor.presence
    USING (role_name = current_user
           AND workspace_id IN (SELECT workspace_id FROM arbor.my_memberships))
    WITH CHECK (role_name = current_user
                AND workspace_id IN (SELECT workspace_id FROM arbor.my_memberships));
