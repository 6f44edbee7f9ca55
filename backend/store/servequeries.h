#pragma once

#include "domain/message.h"

#include <QHash>
#include <QList>
#include <QSqlDatabase>
#include <QStringList>

#include <optional>

/** @brief The SQL of `arbord serve` (migration 0018): bearer tokens, tagged replies, per-token
 *  usage, and the history that OpenAI-style clients resend with each request. */
namespace arbor::store::serve {

/** @brief A bearer token as stored (never its secret: only its SHA-256). */
struct Token
{
    QString id;
    QString name;
    qint64 quotaTokensPerDay = 0; ///< 0: no quota
    QStringList models;           ///< "provider/model" or "provider/*"; empty: any model
    qint64 createdAt = 0;
    qint64 revokedAt = 0; ///< 0: valid
};

/** @brief Stores a new token; throws a user-facing StoreError when @p name is taken. */
Token addToken(const QSqlDatabase &db, const QString &name, const QString &hash,
               qint64 quotaTokensPerDay, const QStringList &models);
QList<Token> tokens(const QSqlDatabase &db);
/** @brief Revokes the token @p name; false when there is no such valid token. */
bool revokeToken(const QSqlDatabase &db, const QString &name);
/** @brief The valid (not revoked) token whose secret hashes to @p hash. */
std::optional<Token> validToken(const QSqlDatabase &db, const QString &hash);
/** @brief Input plus output tokens used by @p tokenId on the UTC day @p day ("YYYY-MM-DD"). */
qint64 usedOn(const QSqlDatabase &db, const QString &tokenId, const QString &day);
/** @brief Records that @p tokenId asked for the reply @p messageId (its usage counts for the
 *  token; a reply that already finished is counted now). */
void tagReply(const QSqlDatabase &db, const QString &messageId, const QString &tokenId);
/** @brief The token that asked for @p messageId, or "". */
QString replyToken(const QSqlDatabase &db, const QString &messageId);

/** @brief Whose each conversation is: conversation id -> the token whose requests made it. */
QHash<QString, QString> conversationOwners(const QSqlDatabase &db);
/** @brief The token whose requests made @p conversationId, or "" (none, or not yet tagged). */
QString conversationOwner(const QSqlDatabase &db, const QString &conversationId);

/** @brief A reply as a response: the message and the reply before it (previous_response_id). */
struct Reply
{
    std::optional<domain::Message> message; ///< nullopt: no such reply
    QString previousId;
};
/** @brief The assistant message @p id and the reply its user message answered, if any. */
Reply replyWithPrevious(const QSqlDatabase &db, const QString &id);

/** @brief One message a client resent (role "user" or "assistant"). */
struct Turn
{
    QString role;
    QString text;
    /// An assistant turn's tool calls, JSON (domain/toolcall.h), with the outputs the client
    /// gave (status "done"); "" when none.
    QString toolCalls = {};
};

/** @brief The id a client knows the @p index-th call of a reply by: the vendor's, or
 *  "call_<index>" when it gave none. */
QString callId(const QString &vendorId, qsizetype index);
/**
 * @brief Stores @p outputs (call id -> the client's output) as the results of the tool calls of
 * the reply @p messageId (status "done"), keeping every other call as it is. Throws a
 * user-facing StoreError when the message is not a reply or has no call of one of the ids.
 */
void storeOutputs(const QSqlDatabase &db, const QString &messageId,
                  const QHash<QString, QString> &outputs);
/** @brief Where the new message of a request goes. */
struct Place
{
    QString conversationId;
    QString parentId; ///< "" for a root
};
/**
 * @brief Stores @p history (oldest first) as finished messages: under @p parentId, or, with
 * only @p conversationId, from that conversation's roots down the path whose messages match the
 * turns (role and text), adding the turns that do not match as a new branch; with neither, in a
 * new conversation titled @p title. A conversation (or parent) must hold a reply that
 * @p tokenId asked for: a token never continues another's conversations. Throws a user-facing
 * StoreError for an unknown (or not its) conversation or parent. A turn with tool calls that
 * matches a stored reply gives that reply the outputs it carries (storeOutputs()).
 */
Place placeHistory(const QSqlDatabase &db, const QString &tokenId, const QString &conversationId,
                   const QString &parentId, const QList<Turn> &history, const QString &title);

} // namespace arbor::store::serve
