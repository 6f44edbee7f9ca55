#pragma once

#include <QFuture>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QObject>
#include <QString>
#include <QVariantMap>

#include <optional>

namespace arbor::llm {

/** @brief A call an earlier assistant turn made, with what came of it: it goes back to the
 *  vendor after that turn's text, its result in the vendor's tool-result form. */
struct ToolExchange
{
    QString id;        ///< the vendor's id for it ("" when it gave none)
    QString name;      ///< the tool
    QString arguments; ///< JSON text, as the model wrote it
    QString result;    ///< what the tool returned (or why it did not run)
    bool isError = false;
    int index = -1; ///< its index in the message's tool_calls (Gemini signatures address it)
};

/** @brief A tool the model may call: name, description and JSON Schema of its arguments. */
struct ToolSpec
{
    QString name;
    QString description;
    QJsonObject inputSchema;
    bool strict = false; ///< OpenAI "strict": the arguments follow the schema exactly
};

struct ChatTurn
{
    QString role; ///< "system", "user" or "assistant"
    QString content;
    /// An earlier assistant turn's reasoning text, and what its vendor gave to send back with it
    /// (reasoningdata.h: signatures, redacted blocks). Set only for turns of the same provider
    /// and model as the request; a provider sends back what its protocol knows.
    QString reasoning = {};
    QJsonObject reasoningData = {};
    /// An assistant turn's tool calls with their results (after its text).
    QList<ToolExchange> toolCalls = {};
};

/** @brief Everything a provider needs for one completion; no store objects. */
struct ChatRequest
{
    QString model;
    QList<ChatTurn> turns;
    double temperature = -1; ///< < 0: the provider's default
    int maxTokens = 0;       ///< 0: the provider's default
    QVariantMap options;     ///< provider-specific (demo: "seed", "rate")
    int variant = 0;         ///< which sibling this reply is (0 = the first answer to its prompt)
    /// > 0: ask the model to reason first, with this many tokens for it (Anthropic thinking
    /// budget_tokens, Gemini thinkingConfig, Ollama "think"); 0: the model's default.
    int thinkingBudget = 0;
    /// The tools the model may call (sent in the vendor's tool format); none: no tools.
    QList<ToolSpec> tools = {};
    /// Which tools the model must or may call: "auto", "none", "required" or {"name": tool};
    /// undefined: the vendor's default (toolformats sends it in each vendor's form).
    QJsonValue toolChoice = {};
};

/**
 * @brief A call of a tool the model asked for, as the vendor sent it (the protocols differ only
 * in framing: OpenAI-compatible tool_calls deltas, Anthropic tool_use blocks, Gemini
 * functionCall parts, Ollama tool_calls).
 */
struct ToolCall
{
    QString id;        ///< the vendor's id for it ("" when the vendor gave none)
    QString name;      ///< the tool
    QString arguments; ///< JSON text, whole ("{}" when the model gave none)
    /// Where in this stream's text the call was made: the text's length (UTF-16 code units)
    /// when the call began, so text and calls can be shown in their order.
    qsizetype at = 0;

