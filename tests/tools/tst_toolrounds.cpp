// The tool loop over several rounds and per conversation, through the real backend with a fake
// vendor and real MCP servers: a conversation's own choice of servers is what its replies are
// offered (whatever the message asked for); a reply that reaches the limit on rounds says so
// (a notice, not an error) and Continue goes on; more replies waiting for their calls than the
// engine has slots all end;
// Gemini's thought signatures of every earlier round go back in each later request.
#include "mcpservers.h"

#include "chat/chatservice.h"
#include "chat/replysession.h"
#include "domain/continuation.h"
#include "domain/toolcall.h"
#include "jobs/jobengine.h"
#include "support/vendorbackend.h"
#include "tools/toolhost.h"
#include "tools/toolservice.h"

#include <QJsonArray>
#include <QJsonDocument>

using namespace arbor;
using testsupport::FakeVendorServer;

namespace {

QJsonObject bodyOf(const FakeVendorServer::Request &r)
{
    return QJsonDocument::fromJson(r.body).object();
}

/** An OpenAI-compatible stream that calls @p tool once, with id @p id. */
QByteArray openAiAsk(const QString &id, const QString &tool)
{
    const QJsonObject call{{"index", 0},
                           {"id", id},
                           {"type", "function"},
                           {"function", QJsonObject{{"name", tool}, {"arguments", "{}"}}}};
    const QJsonObject chunk{
        {"choices",
         QJsonArray{QJsonObject{{"index", 0},
                                {"delta", QJsonObject{{"tool_calls", QJsonArray{call}}}},
                                {"finish_reason", "tool_calls"}}}}};
    return "data: " + QJsonDocument(chunk).toJson(QJsonDocument::Compact) + "\n\ndata: [DONE]\n\n";
}

QStringList openAiToolNames(const QJsonObject &body)
{
    QStringList names;
    for (const QJsonValue &t : body.value(QLatin1String("tools")).toArray())
        names.append(t.toObject().value("function").toObject().value("name").toString());
    return names;
}

} // namespace

