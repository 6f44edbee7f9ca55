#pragma once

#include "chatreader.h"
#include "compare.h"

#include "domain/message.h"

#include <QFuture>
#include <QJsonObject>
#include <QList>
#include <QSet>
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
    QJsonObject options; ///< per-call provider options (e.g. the demo's "rate" or "seed")
    /** @brief Parameters stored on the conversation before the reply is queued, as the
     *  Parameters dialog stores them: "system_prompt", "temperature", "max_tokens",
     *  "thinking_budget" (tokens the model may reason with first; absent from the settings: the
     *  model's default); a key absent stays as it is, a null value goes back to the provider's
     *  default. */
    QJsonObject settings;
};

/** @brief What a send stored. */
struct SendResult
{
    QString conversationId;
    domain::Message user;
    domain::Message assistant;
    qint64 jobId = 0;
};

/** @brief Send one message to several models at once (compare). */
struct CompareRequest
{
    QString conversationId; ///< empty: a new conversation (or the one of parentId)
    QString parentId;       ///< empty: under the conversation's current leaf
    QString text;
    QList<CompareModel> models; ///< compare::MinModels to compare::MaxModels, in column order
    QJsonObject options;        ///< per-call provider options for every column (demo "rate")
};

/** @brief What a compare stored: one user message and a queued reply (and job) per model. */
struct CompareResult
{
    QString conversationId;
    domain::Message user;
    QList<domain::Message> replies; ///< in the order of the models
    QList<qint64> jobIds;
};

/** @brief Fuse: one answer written by @p modelKey from the replies @p sourceIds to a message. */
struct FuseRequest
{
    QString userMessageId;
    QStringList sourceIds;  ///< replies under userMessageId, at least one
    QString modelKey;       ///< "provider/model"
    QString promptTemplate; ///< empty: compare::defaultFusePrompt()
    QJsonObject options;
};

/** @brief What removeSubtree() did, so it can be undone. */
struct RemovedSubtree
{
    QString conversationId;
    QString batch;        ///< the tombstone batch
    QString previousLeaf; ///< the visible leaf before the delete
    int count = 0;
};

/**
 * @brief The chat use cases: send, stop, rename, delete, and everything ChatReader reads. Each
 * write is one transaction on the store's writer; events are announced after it commits.
 * Thread-safe; results are futures.
 */
class ChatService : public ChatReader
{
public:
    /** @brief The largest message accepted (characters): a huge paste gets a clear error. */
    static constexpr qsizetype MaxMessageLength = 1'000'000;
    static constexpr qsizetype MaxSystemPromptLength = 100'000;
    static constexpr int MaxTokensLimit = 1'000'000;
    /** @brief The smallest thinking budget (Anthropic's minimum budget_tokens). */
    static constexpr int MinThinkingBudget = 1024;

    ChatService(store::Store &store, jobs::JobEngine &engine, llm::ProviderRegistry &providers,
                ChatEvents &events);

    /** @brief Stores the user message, a queued reply and its job, then wakes the engine.
     *  Fails (exception in the future) with a user-facing message on bad input. */
    QFuture<SendResult> send(const SendRequest &request);
    /** @brief Stops a live reply: a queued one is cancelled at once, a streaming one keeps its
     *  text, wherever it runs (a reply running in another process stops when that process next
     *  polls). Resolves to false if the message is not live. */
    QFuture<bool> stop(const QString &messageId);
    /** @brief A new reply under @p parentId with no message of the user's before it: the model
     *  answers the path to it as stored (an API client's tool outputs on the calls of the reply
     *  @p parentId). @p modelKey empty: the model of @p parentId when it is a reply. @p options
     *  and @p settings: as SendRequest's. */
    QFuture<SendResult> replyUnder(const QString &parentId, const QString &modelKey,
                                   const QJsonObject &options, const QJsonObject &settings);
    /** @brief A new reply beside @p assistantMessageId (same parent), with @p modelKey or, when
     *  empty, the same model, and the same own parameters (a compare column's). Nothing is
     *  overwritten. */
    QFuture<SendResult> regenerate(const QString &assistantMessageId, const QString &modelKey = {});
    /** @brief Continues a reply that stopped early (interrupted, stopped or failed) as a new
     *  sibling that starts with its text; the model picks up where it left off. The original
     *  stays as it was; like regenerate(), it keeps a compare column's own parameters and a
     *  fused reply's sources and prompt. @p settings: as SendRequest::settings. */
    QFuture<SendResult> continueReply(const QString &assistantMessageId,
                                      const QJsonObject &settings = {});
    /** @brief Edits a user message as a new sibling with @p text; with @p reply, a new reply is
     *  queued under it ("Save & regenerate"), else it is only saved ("Save only"). */
    QFuture<SendResult> edit(const QString &userMessageId, const QString &text, bool reply,
                             const QString &modelKey = {});
    /** @brief Compare: stores the user message and one queued reply per model (siblings, each
     *  its own durable job within its provider's limits), shows the first, wakes the engine.
     *  Fails (exception in the future) with a user-facing message on bad input. */
    QFuture<CompareResult> compare(const CompareRequest &request);
    /** @brief Fuse: a new reply beside the sources (same parent), by @p request.modelKey, whose
     *  request holds the question and the source replies in the prompt; it records its
     *  sources (Message::fusedFrom) and becomes the visible path. */
    QFuture<SendResult> fuse(const FuseRequest &request);
    /** @brief The assistant replies to @p userMessageId (every sibling, oldest first). */
    QFuture<QList<domain::Message>> replies(const QString &userMessageId);
    /** @brief The saved model sets (this device's, not shared), by name. */
    QFuture<QList<ModelSet>> modelSets();
    /** @brief Creates or replaces the set @p name (validated like a compare). */
    QFuture<void> saveModelSet(const QString &name, const QList<CompareModel> &models);
    /** @brief Resolves to false when there was no such set. */
    QFuture<bool> removeModelSet(const QString &name);

