#include "exportfixture.h"

#include "dbconnection.h"

#include "domain/message.h"
#include "domain/toolcall.h"
#include "store/conversationqueries.h"
#include "store/messagequeries.h"
#include "store/treequeries.h"
#include "store/usagequeries.h"

#include <QJsonObject>

namespace arbor::testsupport {

namespace {

constexpr qint64 T0 = 1733493787123; // 2024-12-06T14:03:07.123Z

domain::Message make(int n, const QString &parent, const QString &role, const QString &content,
                     qint64 at, domain::MessageStatus status = domain::MessageStatus::Complete)
{
    domain::Message m;
    m.id = ExportFixture::node(n);
    m.conversationId = QString::fromLatin1(ExportFixture::Trees);
    m.parentId = parent;
    m.role = role;
    m.author = role == u"user" ? QStringLiteral("You") : QStringLiteral("Acme Test");
    if (role == u"assistant") {
        m.provider = QStringLiteral("acme");
        m.model = QStringLiteral("acme-large");
    }
    m.content = content;
    m.status = status;
    m.createdAt = T0 + at;
    return m;
}

domain::Conversation conversation(const char *id, const QString &title, qint64 at)
{
    domain::Conversation c;
    c.id = QString::fromLatin1(id);
    c.title = title;
    c.createdAt = c.updatedAt = T0 + at;
    return c;
}

} // namespace

QString ExportFixture::node(int n)
{
    return QStringLiteral("0193a000-0000-7000-8000-%1").arg(n, 12, 10, QLatin1Char('0'));
}

/*
 * "Trees":
 *   1 user ─┬─ 2 assistant (reasoning, tool call, usage) ─┬─ 3 user ── 4 assistant [label]  ←
 * current │                                              ├─ 5 user ── 6 assistant (streaming) │ └─
 * 9 user ── 10 assistant  (deleted) 7 user ─┴─ 8 assistant (error) 1 and 7 are two roots (the first
 * message edited); 3, 5 and 9 are siblings (a later message edited twice); the current leaf 4 is on
 * the oldest of them.
 */
void ExportFixture::build(const QString &path)
{
    using domain::MessageStatus;
    DbConnection c(path, DbConnection::Mode::Migrated);
    QSqlDatabase &db = c.db();
    c.exec(QStringLiteral("BEGIN"));

    domain::Conversation trees =
        conversation(Trees, QStringLiteral("Trees: “quotes”, \\ and\ttabs ☃"), 0);
    trees.settings = QStringLiteral(
        R"({"system_prompt":"Be brief.\nAnswer in English.","temperature":0.7,"max_tokens":512})");
    store::conversations::insert(db, trees);
    store::conversations::insert(db, conversation(Empty, QStringLiteral("Empty"), 60'000));
    store::conversations::insert(db, conversation(Deleted, QStringLiteral("Gone"), 120'000));

    store::usage::Price price;
    price.provider = QStringLiteral("acme");
    price.model = QStringLiteral("acme-*");
    price.validFrom = QStringLiteral("2020-01-01");
    price.input = 2.0;
    price.output = 8.0;
    price.cachedInput = 0.5;
    store::usage::setPrice(db, price);

    const QString n1 = node(1), n2 = node(2), n3 = node(3), n5 = node(5), n7 = node(7),
                  n9 = node(9);
    store::messages::insert(
        db,
        make(1, {}, QStringLiteral("user"),
             QStringLiteral("Héllo ☃ 👋 — \"quoted\" \\ back\\slash\n\ttab, bell \a, "
                            "escape \x1b, unit \x1f, del \x7f\nu+2028 \u2028 end"),
             1000));

    domain::Message reply =
        make(2, n1, QStringLiteral("assistant"), {}, 2000, MessageStatus::Streaming);
    reply.request = QStringLiteral(R"({"tools":["weather"]})"); // the servers it was offered
    store::messages::insert(db, reply);
    store::messages::appendReasoningChunk(db, reply.id, 0, QStringLiteral("The user greets me.\n"));
    store::messages::appendReasoningChunk(db, reply.id, 1,
                                          QStringLiteral("I should check the "
                                                         "weather first."));
    store::messages::setReasoningMs(db, reply.id, 4200);
    store::messages::appendChunk(db, reply.id, 0, QStringLiteral("Let me look. "));
    domain::ToolCall call;
    call.id = QStringLiteral("call_1");
    call.name = QStringLiteral("get_weather");
    call.arguments = QStringLiteral(R"({"city":"Zürich","units":["C","F"]})");
    call.at = 13;
    store::messages::setToolCalls(db, reply.id, domain::toolcalls::toText({call}));
    store::messages::appendChunk(db, reply.id, 1,
                                 QStringLiteral("It is **sunny**:\n\n| day | °C |\n|---|---|\n| "
                                                "Mon | 21 |\n\n```sh\necho ```\n```\n"));
    store::messages::Finish finish;
    finish.finishReason = QStringLiteral("stop");
    finish.promptTokens = 1200;
    finish.completionTokens = 300;
    finish.cachedTokens = 200;
    finish.reasoningTokens = 120;
    finish.reasoningData = QStringLiteral(R"([{"type":"thinking","signature":"c2ln\u0000"}])");
    store::messages::finish(db, reply.id, finish);

    store::messages::insert(
        db, make(3, n2, QStringLiteral("user"), QStringLiteral("Branch one"), 3000));
    // A compare column's own parameters (issue 20).
    domain::Message answer = make(4, n3, QStringLiteral("assistant"), QStringLiteral("Answer one."),
                                  4000, MessageStatus::Streaming);
    answer.params = QStringLiteral(R"({"max_tokens":300,"temperature":1.5})");
    store::messages::insert(db, answer);
    store::messages::Finish plain;
    plain.finishReason = QStringLiteral("stop");
    store::messages::finish(db, node(4), plain); // no usage reported: an estimate
    store::tree::setLabel(db, node(4), QStringLiteral("keep this"));

    store::messages::insert(
        db, make(5, n2, QStringLiteral("user"), QStringLiteral("Branch two, edited"), 5000));
    domain::Message live = make(6, n5, QStringLiteral("assistant"), QStringLiteral("partial "),
                                6000, MessageStatus::Streaming);
    // A fused reply's prompt, which stood in for the user's turn (issue 20).
    live.request = QStringLiteral(
        R"({"prompt":"Q: Branch two, edited\n---\nAnswer 1 (“acme”): x\n---\nFuse them."})");
    store::messages::insert(db, live);
    store::messages::appendChunk(db, live.id, 0, QStringLiteral("te"));
    store::messages::appendChunk(db, live.id, 1, QStringLiteral("xt"));

    store::messages::insert(
        db, make(9, n2, QStringLiteral("user"), QStringLiteral("Branch three, deleted"), 9000));
    store::messages::insert(
        db, make(10, n9, QStringLiteral("assistant"), QStringLiteral("Never seen."), 10'000));

    store::messages::insert(
        db, make(7, {}, QStringLiteral("user"), QStringLiteral("Another start"), 7000));
    store::messages::insert(
        db, make(8, n7, QStringLiteral("assistant"), {}, 8000, MessageStatus::Queued));
    store::messages::Finish failed;
    failed.status = MessageStatus::Error;
    failed.error = QStringLiteral("HTTP 529: overloaded");
    store::messages::finish(db, node(8), failed);

    store::tree::removeSubtree(db, n9, T0 + 11'000);
    store::conversations::setCurrentLeaf(db, trees.id, node(4));
    store::conversations::remove(db, QString::fromLatin1(Deleted));

    // The store stamps finishes and leaf moves with the clock; fix them so every run exports
    // the same bytes.
    c.exec(QStringLiteral("UPDATE messages SET finished_at = created_at + 1500"
                          " WHERE finished_at IS NOT NULL"));
    c.exec(QStringLiteral("UPDATE conversations SET updated_at = created_at + 30000"));
    c.exec(QStringLiteral("COMMIT"));
}

} // namespace arbor::testsupport
