// OllamaProvider against a real HTTP server on 127.0.0.1 replaying NDJSON streams from the docs.
#include "streamharness.h"

#include <QJsonArray>
#include <QSignalSpy>

using namespace arbor::testsupport;
using Kind = arbor::llm::ChatError::Kind;

class TestOllamaProvider : public QObject
{
    Q_OBJECT

    std::shared_ptr<arbor::llm::Provider> provider(FakeVendorServer &server)
    {
        auto config = configFor(QStringLiteral("ollama"), server.baseUrl());
        config.apiKey.clear(); // a local server
        return arbor::llm::createProvider(config);
    }

private Q_SLOTS:
    void happyPath()
    {
        FakeVendorServer server;
        server.enqueue(FakeVendorServer::stream(
            FakeVendorServer::transcript(QStringLiteral("ollama-text.ndjson")),
            "application/x-ndjson", 13, 5));
        auto p = provider(server);
        QObject owner;
        const StreamOutcome out =
            runStream(p->startChat(sampleRequest(QStringLiteral("llama3.2")), &owner));
        QCOMPARE(out.failedCount, 0);
        QCOMPARE(out.finishedCount, 1);
        QCOMPARE(out.text(), QStringLiteral("The sky — 青い ✨"));
        QCOMPARE(out.usage.promptTokens, 26);
        QCOMPARE(out.usage.completionTokens, 282);
        QCOMPARE(out.finishReason, QStringLiteral("stop"));

        const auto req = server.requests().first();
        QCOMPARE(req.target, QByteArray("/api/chat"));
        QVERIFY(!req.headers.contains("authorization"));
        const QJsonObject body = bodyOf(req);
        QCOMPARE(body.value(u"model").toString(), QStringLiteral("llama3.2"));
        QCOMPARE(body.value(u"stream").toBool(), true);
        QCOMPARE(body.value(u"options").toObject().value(u"num_predict").toInt(), 123);
        QCOMPARE(body.value(u"options").toObject().value(u"temperature").toDouble(), 0.25);
        QCOMPARE(body.value(u"messages").toArray().size(), 2);
    }

    void thinkingIsAskedForAndStreamedApart()
    {
        FakeVendorServer server;
        server.enqueue(FakeVendorServer::stream(
            FakeVendorServer::transcript(QStringLiteral("ollama-thinking.ndjson")),
            "application/x-ndjson", 5, 2));
        auto p = provider(server);
        arbor::llm::ChatRequest request = sampleRequest(QStringLiteral("qwen3:8b"));
        request.thinkingBudget = 1024;
        QObject owner;
        const StreamOutcome out = runStream(p->startChat(request, &owner));
        QCOMPARE(out.finishedCount, 1);
        QCOMPARE(out.text(), QStringLiteral("There are 3 r's."));
        QVERIFY(out.reasoning.startsWith(u"Okay, the user asks"));
        QCOMPARE(out.reasoningStateCount, 0); // nothing to send back
        QCOMPARE(bodyOf(server.requests().first()).value(u"think").toBool(), true);
    }

    void errorLineMidStream()
    {
        FakeVendorServer server;
        server.enqueue(FakeVendorServer::stream(
            FakeVendorServer::transcript(QStringLiteral("ollama-error.ndjson")),
            "application/x-ndjson", 3, 5));
        auto p = provider(server);
        QObject owner;
        const StreamOutcome out =
            runStream(p->startChat(sampleRequest(QStringLiteral("llama3.2")), &owner));
        QCOMPARE(out.failedCount, 1);
        QCOMPARE(out.finishedCount, 0);
        QCOMPARE(out.text(), QStringLiteral("The"));
        QVERIFY(out.error.message.contains(u"an error was encountered while running the model"));
    }

    void http404UnknownModel()
    {
        FakeVendorServer server;
        server.enqueue(FakeVendorServer::json(
            404, R"({"error":"model 'llama9' not found, try pulling it first"})"));
        auto p = provider(server);
        QObject owner;
        const StreamOutcome out =
            runStream(p->startChat(sampleRequest(QStringLiteral("llama9")), &owner));
        QCOMPARE(out.error.kind, Kind::NotFound);
        QVERIFY(out.error.message.contains(u"model 'llama9' not found"));
    }

    void droppedConnection()
    {
        FakeVendorServer server;
        auto r = FakeVendorServer::stream(
            FakeVendorServer::transcript(QStringLiteral("ollama-truncated.ndjson")),
            "application/x-ndjson", 2, 5);
        r.disconnectMidBody = true;
        server.enqueue(r);
        auto p = provider(server);
        QObject owner;
        const StreamOutcome out =
            runStream(p->startChat(sampleRequest(QStringLiteral("llama3.2")), &owner));
        QCOMPARE(out.error.kind, Kind::Interrupted);
        QCOMPARE(out.text(), QStringLiteral("The sky — 青い ✨"));
    }

