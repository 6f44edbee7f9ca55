-- Arbor local store, version 13: the usage and cost ledger (issue 19).
--
-- Token counts follow one convention whatever the vendor's (llm::ChatUsage):
-- prompt_tokens      all input, cached parts included
-- cached_tokens      the part of prompt_tokens read from the vendor's prompt cache; NULL unknown
-- completion_tokens  all output, reasoning included
-- reasoning_tokens   the part of completion_tokens spent reasoning; NULL unknown
-- usage_estimated    1 when the vendor reported no usage and Arbor estimated the counts
--                    (characters / 4, store/usagequeries.h)
-- cost_nanos         what the reply cost, in billionths of `currency`, with the price valid when
--                    it finished; NULL when no price was known (shown as "—", never 0)
ALTER TABLE messages ADD COLUMN cached_tokens INTEGER;
ALTER TABLE messages ADD COLUMN reasoning_tokens INTEGER;
ALTER TABLE messages ADD COLUMN usage_estimated INTEGER NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN cost_nanos INTEGER;
ALTER TABLE messages ADD COLUMN currency TEXT;

-- Prices per million tokens. `provider` is a provider id ("openai-work") or a wire protocol
-- kind ("openai", "anthropic", "gemini", "ollama"); an id beats a kind. `model` is a model id or
-- a GLOB pattern ("claude-sonnet-4-5*" covers the dated snapshots); the longest pattern wins.
-- Of those, the newest valid_from (a UTC date, 'YYYY-MM-DD') not after the day a reply finished
-- prices it. cached_input NULL: cached input costs as input; reasoning NULL: as output.
CREATE TABLE prices (
    provider     TEXT NOT NULL,
    model        TEXT NOT NULL,
    valid_from   TEXT NOT NULL,
    input        REAL NOT NULL CHECK (input >= 0),
    output       REAL NOT NULL CHECK (output >= 0),
    cached_input REAL CHECK (cached_input >= 0),
    reasoning    REAL CHECK (reasoning >= 0),
    currency     TEXT NOT NULL DEFAULT 'USD',
    PRIMARY KEY (provider, model, valid_from)
) WITHOUT ROWID;

