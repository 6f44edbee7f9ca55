// The tool loop through the real backend, per wire protocol: a fake vendor (tests/support)
// streams a reply that calls two tools of the real MCP everything server (stdio, from npm); the
// calls run in parallel on that server, their results are stored on the calls, and the reply
// goes on with a second request whose body carries the calls and results in that vendor's exact
// format. Also: policies (deny, ask with the process's answer), a server that dies mid-call and
// one that never answers (the call's job ends at the timeout, the model is told).
#include "mcpservers.h"

#include "chat/chatservice.h"
#include "domain/toolcall.h"
#include "jobs/jobqueries.h"
#include "jobs/jobsservice.h"
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

QString compact(const QJsonValue &v)
{
    return QString::fromUtf8(v.isArray()
                                 ? QJsonDocument(v.toArray()).toJson(QJsonDocument::Compact)
                                 : QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact));
}

/** The tools array of a request body, as names. */
QStringList toolNames(const QString &kind, const QJsonObject &body)
{
    QStringList names;
    const QJsonArray tools = body.value(QLatin1String("tools")).toArray();
    if (kind == u"gemini") {
        for (const QJsonValue &d :
             tools.first().toObject().value(QLatin1String("functionDeclarations")).toArray())
            names.append(d.toObject().value(QLatin1String("name")).toString());
        return names;
    }
    for (const QJsonValue &t : tools) {
        const QJsonObject o = t.toObject();
        names.append(kind == u"anthropic" ? o.value(QLatin1String("name")).toString()
                                          : o.value(QLatin1String("function"))
                                                .toObject()
                                                .value(QLatin1String("name"))
                                                .toString());
    }
    return names;
}

/** An OpenAI-compatible stream that calls @p calls (id, tool, arguments) in one turn. */
QByteArray openAiAsk(const QList<QStringList> &calls)
{
    QJsonArray toolCalls;
    for (qsizetype i = 0; i < calls.size(); ++i)
        toolCalls.append(QJsonObject{
            {"index", int(i)},
            {"id", calls.at(i).at(0)},
            {"type", "function"},
            {"function",
             QJsonObject{{"name", calls.at(i).at(1)}, {"arguments", calls.at(i).at(2)}}}});
    const QJsonObject chunk{
        {"choices",
         QJsonArray{QJsonObject{{"index", 0},
                                {"delta", QJsonObject{{"tool_calls", toolCalls}}},
                                {"finish_reason", "tool_calls"}}}}};
    return "data: " + QJsonDocument(chunk).toJson(QJsonDocument::Compact) + "\n\ndata: [DONE]\n\n";
}

} // namespace

