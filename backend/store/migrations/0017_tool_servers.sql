-- Arbor local store: MCP tool servers and the approval policy of their tools.
--
-- Local only, never synced to a team server (no sync trigger, no server table): a server is a
-- command on this device (a path, arguments, an environment) or a URL with headers, and its
-- secret values are in this device's keychain; a teammate's machine could not run it. The tool
-- calls themselves are on messages.tool_calls, which is shared.
--
-- Secret values (API keys in an environment variable or a header) are NOT here: secret_env and
-- secret_headers list only the names; the values are in the OS keychain (tools/toolservice.h).
CREATE TABLE tool_servers (
    name           TEXT PRIMARY KEY,                -- what the user calls it: "files", "github"
    transport      TEXT NOT NULL CHECK (transport IN ('stdio', 'http')),
    command        TEXT NOT NULL DEFAULT '',        -- stdio: the program
    args           TEXT NOT NULL DEFAULT '[]',      -- stdio: JSON array of its arguments
    env            TEXT NOT NULL DEFAULT '{}',      -- stdio: JSON object of plain variables
    secret_env     TEXT NOT NULL DEFAULT '[]',      -- stdio: JSON array of variable names in the keychain
    url            TEXT NOT NULL DEFAULT '',        -- http: the endpoint
    headers        TEXT NOT NULL DEFAULT '{}',      -- http: JSON object of plain headers
    secret_headers TEXT NOT NULL DEFAULT '[]',      -- http: JSON array of header names in the keychain
    enabled        INTEGER NOT NULL DEFAULT 1,      -- offered to every conversation
    created_at     INTEGER NOT NULL
);

-- allow: runs without asking; ask: waits for the user (awaiting_approval); deny: never runs,
-- the model gets a tool error. A tool without a row takes its default from its annotations.
CREATE TABLE tool_policies (
    server TEXT NOT NULL,
    tool   TEXT NOT NULL,
    policy TEXT NOT NULL CHECK (policy IN ('allow', 'ask', 'deny')),
    PRIMARY KEY (server, tool)
);