-- Shipped list prices (USD per million tokens, standard tier, prompts under any long-context
-- threshold). Written from the vendors' public pricing pages as the author knew them in 2025
-- (openai.com/api/pricing, docs.anthropic.com "Pricing", ai.google.dev/gemini-api/docs/pricing);
-- they were not re-checked online when this was written: `arbord prices set` corrects them.
-- Anthropic cache writes are priced as ordinary input (the vendor charges 1.25x for them).
INSERT INTO prices (provider, model, valid_from, input, output, cached_input, reasoning) VALUES
    ('openai', 'gpt-5', '2025-08-07', 1.25, 10.00, 0.125, NULL),
    ('openai', 'gpt-5-2*', '2025-08-07', 1.25, 10.00, 0.125, NULL),
    ('openai', 'gpt-5-mini*', '2025-08-07', 0.25, 2.00, 0.025, NULL),
    ('openai', 'gpt-5-nano*', '2025-08-07', 0.05, 0.40, 0.005, NULL),
    ('openai', 'gpt-4.1', '2025-04-14', 2.00, 8.00, 0.50, NULL),
    ('openai', 'gpt-4.1-2*', '2025-04-14', 2.00, 8.00, 0.50, NULL),
    ('openai', 'gpt-4.1-mini*', '2025-04-14', 0.40, 1.60, 0.10, NULL),
    ('openai', 'gpt-4.1-nano*', '2025-04-14', 0.10, 0.40, 0.025, NULL),
    ('openai', 'gpt-4o', '2024-10-01', 2.50, 10.00, 1.25, NULL),
    ('openai', 'gpt-4o-2*', '2024-10-01', 2.50, 10.00, 1.25, NULL),
    ('openai', 'gpt-4o-mini*', '2024-07-18', 0.15, 0.60, 0.075, NULL),
    ('openai', 'o3', '2025-06-10', 2.00, 8.00, 0.50, NULL),
    ('openai', 'o3-2*', '2025-06-10', 2.00, 8.00, 0.50, NULL),
    ('openai', 'o4-mini*', '2025-04-16', 1.10, 4.40, 0.275, NULL),
    ('openai', 'o1', '2024-12-17', 15.00, 60.00, 7.50, NULL),
    ('openai', 'o1-2*', '2024-12-17', 15.00, 60.00, 7.50, NULL),
    ('anthropic', 'claude-opus-4-5*', '2025-11-24', 5.00, 25.00, 0.50, NULL),
    ('anthropic', 'claude-opus-4-1*', '2025-08-05', 15.00, 75.00, 1.50, NULL),
    ('anthropic', 'claude-opus-4-0*', '2025-05-22', 15.00, 75.00, 1.50, NULL),
    ('anthropic', 'claude-opus-4-2*', '2025-05-22', 15.00, 75.00, 1.50, NULL),
    ('anthropic', 'claude-sonnet-4-5*', '2025-09-29', 3.00, 15.00, 0.30, NULL),
    ('anthropic', 'claude-sonnet-4-0*', '2025-05-22', 3.00, 15.00, 0.30, NULL),
    ('anthropic', 'claude-sonnet-4-2*', '2025-05-22', 3.00, 15.00, 0.30, NULL),
    ('anthropic', 'claude-3-7-sonnet*', '2025-02-24', 3.00, 15.00, 0.30, NULL),
    ('anthropic', 'claude-haiku-4-5*', '2025-10-15', 1.00, 5.00, 0.10, NULL),
    ('anthropic', 'claude-3-5-haiku*', '2024-10-22', 0.80, 4.00, 0.08, NULL),
    ('gemini', 'gemini-2.5-pro*', '2025-06-17', 1.25, 10.00, 0.31, NULL),
    ('gemini', 'gemini-2.5-flash', '2025-06-17', 0.30, 2.50, 0.075, NULL),
    ('gemini', 'gemini-2.5-flash-lite*', '2025-07-22', 0.10, 0.40, 0.025, NULL),
    ('gemini', 'gemini-2.0-flash', '2025-02-05', 0.10, 0.40, 0.025, NULL),
    ('gemini', 'gemini-2.0-flash-lite*', '2025-02-25', 0.075, 0.30, NULL, NULL);

-- Totals, kept by the triggers below (never by scanning messages on read). A message counts
-- while it is not tombstoned and has usage (prompt or completion tokens). Rows whose currency is
-- '' gather the replies that had no price: their cost is unknown, not 0.
--
-- Days are local days: the day a reply finished in this device's time zone, computed by SQLite
-- ('localtime') when the row is written; finished_at itself stays UTC. The zone the buckets were
-- made in is kept in usage_clock; a process that opens the store for writing in another zone
-- rebuilds the day totals once (store/usagequeries.h), so a decrement always finds the bucket
-- its increment made.
CREATE TABLE usage_days (
    day               TEXT NOT NULL,
    provider          TEXT NOT NULL,
    model             TEXT NOT NULL,
    currency          TEXT NOT NULL,
    messages          INTEGER NOT NULL DEFAULT 0,
    estimated         INTEGER NOT NULL DEFAULT 0,
    input_tokens      INTEGER NOT NULL DEFAULT 0,
    output_tokens     INTEGER NOT NULL DEFAULT 0,
    cached_tokens     INTEGER NOT NULL DEFAULT 0,
    reasoning_tokens  INTEGER NOT NULL DEFAULT 0,
    cost_nanos        INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, provider, model, currency)
) WITHOUT ROWID;

