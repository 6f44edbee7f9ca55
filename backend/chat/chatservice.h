#pragma once

#include "domain/message.h"

#include <QFuture>
#include <QJsonObject>
#include <QList>
#include <QSqlDatabase>

namespace arbor::store {
class Store;
}
namespace arbor::jobs {
class JobEngine;
}
namespace arbor::llm {
class ProviderRegistry;
}

namespace arbor::chat {

class ChatEvents;

/** @brief What the user asks for when sending. */
struct SendRequest
{
    QString conversationId; ///< empty: start a new conversation titled after the text
    QString parentId;       ///< empty: continue the conversation's current leaf
    QString text;
    QString modelKey = QStringLiteral("demo/demo");
    QJsonObject options;    ///< per-call provider options (e.g. the demo's "rate" or "seed")
};

/** @brief What a send stored. */
struct SendResult
{
    QString conversationId;
    domain::Message user;
    domain::Message assistant;
    qint64 jobId = 0;
};

/**
 * @brief The chat use cases: send, stop, rename, delete, read. Each write is one transaction on
 * the store's writer; events are announced after it commits. Thread-safe; results are futures.
 */
class ChatService
{
public:
    /** @brief The largest message accepted (characters): a huge paste gets a clear error. */
    static constexpr qsizetype MaxMessageLength = 1'000'000;

    ChatService(store::Store &store, jobs::JobEngine &engine, llm::ProviderRegistry &providers, ChatEvents &events);

    /** @brief Stores the user message, a queued reply and its job, then wakes the engine.
     *  Fails (exception in the future) with a user-facing message on bad input. */
    QFuture<SendResult> send(const SendRequest &request);
    /** @brief Stops a live reply: a queued one is cancelled at once, a streaming one keeps its
     *  text. Resolves to false if the message is not live. */
    QFuture<bool> stop(const QString &messageId);
    QFuture<void> rename(const QString &conversationId, const QString &title);
    QFuture<void> remove(const QString &conversationId);
    QFuture<QList<domain::Conversation>> conversations();
    QFuture<QList<domain::Message>> visiblePath(const QString &conversationId);

    /** @brief Checks @p text for sending; returns a user-facing error or an empty string. */
    static QString validate(const QString &text);
    /** @brief A title from the first line of @p text (at most ~60 characters). */
    static QString titleFor(const QString &text);
    /** @brief Start-up sweep: live messages whose job is gone or finished become interrupted
     *  (kept text) — nothing is left spinning forever. Returns how many were fixed. */
    static int sweepOrphanedMessages(const QSqlDatabase &db);

private:
    store::Store &m_store;
    jobs::JobEngine &m_engine;
    llm::ProviderRegistry &m_providers;
    ChatEvents &m_events;
};

} // namespace arbor::chat
