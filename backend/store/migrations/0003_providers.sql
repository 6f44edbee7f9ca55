-- Version 3: configured model providers and app settings. API keys are NOT here: they live in
-- the OS keychain under the provider id (see backend/secrets/).

CREATE TABLE providers (
    id         TEXT PRIMARY KEY,               -- stable, used in model keys "id/model"
    kind       TEXT NOT NULL,                  -- wire protocol: openai, anthropic, gemini, ollama
    name       TEXT NOT NULL,                  -- what the user calls it
    base_url   TEXT NOT NULL DEFAULT '',
    headers    TEXT NOT NULL DEFAULT '{}',     -- JSON object of extra request headers (no secrets)
    models     TEXT NOT NULL DEFAULT '[]',     -- JSON array of model ids offered in the pickers
    enabled    INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL
);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
