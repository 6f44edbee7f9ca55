-- Arbor local store, version 8: the client side of team server version 4.
--
-- Pull positions are kept per workspace: the server hands out change-log positions per
-- workspace, in commit order. The old (xid, id) cursor is dropped; the next pull starts each
-- workspace at 0 and re-applies what it already has, which changes nothing.
CREATE TABLE sync_positions (
    workspace_id TEXT PRIMARY KEY,
    position     INTEGER NOT NULL
);
DELETE FROM sync_state WHERE key IN ('cursor_xid', 'cursor_id');

-- Why the server refused an outbox row: its outcome code (e.g. 'parent-missing'), so rows whose
-- reason may have gone away are pushed again. Meaningful while error is not ''.
ALTER TABLE sync_outbox ADD COLUMN reason TEXT NOT NULL DEFAULT '';

-- A conversation of a workspace this person no longer belongs to stays here as a personal copy
-- that remembers the workspace: being added back re-attaches it, nothing else can.
ALTER TABLE conversations ADD COLUMN left_workspace_id TEXT;
ALTER TABLE conversations ADD COLUMN left_workspace_name TEXT;

-- Rows a pull refused because they would have changed a row that is local-only here (e.g. a
-- personal conversation with the same id): kept for `arbord sync status` and the app.
CREATE TABLE sync_pull_refusals (
    entity       TEXT NOT NULL,
    entity_id    TEXT NOT NULL,
    workspace_id TEXT NOT NULL,
    reason       TEXT NOT NULL,
    seen_at      INTEGER NOT NULL,
    PRIMARY KEY (entity, entity_id)
);
