-- Arbor team server, version 4: members write only through functions, row-level security is
-- forced and keyed off the person who logged in, the change log is ordered per workspace, and
-- wake-ups go to private per-member channels. See docs/team-server.md, "Threat model".
--
-- Why (each closes an attack seen against version 3):
-- * INSERT ... ON CONFLICT (id) DO UPDATE ... WHERE <predicate> evaluates the predicate against
--   the existing row before row-level security checks it, so "new row violates row-level
--   security policy" against "INSERT 0 0" answered yes/no questions about rows of other
--   workspaces. Members now hold no INSERT, UPDATE or DELETE privilege on shared tables; they
--   call arbor.push() and arbor.set_presence(), which check membership first, look at existing
--   rows only through the caller's own row-level security, and take no caller-supplied predicate.
-- * Those functions run as the owner (SECURITY DEFINER): who is calling is session_user, and the
--   owner is held to the policies too (FORCE ROW LEVEL SECURITY), so the policies stay a second
--   wall behind the functions' own checks.
-- * A cluster-wide snapshot watermark let any login role stall every workspace's pull with one
--   idle transaction. Positions are now handed out per workspace, under a row lock on the
--   workspace's log head that is held to commit: committed positions of a workspace always form
--   a prefix, a pull needs no watermark, and nothing outside a workspace can hold it back.
-- * NOTIFY on arbor_ws_<workspace id> could be heard by anyone, for ever. Each membership now has
--   its own random channel, readable only by that member; removing the membership ends it.

-- ---------------------------------------------------------------------------------------------
-- Who is asking: session_user. Inside a SECURITY DEFINER function current_user is the owner.

CREATE OR REPLACE VIEW arbor.my_memberships WITH (security_invoker = true) AS
    SELECT m.workspace_id, m.role FROM arbor.members m WHERE m.role_name = session_user;

CREATE OR REPLACE FUNCTION arbor.can_read(ws uuid) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM arbor.members m WHERE m.workspace_id = ws AND m.role_name = session_user)
$$;
CREATE OR REPLACE FUNCTION arbor.can_write(ws uuid) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM arbor.members m
                   WHERE m.workspace_id = ws AND m.role_name = session_user AND m.role IN ('admin', 'member'))
$$;
CREATE OR REPLACE FUNCTION arbor.is_workspace_admin(ws uuid) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM arbor.members m
                   WHERE m.workspace_id = ws AND m.role_name = session_user AND m.role = 'admin')
$$;

-- A private wake-up channel per membership: 122 random bits, readable only by the member.
ALTER TABLE arbor.members
    ADD COLUMN channel text NOT NULL DEFAULT 'arbor_' || replace(gen_random_uuid()::text, '-', '');
ALTER TABLE arbor.members ADD CONSTRAINT members_channel_key UNIQUE (channel);

-- ---------------------------------------------------------------------------------------------
-- Policies: every one names session_user (through arbor.my_memberships) and applies to PUBLIC,
-- so that they also bind the owner inside the write functions. PUBLIC holds no privilege on
-- these tables; arbor_user holds SELECT only.

ALTER POLICY members_own ON arbor.members TO PUBLIC USING (role_name = session_user);
ALTER POLICY workspaces_read ON arbor.workspaces TO PUBLIC;
ALTER POLICY conversations_read ON arbor.conversations TO PUBLIC;
ALTER POLICY conversations_create ON arbor.conversations TO PUBLIC
    WITH CHECK (workspace_id IN (SELECT workspace_id FROM arbor.my_memberships
                                 WHERE role IN ('admin', 'member'))
                AND created_by = session_user);
ALTER POLICY conversations_change ON arbor.conversations TO PUBLIC
    USING (workspace_id IN (SELECT workspace_id FROM arbor.my_memberships
                            WHERE role IN ('admin', 'member'))
           AND (created_by = session_user
                OR workspace_id IN (SELECT workspace_id FROM arbor.my_memberships
                                    WHERE role = 'admin')));
ALTER POLICY messages_read ON arbor.messages TO PUBLIC;
ALTER POLICY messages_create ON arbor.messages TO PUBLIC
    WITH CHECK (workspace_id IN (SELECT workspace_id FROM arbor.my_memberships
                                 WHERE role IN ('admin', 'member'))
                AND author = session_user);
