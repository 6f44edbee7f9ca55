#include "servequeries.h"

#include "conversationqueries.h"
#include "messagequeries.h"
#include "sql.h"

#include "domain/ids.h"
#include "domain/toolcall.h"

#include <QDateTime>

namespace arbor::store::serve {

namespace {

Token tokenFrom(const QSqlQuery &q, const Columns &c)
{
    Token t;
    t.id = q.value(c["id"]).toString();
    t.name = q.value(c["name"]).toString();
    t.quotaTokensPerDay = q.value(c["quota_tokens_per_day"]).toLongLong();
    const QString models = q.value(c["models"]).toString();
    t.models = models.isEmpty() ? QStringList() : models.split(QLatin1Char(','));
    t.createdAt = q.value(c["created_at"]).toLongLong();
    t.revokedAt = q.value(c["revoked_at"]).toLongLong();
    return t;
}

const QString TokenColumns =
    QStringLiteral("id, name, quota_tokens_per_day, models, created_at, revoked_at");

} // namespace

Token addToken(const QSqlDatabase &db, const QString &name, const QString &hash,
               qint64 quotaTokensPerDay, const QStringList &models)
{
    QSqlQuery taken =
        exec(db, QStringLiteral("SELECT count(*) FROM serve_tokens WHERE name = ?"), {name});
    if (taken.next() && taken.value(0).toInt() > 0)
        throw StoreError(QStringLiteral("A token named “%1” exists already (names stay taken "
                                        "after a revoke, so logs stay unambiguous).")
                             .arg(name));
    Token t;
    t.id = domain::newId();
    t.name = name;
    t.quotaTokensPerDay = quotaTokensPerDay;
    t.models = models;
    t.createdAt = domain::nowMs();
    exec(db,
         QStringLiteral("INSERT INTO serve_tokens (id, name, hash, quota_tokens_per_day, models, "
                        "created_at) VALUES (?, ?, ?, ?, ?, ?)"),
         {t.id, name, hash, quotaTokensPerDay > 0 ? QVariant(quotaTokensPerDay) : QVariant(),
          models.join(QLatin1Char(',')), t.createdAt});
    return t;
}

QList<Token> tokens(const QSqlDatabase &db)
{
    QSqlQuery q =
        exec(db, QStringLiteral("SELECT %1 FROM serve_tokens ORDER BY name").arg(TokenColumns));
    const Columns c(q);
    QList<Token> all;
    while (q.next())
        all.append(tokenFrom(q, c));
    return all;
}

bool revokeToken(const QSqlDatabase &db, const QString &name)
{
    QSqlQuery q = exec(db,
                       QStringLiteral("UPDATE serve_tokens SET revoked_at = ? WHERE name = ? AND "
                                      "revoked_at IS NULL"),
                       {domain::nowMs(), name});
    return q.numRowsAffected() > 0;
}

std::optional<Token> validToken(const QSqlDatabase &db, const QString &hash)
{
    QSqlQuery q =
        exec(db,
             QStringLiteral("SELECT %1 FROM serve_tokens WHERE hash = ? AND revoked_at IS NULL")
                 .arg(TokenColumns),
             {hash});
    const Columns c(q);
    if (!q.next())
        return std::nullopt;
    return tokenFrom(q, c);
}

qint64 usedOn(const QSqlDatabase &db, const QString &tokenId, const QString &day)
{
    QSqlQuery q = exec(db,
                       QStringLiteral("SELECT coalesce(sum(input_tokens + output_tokens), 0) FROM "
                                      "usage_token_days WHERE token_id = ? AND day = ?"),
                       {tokenId, day});
    return q.next() ? q.value(0).toLongLong() : 0;
}

void tagReply(const QSqlDatabase &db, const QString &messageId, const QString &tokenId)
{
    exec(db,
         QStringLiteral("INSERT OR IGNORE INTO serve_replies (message_id, token_id) VALUES (?, ?)"),
         {messageId, tokenId});
    // A reply that finished before it was tagged (a very fast model) is counted here; later
    // ones by the trigger of migration 0018.
    exec(db,
         QStringLiteral(
             "INSERT INTO usage_token_days (token_id, day, messages, input_tokens, output_tokens) "
             "SELECT ?, date(coalesce(finished_at, created_at) / 1000, 'unixepoch'), 1, "
             "coalesce(prompt_tokens, 0), coalesce(completion_tokens, 0) FROM messages "
             "WHERE id = ? AND (prompt_tokens IS NOT NULL OR completion_tokens IS NOT NULL) "
             "ON CONFLICT DO UPDATE SET messages = usage_token_days.messages + 1, "
             "input_tokens = usage_token_days.input_tokens + excluded.input_tokens, "
             "output_tokens = usage_token_days.output_tokens + excluded.output_tokens"),
         {tokenId, messageId});
}

QString replyToken(const QSqlDatabase &db, const QString &messageId)
{
    QSqlQuery q = exec(
        db, QStringLiteral("SELECT token_id FROM serve_replies WHERE message_id = ?"), {messageId});
    return q.next() ? q.value(0).toString() : QString();
}

QHash<QString, QString> conversationOwners(const QSqlDatabase &db)
{
    // A token never continues another's conversation (placeHistory), so each has one owner.
    QSqlQuery q = exec(db,
                       QStringLiteral("SELECT DISTINCT m.conversation_id, r.token_id FROM "
                                      "serve_replies r JOIN messages m ON m.id = r.message_id"));
    const Columns c(q);
    QHash<QString, QString> owners;
    while (q.next())
        owners.insert(q.value(c["conversation_id"]).toString(), q.value(c["token_id"]).toString());
    return owners;
}

QString conversationOwner(const QSqlDatabase &db, const QString &conversationId)
{
    QSqlQuery q = exec(db,
                       QStringLiteral("SELECT r.token_id FROM serve_replies r JOIN messages m ON "
                                      "m.id = r.message_id WHERE m.conversation_id = ? LIMIT 1"),
                       {conversationId});
    return q.next() ? q.value(0).toString() : QString();
}

Reply replyWithPrevious(const QSqlDatabase &db, const QString &id)
{
    Reply r;
    const auto m = messages::get(db, id);
    if (!m || m->role != u"assistant")
        return r;
    r.message = m;
    if (const auto parent = messages::get(db, m->parentId); parent && parent->role == u"user")
        r.previousId = parent->parentId;
    else if (parent) // a reply to tool outputs answers the reply that made the calls
        r.previousId = parent->id;
    return r;
}

namespace {
bool tokenUses(const QSqlDatabase &db, const QString &tokenId, const QString &conversationId)
{
    QSqlQuery q = exec(db,
                       QStringLiteral("SELECT EXISTS (SELECT 1 FROM serve_replies r JOIN messages "
                                      "m ON m.id = r.message_id WHERE m.conversation_id = ? AND "
                                      "r.token_id = ? AND m.deleted_at IS NULL)"),
                       {conversationId, tokenId});
    return q.next() && q.value(0).toBool();
}
} // namespace

Place placeHistory(const QSqlDatabase &db, const QString &tokenId, const QString &conversationId,
                   const QString &parentId, const QList<Turn> &history, const QString &title)
{
    Place place{conversationId, parentId};
    bool matching = false; // walking down an existing path, turn by turn
    if (!parentId.isEmpty()) {
        const auto parent = messages::get(db, parentId);
        if (!parent || !tokenUses(db, tokenId, parent->conversationId))
            throw StoreError(QStringLiteral("No response or message %1.").arg(parentId));
        place.conversationId = parent->conversationId;
    } else if (!conversationId.isEmpty()) {
        if (!conversations::get(db, conversationId) || !tokenUses(db, tokenId, conversationId))
            throw StoreError(QStringLiteral("No conversation %1.").arg(conversationId));
        matching = true;
    } else {
        domain::Conversation c;
        c.id = domain::newId();
        c.title = title;
        c.settings = QStringLiteral("{}");
        c.createdAt = c.updatedAt = domain::nowMs();
        conversations::insert(db, c);
        place.conversationId = c.id;
    }
    for (const Turn &turn : history) {
        if (matching) {
            QSqlQuery q = exec(
                db,
                QStringLiteral("SELECT id FROM messages WHERE conversation_id = ? AND parent_id IS "
                               "? AND role = ? AND content = ? AND deleted_at IS NULL ORDER BY "
                               "created_at LIMIT 1"),
                {place.conversationId, nullIfEmpty(place.parentId), turn.role,
                 domain::withoutNul(turn.text)});
            if (q.next()) {
                place.parentId = q.value(0).toString();
                if (!turn.toolCalls.isEmpty()) {
                    QHash<QString, QString> outputs;
                    const auto calls = domain::toolcalls::parse(turn.toolCalls);
                    for (qsizetype i = 0; i < calls.size(); ++i)
                        if (calls.at(i).status == domain::ToolCall::Done)
                            outputs.insert(callId(calls.at(i).id, i), calls.at(i).result);
                    storeOutputs(db, place.parentId, outputs);
                }
                continue;
            }
            matching = false; // the rest is a new branch
        }
        domain::Message m;
        m.id = domain::newId();
        m.conversationId = place.conversationId;
        m.parentId = place.parentId;
        m.role = turn.role;
        m.author = turn.role == u"user" ? QStringLiteral("You") : QStringLiteral("Assistant");
        m.content = turn.text;
        m.toolCalls = turn.toolCalls;
        if (!m.toolCalls.isEmpty())
            m.finishReason = QStringLiteral("tool_calls");
        m.status = domain::MessageStatus::Complete;
        m.createdAt = domain::nowMs();
        messages::insert(db, m);
        place.parentId = m.id;
    }
    return place;
}

QString callId(const QString &vendorId, qsizetype index)
{
    return vendorId.isEmpty() ? QStringLiteral("call_%1").arg(index) : vendorId;
}

void storeOutputs(const QSqlDatabase &db, const QString &messageId,
                  const QHash<QString, QString> &outputs)
{
    if (outputs.isEmpty())
        return;
    const auto m = messages::get(db, messageId);
    if (!m || m->role != u"assistant")
        throw StoreError(QStringLiteral("No response %1 to give tool outputs to.").arg(messageId));
    QList<domain::ToolCall> calls = domain::toolcalls::parse(m->toolCalls);
    qsizetype given = 0;
    const qint64 now = domain::nowMs();
    for (qsizetype i = 0; i < calls.size(); ++i) {
        const auto it = outputs.constFind(callId(calls.at(i).id, i));
        if (it == outputs.cend())
            continue;
        domain::ToolCall &c = calls[i];
        c.status = domain::ToolCall::Done;
        c.result = *it;
        c.isError = false;
        if (c.startedAt == 0)
            c.startedAt = now;
        c.finishedAt = now;
        ++given;
    }
    if (given < outputs.size()) {
        for (auto it = outputs.cbegin(); it != outputs.cend(); ++it) {
            bool found = false;
            for (qsizetype i = 0; i < calls.size() && !found; ++i)
                found = callId(calls.at(i).id, i) == it.key();
            if (!found)
                throw StoreError(
                    QStringLiteral("The response %1 made no call “%2”.").arg(messageId, it.key()));
        }
    }
    // The reply has ended (messages::setToolCalls writes only live ones): its calls get the
    // outputs, the rest of it stays as it ended.
    exec(db, QStringLiteral("UPDATE messages SET tool_calls = ? WHERE id = ?"),
         {domain::withoutNulInJson(domain::toolcalls::toText(calls)), messageId});
}

} // namespace arbor::store::serve
