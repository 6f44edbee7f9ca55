// A reply's reasoning ("thinking"), from each wire protocol to the store and back: streamed by a
// fake vendor server in the vendor's own format, through the real core::Backend (job engine,
// reply session, store writer), stored with the message (text, duration, what goes back to the
// vendor), searchable, and sent back on the next request of an Anthropic and a Gemini
// conversation.
#include "chat/chatevents.h"
#include "chat/chatservice.h"
#include "chat/livetexts.h"
#include "core/backend.h"
#include "llm/providerfactory.h"
#include "llm/providerregistry.h"
#include "store/messagequeries.h"
#include "store/store.h"
#include "support/fakevendorserver.h"
#include "support/vendorbackend.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

using namespace arbor;
using testsupport::FakeVendorServer;

class TestReasoning
    : public QObject
    , private testsupport::VendorBackendFixture
{
    Q_OBJECT

    void enqueue(const QString &transcript)
    {
        m_server->enqueue(FakeVendorServer::stream(FakeVendorServer::transcript(transcript),
                                                   contentType(transcript), 5, 3));
    }

private Q_SLOTS:
    void init() { setUpVendors(QStringLiteral("thinker")); }

    void cleanup() { tearDownVendors(); }

    void aReplyKeepsItsReasoning_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("transcript");
        QTest::addColumn<QString>("reasoning");
        QTest::addColumn<QString>("content");
        QTest::addColumn<QStringList>("signatures");  ///< in reasoning_data, in order
        QTest::addColumn<QString>("onlyInReasoning"); ///< a word search must find
        QTest::newRow("openai reasoning_content")
            << "openai"
            << "openai-reasoning.sse"
            << "Spell it out: s-t-r-a-w-b-e-r-r-y. One r after t, two before y — três."
            << "There are **3** r's." << QStringList() << "spell";
        QTest::newRow("anthropic thinking")
            << "anthropic"
            << "anthropic-thinking.sse"
            << "Let me spell it: s-t-r-a-w-b-e-r-r-y. That is three r's — «drei»."
            << "There are **3** r's in strawberry."
            << QStringList{"EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds"} << "drei";
        QTest::newRow("gemini thought parts")
            << "gemini"
            << "gemini-thinking.sse"
            << "**Counting the letters**\n\nI am spelling out strawberry and counting each r: "
               "three."
            << "There are **3** r's in strawberry — ¡tres!"
            << QStringList{"CiQB0e2Kb0Lxq7c1hZp9Uq3sTy2vWn8dF4mR6oK1jH5gE0a=",
                           "EqsFCqgFAb4+9vvtR2cJx1mKq0pTl8sWz3n5yD6aB7eF9hG0iJ="}
            << "counting";
        QTest::newRow("ollama thinking")
            << "ollama"
            << "ollama-thinking.ndjson"
            << "Okay, the user asks how many r's are in strawberry — s-t-r-a-w-b-e-r-r-y: three."
            << "There are 3 r's." << QStringList() << "okay";
    }

    void aReplyKeepsItsReasoning()
    {
        QFETCH(QString, kind);
        QFETCH(QString, transcript);
        QFETCH(QString, reasoning);
        QFETCH(QString, content);
        QFETCH(QStringList, signatures);
        QFETCH(QString, onlyInReasoning);
        // Events come from the thread that runs the reply: queued to this one, in order.
        QObject here;
        QString live;
        bool contiguous = true;
        QList<qint64> timed;
        connect(&m_backend->events(), &chat::ChatEvents::reasoningDelta, &here,
                [&](const QString &, const QString &, qsizetype offset, const QString &text) {
                    contiguous = contiguous && offset == live.size();
                    live += text;
                });
        connect(&m_backend->events(), &chat::ChatEvents::reasoningTimed, &here,
                [&](const QString &, const QString &, qint64 ms) { timed.append(ms); });
        enqueue(transcript);
        const chat::SendResult sent = send(kind, {}, QStringLiteral("How many r in strawberry?"));
        QTRY_VERIFY_WITH_TIMEOUT(ended(sent.assistant.id), 30000);

        const domain::Message m = *stored(sent.assistant.id);
        QCOMPARE(domain::toString(m.status), QStringLiteral("complete"));
        QCOMPARE(m.content, content);
        QCOMPARE(m.reasoning, reasoning);
        QVERIFY2(m.reasoningMs >= 0, qPrintable(QString::number(m.reasoningMs)));
        QStringList kept;
        const QJsonObject data = QJsonDocument::fromJson(m.reasoningData.toUtf8()).object();
        for (const QJsonValue &part : data.value(u"parts").toArray())
            if (const QString s = part.toObject().value(u"signature").toString(); !s.isEmpty())
                kept.append(s);
        QCOMPARE(kept, signatures);
        QCOMPARE(m.reasoningData.isEmpty(), signatures.isEmpty());

        // Live while it streamed, offsets contiguous; timed once the answer began.
        QTRY_COMPARE(live, reasoning);
        QVERIFY(contiguous);
        QTRY_COMPARE(timed, QList<qint64>{m.reasoningMs});

        // A word only in the reasoning finds the reply.
        QVERIFY(!m.content.contains(onlyInReasoning, Qt::CaseInsensitive));
        const QList<domain::SearchHit> hits = m_backend->chat().search(onlyInReasoning).result();
        QVERIFY(std::any_of(hits.cbegin(), hits.cend(),
                            [&](const domain::SearchHit &h) { return h.messageId == m.id; }));
    }

    void anthropicFollowUpSendsTheThinkingBack()
    {
        enqueue(QStringLiteral("anthropic-thinking.sse"));
        enqueue(QStringLiteral("anthropic-text.sse"));
        const QJsonObject thinking{{QStringLiteral("thinking_budget"), 2048}};
        const chat::SendResult first =
            send(QStringLiteral("anthropic"), {}, QStringLiteral("How many r?"), thinking);
        QTRY_VERIFY_WITH_TIMEOUT(ended(first.assistant.id), 30000);
        const chat::SendResult second = send(QStringLiteral("anthropic"), first.conversationId,
                                             QStringLiteral("And in raspberry?"));
        QTRY_VERIFY_WITH_TIMEOUT(ended(second.assistant.id), 30000);

        QCOMPARE(m_server->requests().size(), 2);
        const QJsonObject body = QJsonDocument::fromJson(m_server->requests().at(1).body).object();
        QCOMPARE(body.value(u"thinking").toObject(),
                 (QJsonObject{{"type", "enabled"}, {"budget_tokens", 2048}}));
        const QJsonArray messages = body.value(u"messages").toArray();
        QCOMPARE(messages.size(), 3);
        QCOMPARE(messages.at(1).toObject().value(u"role").toString(), QStringLiteral("assistant"));
        QCOMPARE(
            messages.at(1).toObject().value(u"content").toArray(),
            (QJsonArray{
                QJsonObject{{"type", "thinking"},
                            {"thinking",
                             "Let me spell it: s-t-r-a-w-b-e-r-r-y. That is three r's — «drei»."},
                            {"signature", "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds"}},
                QJsonObject{{"type", "redacted_thinking"},
                            {"data",
                             "EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3"
                             "qpPkNRj2YfWXGmKDxH4mPnZ5sQ7vB8URj2pLmN3kF8/dW5hR7xJ0aP1oLvs"}},
                QJsonObject{{"type", "text"}, {"text", "There are **3** r's in strawberry."}}}));
        // The reply without reasoning stores none.
        const domain::Message plain = *stored(second.assistant.id);
        QCOMPARE(plain.reasoning, QString());
        QCOMPARE(plain.reasoningMs, -1);
        QCOMPARE(plain.reasoningData, QString());
    }

    void geminiFollowUpSendsTheSignaturesBack()
    {
        enqueue(QStringLiteral("gemini-thinking.sse"));
        enqueue(QStringLiteral("gemini-text.sse"));
        const chat::SendResult first =
            send(QStringLiteral("gemini"), {}, QStringLiteral("How many r?"),
                 {{QStringLiteral("thinking_budget"), 1024}});
        QTRY_VERIFY_WITH_TIMEOUT(ended(first.assistant.id), 30000);
        const chat::SendResult second = send(QStringLiteral("gemini"), first.conversationId,
                                             QStringLiteral("And in raspberry?"));
        QTRY_VERIFY_WITH_TIMEOUT(ended(second.assistant.id), 30000);

        QCOMPARE(m_server->requests().size(), 2);
        const QJsonObject body = QJsonDocument::fromJson(m_server->requests().at(1).body).object();
        const QJsonArray contents = body.value(u"contents").toArray();
        QCOMPARE(contents.size(), 3);
        QCOMPARE(contents.at(1).toObject().value(u"role").toString(), QStringLiteral("model"));
        QCOMPARE(
            contents.at(1).toObject().value(u"parts").toArray(),
            (QJsonArray{QJsonObject{{"text", " and counting each r: three."},
                                    {"thought", true},
                                    {"thoughtSignature",
                                     "CiQB0e2Kb0Lxq7c1hZp9Uq3sTy2vWn8dF4mR6oK1jH5gE0a="}},
                        QJsonObject{{"text", "There are **3** r's in strawberry — ¡tres!"}},
                        QJsonObject{{"text", ""},
                                    {"thoughtSignature",
                                     "EqsFCqgFAb4+9vvtR2cJx1mKq0pTl8sWz3n5yD6aB7eF9hG0iJ="}}}));

        // Another model in the same conversation gets the text alone: the signatures are not
        // its own.
        enqueue(QStringLiteral("openai-text.sse"));
        const chat::SendResult third =
            send(QStringLiteral("openai"), first.conversationId, QStringLiteral("Thanks"));
        QTRY_VERIFY_WITH_TIMEOUT(ended(third.assistant.id), 30000);
        const QJsonObject other = QJsonDocument::fromJson(m_server->requests().at(2).body).object();
        QCOMPARE(other.value(u"messages").toArray().at(1).toObject().value(u"content").toString(),
                 QStringLiteral("There are **3** r's in strawberry — ¡tres!"));
    }

    void liveReasoningIsReadableWhileItStreams()
    {
        // The first two Ollama lines, then nothing for a minute: the reasoning is live (and
        // stored in chunks), no answer yet.
        const QByteArray all =
            FakeVendorServer::transcript(QStringLiteral("ollama-thinking.ndjson"));
        const QList<QByteArray> lines = all.split('\n');
        FakeVendorServer::Response r = FakeVendorServer::stream(
            lines.at(0) + '\n' + lines.at(1) + '\n', "application/x-ndjson");
        r.body.append({lines.at(2) + '\n', 60000});
        m_server->enqueue(r);
        const chat::SendResult sent = send(QStringLiteral("ollama"), {}, QStringLiteral("r?"));
        const QString expected = QStringLiteral(
            "Okay, the user asks how many r's are in strawberry — s-t-r-a-w-b-e-r-r-y: three.");
        QTRY_COMPARE_WITH_TIMEOUT(
            m_backend->liveTexts().reasoning(sent.assistant.id).value_or(QString()), expected,
            30000);
        QTRY_COMPARE_WITH_TIMEOUT(stored(sent.assistant.id)->reasoning, expected, 30000);
        QCOMPARE(stored(sent.assistant.id)->content, QString());
        QCOMPARE(domain::toString(stored(sent.assistant.id)->status), QStringLiteral("streaming"));
        QVERIFY(m_backend->chat().stop(sent.assistant.id).result());
        QTRY_VERIFY_WITH_TIMEOUT(ended(sent.assistant.id), 30000);
        const domain::Message m = *stored(sent.assistant.id);
        QCOMPARE(domain::toString(m.status), QStringLiteral("cancelled"));
        QCOMPARE(m.reasoning, expected); // a stopped reply keeps what it thought
        QVERIFY(m.reasoningMs >= 0);
    }
};

QTEST_GUILESS_MAIN(TestReasoning)
#include "tst_reasoning.moc"
