-- Arbor team server, version 2: presence (who is online, in which conversation, typing).
--
-- One row per person and workspace, refreshed by the client every few seconds; a row older than
-- 30 seconds means offline. It is not part of the change log (it is not shared data), but every
-- write wakes the workspace's listeners so presence shows at once.

CREATE TABLE arbor.presence (
    workspace_id    uuid NOT NULL REFERENCES arbor.workspaces (id) ON DELETE CASCADE,
    role_name       text NOT NULL DEFAULT current_user,
    conversation_id uuid,
    typing          boolean NOT NULL DEFAULT false,
    online          boolean NOT NULL DEFAULT true,
    seen_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (workspace_id, role_name)
);

CREATE FUNCTION arbor.notify_presence() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, arbor AS $$
BEGIN
    PERFORM pg_notify('arbor_ws_' || replace(NEW.workspace_id::text, '-', ''),
                      json_build_object('e', 'presence', 'u', NEW.role_name)::text);
    RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION arbor.notify_presence() FROM PUBLIC;
CREATE TRIGGER presence_notify AFTER INSERT OR UPDATE ON arbor.presence
    FOR EACH ROW EXECUTE FUNCTION arbor.notify_presence();

ALTER TABLE arbor.presence ENABLE ROW LEVEL SECURITY;
CREATE POLICY presence_read ON arbor.presence FOR SELECT TO arbor_user
    USING (arbor.can_read(workspace_id));
CREATE POLICY presence_own_insert ON arbor.presence FOR INSERT TO arbor_user
    WITH CHECK (role_name = current_user AND arbor.can_read(workspace_id));
CREATE POLICY presence_own_update ON arbor.presence FOR UPDATE TO arbor_user
    USING (role_name = current_user AND arbor.can_read(workspace_id))
    WITH CHECK (role_name = current_user AND arbor.can_read(workspace_id));

REVOKE ALL ON arbor.presence FROM PUBLIC;
GRANT SELECT, INSERT ON arbor.presence TO arbor_user;
GRANT UPDATE (conversation_id, typing, online, seen_at) ON arbor.presence TO arbor_user;