    void malformedLine()
    {
        FakeVendorServer server;
        server.enqueue(FakeVendorServer::stream(
            "{\"message\":{\"content\":\"ok\"},\"done\":false}\n{\"message\":\xff\xfe}\n",
            "application/x-ndjson"));
        auto p = provider(server);
        QObject owner;
        const StreamOutcome out =
            runStream(p->startChat(sampleRequest(QStringLiteral("llama3.2")), &owner));
        QCOMPARE(out.error.kind, Kind::Protocol);
        QCOMPARE(out.text(), QStringLiteral("ok"));
    }

    void cancelAbortsAtOnce()
    {
        FakeVendorServer server;
        server.enqueue(
            stalled(FakeVendorServer::transcript(QStringLiteral("ollama-truncated.ndjson")),
                    "application/x-ndjson"));
        auto p = provider(server);
        QObject owner;
        auto *stream = p->startChat(sampleRequest(QStringLiteral("llama3.2")), &owner);
        QSignalSpy deltas(stream, &arbor::llm::ChatStream::delta);
        QSignalSpy ends(stream, &arbor::llm::ChatStream::failed);
        QSignalSpy closed(&server, &FakeVendorServer::clientClosedEarly);
        QVERIFY(deltas.wait(20000));
        stream->cancel();
        QVERIFY(closed.wait(20000));
        QTest::qWait(50);
        QCOMPARE(ends.size(), 0);
    }

    void listsModels()
    {
        FakeVendorServer server;
        server.enqueue(FakeVendorServer::json(
            200,
            R"({"models":[{"name":"llama3.2:latest","model":"llama3.2:latest","modified_at":"2025-01-01T00:00:00Z","size":2019393189,"digest":"a80c","details":{"parent_model":"","format":"gguf","family":"llama","families":["llama"],"parameter_size":"3.2B","quantization_level":"Q4_K_M"}}]})"));
        auto p = provider(server);
        const auto list = waitFor(p->listModels());
        QVERIFY(list && !list->error);
        QCOMPARE(list->models.size(), 1);
        QCOMPARE(list->models.first().id, QStringLiteral("llama3.2:latest"));
        QCOMPARE(server.requests().first().target, QByteArray("/api/tags"));
    }

    void finishReasonsAreNormalised_data()
    {
        QTest::addColumn<QByteArray>("doneReason"); // empty: the field is left out
        QTest::addColumn<QString>("stored");
        QTest::newRow("missing") << QByteArray() << "stop";
        QTest::newRow("stop") << QByteArray("stop") << "stop";
        QTest::newRow("length") << QByteArray("length") << "length";
        QTest::newRow("unload") << QByteArray("unload") << "other";
    }

    void finishReasonsAreNormalised()
    {
        QFETCH(QByteArray, doneReason);
        QFETCH(QString, stored);
        const QByteArray field =
            doneReason.isEmpty() ? QByteArray() : "\"done_reason\":\"" + doneReason + "\",";
        const StreamOutcome out =
            streamBody([this](FakeVendorServer &s) { return provider(s); },
                       withReplaced(QStringLiteral("ollama-text.ndjson"), R"("done":true,)",
                                    R"("done":true,)" + field),
                       "application/x-ndjson");
        QCOMPARE(out.failedCount, 0);
        QCOMPARE(out.finishedCount, 1);
        QCOMPARE(out.finishReason, stored);
        QCOMPARE(out.text(), QStringLiteral("The sky — 青い ✨"));
    }

    void toolCallsAreSignalled()
    {
        const StreamOutcome out =
            streamBody([this](FakeVendorServer &s) { return provider(s); },
                       FakeVendorServer::transcript(QStringLiteral("ollama-tool-call.ndjson")),
                       "application/x-ndjson");
        QCOMPARE(out.failedCount, 0);
        QCOMPARE(out.finishedCount, 1);
        QCOMPARE(out.finishReason, QStringLiteral("tool_calls")); // Ollama itself says stop
        QCOMPARE(out.usage.promptTokens, 120);
        QCOMPARE(out.text(), QStringLiteral("Voyons…")); // no note added
        QVERIFY(out.toolCallsBeforeEnd);
        QCOMPARE(out.toolCalls.size(), 1);
        QCOMPARE(out.toolCalls.first(),
                 (arbor::llm::ToolCall{
                     {}, QStringLiteral("get_weather"), QStringLiteral(R"({"city":"Tokyo"})"), 7}));
    }
};

QTEST_GUILESS_MAIN(TestOllamaProvider)
#include "tst_ollamaprovider.moc"
