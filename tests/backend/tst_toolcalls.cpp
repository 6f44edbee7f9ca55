// The tool calls a reply asks for, from each wire protocol to the store: streamed by a fake
// vendor server in the vendor's own format (arguments in pieces, parallel calls, text before
// them), through the real core::Backend (job engine, reply session, store writer), stored with
// the message (id, name, arguments, where in the text, status), announced live, with the finish
// reason tool_calls and the model's text as it wrote it; a stream that breaks after a call was
// whole keeps that call.
#include "chat/chatevents.h"
#include "chat/chatservice.h"
#include "chat/livetexts.h"
#include "core/backend.h"
#include "domain/ids.h"
#include "domain/toolcall.h"
#include "llm/providerfactory.h"
#include "llm/providerregistry.h"
#include "store/messagequeries.h"
#include "store/store.h"
#include "support/fakevendorserver.h"
#include "support/vendorbackend.h"

#include <QTemporaryDir>
#include <QTest>

using namespace arbor;
using testsupport::FakeVendorServer;

namespace {

/** "id|name|arguments|at|status" of each call. */
QStringList described(const QString &json)
{
    QStringList out;
    for (const domain::ToolCall &c : domain::toolcalls::parse(json))
        out.append(QStringLiteral("%1|%2|%3|%4|%5")
                       .arg(c.id, c.name, c.arguments)
                       .arg(c.at)
                       .arg(c.status));
    return out;
}

} // namespace

