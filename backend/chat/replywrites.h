#pragma once

// The writes a send, a regenerate, a compare and a fuse share (inside the writer's
// transaction). Internal to backend/chat.

#include "chatservice.h"

namespace arbor::chat::writes {

/** @brief What a reply is asked with beside its conversation (kept on its message; its job
 *  carries them too, for ChatJobHandler). */
struct ReplyExtras
{
    QJsonObject parameters; ///< this reply's own parameters over the conversation's (params)
    QString prompt;         ///< stands in for the user's last turn (a fused reply; request)
    QString fusedFrom;      ///< Message::fusedFrom
    QJsonValue tools;       ///< the tool servers it was offered (request); undefined: none
};

/** @brief Stores a queued reply under @p parentId and its job; returns the reply. */
domain::Message storeReply(const QSqlDatabase &db, const QString &conversationId,
                           const QString &parentId, const ChatService::ModelChoice &model,
                           const QJsonObject &options, qint64 now, qint64 *jobId,
                           const domain::Message *continued = nullptr,
                           const ReplyExtras &extras = {});
/** @brief What a new reply beside @p reply (regenerated, retried or continued) keeps of it: a
 *  compare column's own parameters, a fused reply's sources and prompt, and the tool servers it
 *  was offered, all from the message (from its job for a reply of an older Arbor). */
ReplyExtras extrasOf(const QSqlDatabase &db, const domain::Message &reply);
/** @brief The tool servers a reply with @p extras was offered, as a new reply's options. */
QJsonObject toolOptionsOf(const ReplyExtras &extras);
/** @brief Stores a user message under @p parentId. */
domain::Message storeUser(const QSqlDatabase &db, const QString &conversationId,
                          const QString &parentId, const QString &text, qint64 now);
/** @brief Makes @p leaf the visible end of the path and fills in sibling positions. */
void showLeaf(const QSqlDatabase &db, SendResult &r, const QString &leaf, qint64 now);

} // namespace arbor::chat::writes
