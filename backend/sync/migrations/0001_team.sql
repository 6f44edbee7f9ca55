-- Arbor team server, version 1: workspaces, members, shared conversations and messages,
-- row-level security, and the change log that pull reads.
--
-- Runs as the administrator that ran `arbord admin init`; that role owns every table (and, as
-- owner, is not subject to the policies below). People connect with their own LOGIN roles, all
-- members of the group role arbor_user, and see only what the policies allow.

CREATE TABLE arbor.workspaces (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name       text NOT NULL UNIQUE CHECK (name <> ''),
    created_at timestamptz NOT NULL DEFAULT now()
);

-- role_name is the PostgreSQL role (current_user) of the person.
CREATE TABLE arbor.members (
    workspace_id uuid NOT NULL REFERENCES arbor.workspaces (id) ON DELETE CASCADE,
    role_name    text NOT NULL,
    role         text NOT NULL CHECK (role IN ('admin', 'member', 'viewer')),
    added_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (workspace_id, role_name)
);
CREATE INDEX members_by_role_name ON arbor.members (role_name, workspace_id);

-- Every workspace-scoped row carries workspace_id, so the data can be sharded by workspace.
CREATE TABLE arbor.conversations (
    id                          uuid PRIMARY KEY,
    workspace_id                uuid NOT NULL REFERENCES arbor.workspaces (id),
    title                       text NOT NULL DEFAULT '',
    current_leaf_id             uuid,
    settings                    jsonb NOT NULL DEFAULT '{}',
    created_by                  text NOT NULL DEFAULT current_user,
    forked_from_conversation_id uuid,
    forked_from_message_id      uuid,
    created_at                  bigint NOT NULL,
    updated_at                  bigint NOT NULL,
    deleted_at                  bigint,
    UNIQUE (id, workspace_id)
);
CREATE INDEX conversations_by_workspace ON arbor.conversations (workspace_id, updated_at DESC);

CREATE TABLE arbor.messages (
    id                uuid PRIMARY KEY,
    workspace_id      uuid NOT NULL,
    conversation_id   uuid NOT NULL,
    parent_id         uuid,
    role              text NOT NULL CHECK (role IN ('system', 'user', 'assistant')),
    author            text NOT NULL DEFAULT current_user,
    provider          text NOT NULL DEFAULT '',
    model             text NOT NULL DEFAULT '',
    content           text NOT NULL DEFAULT '',
    status            text NOT NULL CHECK (status IN ('queued', 'streaming', 'complete', 'cancelled', 'error', 'interrupted')),
    error             text NOT NULL DEFAULT '',
    finish_reason     text NOT NULL DEFAULT '',
    prompt_tokens     integer,
    completion_tokens integer,
    label             text,
    created_at        bigint NOT NULL,
    finished_at       bigint,
    deleted_at        bigint,
    deleted_batch     text,
    UNIQUE (id, workspace_id),
    -- A message lives in the workspace of its conversation, and its parent too: a member cannot
    -- hang a message of workspace A under a conversation of workspace B.
    FOREIGN KEY (conversation_id, workspace_id) REFERENCES arbor.conversations (id, workspace_id),
    FOREIGN KEY (parent_id, workspace_id) REFERENCES arbor.messages (id, workspace_id)
        DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX messages_children ON arbor.messages (conversation_id, parent_id, created_at, id);
CREATE INDEX messages_by_workspace ON arbor.messages (workspace_id);

-- Messages are immutable once finished (DESIGN §2): only labels and tombstones change later.
-- 'interrupted' is left open: such a message may still be continued.
CREATE FUNCTION arbor.guard_finished_message() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status IN ('complete', 'cancelled', 'error')
       AND (NEW.content IS DISTINCT FROM OLD.content OR NEW.status IS DISTINCT FROM OLD.status) THEN
        RAISE EXCEPTION 'message % is finished and cannot change', OLD.id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER messages_guard_finished BEFORE UPDATE ON arbor.messages
    FOR EACH ROW EXECUTE FUNCTION arbor.guard_finished_message();

-- The change log. Pull reads it with a cursor (xid, id) and only below a safe watermark:
--
--   SELECT ... FROM arbor.changes
--   WHERE (xid, id) > ($cursor_xid, $cursor_id)
--     AND xid < pg_snapshot_xmin(pg_current_snapshot())
--   ORDER BY xid, id
--
-- `id` alone is not a safe cursor: identity values are handed out when a row is inserted, but
-- the rows become visible when their transaction commits, which can be in another order. A
-- reader that saw id 11 (committed) and moved its cursor past it never sees id 10, committed
-- a moment later. `xid` is the writing transaction's 64-bit id (xid8, never wraps). Every
-- transaction with an xid below the snapshot's xmin has ended, so the set of rows below the
-- watermark can no longer grow; a transaction that is still running, or not yet started, has
-- (or will get) an xid at or above it. Reading in (xid, id) order below the watermark therefore
-- sees every committed change exactly once, whatever the commit order. The price: a long
-- transaction holds the watermark back for everyone until it ends.
CREATE TABLE arbor.changes (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    xid             xid8 NOT NULL DEFAULT pg_current_xact_id(),
    workspace_id    uuid NOT NULL,
    entity          text NOT NULL CHECK (entity IN ('conversation', 'message')),
    entity_id       uuid NOT NULL,
    conversation_id uuid NOT NULL,
    op              text NOT NULL CHECK (op IN ('insert', 'update')),
    changed_at      timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX changes_cursor ON arbor.changes (xid, id);
CREATE INDEX changes_by_workspace ON arbor.changes (workspace_id, xid, id);

-- Writes a change row and wakes up the listeners of the workspace. SECURITY DEFINER: members
-- cannot write the log themselves, only through their own (policy-checked) writes. The NOTIFY
-- is a wake-up only, with ids and no content: LISTEN is not covered by row-level security.
CREATE FUNCTION arbor.log_change() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, arbor AS $$
DECLARE
    conversation uuid;
BEGIN
    IF TG_TABLE_NAME = 'messages' THEN
        conversation := NEW.conversation_id;
    ELSE
        conversation := NEW.id;
    END IF;
    INSERT INTO arbor.changes (workspace_id, entity, entity_id, conversation_id, op)
    VALUES (NEW.workspace_id, TG_ARGV[0], NEW.id, conversation, lower(TG_OP));
    PERFORM pg_notify('arbor_ws_' || replace(NEW.workspace_id::text, '-', ''),
                      json_build_object('e', TG_ARGV[0], 'id', NEW.id, 'c', conversation,
                                        'op', lower(TG_OP))::text);
    RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION arbor.log_change() FROM PUBLIC;
CREATE TRIGGER conversations_log AFTER INSERT OR UPDATE ON arbor.conversations
    FOR EACH ROW EXECUTE FUNCTION arbor.log_change('conversation');
CREATE TRIGGER messages_log AFTER INSERT OR UPDATE ON arbor.messages
    FOR EACH ROW EXECUTE FUNCTION arbor.log_change('message');

-- Membership tests used by the policies. Plain (not SECURITY DEFINER) SQL functions: they run
-- as the connected role, so their look-up in arbor.members is itself limited by the members
-- policy to the caller's own rows, and they reveal nothing about other people.
CREATE FUNCTION arbor.can_read(ws uuid) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM arbor.members m WHERE m.workspace_id = ws AND m.role_name = current_user)
$$;
CREATE FUNCTION arbor.can_write(ws uuid) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM arbor.members m
                   WHERE m.workspace_id = ws AND m.role_name = current_user AND m.role IN ('admin', 'member'))