-- The same per conversation (the header's figure, top conversations, --by conversation).
CREATE TABLE usage_conversation_days (
    conversation_id   TEXT NOT NULL,
    day               TEXT NOT NULL,
    provider          TEXT NOT NULL,
    model             TEXT NOT NULL,
    currency          TEXT NOT NULL,
    messages          INTEGER NOT NULL DEFAULT 0,
    estimated         INTEGER NOT NULL DEFAULT 0,
    input_tokens      INTEGER NOT NULL DEFAULT 0,
    output_tokens     INTEGER NOT NULL DEFAULT 0,
    cached_tokens     INTEGER NOT NULL DEFAULT 0,
    reasoning_tokens  INTEGER NOT NULL DEFAULT 0,
    cost_nanos        INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (conversation_id, day, provider, model, currency)
) WITHOUT ROWID;
CREATE INDEX usage_conversation_days_by_day ON usage_conversation_days (day);

-- The zone the day totals were bucketed in (QTimeZone::systemTimeZoneId()); '' = not yet: the
-- first process that opens the store for writing fills both tables from the messages.
CREATE TABLE usage_clock (
    zone TEXT NOT NULL
);
INSERT INTO usage_clock (zone) VALUES ('');

CREATE TRIGGER usage_insert AFTER INSERT ON messages
    WHEN NEW.deleted_at IS NULL
         AND (NEW.prompt_tokens IS NOT NULL OR NEW.completion_tokens IS NOT NULL)
BEGIN
    INSERT INTO usage_days (day, provider, model, currency, messages, estimated,
                                 input_tokens, output_tokens, cached_tokens, reasoning_tokens,
                                 cost_nanos)
    VALUES (date(coalesce(NEW.finished_at, NEW.created_at) / 1000, 'unixepoch', 'localtime'),
            NEW.provider, NEW.model,
            CASE WHEN NEW.cost_nanos IS NULL THEN '' ELSE coalesce(NEW.currency, '') END, 1,
            NEW.usage_estimated, coalesce(NEW.prompt_tokens, 0),
            coalesce(NEW.completion_tokens, 0), coalesce(NEW.cached_tokens, 0),
            coalesce(NEW.reasoning_tokens, 0), coalesce(NEW.cost_nanos, 0))
    ON CONFLICT DO UPDATE SET messages = usage_days.messages + 1,
        estimated = usage_days.estimated + excluded.estimated,
        input_tokens = usage_days.input_tokens + excluded.input_tokens,
        output_tokens = usage_days.output_tokens + excluded.output_tokens,
        cached_tokens = usage_days.cached_tokens + excluded.cached_tokens,
        reasoning_tokens = usage_days.reasoning_tokens + excluded.reasoning_tokens,
        cost_nanos = usage_days.cost_nanos + excluded.cost_nanos;
    INSERT INTO usage_conversation_days (conversation_id, day, provider, model, currency,
                                              messages, estimated, input_tokens, output_tokens,
                                              cached_tokens, reasoning_tokens, cost_nanos)
    VALUES (NEW.conversation_id,
            date(coalesce(NEW.finished_at, NEW.created_at) / 1000, 'unixepoch', 'localtime'),
            NEW.provider, NEW.model,
            CASE WHEN NEW.cost_nanos IS NULL THEN '' ELSE coalesce(NEW.currency, '') END, 1,
            NEW.usage_estimated, coalesce(NEW.prompt_tokens, 0),
            coalesce(NEW.completion_tokens, 0), coalesce(NEW.cached_tokens, 0),
            coalesce(NEW.reasoning_tokens, 0), coalesce(NEW.cost_nanos, 0))
    ON CONFLICT DO UPDATE SET messages = usage_conversation_days.messages + 1,
        estimated = usage_conversation_days.estimated + excluded.estimated,
        input_tokens = usage_conversation_days.input_tokens + excluded.input_tokens,
        output_tokens = usage_conversation_days.output_tokens + excluded.output_tokens,
        cached_tokens = usage_conversation_days.cached_tokens + excluded.cached_tokens,
        reasoning_tokens = usage_conversation_days.reasoning_tokens + excluded.reasoning_tokens,
        cost_nanos = usage_conversation_days.cost_nanos + excluded.cost_nanos;
END;

-- Takes the old row out: the exact inverse of usage_insert for OLD.
CREATE TRIGGER usage_delete AFTER DELETE ON messages
    WHEN OLD.deleted_at IS NULL
         AND (OLD.prompt_tokens IS NOT NULL OR OLD.completion_tokens IS NOT NULL)
BEGIN
    UPDATE usage_days SET messages = messages - 1,
        estimated = estimated - OLD.usage_estimated,
        input_tokens = input_tokens - coalesce(OLD.prompt_tokens, 0),
        output_tokens = output_tokens - coalesce(OLD.completion_tokens, 0),
        cached_tokens = cached_tokens - coalesce(OLD.cached_tokens, 0),
        reasoning_tokens = reasoning_tokens - coalesce(OLD.reasoning_tokens, 0),
        cost_nanos = cost_nanos - coalesce(OLD.cost_nanos, 0)
    WHERE day = date(coalesce(OLD.finished_at, OLD.created_at) / 1000, 'unixepoch', 'localtime')
          AND provider = OLD.provider AND model = OLD.model
          AND currency = CASE WHEN OLD.cost_nanos IS NULL THEN '' ELSE coalesce(OLD.currency, '') END;
    UPDATE usage_conversation_days SET messages = messages - 1,
        estimated = estimated - OLD.usage_estimated,
        input_tokens = input_tokens - coalesce(OLD.prompt_tokens, 0),
        output_tokens = output_tokens - coalesce(OLD.completion_tokens, 0),
        cached_tokens = cached_tokens - coalesce(OLD.cached_tokens, 0),
        reasoning_tokens = reasoning_tokens - coalesce(OLD.reasoning_tokens, 0),
        cost_nanos = cost_nanos - coalesce(OLD.cost_nanos, 0)
    WHERE conversation_id = OLD.conversation_id
          AND day = date(coalesce(OLD.finished_at, OLD.created_at) / 1000, 'unixepoch', 'localtime')
          AND provider = OLD.provider AND model = OLD.model
          AND currency = CASE WHEN OLD.cost_nanos IS NULL THEN '' ELSE coalesce(OLD.currency, '') END;
END;

-- An update (a reply finishing, a tombstone or its undo, a teammate's row applied by sync) is
-- the old row out and the new row in. Only the columns the totals read wake it.
CREATE TRIGGER usage_update_out AFTER UPDATE OF prompt_tokens, completion_tokens, cached_tokens,
    reasoning_tokens, usage_estimated, cost_nanos, currency, deleted_at, finished_at, provider,
    model, conversation_id ON messages
    WHEN OLD.deleted_at IS NULL
         AND (OLD.prompt_tokens IS NOT NULL OR OLD.completion_tokens IS NOT NULL)
BEGIN
    UPDATE usage_days SET messages = messages - 1,
        estimated = estimated - OLD.usage_estimated,
        input_tokens = input_tokens - coalesce(OLD.prompt_tokens, 0),
        output_tokens = output_tokens - coalesce(OLD.completion_tokens, 0),
        cached_tokens = cached_tokens - coalesce(OLD.cached_tokens, 0),
        reasoning_tokens = reasoning_tokens - coalesce(OLD.reasoning_tokens, 0),
        cost_nanos = cost_nanos - coalesce(OLD.cost_nanos, 0)
    WHERE day = date(coalesce(OLD.finished_at, OLD.created_at) / 1000, 'unixepoch', 'localtime')
          AND provider = OLD.provider AND model = OLD.model
          AND currency = CASE WHEN OLD.cost_nanos IS NULL THEN '' ELSE coalesce(OLD.currency, '') END;
    UPDATE usage_conversation_days SET messages = messages - 1,
        estimated = estimated - OLD.usage_estimated,
        input_tokens = input_tokens - coalesce(OLD.prompt_tokens, 0),
        output_tokens = output_tokens - coalesce(OLD.completion_tokens, 0),
        cached_tokens = cached_tokens - coalesce(OLD.cached_tokens, 0),
        reasoning_tokens = reasoning_tokens - coalesce(OLD.reasoning_tokens, 0),
        cost_nanos = cost_nanos - coalesce(OLD.cost_nanos, 0)
    WHERE conversation_id = OLD.conversation_id
          AND day = date(coalesce(OLD.finished_at, OLD.created_at) / 1000, 'unixepoch', 'localtime')
          AND provider = OLD.provider AND model = OLD.model
          AND currency = CASE WHEN OLD.cost_nanos IS NULL THEN '' ELSE coalesce(OLD.currency, '') END;
END;

CREATE TRIGGER usage_update_in AFTER UPDATE OF prompt_tokens, completion_tokens, cached_tokens,
    reasoning_tokens, usage_estimated, cost_nanos, currency, deleted_at, finished_at, provider,
    model, conversation_id ON messages
    WHEN NEW.deleted_at IS NULL
         AND (NEW.prompt_tokens IS NOT NULL OR NEW.completion_tokens IS NOT NULL)
BEGIN
    INSERT INTO usage_days (day, provider, model, currency, messages, estimated,
                                 input_tokens, output_tokens, cached_tokens, reasoning_tokens,
                                 cost_nanos)
    VALUES (date(coalesce(NEW.finished_at, NEW.created_at) / 1000, 'unixepoch', 'localtime'),
            NEW.provider, NEW.model,
            CASE WHEN NEW.cost_nanos IS NULL THEN '' ELSE coalesce(NEW.currency, '') END, 1,
            NEW.usage_estimated, coalesce(NEW.prompt_tokens, 0),
            coalesce(NEW.completion_tokens, 0), coalesce(NEW.cached_tokens, 0),
            coalesce(NEW.reasoning_tokens, 0), coalesce(NEW.cost_nanos, 0))
    ON CONFLICT DO UPDATE SET messages = usage_days.messages + 1,
        estimated = usage_days.estimated + excluded.estimated,
        input_tokens = usage_days.input_tokens + excluded.input_tokens,
        output_tokens = usage_days.output_tokens + excluded.output_tokens,
        cached_tokens = usage_days.cached_tokens + excluded.cached_tokens,
        reasoning_tokens = usage_days.reasoning_tokens + excluded.reasoning_tokens,
        cost_nanos = usage_days.cost_nanos + excluded.cost_nanos;
    INSERT INTO usage_conversation_days (conversation_id, day, provider, model, currency,
                                              messages, estimated, input_tokens, output_tokens,
                                              cached_tokens, reasoning_tokens, cost_nanos)
    VALUES (NEW.conversation_id,
            date(coalesce(NEW.finished_at, NEW.created_at) / 1000, 'unixepoch', 'localtime'),
            NEW.provider, NEW.model,
            CASE WHEN NEW.cost_nanos IS NULL THEN '' ELSE coalesce(NEW.currency, '') END, 1,
            NEW.usage_estimated, coalesce(NEW.prompt_tokens, 0),
            coalesce(NEW.completion_tokens, 0), coalesce(NEW.cached_tokens, 0),
            coalesce(NEW.reasoning_tokens, 0), coalesce(NEW.cost_nanos, 0))
    ON CONFLICT DO UPDATE SET messages = usage_conversation_days.messages + 1,
        estimated = usage_conversation_days.estimated + excluded.estimated,
        input_tokens = usage_conversation_days.input_tokens + excluded.input_tokens,
        output_tokens = usage_conversation_days.output_tokens + excluded.output_tokens,
        cached_tokens = usage_conversation_days.cached_tokens + excluded.cached_tokens,
        reasoning_tokens = usage_conversation_days.reasoning_tokens + excluded.reasoning_tokens,
        cost_nanos = usage_conversation_days.cost_nanos + excluded.cost_nanos;
END;

-- Team sync: the new usage fields are shared with the message (the trigger as 0012 left it,
-- plus them).
DROP TRIGGER sync_message_update;
CREATE TRIGGER sync_message_update AFTER UPDATE OF content, status, error, finish_reason,
    prompt_tokens, completion_tokens, label, finished_at, deleted_at, deleted_batch, reasoning,
    reasoning_ms, reasoning_data, tool_calls, cached_tokens, reasoning_tokens, usage_estimated,
    cost_nanos, currency ON messages
    WHEN NEW.synced_at IS NULL
         AND (SELECT workspace_id FROM conversations WHERE id = NEW.conversation_id) IS NOT NULL
         AND (SELECT applying FROM sync_flags) = 0
BEGIN
    INSERT INTO sync_outbox (entity, entity_id) VALUES ('message', NEW.id)
        ON CONFLICT (entity, entity_id) DO UPDATE SET version = version + 1, error = '';
END;