class TestToolLoop
    : public QObject
    , private testsupport::VendorBackendFixture
{
    Q_OBJECT

    void addServer(const QString &name, const QString &program, const QStringList &args)
    {
        tools::StoredToolServer s;
        s.name = name;
        s.transport = QStringLiteral("stdio");
        s.command = program;
        s.args = args;
        QFuture<tools::ToolOutcome> f = m_backend->tools().save(s, {});
        // Its keychain step continues on this thread's event loop.
        QVERIFY(QTest::qWaitFor([&f] { return f.isFinished(); }, 10000));
        const tools::ToolOutcome saved = f.result();
        QVERIFY2(saved.ok, qPrintable(saved.error));
    }

    chat::SendResult sendWithTools(const QString &kind, const QStringList &servers)
    {
        chat::SendRequest request;
        request.text = QStringLiteral("Echo hi, and add 2 and 40.");
        request.modelKey = QStringLiteral("test-%1/looper").arg(kind);
        request.options.insert(QStringLiteral("tools"), QJsonArray::fromStringList(servers));
        return m_backend->chat().send(request).result();
    }

private Q_SLOTS:
    void init()
    {
        setUpVendors(QStringLiteral("looper"), 2, true);
        addServer(QStringLiteral("everything"), testing::everythingServer(),
                  {QStringLiteral("stdio")});
    }

    void cleanup() { tearDownVendors(); }

    void eachProtocolRunsTheCallsAndSendsTheResults_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("ask");
        QTest::addColumn<QString>("answer");
        QTest::newRow("openai") << "openai"
                                << "openai-mcp-echo.sse"
                                << "openai-text.sse";
        QTest::newRow("anthropic") << "anthropic"
                                   << "anthropic-mcp-echo.sse"
                                   << "anthropic-text.sse";
        QTest::newRow("gemini") << "gemini"
                                << "gemini-mcp-echo.sse"
                                << "gemini-text.sse";
        QTest::newRow("ollama") << "ollama"
                                << "ollama-mcp-echo.ndjson"
                                << "ollama-text.ndjson";
    }

    void eachProtocolRunsTheCallsAndSendsTheResults()
    {
        QFETCH(QString, kind);
        QFETCH(QString, ask);
        QFETCH(QString, answer);
        // get-sum has no readOnlyHint: its default is ask; this process approves.
        m_backend->toolHost()->setAskMode(tools::AskMode::ApproveAll);
        m_server->enqueue(
            FakeVendorServer::stream(FakeVendorServer::transcript(ask), contentType(ask)));
        m_server->enqueue(
            FakeVendorServer::stream(FakeVendorServer::transcript(answer), contentType(answer)));
        const chat::SendResult sent = sendWithTools(kind, {QStringLiteral("everything")});
        QTRY_VERIFY_WITH_TIMEOUT(ended(sent.assistant.id), 60000);

        const auto m = stored(sent.assistant.id);
        QVERIFY(m);
        QVERIFY(m->status == domain::MessageStatus::Complete);
        QVERIFY2(m->content.startsWith(QLatin1String("Let me echo that.")), qPrintable(m->content));
        QVERIFY(m->content.size() > 17); // the answer after the results
        const QList<domain::ToolCall> calls = domain::toolcalls::parse(m->toolCalls);
        QCOMPARE(calls.size(), 2);
        QCOMPARE(calls.at(0).status, domain::ToolCall::Done);
        QCOMPARE(calls.at(0).result, QStringLiteral("Echo: hi"));
        QCOMPARE(calls.at(1).status, domain::ToolCall::Done);
        QVERIFY2(calls.at(1).result.contains(QLatin1String("42")), qPrintable(calls.at(1).result));
        for (const domain::ToolCall &c : calls) {
            QVERIFY(c.startedAt > 0);
            QVERIFY(c.finishedAt >= c.startedAt);
            QCOMPARE(c.other.value(QLatin1String("server")).toString(),
                     QStringLiteral("everything"));
        }

        const QList<FakeVendorServer::Request> requests = m_server->requests();
        QCOMPARE(requests.size(), 2);
        const QJsonObject first = bodyOf(requests.at(0));
        const QStringList offered = toolNames(kind, first);
        QVERIFY2(offered.contains(QLatin1String("echo"))
                     && offered.contains(QLatin1String("get-sum")),
                 qPrintable(offered.join(QLatin1Char(','))));
        const QJsonObject second = bodyOf(requests.at(1));
        QCOMPARE(toolNames(kind, second), offered);
        const QString echoResult = QStringLiteral("Echo: hi");
        const QString sumResult = calls.at(1).result;

        if (kind == u"openai") {
            const QJsonArray messages = second.value(QLatin1String("messages")).toArray();
            QCOMPARE(messages.size(), 4); // user, assistant with calls, two tool results
            QCOMPARE(compact(messages.at(1)),
                     compact(QJsonObject{
                         {"role", "assistant"},
                         {"content", "Let me echo that."},
                         {"tool_calls",
                          QJsonArray{
                              QJsonObject{{"id", "call_Echo1"},
                                          {"type", "function"},
                                          {"function",
                                           QJsonObject{{"name", "echo"},
                                                       {"arguments", "{\"message\":\"hi\"}"}}}},
                              QJsonObject{{"id", "call_Sum2"},
                                          {"type", "function"},
                                          {"function",
                                           QJsonObject{{"name", "get-sum"},
                                                       {"arguments", "{\"a\":2,\"b\":40}"}}}}}}}));
            QCOMPARE(compact(messages.at(2)),
                     compact(QJsonObject{{"role", "tool"},
                                         {"tool_call_id", "call_Echo1"},
                                         {"content", echoResult}}));
            QCOMPARE(compact(messages.at(3)),
                     compact(QJsonObject{
                         {"role", "tool"}, {"tool_call_id", "call_Sum2"}, {"content", sumResult}}));
        } else if (kind == u"anthropic") {
            const QJsonArray messages = second.value(QLatin1String("messages")).toArray();
            QCOMPARE(messages.size(), 3); // user, assistant (text + tool_use), user (tool_result)
            QCOMPARE(compact(messages.at(1)),
                     compact(QJsonObject{
                         {"role", "assistant"},
                         {"content",
                          QJsonArray{QJsonObject{{"type", "text"}, {"text", "Let me echo that."}},
                                     QJsonObject{{"type", "tool_use"},
                                                 {"id", "toolu_01Echo"},
                                                 {"name", "echo"},
                                                 {"input", QJsonObject{{"message", "hi"}}}},
                                     QJsonObject{{"type", "tool_use"},
                                                 {"id", "toolu_02Sum"},
                                                 {"name", "get-sum"},
                                                 {"input", QJsonObject{{"a", 2}, {"b", 40}}}}}}}));
            QCOMPARE(compact(messages.at(2)),
                     compact(QJsonObject{{"role", "user"},
                                         {"content",
                                          QJsonArray{QJsonObject{{"type", "tool_result"},
                                                                 {"tool_use_id", "toolu_01Echo"},
                                                                 {"content", echoResult}},
                                                     QJsonObject{{"type", "tool_result"},
                                                                 {"tool_use_id", "toolu_02Sum"},
                                                                 {"content", sumResult}}}}}));
        } else if (kind == u"gemini") {
            const QJsonArray contents = second.value(QLatin1String("contents")).toArray();
            QCOMPARE(contents.size(), 3);
            QCOMPARE(
                compact(contents.at(1)),
                compact(QJsonObject{
                    {"role", "model"},
                    {"parts",
                     QJsonArray{QJsonObject{{"text", "Let me echo that."}},
                                QJsonObject{{"functionCall",
                                             QJsonObject{{"name", "echo"},
                                                         {"args", QJsonObject{{"message", "hi"}}}}},
                                            {"thoughtSignature", "CiQBechoSig"}},
                                QJsonObject{
                                    {"functionCall",
                                     QJsonObject{{"name", "get-sum"},
                                                 {"args", QJsonObject{{"a", 2}, {"b", 40}}}}}}}}}));
            QCOMPARE(compact(contents.at(2)),
                     compact(QJsonObject{
                         {"role", "user"},
                         {"parts",
                          QJsonArray{
                              QJsonObject{
                                  {"functionResponse",
                                   QJsonObject{{"name", "echo"},
                                               {"response", QJsonObject{{"result", echoResult}}}}}},
                              QJsonObject{{"functionResponse",
                                           QJsonObject{{"name", "get-sum"},
                                                       {"response",
                                                        QJsonObject{{"result", sumResult}}}}}}}}}));
        } else {
            const QJsonArray messages = second.value(QLatin1String("messages")).toArray();
            QCOMPARE(messages.size(), 4);
            QCOMPARE(
                compact(messages.at(1)),
                compact(QJsonObject{
                    {"role", "assistant"},
                    {"content", "Let me echo that."},
                    {"tool_calls",
                     QJsonArray{
                         QJsonObject{{"function",
                                      QJsonObject{{"name", "echo"},
                                                  {"arguments", QJsonObject{{"message", "hi"}}}}}},
                         QJsonObject{
                             {"function",
                              QJsonObject{{"name", "get-sum"},
                                          {"arguments", QJsonObject{{"a", 2}, {"b", 40}}}}}}}}}));
            QCOMPARE(compact(messages.at(2)),
                     compact(QJsonObject{
                         {"role", "tool"}, {"content", echoResult}, {"tool_name", "echo"}}));
            QCOMPARE(compact(messages.at(3)),
                     compact(QJsonObject{
                         {"role", "tool"}, {"content", sumResult}, {"tool_name", "get-sum"}}));
        }
    }

    void regeneratedReplyIsOfferedTheSameTools()
    {
        const QByteArray text = FakeVendorServer::transcript(QStringLiteral("openai-text.sse"));
        m_server->enqueue(FakeVendorServer::stream(text, "text/event-stream"));
        m_server->enqueue(FakeVendorServer::stream(text, "text/event-stream"));
        const chat::SendResult sent =
            sendWithTools(QStringLiteral("openai"), {QStringLiteral("everything")});
        QTRY_VERIFY_WITH_TIMEOUT(ended(sent.assistant.id), 60000);
        QVERIFY(toolNames(QStringLiteral("openai"), bodyOf(m_server->requests().at(0)))
                    .contains(QStringLiteral("echo")));

        const chat::SendResult again =
            m_backend->chat().regenerate(sent.assistant.id, QString()).result();
        QTRY_VERIFY_WITH_TIMEOUT(ended(again.assistant.id), 60000);
        QCOMPARE(m_server->requests().size(), 2);
        QCOMPARE(toolNames(QStringLiteral("openai"), bodyOf(m_server->requests().at(1))),
                 toolNames(QStringLiteral("openai"), bodyOf(m_server->requests().at(0))));
    }

    void toolsOutliveTheRepliesJob()
    {
        // The reply is cut mid-stream, then its job row is discarded (the jobs dashboard's
        // action; a prune does the same): regenerate and continue are still offered its servers,
        // kept on the message.
        const QByteArray text = FakeVendorServer::transcript(QStringLiteral("openai-text.sse"));
        FakeVendorServer::Response cut = FakeVendorServer::stream(
            text.left(text.indexOf("\n\n", text.indexOf(R"("delta":{"content")")) + 2),
            "text/event-stream");
        cut.disconnectMidBody = true;
        m_server->enqueue(cut);
        const chat::SendResult sent =
            sendWithTools(QStringLiteral("openai"), {QStringLiteral("everything")});
        QTRY_VERIFY_WITH_TIMEOUT(ended(sent.assistant.id), 60000);
        QVERIFY(!stored(sent.assistant.id)->content.isEmpty()); // it can be continued
        const QStringList offered =
            toolNames(QStringLiteral("openai"), bodyOf(m_server->requests().at(0)));
        QVERIFY(offered.contains(QStringLiteral("echo")));
        const auto jobsOf = [this](const QString &id) {
            return m_backend->store()
                .read([id](QSqlDatabase &db) { return jobs::queries::forSubject(db, id); })
                .result();
        };
        const QList<jobs::Job> job = jobsOf(sent.assistant.id);
        QCOMPARE(job.size(), 1);
        QVERIFY(m_backend->jobs().discard(job.constFirst().id).result());
        QVERIFY(jobsOf(sent.assistant.id).isEmpty());
        QCOMPARE(stored(sent.assistant.id)->request, QStringLiteral(R"({"tools":["everything"]})"));

        m_server->enqueue(FakeVendorServer::stream(text, "text/event-stream"));
        const chat::SendResult again =
            m_backend->chat().regenerate(sent.assistant.id, QString()).result();
        QTRY_VERIFY_WITH_TIMEOUT(ended(again.assistant.id), 60000);
        QCOMPARE(m_server->requests().size(), 2);
        QCOMPARE(toolNames(QStringLiteral("openai"), bodyOf(m_server->requests().at(1))), offered);
        QCOMPARE(stored(again.assistant.id)->request, stored(sent.assistant.id)->request);

        m_server->enqueue(FakeVendorServer::stream(text, "text/event-stream"));
        const chat::SendResult continued =
            m_backend->chat().continueReply(sent.assistant.id).result();
        QTRY_VERIFY_WITH_TIMEOUT(ended(continued.assistant.id), 60000);
        QCOMPARE(m_server->requests().size(), 3);
        QCOMPARE(toolNames(QStringLiteral("openai"), bodyOf(m_server->requests().at(2))), offered);
        QCOMPARE(stored(continued.assistant.id)->request, stored(sent.assistant.id)->request);
    }

    void askedCallIsDeniedWithoutApprovalAndNothingReachesTheServer()
    {
        // Our scripted server logs every byte it receives: write_note (destructive: ask) must
        // never reach it; peek (read-only: allow) does.
        QTemporaryDir dir;
        const QString log = dir.filePath(QStringLiteral("received.log"));
        addServer(QStringLiteral("notes"), QStringLiteral("node"),
                  {testing::scriptedServer(), QStringLiteral("--log"), log});
        m_backend->toolHost()->setAskMode(tools::AskMode::NoFlag);
        const QByteArray ask = openAiAsk(
            {{"call_W", "write_note", "{\"text\":\"secret plan\"}"}, {"call_P", "peek", "{}"}});
        m_server->enqueue(FakeVendorServer::stream(ask, "text/event-stream"));
        m_server->enqueue(FakeVendorServer::stream(
            FakeVendorServer::transcript(QStringLiteral("openai-text.sse")), "text/event-stream"));
        const chat::SendResult sent =
            sendWithTools(QStringLiteral("openai"), {QStringLiteral("notes")});
        QTRY_VERIFY_WITH_TIMEOUT(ended(sent.assistant.id), 60000);
        const QList<domain::ToolCall> calls =
            domain::toolcalls::parse(stored(sent.assistant.id)->toolCalls);
        QCOMPARE(calls.size(), 2);
        QCOMPARE(calls.at(0).status, domain::ToolCall::Denied);
        QVERIFY(calls.at(0).isError);
        QVERIFY2(calls.at(0).result.contains(QLatin1String("--approve-all")),
                 qPrintable(calls.at(0).result));
        QVERIFY2(calls.at(0).result.contains(
                     QLatin1String("arbord tools policy notes write_note allow")),
                 qPrintable(calls.at(0).result));
        QCOMPARE(calls.at(1).status, domain::ToolCall::Done);
        QCOMPARE(calls.at(1).result, QStringLiteral("note"));

        QFile received(log);
        QVERIFY(received.open(QIODevice::ReadOnly));
        const QByteArray bytes = received.readAll();
        QVERIFY(bytes.contains("\"peek\""));
        QVERIFY(!bytes.contains("write_note"));
        QVERIFY(!bytes.contains("secret plan"));
        // The denial went back to the model as a tool error.
        const QJsonArray messages =
            bodyOf(m_server->requests().at(1)).value(QLatin1String("messages")).toArray();
        QCOMPARE(messages.at(2).toObject().value(QLatin1String("tool_call_id")).toString(),
                 QStringLiteral("call_W"));
        QCOMPARE(messages.at(2).toObject().value(QLatin1String("content")).toString(),
                 calls.at(0).result);
    }

    void askWaitsForTheUserThenRuns()
    {
        QTemporaryDir dir;
        const QString log = dir.filePath(QStringLiteral("received.log"));
        addServer(QStringLiteral("notes"), QStringLiteral("node"),
                  {testing::scriptedServer(), QStringLiteral("--log"), log});
        tools::ToolHost *host = m_backend->toolHost();
        host->setAskMode(tools::AskMode::Ask);
        const QByteArray ask = openAiAsk({{"call_W", "write_note", "{\"text\":\"later\"}"}});
        m_server->enqueue(FakeVendorServer::stream(ask, "text/event-stream"));
        m_server->enqueue(FakeVendorServer::stream(
            FakeVendorServer::transcript(QStringLiteral("openai-text.sse")), "text/event-stream"));
        const chat::SendResult sent =
            sendWithTools(QStringLiteral("openai"), {QStringLiteral("notes")});
        // Stored as awaiting approval; the server has received nothing for it.
        QTRY_VERIFY_WITH_TIMEOUT(
            stored(sent.assistant.id)->toolCalls.contains(QLatin1String("awaiting_approval")),
            60000);
        QFile received(log);
        QVERIFY(received.open(QIODevice::ReadOnly));
        QVERIFY(!received.readAll().contains("write_note"));
        received.close();
        QCOMPARE(m_server->requests().size(), 1);

        QMetaObject::invokeMethod(
            host, [host, id = sent.assistant.id] { host->decide(id, 0, true, true); });
        QTRY_VERIFY_WITH_TIMEOUT(ended(sent.assistant.id), 60000);
        const QList<domain::ToolCall> calls =
            domain::toolcalls::parse(stored(sent.assistant.id)->toolCalls);
        QCOMPARE(calls.at(0).status, domain::ToolCall::Done);
        QCOMPARE(calls.at(0).result, QStringLiteral("wrote: later"));
        // "Always allow" is stored.
        const auto policies = m_backend->tools().policies(QStringLiteral("notes")).result();
        QVERIFY(policies.value(QStringLiteral("write_note")) == tools::Policy::Allow);
    }

    void repliesWaitingForApprovalHoldNoSlot()
    {
        // Two replies wait for the user's answer, as many as the engine has slots (2): a third
        // reply still runs and ends; then both are answered and go on.
        QTemporaryDir dir;
        addServer(QStringLiteral("notes"), QStringLiteral("node"),
                  {testing::scriptedServer(), QStringLiteral("--log"),
                   dir.filePath(QStringLiteral("received.log"))});
        tools::ToolHost *host = m_backend->toolHost();
        host->setAskMode(tools::AskMode::Ask);
        const QByteArray ask = openAiAsk({{"call_W", "write_note", "{\"text\":\"later\"}"}});
        const QByteArray text = FakeVendorServer::transcript(QStringLiteral("openai-text.sse"));
        m_server->enqueue(FakeVendorServer::stream(ask, "text/event-stream"));
        m_server->enqueue(FakeVendorServer::stream(ask, "text/event-stream"));
        for (int i = 0; i < 3; ++i)
            m_server->enqueue(FakeVendorServer::stream(text, "text/event-stream"));
        QStringList waiting;
        for (int i = 0; i < 2; ++i) {
            const chat::SendResult sent =
                sendWithTools(QStringLiteral("openai"), {QStringLiteral("notes")});
            QTRY_VERIFY_WITH_TIMEOUT(
                stored(sent.assistant.id)->toolCalls.contains(QLatin1String("awaiting_approval")),
                60000);
            waiting.append(sent.assistant.id);
        }
        chat::SendRequest plain;
        plain.text = QStringLiteral("Anything without tools.");
        plain.modelKey = QStringLiteral("test-openai/looper");
        const chat::SendResult third = m_backend->chat().send(plain).result();
        QTRY_VERIFY_WITH_TIMEOUT(ended(third.assistant.id), 30000);
        QVERIFY(stored(third.assistant.id)->status == domain::MessageStatus::Complete);
        for (const QString &id : std::as_const(waiting))
            QVERIFY(!ended(id));

        for (const QString &id : std::as_const(waiting))
            QMetaObject::invokeMethod(host, [host, id] { host->decide(id, 0, true, false); });
        for (const QString &id : std::as_const(waiting)) {
            QTRY_VERIFY_WITH_TIMEOUT(ended(id), 60000);
            QVERIFY(stored(id)->status == domain::MessageStatus::Complete);
            const QList<domain::ToolCall> calls = domain::toolcalls::parse(stored(id)->toolCalls);
            QCOMPARE(calls.at(0).status, domain::ToolCall::Done);
        }
        QCOMPARE(m_server->requests().size(), 5);
    }

    void serverCrashMidCallIsAnErrorOnTheCall()
    {
        addServer(QStringLiteral("crashy"), QStringLiteral("node"),
                  {testing::scriptedServer(), QStringLiteral("--mode"), QStringLiteral("crash")});
        const QByteArray ask = openAiAsk({{"call_P", "peek", "{}"}});
        m_server->enqueue(FakeVendorServer::stream(ask, "text/event-stream"));
        m_server->enqueue(FakeVendorServer::stream(
            FakeVendorServer::transcript(QStringLiteral("openai-text.sse")), "text/event-stream"));
        const chat::SendResult sent =
            sendWithTools(QStringLiteral("openai"), {QStringLiteral("crashy")});
        QTRY_VERIFY_WITH_TIMEOUT(ended(sent.assistant.id), 60000);
        const auto m = stored(sent.assistant.id);
        QVERIFY(m->status == domain::MessageStatus::Complete); // the model answered the error
        const QList<domain::ToolCall> calls = domain::toolcalls::parse(m->toolCalls);
        QCOMPARE(calls.at(0).status, domain::ToolCall::Failed);
        QVERIFY2(calls.at(0).result.contains(QLatin1String("exited with code 3")),
                 qPrintable(calls.at(0).result));
    }

    void callThatNeverAnswersEndsItsJobAtTheTimeout()
    {
        addServer(QStringLiteral("silent"), QStringLiteral("node"),
                  {testing::scriptedServer(), QStringLiteral("--mode"), QStringLiteral("silent")});
        tools::ToolHost *host = m_backend->toolHost();
        // Set before the reply exists: the engine's thread reads it after the send is queued.
        host->setCallTimeoutMs(1500);
        m_server->enqueue(
            FakeVendorServer::stream(openAiAsk({{"call_P", "peek", "{}"}}), "text/event-stream"));
        m_server->enqueue(FakeVendorServer::stream(
            FakeVendorServer::transcript(QStringLiteral("openai-text.sse")), "text/event-stream"));
        const chat::SendResult sent =
            sendWithTools(QStringLiteral("openai"), {QStringLiteral("silent")});
        QTRY_VERIFY_WITH_TIMEOUT(ended(sent.assistant.id), 60000);
        const auto m = stored(sent.assistant.id);
        QVERIFY2(m->status == domain::MessageStatus::Complete, qPrintable(m->error));
        const QList<domain::ToolCall> calls = domain::toolcalls::parse(m->toolCalls);
        QCOMPARE(calls.size(), 1);
        QCOMPARE(calls.at(0).status, domain::ToolCall::Failed);
        QVERIFY(calls.at(0).isError);
        const QString timedOut =
            QStringLiteral("tools/call: no answer from the server within 1.5 s.");
        QCOMPARE(calls.at(0).result, timedOut);
        // The call's own job ended with it, failed with that error (and is not tried again).
        const QList<jobs::Job> job =
            m_backend->store()
                .read([id = sent.assistant.id](QSqlDatabase &db) {
                    return jobs::queries::forSubject(db, id + QStringLiteral("/call/0"));
                })
                .result();
        QCOMPARE(job.size(), 1);
        QCOMPARE(job.first().kind, QStringLiteral("tool.call"));
        QVERIFY(job.first().state == jobs::JobState::Failed);
        QCOMPARE(job.first().lastError, timedOut);
        QCOMPARE(job.first().attempts, 1);
        // The model was told, and answered.
        QCOMPARE(m_server->requests().size(), 2);
        const QJsonArray messages =
            bodyOf(m_server->requests().at(1)).value(QLatin1String("messages")).toArray();
        QCOMPARE(messages.last().toObject().value(QLatin1String("tool_call_id")).toString(),
                 QStringLiteral("call_P"));
        QCOMPARE(messages.last().toObject().value(QLatin1String("content")).toString(), timedOut);
        // And the next reply runs as usual.
        m_server->enqueue(FakeVendorServer::stream(
            FakeVendorServer::transcript(QStringLiteral("openai-text.sse")), "text/event-stream"));
        const chat::SendResult next = send(QStringLiteral("openai"), QStringLiteral("Hello"));
        QTRY_VERIFY_WITH_TIMEOUT(ended(next.assistant.id), 30000);
        QVERIFY(stored(next.assistant.id)->status == domain::MessageStatus::Complete);
    }
};

QTEST_GUILESS_MAIN(TestToolLoop)
#include "tst_toolloop.moc"