ALTER POLICY messages_change ON arbor.messages TO PUBLIC
    USING (workspace_id IN (SELECT workspace_id FROM arbor.my_memberships
                            WHERE role IN ('admin', 'member'))
           AND author = session_user)
    WITH CHECK (workspace_id IN (SELECT workspace_id FROM arbor.my_memberships
                                 WHERE role IN ('admin', 'member'))
                AND author = session_user);
ALTER POLICY changes_read ON arbor.changes TO PUBLIC;
-- Only the log triggers (owner) insert: arbor_user holds no INSERT privilege on the log.
CREATE POLICY changes_append ON arbor.changes FOR INSERT TO PUBLIC WITH CHECK (true);
ALTER POLICY presence_read ON arbor.presence TO PUBLIC;
ALTER POLICY presence_own_insert ON arbor.presence TO PUBLIC
    WITH CHECK (role_name = session_user
                AND workspace_id IN (SELECT workspace_id FROM arbor.my_memberships));
ALTER POLICY presence_own_update ON arbor.presence TO PUBLIC
    USING (role_name = session_user
           AND workspace_id IN (SELECT workspace_id FROM arbor.my_memberships))
    WITH CHECK (role_name = session_user
                AND workspace_id IN (SELECT workspace_id FROM arbor.my_memberships));

ALTER TABLE arbor.conversations FORCE ROW LEVEL SECURITY;
ALTER TABLE arbor.messages FORCE ROW LEVEL SECURITY;
ALTER TABLE arbor.changes FORCE ROW LEVEL SECURITY;
ALTER TABLE arbor.presence FORCE ROW LEVEL SECURITY;

-- Members read; they write only through the functions below.
REVOKE INSERT, UPDATE, DELETE ON arbor.conversations, arbor.messages, arbor.presence FROM arbor_user;

-- ---------------------------------------------------------------------------------------------
-- The change log, ordered per workspace.

-- The last position handed out in each workspace. A writer holds the row's lock until it
-- commits, so positions of one workspace are handed out, and become visible, in commit order.
CREATE TABLE arbor.log_heads (
    workspace_id uuid PRIMARY KEY REFERENCES arbor.workspaces (id) ON DELETE CASCADE,
    position     bigint NOT NULL DEFAULT 0
);
REVOKE ALL ON arbor.log_heads FROM PUBLIC;

ALTER TABLE arbor.changes ADD COLUMN position bigint;
UPDATE arbor.changes c SET position = n.position
FROM (SELECT id, row_number() OVER (PARTITION BY workspace_id ORDER BY xid, id) AS position
      FROM arbor.changes) n
WHERE n.id = c.id;
INSERT INTO arbor.log_heads (workspace_id, position)
    SELECT w.id, coalesce((SELECT max(c.position) FROM arbor.changes c WHERE c.workspace_id = w.id), 0)
    FROM arbor.workspaces w;
DROP FUNCTION arbor.pull(xid8, bigint, integer);
DROP FUNCTION arbor.changes_after(xid8, bigint, integer);
-- The global identity (which showed everyone how much every workspace writes) and the xid
-- watermark go; (workspace_id, position) is the key.
ALTER TABLE arbor.changes DROP COLUMN id, DROP COLUMN xid;
ALTER TABLE arbor.changes ALTER COLUMN position SET NOT NULL;
ALTER TABLE arbor.changes ADD PRIMARY KEY (workspace_id, position);

CREATE FUNCTION arbor.add_log_head() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, arbor, pg_temp AS $$
BEGIN
    INSERT INTO arbor.log_heads (workspace_id) VALUES (NEW.id) ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION arbor.add_log_head() FROM PUBLIC;
CREATE TRIGGER workspaces_log_head AFTER INSERT ON arbor.workspaces
    FOR EACH ROW EXECUTE FUNCTION arbor.add_log_head();

-- Wakes every member of a workspace on their own channel. The payload says only which kind of
-- thing changed ('d' data, 'p' presence): the pull that follows is what row-level security
-- filters.
CREATE FUNCTION arbor.wake(ws uuid, kind text) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, arbor, pg_temp AS $$
    SELECT pg_notify(m.channel, kind) FROM arbor.members m WHERE m.workspace_id = ws;
$$;
REVOKE ALL ON FUNCTION arbor.wake(uuid, text) FROM PUBLIC;

-- One log row per written row, per statement: positions for a workspace are reserved in one
-- step on its head row (locked to commit).
CREATE FUNCTION arbor.log_rows() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, arbor, pg_temp AS $$
DECLARE
    ws uuid;
    n bigint;
    base bigint;
