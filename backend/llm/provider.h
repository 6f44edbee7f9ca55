#pragma once

#include <QList>
#include <QObject>
#include <QString>
#include <QVariantMap>

namespace arbor::llm {

struct ChatTurn
{
    QString role; ///< "system", "user" or "assistant"
    QString content;
};

/** @brief Everything a provider needs for one completion; no store objects. */
struct ChatRequest
{
    QString model;
    QList<ChatTurn> turns;
    double temperature = -1; ///< < 0: the provider's default
    int maxTokens = 0;       ///< 0: the provider's default
    QVariantMap options;     ///< provider-specific (demo: "seed", "rate")
};

struct ChatUsage
{
    int promptTokens = -1;
    int completionTokens = -1;
};

/** @brief A failed completion, classified so the job engine knows whether to retry. */
struct ChatError
{
    enum class Kind { Network, Auth, NotFound, BadRequest, RateLimited, Server, Overloaded, Protocol, Interrupted };
    Kind kind = Kind::Protocol;
    QString message;   ///< for a person: what went wrong, in the vendor's words where useful
    int httpStatus = 0;
    qint64 retryAfterMs = -1;
    bool retryable() const
    {
        return kind == Kind::Network || kind == Kind::RateLimited || kind == Kind::Server || kind == Kind::Overloaded;
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
    void finished(const arbor::llm::ChatUsage &usage, const QString &finishReason);
    void failed(const arbor::llm::ChatError &error);
};

struct ModelInfo
{
    QString id;          ///< as the vendor names it
    QString displayName; ///< as the UI shows it
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
};

} // namespace arbor::llm

Q_DECLARE_METATYPE(arbor::llm::ChatUsage)
Q_DECLARE_METATYPE(arbor::llm::ChatError)