class TestToolRounds
    : public QObject
    , private testsupport::VendorBackendFixture
{
    Q_OBJECT

    void addServer(const QString &name, const QString &program, const QStringList &args,
                   bool enabled = true)
    {
        tools::StoredToolServer s;
        s.name = name;
        s.transport = QStringLiteral("stdio");
        s.command = program;
        s.args = args;
        s.enabled = enabled;
        QFuture<tools::ToolOutcome> f = m_backend->tools().save(s, {});
        QVERIFY(QTest::qWaitFor([&f] { return f.isFinished(); }, 10000));
        QVERIFY2(f.result().ok, qPrintable(f.result().error));
    }

    chat::SendResult sendWithTools(const QString &kind, const QString &conversationId,
                                   const QStringList &servers)
    {
        chat::SendRequest request;
        request.conversationId = conversationId;
        request.text = QStringLiteral("Use your tools.");
        request.modelKey = QStringLiteral("test-%1/looper").arg(kind);
        request.options.insert(QStringLiteral("tools"), QJsonArray::fromStringList(servers));
        return m_backend->chat().send(request).result();
    }

    template<class T>
    T wait(QFuture<T> f)
    {
        (void)QTest::qWaitFor([&f] { return f.isFinished(); }, 10000);
        if constexpr (std::is_void_v<T>)
            f.waitForFinished();
        else
            return f.result();
    }

private Q_SLOTS:
    void init()
    {
        setUpVendors(QStringLiteral("looper"), 2, true);
        m_backend->toolHost()->setAskMode(tools::AskMode::ApproveAll);
    }

    void cleanup() { tearDownVendors(); }

    void conversationChoiceIsWhatItsRepliesAreOffered()
    {
        addServer(QStringLiteral("everything"), testing::everythingServer(),
                  {QStringLiteral("stdio")});
        addServer(QStringLiteral("notes"), QStringLiteral("node"), {testing::scriptedServer()},
                  false);
        tools::ToolService &service = m_backend->tools();

        // A conversation not yet stored has the global settings.
        QList<tools::ConversationServer> servers = wait(service.forConversation({}));
        QCOMPARE(tools::ToolService::enabledNames(servers), QStringList{"everything"});

        m_server->enqueue(FakeVendorServer::stream(
            FakeVendorServer::transcript(QStringLiteral("openai-text.sse")), "text/event-stream"));
        const chat::SendResult first = send(QStringLiteral("openai"), QStringLiteral("Hello"));
        QTRY_VERIFY_WITH_TIMEOUT(ended(first.assistant.id), 30000);
        const QString conversation = first.conversationId;

        // This conversation alone: everything off, notes on.
        QSignalSpy changed(&service, &tools::ToolService::conversationServersChanged);
        wait(service.setForConversation(conversation, QStringLiteral("everything"), false));
        wait(service.setForConversation(conversation, QStringLiteral("notes"), true));
        QTRY_COMPARE(changed.size(), 2);
        QCOMPARE(changed.at(0).at(0).toString(), conversation);
        servers = wait(service.forConversation(conversation));
        QCOMPARE(servers.size(), 2);
        QCOMPARE(servers.at(0).name, QStringLiteral("everything"));
        QVERIFY(!servers.at(0).enabled && servers.at(0).global && servers.at(0).overridden);
        QCOMPARE(servers.at(1).name, QStringLiteral("notes"));
        QVERIFY(servers.at(1).enabled && !servers.at(1).global && servers.at(1).overridden);
        QCOMPARE(tools::ToolService::enabledNames(servers), QStringList{"notes"});
        // Another conversation keeps the global settings.
        QCOMPARE(tools::ToolService::enabledNames(
                     wait(service.forConversation(QStringLiteral("no-such-conversation")))),
                 QStringList{"everything"});

        // A message that names both (as a stale window or a script would): the tool loop
        // offers only what the conversation allows.
        m_server->enqueue(FakeVendorServer::stream(
            FakeVendorServer::transcript(QStringLiteral("openai-text.sse")), "text/event-stream"));
        const chat::SendResult second = sendWithTools(QStringLiteral("openai"), conversation,
                                                      {QStringLiteral("everything"), "notes"});
        QTRY_VERIFY_WITH_TIMEOUT(ended(second.assistant.id), 60000);
        const QStringList offered = openAiToolNames(bodyOf(m_server->requests().last()));
        QCOMPARE(offered, (QStringList{"write_note", "peek"}));

        // Back to the global setting.
        wait(service.setForConversation(conversation, QStringLiteral("everything"), std::nullopt));
        servers = wait(service.forConversation(conversation));
        QVERIFY(servers.at(0).enabled && !servers.at(0).overridden);
        QCOMPARE(tools::ToolService::enabledNames(servers), (QStringList{"everything", "notes"}));
    }

    void roundLimitIsANoticeAndContinueGoesOn()
    {
        addServer(QStringLiteral("notes"), QStringLiteral("node"), {testing::scriptedServer()});
        const int rounds = chat::ReplySession::MaxToolRounds;
        // The model asks again after every result, once more than it may.
        for (int i = 0; i <= rounds; ++i)
            m_server->enqueue(FakeVendorServer::stream(
                openAiAsk(QStringLiteral("call_%1").arg(i), QStringLiteral("peek")),
                "text/event-stream"));
        const chat::SendResult sent =
            sendWithTools(QStringLiteral("openai"), {}, {QStringLiteral("notes")});
        QTRY_VERIFY_WITH_TIMEOUT(ended(sent.assistant.id), 120000);
        const auto m = stored(sent.assistant.id);
        // Complete, with no error: the finish reason says it stopped at the limit.
        QVERIFY(m->status == domain::MessageStatus::Complete);
        QCOMPARE(m->error, QString());
        QCOMPARE(m->finishReason, QString(domain::ToolRoundLimit));
        QVERIFY(domain::stoppedAtToolRoundLimit(*m));
        QVERIFY(domain::canContinue(*m));
        QVERIFY2(chat::ReplySession::roundLimitNote().contains(
                     QStringLiteral("after %1 rounds").arg(rounds)),
                 qPrintable(chat::ReplySession::roundLimitNote()));
        QList<domain::ToolCall> calls = domain::toolcalls::parse(m->toolCalls);
        QCOMPARE(calls.size(), rounds + 1);
        for (int i = 0; i < rounds; ++i)
            QCOMPARE(calls.at(i).status, domain::ToolCall::Done);
        QCOMPARE(calls.at(rounds).status, domain::ToolCall::Requested); // not run
        QCOMPARE(m_server->requests().size(), rounds + 1);

        // Continue: the call left runs first, then the model goes on for more rounds.
        m_server->enqueue(FakeVendorServer::stream(
            openAiAsk(QStringLiteral("call_more"), QStringLiteral("peek")), "text/event-stream"));
        m_server->enqueue(FakeVendorServer::stream(
            FakeVendorServer::transcript(QStringLiteral("openai-text.sse")), "text/event-stream"));
        const chat::SendResult more = wait(m_backend->chat().continueReply(sent.assistant.id));
        QTRY_VERIFY_WITH_TIMEOUT(ended(more.assistant.id), 60000);
        const auto c = stored(more.assistant.id);
        QVERIFY2(c->status == domain::MessageStatus::Complete, qPrintable(c->error));
        QVERIFY(!domain::stoppedAtToolRoundLimit(*c));
        calls = domain::toolcalls::parse(c->toolCalls);
        QCOMPARE(calls.size(), rounds + 2);
        QCOMPARE(calls.at(rounds).id, QStringLiteral("call_%1").arg(rounds));
        QCOMPARE(calls.at(rounds).status, domain::ToolCall::Done);
        QCOMPARE(calls.at(rounds).result, QStringLiteral("note"));
        QCOMPARE(calls.at(rounds + 1).id, QStringLiteral("call_more"));
        QCOMPARE(calls.at(rounds + 1).status, domain::ToolCall::Done);
        QCOMPARE(m_server->requests().size(), rounds + 3);
        // The continuation's first request: the tools again, and the left call's result.
        const QJsonObject body = bodyOf(m_server->requests().at(rounds + 1));
        QCOMPARE(openAiToolNames(body), (QStringList{"write_note", "peek"}));
        int results = 0;
        QString last;
        for (const QJsonValue &v : body.value(QLatin1String("messages")).toArray()) {
            if (v.toObject().value("role") == QLatin1String("tool")) {
                ++results;
                last = v.toObject().value("tool_call_id").toString();
            }
        }
        QCOMPARE(results, rounds + 1);
        QCOMPARE(last, QStringLiteral("call_%1").arg(rounds));
        // The original stays as it was (a continuation is a sibling).
        QCOMPARE(stored(sent.assistant.id)->toolCalls, m->toolCalls);
    }

    void moreRepliesWaitingForToolsThanSlotsAllEnd()
    {
        // Twice as many replies as the engine runs at once (2), each asking for a tool: each
        // holds its slot while it waits for its call, so the calls' jobs must not need one.
        addServer(QStringLiteral("notes"), QStringLiteral("node"), {testing::scriptedServer()});
        m_server->setResponder([](const FakeVendorServer::Request &r) {
            const bool answered = r.body.contains("\"role\":\"tool\"");
            return FakeVendorServer::stream(
                answered ? FakeVendorServer::transcript(QStringLiteral("openai-text.sse"))
                         : openAiAsk(QStringLiteral("call_peek"), QStringLiteral("peek")),
                "text/event-stream");
        });
        const int slots = m_backend->engine().options().concurrency;
        QCOMPARE(slots, 2);
        QList<chat::SendResult> sent;
        for (int i = 0; i < 2 * slots; ++i)
            sent.append(sendWithTools(QStringLiteral("openai"), {}, {QStringLiteral("notes")}));
        for (const chat::SendResult &s : std::as_const(sent)) {
            QTRY_VERIFY_WITH_TIMEOUT(ended(s.assistant.id), 60000);
            const auto m = stored(s.assistant.id);
            QVERIFY2(m->status == domain::MessageStatus::Complete, qPrintable(m->error));
            const QList<domain::ToolCall> calls = domain::toolcalls::parse(m->toolCalls);
            QCOMPARE(calls.size(), 1);
            QCOMPARE(calls.first().status, domain::ToolCall::Done);
            QCOMPARE(calls.first().result, QStringLiteral("note"));
        }
        // Each reply: its request with the tools, then the one with the call's result.
        QCOMPARE(m_server->requests().size(), 4 * slots);
    }

    void geminiSignaturesOfEveryEarlierRoundGoBack()
    {
        addServer(QStringLiteral("everything"), testing::everythingServer(),
                  {QStringLiteral("stdio")});
        // Round 1: echo (signed) and get-sum; round 2: echo again (signed otherwise); then text.
        m_server->enqueue(FakeVendorServer::stream(
            FakeVendorServer::transcript(QStringLiteral("gemini-mcp-echo.sse")),
            "text/event-stream"));
        const QJsonObject again{
            {"candidates",
             QJsonArray{QJsonObject{
                 {"content",
                  QJsonObject{{"parts",
                               QJsonArray{QJsonObject{
                                   {"functionCall",
                                    QJsonObject{{"name", "echo"},
                                                {"args", QJsonObject{{"message", "again"}}}}},
                                   {"thoughtSignature", "CiQBsecondSig"}}}},
                              {"role", "model"}}},
                 {"finishReason", "STOP"},
                 {"index", 0}}}}};
        m_server->enqueue(FakeVendorServer::stream(
            "data: " + QJsonDocument(again).toJson(QJsonDocument::Compact) + "\n\n",
            "text/event-stream"));
        m_server->enqueue(FakeVendorServer::stream(
            FakeVendorServer::transcript(QStringLiteral("gemini-text.sse")), "text/event-stream"));
        const chat::SendResult sent =
            sendWithTools(QStringLiteral("gemini"), {}, {QStringLiteral("everything")});
        QTRY_VERIFY_WITH_TIMEOUT(ended(sent.assistant.id), 60000);
        const auto m = stored(sent.assistant.id);
        QVERIFY2(m->status == domain::MessageStatus::Complete, qPrintable(m->error));
        QCOMPARE(m_server->requests().size(), 3);

        // The third request: user, model (round 1), user (its results), model (round 2), user.
        const QJsonArray contents =
            bodyOf(m_server->requests().at(2)).value(QLatin1String("contents")).toArray();
        QCOMPARE(contents.size(), 5);
        const QJsonArray round1 = contents.at(1).toObject().value("parts").toArray();
        QCOMPARE(round1.size(), 3); // text, echo, get-sum
        QCOMPARE(round1.at(1).toObject().value("thoughtSignature").toString(),
                 QStringLiteral("CiQBechoSig"));
        QVERIFY(!round1.at(2).toObject().contains("thoughtSignature"));
        const QJsonArray round2 = contents.at(3).toObject().value("parts").toArray();
        QCOMPARE(round2.size(), 1);
        QCOMPARE(round2.at(0).toObject().value("functionCall").toObject().value("args"),
                 QJsonValue(QJsonObject{{"message", "again"}}));
        QCOMPARE(round2.at(0).toObject().value("thoughtSignature").toString(),
                 QStringLiteral("CiQBsecondSig"));
        QCOMPARE(contents.at(4)
                     .toObject()
                     .value("parts")
                     .toArray()
                     .first()
                     .toObject()
                     .value("functionResponse")
                     .toObject()
                     .value("response")
                     .toObject()
                     .value("result")
                     .toString(),
                 QStringLiteral("Echo: again"));
    }
};

QTEST_GUILESS_MAIN(TestToolRounds)
#include "tst_toolrounds.moc"