BEGIN
    FOR ws, n IN SELECT r.workspace_id, count(*) FROM changed r GROUP BY r.workspace_id
                 ORDER BY r.workspace_id LOOP
        UPDATE arbor.log_heads h SET position = h.position + n WHERE h.workspace_id = ws
            RETURNING h.position - n INTO base;
        IF TG_ARGV[0] = 'message' THEN
            INSERT INTO arbor.changes (workspace_id, position, entity, entity_id, conversation_id, op)
            SELECT ws, base + row_number() OVER (ORDER BY r.created_at, r.id), 'message', r.id,
                   r.conversation_id, lower(TG_OP)
            FROM changed r WHERE r.workspace_id = ws;
        ELSE
            INSERT INTO arbor.changes (workspace_id, position, entity, entity_id, conversation_id, op)
            SELECT ws, base + row_number() OVER (ORDER BY r.created_at, r.id), 'conversation', r.id,
                   r.id, lower(TG_OP)
            FROM changed r WHERE r.workspace_id = ws;
        END IF;
        PERFORM arbor.wake(ws, 'd');
    END LOOP;
    RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION arbor.log_rows() FROM PUBLIC;

DROP TRIGGER conversations_log ON arbor.conversations;
DROP TRIGGER messages_log ON arbor.messages;
DROP FUNCTION arbor.log_change();
CREATE TRIGGER conversations_log_insert AFTER INSERT ON arbor.conversations
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION arbor.log_rows('conversation');
CREATE TRIGGER conversations_log_update AFTER UPDATE ON arbor.conversations
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION arbor.log_rows('conversation');
CREATE TRIGGER messages_log_insert AFTER INSERT ON arbor.messages
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION arbor.log_rows('message');
CREATE TRIGGER messages_log_update AFTER UPDATE ON arbor.messages
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION arbor.log_rows('message');

DROP TRIGGER presence_notify ON arbor.presence;
DROP FUNCTION arbor.notify_presence();

-- ---------------------------------------------------------------------------------------------
-- Writes.

-- Pushes rows of the caller's outbox: conversations, then messages, each an idempotent upsert by
-- id that only moves the server copy forward. Returns one outcome per input row:
--   ok, unchanged              written, or already so
--   busy                       the same id was written concurrently: push again
--   not-a-member, viewer       the caller may not write in the row's workspace
--   not-yours                  the row exists and belongs to someone else in the workspace
--   id-taken                   the id belongs to a row the caller cannot see
--   conversation-missing       a message's conversation is not on the server (yet)
--   parent-missing             a message's parent is not on the server (yet) nor accepted here
-- Existing rows are looked up only through the caller's row-level security; a row the caller
-- cannot see is never compared with anything the caller sent: all the caller can learn about it
-- is that its id is taken (ids are global keys: see docs/team-server.md).
CREATE TYPE arbor.push_outcome AS (id uuid, outcome text);

