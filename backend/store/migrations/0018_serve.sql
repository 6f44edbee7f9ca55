-- Arbor local store, version 18: `arbord serve` (issue 23): bearer tokens, the replies each
-- token asked for, and its usage per day.
--
-- A token is shown once when it is made; only the SHA-256 of its secret (hex) is kept.
-- models: comma-separated "provider/model" keys or "provider/*" patterns the token may use;
-- '' allows every configured model. quota_tokens_per_day NULL: no daily quota.
CREATE TABLE serve_tokens (
    id                   TEXT PRIMARY KEY,
    name                 TEXT NOT NULL UNIQUE,
    hash                 TEXT NOT NULL UNIQUE,
    quota_tokens_per_day INTEGER CHECK (quota_tokens_per_day > 0),
    models               TEXT NOT NULL DEFAULT '',
    created_at           INTEGER NOT NULL,
    revoked_at           INTEGER
);

-- The replies a token asked for (each request of `arbord serve` makes one).
CREATE TABLE serve_replies (
    message_id TEXT PRIMARY KEY,
    token_id   TEXT NOT NULL
) WITHOUT ROWID;

-- Tokens used per token and UTC day (quotas are per UTC day), kept by the trigger below when a
-- reply's usage is recorded (it finishes), and by ServeQueries::tagReply for one that finished
-- before it was tagged.
CREATE TABLE usage_token_days (
    token_id      TEXT NOT NULL,
    day           TEXT NOT NULL,
    messages      INTEGER NOT NULL DEFAULT 0,
    input_tokens  INTEGER NOT NULL DEFAULT 0,
    output_tokens INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (token_id, day)
) WITHOUT ROWID;

CREATE TRIGGER usage_token_finish AFTER UPDATE OF prompt_tokens, completion_tokens ON messages
    WHEN OLD.prompt_tokens IS NULL AND OLD.completion_tokens IS NULL
         AND (NEW.prompt_tokens IS NOT NULL OR NEW.completion_tokens IS NOT NULL)
BEGIN
    INSERT INTO usage_token_days (token_id, day, messages, input_tokens, output_tokens)
    SELECT token_id, date(coalesce(NEW.finished_at, NEW.created_at) / 1000, 'unixepoch'), 1,
           coalesce(NEW.prompt_tokens, 0), coalesce(NEW.completion_tokens, 0)
    FROM serve_replies WHERE message_id = NEW.id
    ON CONFLICT DO UPDATE SET messages = usage_token_days.messages + 1,
        input_tokens = usage_token_days.input_tokens + excluded.input_tokens,
        output_tokens = usage_token_days.output_tokens + excluded.output_tokens;
END;