$$;
CREATE FUNCTION arbor.is_workspace_admin(ws uuid) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM arbor.members m
                   WHERE m.workspace_id = ws AND m.role_name = current_user AND m.role = 'admin')
$$;

ALTER TABLE arbor.workspaces ENABLE ROW LEVEL SECURITY;
ALTER TABLE arbor.members ENABLE ROW LEVEL SECURITY;
ALTER TABLE arbor.conversations ENABLE ROW LEVEL SECURITY;
ALTER TABLE arbor.messages ENABLE ROW LEVEL SECURITY;
ALTER TABLE arbor.changes ENABLE ROW LEVEL SECURITY;

CREATE POLICY workspaces_read ON arbor.workspaces FOR SELECT TO arbor_user
    USING (arbor.can_read(id));
CREATE POLICY members_own ON arbor.members FOR SELECT TO arbor_user
    USING (role_name = current_user);

CREATE POLICY conversations_read ON arbor.conversations FOR SELECT TO arbor_user
    USING (arbor.can_read(workspace_id));
CREATE POLICY conversations_create ON arbor.conversations FOR INSERT TO arbor_user
    WITH CHECK (arbor.can_write(workspace_id) AND created_by = current_user);
-- The creator, or an admin of the workspace, renames, moves the current leaf, or tombstones.
CREATE POLICY conversations_change ON arbor.conversations FOR UPDATE TO arbor_user
    USING (arbor.can_write(workspace_id)
           AND (created_by = current_user OR arbor.is_workspace_admin(workspace_id)))
    WITH CHECK (arbor.can_write(workspace_id));

CREATE POLICY messages_read ON arbor.messages FOR SELECT TO arbor_user
    USING (arbor.can_read(workspace_id));
CREATE POLICY messages_create ON arbor.messages FOR INSERT TO arbor_user
    WITH CHECK (arbor.can_write(workspace_id) AND author = current_user);
CREATE POLICY messages_change ON arbor.messages FOR UPDATE TO arbor_user
    USING (arbor.can_write(workspace_id) AND author = current_user)
    WITH CHECK (arbor.can_write(workspace_id) AND author = current_user);

CREATE POLICY changes_read ON arbor.changes FOR SELECT TO arbor_user
    USING (arbor.can_read(workspace_id));

-- Privileges: nothing for PUBLIC; arbor_user reads, inserts and updates the listed columns.
-- Nobody but the owner deletes (deletion is a tombstone, DESIGN §2).
REVOKE ALL ON SCHEMA arbor FROM PUBLIC;
GRANT USAGE ON SCHEMA arbor TO arbor_user;
REVOKE ALL ON ALL TABLES IN SCHEMA arbor FROM PUBLIC;
GRANT SELECT ON arbor.schema_migrations, arbor.workspaces, arbor.members, arbor.changes TO arbor_user;
GRANT SELECT, INSERT ON arbor.conversations, arbor.messages TO arbor_user;
GRANT UPDATE (title, current_leaf_id, settings, updated_at, deleted_at) ON arbor.conversations TO arbor_user;
GRANT UPDATE (content, status, error, finish_reason, prompt_tokens, completion_tokens, finished_at,
              label, deleted_at, deleted_batch) ON arbor.messages TO arbor_user;
REVOKE ALL ON FUNCTION arbor.can_read(uuid), arbor.can_write(uuid), arbor.is_workspace_admin(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION arbor.can_read(uuid), arbor.can_write(uuid), arbor.is_workspace_admin(uuid) TO arbor_user;