CREATE FUNCTION arbor.push(conversation_rows json, message_rows json)
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
                 updated_at bigint, deleted_at bigint)
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
            updated_at, deleted_at)
        SELECT p.id, p.workspace_id, coalesce(p.title, ''), p.current_leaf_id,
               coalesce(p.settings, '{}')::jsonb, me, p.origin_conversation,
               CASE WHEN p.origin_conversation IS NOT NULL THEN p.forked_from_message_id END,
               p.created_at, p.updated_at, p.deleted_at
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
                 created_at bigint, finished_at bigint, deleted_at bigint, deleted_batch text)
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
            error = coalesce(p.error, ''), finish_reason = coalesce(p.finish_reason, ''),
            prompt_tokens = p.prompt_tokens,
            completion_tokens = p.completion_tokens, finished_at = p.finished_at,
            label = p.label, deleted_at = p.deleted_at, deleted_batch = p.deleted_batch
        FROM judged p
        WHERE p.refusal IS NULL AND p.seen AND t.id = p.id AND t.author = me
          AND ((t.status IN ('queued', 'streaming', 'interrupted')
                AND (t.content, t.status, t.error, t.finish_reason) IS DISTINCT FROM
                    (coalesce(p.content, ''), p.status, coalesce(p.error, ''),
                     coalesce(p.finish_reason, '')))
               OR (t.label, t.deleted_at, t.deleted_batch) IS DISTINCT FROM
                  (p.label, p.deleted_at, p.deleted_batch))
        RETURNING t.id
    ), inserted AS (
        INSERT INTO arbor.messages AS t (id, workspace_id, conversation_id, parent_id, role,
            author, provider, model, content, status, error, finish_reason, prompt_tokens,
            completion_tokens, label, created_at, finished_at, deleted_at, deleted_batch)
        SELECT p.id, p.workspace_id, p.conversation_id, p.parent_id, p.role, me,
               coalesce(p.provider, ''), coalesce(p.model, ''), coalesce(p.content, ''),
               p.status, coalesce(p.error, ''), coalesce(p.finish_reason, ''), p.prompt_tokens,
               p.completion_tokens, p.label, p.created_at, p.finished_at, p.deleted_at,
               p.deleted_batch
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

-- Says where the caller is in one workspace: only a conversation of that workspace is kept.
CREATE FUNCTION arbor.set_presence(ws uuid, conversation uuid, is_typing boolean, is_online boolean)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, arbor, pg_temp AS $$
DECLARE
    me CONSTANT text := session_user;
    here uuid := conversation;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM arbor.members m WHERE m.workspace_id = ws AND m.role_name = me) THEN
        RAISE EXCEPTION 'you are not a member of workspace %', ws USING ERRCODE = '42501';
    END IF;
    IF here IS NOT NULL AND NOT EXISTS (SELECT 1 FROM arbor.conversations c
                                        WHERE c.id = here AND c.workspace_id = ws) THEN
        here := NULL;
    END IF;
    INSERT INTO arbor.presence AS p (workspace_id, role_name, conversation_id, typing, online, seen_at)
    VALUES (ws, me, here, is_typing AND here IS NOT NULL, is_online, now())
    ON CONFLICT (workspace_id, role_name) DO UPDATE
    SET conversation_id = EXCLUDED.conversation_id, typing = EXCLUDED.typing,
        online = EXCLUDED.online, seen_at = EXCLUDED.seen_at;
    PERFORM arbor.wake(ws, 'p');
END
$$;

-- ---------------------------------------------------------------------------------------------
-- Reads.

-- A pull: for each of the caller's workspaces, the next page of at most max_changes log rows
-- after the caller's position there (positions: a JSON object {"<workspace id>": position};
-- a workspace it does not name starts at 0), joined with the current state of each row they
-- name. Summary rows (entity NULL) give, per workspace with changes, the last position read and
-- how many log rows the page held. SECURITY INVOKER: row-level security filters everything.
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
               created_at bigint, deleted_at bigint)
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
           NULL::uuid, NULL::uuid, NULL::bigint, NULL::bigint, NULL::bigint
    FROM page p GROUP BY p.workspace_id
    UNION ALL
    SELECT e.workspace_id, NULL::bigint, NULL::integer, e.entity, e.entity_id,
           m.conversation_id, m.parent_id, m.role, m.author, m.provider, m.model, m.content,
           m.status, m.error, m.finish_reason, m.label, m.deleted_batch, m.prompt_tokens,
           m.completion_tokens, m.finished_at,
           v.title, v.current_leaf_id, v.settings::text, v.created_by,
           v.forked_from_conversation_id, v.forked_from_message_id, v.updated_at,
           coalesce(m.created_at, v.created_at), coalesce(m.deleted_at, v.deleted_at)
    FROM entities e
    LEFT JOIN arbor.messages m ON e.entity = 'message' AND m.id = e.entity_id
    LEFT JOIN arbor.conversations v ON e.entity = 'conversation' AND v.id = e.entity_id;
END
$$;

-- The caller's workspaces with their role and private wake-up channel.
CREATE FUNCTION arbor.my_workspaces()
RETURNS TABLE (id uuid, name text, role text, channel text)
LANGUAGE sql STABLE AS $$
    SELECT w.id, w.name, m.role, m.channel
    FROM arbor.members m JOIN arbor.workspaces w ON w.id = m.workspace_id
    WHERE m.role_name = session_user
    ORDER BY w.name
$$;

REVOKE ALL ON FUNCTION arbor.push(json, json), arbor.set_presence(uuid, uuid, boolean, boolean),
                       arbor.pull(json, integer), arbor.my_workspaces() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION arbor.push(json, json), arbor.set_presence(uuid, uuid, boolean, boolean),
                          arbor.pull(json, integer), arbor.my_workspaces() TO arbor_user;
