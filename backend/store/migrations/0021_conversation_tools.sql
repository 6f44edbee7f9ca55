-- Arbor local store: which MCP tool servers a conversation uses, where it differs from the
-- global choice (tool_servers.enabled).
--
-- Local only, never synced (no sync trigger, no server table): tool servers are per device
-- (migration 0017), so a teammate's conversation may name servers this machine does not have.
-- A server without a row here follows its global setting; a row says on (1) or off (0) for this
-- conversation alone. Rows go with their conversation or their server.
CREATE TABLE conversation_tool_servers (
    conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    server          TEXT NOT NULL REFERENCES tool_servers (name) ON DELETE CASCADE,
    enabled         INTEGER NOT NULL CHECK (enabled IN (0, 1)),
    PRIMARY KEY (conversation_id, server)
);