    friend bool operator==(const ToolCall &, const ToolCall &) = default;
};

/**
 * @brief Token counts of one reply, as the vendor reported them; -1 = not reported. Arbor's
 * convention, whatever the vendor's: promptTokens is all input (cached parts included) and
 * cachedTokens the part of it read from the vendor's prompt cache; completionTokens is all
 * output (reasoning included) and reasoningTokens the part of it spent reasoning.
 */
struct ChatUsage
{
    int promptTokens = -1;
    int completionTokens = -1;
    int cachedTokens = -1;
    int reasoningTokens = -1;
};

/**
 * @brief What a vendor said about its rate limits (response headers or error body); -1 = not
 * sent. Resets are durations from the moment the response arrived, whatever the vendor's format
 * (OpenAI Go durations, Anthropic RFC 3339 timestamps, Gemini RetryInfo).
 */
struct RateLimitInfo
{
    qint64 limitRequests = -1;
    qint64 remainingRequests = -1;
    qint64 resetRequestsMs = -1;
    qint64 limitTokens = -1;
    qint64 remainingTokens = -1;
    qint64 resetTokensMs = -1;
    bool isEmpty() const
    {
        return limitRequests < 0 && remainingRequests < 0 && resetRequestsMs < 0 && limitTokens < 0
            && remainingTokens < 0 && resetTokensMs < 0;
    }
};

/** @brief A failed completion, classified so the job engine knows whether to retry. */
struct ChatError
{
    /// Quota: the account's quota or billing is exhausted; waiting will not help.
    enum class Kind {
        Network,
        Auth,
        NotFound,
        BadRequest,
        RateLimited,
        Server,
        Overloaded,
        Protocol,
        Interrupted,
        Quota
    };
    Kind kind = Kind::Protocol;
    QString message; ///< for a person: what went wrong, in the vendor's words where useful
    int httpStatus = 0;
    qint64 retryAfterMs = -1;
    RateLimitInfo rateLimit = {}; ///< parsed rate-limit headers of the failed response
    /// The vendor's error type or status ("overloaded_error", "RESOURCE_EXHAUSTED").
    QString vendorType = {};
    bool retryable() const
    {
        return kind == Kind::Network || kind == Kind::RateLimited || kind == Kind::Server
            || kind == Kind::Overloaded;
    }
};

/**
 * @brief One streaming completion. Emits delta() per piece of text, then exactly one of
 * finished() or failed(), unless cancel() was called first (then nothing more).
 */
class ChatStream : public QObject
{
    Q_OBJECT

public:
    using QObject::QObject;
    /** @brief Stops at once (aborts the request); no signal follows. */
    virtual void cancel() = 0;

Q_SIGNALS:
    void delta(const QString &text);
    /** @brief @p finishReason is Arbor's word for it, whatever the vendor's: "stop", "length",
     *  "tool_calls", "content_filter", "error" or "other" (FinishReason in streamdecoder.h). */
    void finished(const arbor::llm::ChatUsage &usage, const QString &finishReason);
    void failed(const arbor::llm::ChatError &error);
    /** @brief Reasoning text ("thinking"), where the server streams it separately from the
     *  answer (OpenAI-compatible reasoning_content/reasoning, Anthropic thinking_delta, Ollama
     *  message.thinking, Gemini thought parts). Not part of the answer's content. */
    void reasoning(const QString &text);
    /** @brief What the vendor gave to send back with this reply in later requests
     *  (reasoningdata.h: signatures, redacted thinking), offsets counted from the start of this
     *  stream's text and reasoning. Emitted once, just before finished() or failed(), when
     *  there is any. */
    void reasoningState(const QJsonObject &state);
    /** @brief The model asked to call a tool: @p call is the @p index-th call of this reply
     *  (0, 1, ... in the order they began), complete. Emitted as soon as a call is whole, before
     *  finished(), also when the stream fails afterwards; a call cut off by a failure is never
     *  emitted. A later emission with the same index replaces the call (a vendor that sent more
     *  of it after all). */
    void toolCall(int index, const arbor::llm::ToolCall &call);
    /** @brief A piece of the @p index-th call's arguments as the vendor streams it, before
     *  toolCall() says the call is whole: @p head is the call so far without its arguments
     *  (id, name, where it began), @p offset the arguments' length before @p piece. @p piece
     *  is "" when the call begins (its name may still be unknown). Whole calls (Gemini,
     *  Ollama) come as one piece. */
    void toolArguments(int index, const arbor::llm::ToolCall &head, qsizetype offset,
                       const QString &piece);
    /** @brief The rate-limit headers of a successful response (emitted once, before the first
     *  delta, only when the vendor sent any), so the job engine can pace the next requests. */
    void rateLimitSeen(const arbor::llm::RateLimitInfo &info);
};

struct ModelInfo
{
    QString id;          ///< as the vendor names it
    QString displayName; ///< as the UI shows it
};

/** @brief The outcome of Provider::listModels(): the models, or why there are none. */
struct ModelList
{
    QList<ModelInfo> models;
    std::optional<ChatError> error; ///< set when the listing failed (then models is empty)
};

/** @brief A vendor (or the demo). Lives on the thread that starts its streams. */
class Provider
{
public:
    virtual ~Provider() = default;
    /** @brief Stable id used in model keys ("demo", "openai-work", ...). */
    virtual QString id() const = 0;
    virtual QString displayName() const = 0;
    virtual QList<ModelInfo> models() const = 0;
    virtual bool isDemo() const { return false; }
    /** @brief Starts a stream; the caller owns it (parented to @p parent). */
    virtual ChatStream *startChat(const ChatRequest &request, QObject *parent) = 0;
    /**
     * @brief Asks the vendor's listing endpoint for its models (OpenAI GET /models, Anthropic
     * GET /v1/models, Gemini GET /v1beta/models, Ollama GET /api/tags). Asynchronous and
     * event-driven: call it on a thread with an event loop; the future finishes on that thread
     * (never throws; a failure is in ModelList::error). The default returns models() at once.
     */
    virtual QFuture<ModelList> listModels()
    {
        return QtFuture::makeReadyFuture(ModelList{models(), {}});
    }
};

} // namespace arbor::llm

Q_DECLARE_METATYPE(arbor::llm::ChatUsage)
Q_DECLARE_METATYPE(arbor::llm::ToolCall)
Q_DECLARE_METATYPE(arbor::llm::ChatError)
Q_DECLARE_METATYPE(arbor::llm::ModelList)