class TestToolCalls
    : public QObject
    , private testsupport::VendorBackendFixture
{
    Q_OBJECT

private Q_SLOTS:
    void init() { setUpVendors(QStringLiteral("caller")); }

    void cleanup() { tearDownVendors(); }

    void eachProtocolsCallsAreStored_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("transcript");
        QTest::addColumn<QString>("content");
        QTest::addColumn<QStringList>("calls"); ///< id|name|arguments|at|status
        QTest::newRow("openai, two calls in pieces")
            << "openai"
            << "openai-tool-calls.sse"
            << "I'll check both."
            << QStringList{
                   R"(call_Qx3T8mWv1bLc9RkZ0aYhJ2nF|get_weather|{"city": "Paris"}|16|requested)",
                   R"(call_Lm4P7sDe2vQa8WnX5cTr1kBy|get_time|{"zone": "Europe/Paris"}|16|requested)"};
        QTest::newRow("openai, one call")
            << "openai"
            << "openai-tool-call.sse"
            << "Let me check the weather."
            << QStringList{R"(call_epOp9BGdyFKMVnFA|get_weather|{"city":"Paris"}|25|requested)"};
        QTest::newRow("openai, legacy function_call")
            << "openai"
            << "openai-function-call.sse"
            << "" << QStringList{"|get_weather|{\n  \"city\": \"Oslo\"\n}|0|requested"};
        QTest::newRow("anthropic, text then two tool_use blocks")
            << "anthropic"
            << "anthropic-tool-uses.sse"
            << "I'll look up both — weather and time."
            << QStringList{
                   R"(toolu_01A09q90qw90lq917835lq9|get_weather|{"city": "Paris", "unit": "celsius"}|37|requested)",
                   R"(toolu_01B7x2kLmN4pQ8rS6tV0wY3z|get_time|{"zone": "Europe/Paris"}|37|requested)"};
        QTest::newRow("gemini, two functionCall parts")
            << "gemini"
            << "gemini-tool-calls.sse"
            << "Checking both cities."
            << QStringList{
                   R"(fc-7c1d|get_weather|{"city":"Paris"}|21|requested)",
                   QStringLiteral(
                       R"(fc-8e2a|get_weather|{"city":"Zürich","unit":"celsius"}|21|requested)")};
        QTest::newRow("ollama, tool_calls")
            << "ollama"
            << "ollama-tool-call.ndjson"
            << "Voyons…" << QStringList{R"(|get_weather|{"city":"Tokyo"}|7|requested)"};
        QTest::newRow("ollama, tool_calls with ids")
            << "ollama"
            << "ollama-tool-calls.ndjson"
            << "Je regarde."
            << QStringList{R"(call_x1k9f2ma|get_weather|{"city":"Lyon"}|11|requested)",
                           R"(call_p3z8q0wd|get_time|{"zone":"Europe/Paris"}|11|requested)"};
    }

    void eachProtocolsCallsAreStored()
    {
        QFETCH(QString, kind);
        QFETCH(QString, transcript);
        QFETCH(QString, content);
        QFETCH(QStringList, calls);
        // Events come from the thread that runs the reply: queued to this one, in order.
        QObject here;
        QStringList announced;
        qsizetype textWhenAnnounced = -1;
        QString live;
        connect(&m_backend->events(), &chat::ChatEvents::messageDelta, &here,
                [&](const QString &, const QString &, qsizetype, const QString &text) {
                    live += text;
                });
        connect(&m_backend->events(), &chat::ChatEvents::toolCallsChanged, &here,
                [&](const QString &, const QString &, const QString &json) {
                    announced = described(json);
                    if (textWhenAnnounced < 0)
                        textWhenAnnounced = live.size();
                });
        m_server->enqueue(FakeVendorServer::stream(FakeVendorServer::transcript(transcript),
                                                   contentType(transcript), 6, 2));
        const chat::SendResult sent = send(kind, QStringLiteral("Weather and time?"));
        QTRY_VERIFY_WITH_TIMEOUT(ended(sent.assistant.id), 30000);

        const domain::Message m = *stored(sent.assistant.id);
        QCOMPARE(domain::toString(m.status), QStringLiteral("complete"));
        QCOMPARE(m.finishReason, QStringLiteral("tool_calls"));
        QCOMPARE(m.content, content); // the model's text, with no note added
        QCOMPARE(described(m.toolCalls), calls);
        // Announced live, after the text written before them.
        QTRY_COMPARE(announced, calls);
        QCOMPARE(textWhenAnnounced, content.size());
        // Read paths give them too: the conversation's path.
        const QList<domain::Message> path =
            m_backend->chat().visiblePath(sent.conversationId).result();
        QCOMPARE(path.size(), 2);
        QCOMPARE(path.at(1).toolCalls, m.toolCalls);
        QVERIFY(path.at(0).toolCalls.isEmpty());
    }

    void aCallThatWasWholeSurvivesABrokenStream()
    {
        // OpenAI: the stream breaks inside the second call. The first is whole (the second
        // had begun), stored with the interrupted reply; the cut one is not.
        const QByteArray all =
            FakeVendorServer::transcript(QStringLiteral("openai-tool-calls.sse"));
        const QByteArray upTo = all.left(all.indexOf("Europe/Paris"));
        FakeVendorServer::Response r = FakeVendorServer::stream(
            upTo.left(upTo.lastIndexOf("\n\n") + 2), "text/event-stream", 3);
        r.disconnectMidBody = true;
        m_server->enqueue(r);
        const chat::SendResult sent = send(QStringLiteral("openai"), QStringLiteral("Both?"));
        QTRY_VERIFY_WITH_TIMEOUT(ended(sent.assistant.id), 30000);
        const domain::Message m = *stored(sent.assistant.id);
        QCOMPARE(domain::toString(m.status), QStringLiteral("interrupted"));
        QCOMPARE(m.content, QStringLiteral("I'll check both."));
        QCOMPARE(
            described(m.toolCalls),
            QStringList{
                R"(call_Qx3T8mWv1bLc9RkZ0aYhJ2nF|get_weather|{"city": "Paris"}|16|requested)"});
    }

    void aCallWithNoTextIsKeptAndNotStartedOver()
    {
        // Only a call, then the connection closes without an end: the reply showed something
        // (the call), so it is interrupted with its call, not retried from nothing.
        const QByteArray all =
            FakeVendorServer::transcript(QStringLiteral("anthropic-tool-uses.sse"));
        QByteArray body = all.left(all.indexOf("event: content_block_start\ndata: "
                                               "{\"type\":\"content_block_start\",\"index\":2"));
        // Without the text block: the tool_use block is the whole reply so far.
        const qsizetype textStart = body.indexOf("event: content_block_start");
        const qsizetype toolStart = body.indexOf("event: content_block_start", textStart + 1);
        body.remove(textStart, toolStart - textStart);
        FakeVendorServer::Response r = FakeVendorServer::stream(body, "text/event-stream", 2);
        r.disconnectMidBody = true;
        m_server->enqueue(r);
        const chat::SendResult sent = send(QStringLiteral("anthropic"), QStringLiteral("Go"));
        QTRY_VERIFY_WITH_TIMEOUT(ended(sent.assistant.id), 30000);
        const domain::Message m = *stored(sent.assistant.id);
        QCOMPARE(domain::toString(m.status), QStringLiteral("interrupted"));
        QCOMPARE(m.content, QString());
        QCOMPARE(
            described(m.toolCalls),
            QStringList{
                R"(toolu_01A09q90qw90lq917835lq9|get_weather|{"city": "Paris", "unit": "celsius"}|0|requested)"});
        QCOMPARE(m_server->requests().size(), 1); // not sent again
    }

    void aToolCallResultIsKeptAsStored()
    {
        // The entries keep what the tools issue adds (result, is_error, times, fields this
        // version does not know) through the store's own API and back.
        domain::ToolCall call;
        call.id = QStringLiteral("call_9");
        call.name = QStringLiteral("read_file");
        call.arguments = QStringLiteral(R"({"path":"/tmp/a"})");
        call.at = 3;
        call.status = QString(domain::ToolCall::Done);
        call.result = QStringLiteral("hello\nworld");
        call.isError = true;
        call.startedAt = 1000;
        call.finishedAt = 1250;
        call.other = QJsonObject{{QStringLiteral("server"), QStringLiteral("files")}};
        const QString json = domain::toolcalls::toText({call});
        QCOMPARE(domain::toolcalls::parse(json), QList<domain::ToolCall>{call});

        const chat::SendResult sent = [&] {
            m_server->enqueue(FakeVendorServer::stream(
                FakeVendorServer::transcript(QStringLiteral("openai-text.sse")),
                "text/event-stream"));
            return send(QStringLiteral("openai"), QStringLiteral("Hi"));
        }();
        QTRY_VERIFY_WITH_TIMEOUT(ended(sent.assistant.id), 30000);
        domain::Message m = *stored(sent.assistant.id);
        QCOMPARE(m.toolCalls, QString()); // a reply without calls stores none
        m.id = domain::newId();
        m.parentId = sent.user.id;
        m.toolCalls = json;
        m_backend->store()
            .write([m](QSqlDatabase &db) { store::messages::insert(db, m); })
            .waitForFinished();
        QCOMPARE(domain::toolcalls::parse(stored(m.id)->toolCalls), QList<domain::ToolCall>{call});
    }
};

QTEST_GUILESS_MAIN(TestToolCalls)
#include "tst_toolcalls.moc"