    /** @brief Makes the path through @p messageId visible (down to its most recently visited
     *  leaf). Resolves to the new leaf. */
    QFuture<QString> switchTo(const QString &messageId);
    /** @brief Shows the sibling @p delta steps from @p messageId (‹ and ›); resolves to the new
     *  leaf, or "" when there is no sibling that way. */
    QFuture<QString> switchSibling(const QString &messageId, int delta);
    /** @brief Tombstones a message and everything under it (live replies in it are stopped). */
    QFuture<RemovedSubtree> removeSubtree(const QString &messageId);
    /** @brief Undoes removeSubtree(), including the visible path it showed before. */
    QFuture<void> restoreSubtree(const RemovedSubtree &removed);
    QFuture<void> setLabel(const QString &messageId, const QString &label);
    /** @brief A new conversation holding a copy of the path to @p messageId. */
    QFuture<QString> fork(const QString &messageId);
    QFuture<void> rename(const QString &conversationId, const QString &title);
    QFuture<void> remove(const QString &conversationId);
    /** @brief Undoes remove() (replies it stopped stay stopped). */
    QFuture<void> restoreConversation(const QString &conversationId);
    /** @brief Sets the model parameters of a conversation: "system_prompt", "temperature" and
     *  "max_tokens" become what @p settings holds (absent = the provider's default);
     *  "thinking_budget" changes only when @p settings names it (null: off); other keys
     *  already stored are kept. Fails with a user-facing StoreError on invalid values. */
    QFuture<void> setConversationSettings(const QString &conversationId,
                                          const QJsonObject &settings);

    /** @brief Checks @p text for sending; returns a user-facing error or an empty string. */
    static QString validate(const QString &text);
    /** @brief Checks conversation parameters (temperature 0..2, max_tokens 1..1,000,000,
     *  thinking_budget 1,024..1,000,000, a system prompt of at most MaxSystemPromptLength
     *  characters); a user-facing error or "". Null
     *  values (SendRequest::settings: back to the default) are accepted. */
    static QString validateSettings(const QJsonObject &settings);
    /** @brief A title from the first line of @p text (at most ~60 characters). */
    static QString titleFor(const QString &text);
    /** @brief Start-up sweep: live messages whose job is gone or finished become interrupted
     *  (kept text) — nothing is left spinning forever. Returns how many were fixed. */
    static int sweepOrphanedMessages(const QSqlDatabase &db);

    /** @brief A model key resolved to (provider, model, display name). */
    struct ModelChoice
    {
        QString providerId;
        QString modelId;
        QString author;
    };
    /** @brief Throws a user-facing StoreError when @p modelKey is not configured. */
    ModelChoice choose(const QString &modelKey) const;

private:
    /** @brief Stores with @p work on the writer, then announces what it stored (after COMMIT). */
    template<class Work>
    QFuture<SendResult> announce(Work work);

    store::Store &m_store;
    jobs::JobEngine &m_engine;
    llm::ProviderRegistry &m_providers;
    ChatEvents &m_events;
};

} // namespace arbor::chat
