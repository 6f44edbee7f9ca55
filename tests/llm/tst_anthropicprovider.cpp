// AnthropicProvider against a real HTTP server on 127.0.0.1 replaying recorded Messages streams.
#include "streamharness.h"

#include <QJsonArray>
#include <QSignalSpy>

using namespace arbor::testsupport;
using Kind = arbor::llm::ChatError::Kind;

class TestAnthropicProvider : public QObject
{
    Q_OBJECT

    std::shared_ptr<arbor::llm::Provider> provider(FakeVendorServer &server)
    {
        return arbor::llm::createProvider(configFor(QStringLiteral("anthropic"), server.baseUrl()));
    }

private Q_SLOTS:
    void happyPath()
    {
        FakeVendorServer server;
        server.enqueue(FakeVendorServer::stream(
            FakeVendorServer::transcript(QStringLiteral("anthropic-text.sse")), "text/event-stream",
            9, 5));
        auto p = provider(server);
        QObject owner;
        const StreamOutcome out =
            runStream(p->startChat(sampleRequest(QStringLiteral("claude-sonnet-4-5")), &owner));
        QCOMPARE(out.failedCount, 0);
        QCOMPARE(out.finishedCount, 1);
        QCOMPARE(out.deltas, (QStringList{QStringLiteral("Hello"), QStringLiteral("! I")}));
        QCOMPARE(out.usage.promptTokens, 12);
        QCOMPARE(out.usage.completionTokens, 30);
        QCOMPARE(out.finishReason, QStringLiteral("stop"));

        const auto req = server.requests().first();
        QCOMPARE(req.target, QByteArray("/v1/messages"));
        QCOMPARE(req.headers.value("x-api-key"), QByteArray("sk-test-key"));
        QCOMPARE(req.headers.value("anthropic-version"), QByteArray("2023-06-01"));
        QVERIFY(!req.headers.contains("authorization"));
        const QJsonObject body = bodyOf(req);
        QCOMPARE(body.value(u"system").toString(), QStringLiteral("Be brief."));
        QCOMPARE(body.value(u"max_tokens").toInt(), 123);
        QCOMPARE(body.value(u"temperature").toDouble(), 0.25);
        QCOMPARE(body.value(u"stream").toBool(), true);
        const QJsonArray messages = body.value(u"messages").toArray();
        QCOMPARE(messages.size(), 1); // the system turn goes to "system"
        QCOMPARE(messages.first().toObject().value(u"role").toString(), QStringLiteral("user"));
    }

    void thinkingIsAskedForAndSignedBlocksGoBack()
    {
        FakeVendorServer server;
        for (int i = 0; i < 3; ++i)
            server.enqueue(FakeVendorServer::stream(
                FakeVendorServer::transcript(QStringLiteral("anthropic-thinking.sse")),
                "text/event-stream", 9, 2));
        auto p = provider(server);
        arbor::llm::ChatRequest request = sampleRequest(QStringLiteral("claude-sonnet-4-5"));
        request.thinkingBudget = 2048;
        arbor::llm::ChatTurn earlier{QStringLiteral("assistant"), QStringLiteral("Three.")};
        earlier.reasoning = QStringLiteral("abc\n\ndef");
        earlier.reasoningData =
            QJsonObject{{"format", "anthropic"},
                        {"parts",
                         QJsonArray{QJsonObject{{"type", "thinking"},
                                                {"in", "reasoning"},
                                                {"start", 0},
                                                {"length", 3},
                                                {"signature", "sig-A"}},
                                    QJsonObject{{"type", "redacted_thinking"}, {"data", "opaque"}},
                                    // cut off before its signature: it cannot go back
                                    QJsonObject{{"type", "thinking"},
                                                {"in", "reasoning"},
                                                {"start", 5},
                                                {"length", 3},
                                                {"signature", ""}}}}};
        request.turns.append(earlier);
        request.turns.append({QStringLiteral("user"), QStringLiteral("And in raspberry?")});
        QObject owner;
        const StreamOutcome out = runStream(p->startChat(request, &owner));
        QCOMPARE(out.finishedCount, 1);
        QCOMPARE(out.text(), QStringLiteral("There are **3** r's in strawberry."));
        QVERIFY(out.reasoning.startsWith(u"Let me spell it"));
        QCOMPARE(out.reasoningStateCount, 1);
        QCOMPARE(out.reasoningState.value(u"parts").toArray().size(), 2);

        QJsonObject body = bodyOf(server.requests().at(0));
        QCOMPARE(body.value(u"thinking").toObject(),
                 (QJsonObject{{"type", "enabled"}, {"budget_tokens", 2048}}));
        QCOMPARE(body.value(u"max_tokens").toInt(), 2048 + 4096); // must exceed the budget
        QVERIFY(!body.contains(u"temperature"));                  // not allowed with thinking
        const QJsonArray messages = body.value(u"messages").toArray();
        QCOMPARE(messages.size(), 3);
        QCOMPARE(messages.at(1).toObject().value(u"content").toArray(),
                 (QJsonArray{
                     QJsonObject{{"type", "thinking"}, {"thinking", "abc"}, {"signature", "sig-A"}},
                     QJsonObject{{"type", "redacted_thinking"}, {"data", "opaque"}},
                     QJsonObject{{"type", "text"}, {"text", "Three."}}}));

        // Without thinking the turn is its text (and the temperature goes).
        request.thinkingBudget = 0;
        runStream(p->startChat(request, &owner));
        body = bodyOf(server.requests().at(1));
        QVERIFY(!body.contains(u"thinking"));
        QCOMPARE(body.value(u"temperature").toDouble(), 0.25);
        QCOMPARE(body.value(u"messages").toArray().at(1).toObject().value(u"content").toString(),
                 QStringLiteral("Three."));

        // A continuation (a prefilled reply) cannot think.
        request.thinkingBudget = 2048;
        request.turns.append({QStringLiteral("assistant"), QStringLiteral("In raspberry")});
        runStream(p->startChat(request, &owner));
        body = bodyOf(server.requests().at(2));
        QVERIFY(!body.contains(u"thinking"));
        QCOMPARE(body.value(u"max_tokens").toInt(), 123);
    }

    void overloadedEventMidStream()
    {
        FakeVendorServer server;
        server.enqueue(FakeVendorServer::stream(
            FakeVendorServer::transcript(QStringLiteral("anthropic-overloaded.sse")),
            "text/event-stream", 4, 5));
        auto p = provider(server);
        QObject owner;
        const StreamOutcome out =
            runStream(p->startChat(sampleRequest(QStringLiteral("m")), &owner));
        QCOMPARE(out.finishedCount, 0);
        QCOMPARE(out.failedCount, 1);
        QCOMPARE(out.text(), QStringLiteral("Hello"));
        QCOMPARE(out.error.kind, Kind::Overloaded);
        QCOMPARE(out.error.vendorType, QStringLiteral("overloaded_error"));
        QVERIFY(out.error.message.contains(u"Overloaded"));
    }

    void http529WithRateLimitHeaders()
    {
        FakeVendorServer server;
        server.enqueue(FakeVendorServer::json(
            529,
            R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"},"request_id":"req_011"})",
            {{"retry-after", "7"},
             {"anthropic-ratelimit-requests-limit", "1000"},
             {"anthropic-ratelimit-requests-remaining", "998"},
             {"anthropic-ratelimit-tokens-remaining", "78000"}}));
        auto p = provider(server);
        QObject owner;
        const StreamOutcome out =
            runStream(p->startChat(sampleRequest(QStringLiteral("m")), &owner));
        QCOMPARE(out.failedCount, 1);
        QCOMPARE(out.error.kind, Kind::Overloaded);
        QVERIFY(out.error.retryable());
        QCOMPARE(out.error.httpStatus, 529);
        QCOMPARE(out.error.retryAfterMs, 7000);
        QCOMPARE(out.error.rateLimit.limitRequests, 1000);
        QCOMPARE(out.error.rateLimit.remainingRequests, 998);
        QCOMPARE(out.error.rateLimit.remainingTokens, 78000);
    }

    void http400KeepsTheVendorsMessage()
    {
        FakeVendorServer server;
        server.enqueue(FakeVendorServer::json(
            400,
            R"({"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long: 215000 tokens > 200000 maximum"},"request_id":"req_2"})"));
        auto p = provider(server);
        QObject owner;
        const StreamOutcome out =
            runStream(p->startChat(sampleRequest(QStringLiteral("m")), &owner));
        QCOMPARE(out.error.kind, Kind::BadRequest);
        QVERIFY(!out.error.retryable());
        QVERIFY(out.error.message.contains(u"prompt is too long: 215000 tokens > 200000 maximum"));
    }

    void http401()
    {
        FakeVendorServer server;
        server.enqueue(FakeVendorServer::json(
            401,
            R"({"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}})"));
        auto p = provider(server);
        QObject owner;
        const StreamOutcome out =
            runStream(p->startChat(sampleRequest(QStringLiteral("m")), &owner));
        QCOMPARE(out.error.kind, Kind::Auth);
        QVERIFY(out.error.message.contains(u"invalid x-api-key"));
    }

    void droppedConnection()
    {
        FakeVendorServer server;
        auto r = FakeVendorServer::stream(
            FakeVendorServer::transcript(QStringLiteral("anthropic-truncated.sse")),
            "text/event-stream", 2, 5);
        r.disconnectMidBody = true;
        server.enqueue(r);
        auto p = provider(server);
        QObject owner;
        const StreamOutcome out =
            runStream(p->startChat(sampleRequest(QStringLiteral("m")), &owner));
        QCOMPARE(out.failedCount, 1);
        QCOMPARE(out.error.kind, Kind::Interrupted);
        QCOMPARE(out.text(), QStringLiteral("Hello"));
    }

    void cancelAbortsAtOnce()
    {
        FakeVendorServer server;
        server.enqueue(
            stalled(FakeVendorServer::transcript(QStringLiteral("anthropic-truncated.sse")),
                    "text/event-stream"));
        auto p = provider(server);
        QObject owner;
        auto *stream = p->startChat(sampleRequest(QStringLiteral("m")), &owner);
        QSignalSpy deltas(stream, &arbor::llm::ChatStream::delta);
        QSignalSpy finished(stream, &arbor::llm::ChatStream::finished);
        QSignalSpy failed(stream, &arbor::llm::ChatStream::failed);
        QSignalSpy closed(&server, &FakeVendorServer::clientClosedEarly);
        QVERIFY(deltas.wait(20000));
        stream->cancel();
        QVERIFY(closed.wait(20000));
        QTest::qWait(50);
        QCOMPARE(finished.size() + failed.size(), 0);
    }

    void listsModelsAcrossPages()
    {
        FakeVendorServer server;
        server.enqueue(FakeVendorServer::json(
            200,
            R"({"data":[{"type":"model","id":"claude-sonnet-4-5-20250929","display_name":"Claude Sonnet 4.5","created_at":"2025-09-29T00:00:00Z"}],"has_more":true,"first_id":"claude-sonnet-4-5-20250929","last_id":"claude-sonnet-4-5-20250929"})"));
        server.enqueue(FakeVendorServer::json(
            200,
            R"({"data":[{"type":"model","id":"claude-haiku-4-5","display_name":"Claude Haiku 4.5","created_at":"2025-10-01T00:00:00Z"}],"has_more":false,"first_id":"claude-haiku-4-5","last_id":"claude-haiku-4-5"})"));
        auto p = provider(server);
        const auto list = waitFor(p->listModels());
        QVERIFY(list && !list->error);
        QCOMPARE(list->models.size(), 2);
        QCOMPARE(list->models.at(0).displayName, QStringLiteral("Claude Sonnet 4.5"));
        QCOMPARE(list->models.at(1).id, QStringLiteral("claude-haiku-4-5"));
        QCOMPARE(server.requests().size(), 2);
        QCOMPARE(server.requests().at(0).target, QByteArray("/v1/models?limit=1000"));
        QCOMPARE(server.requests().at(1).target,
                 QByteArray("/v1/models?limit=1000&after_id=claude-sonnet-4-5-20250929"));
        QCOMPARE(server.requests().at(1).headers.value("x-api-key"), QByteArray("sk-test-key"));
    }

    void finishReasonsAreNormalised_data()
    {
        QTest::addColumn<QByteArray>("vendor");
        QTest::addColumn<QString>("stored");
        QTest::newRow("end_turn") << QByteArray("end_turn") << "stop";
        QTest::newRow("stop_sequence") << QByteArray("stop_sequence") << "stop";
        QTest::newRow("max_tokens") << QByteArray("max_tokens") << "length";
        QTest::newRow("model_context_window_exceeded")
            << QByteArray("model_context_window_exceeded") << "length";
        QTest::newRow("refusal") << QByteArray("refusal") << "content_filter";
        QTest::newRow("tool_use") << QByteArray("tool_use") << "tool_calls";
        QTest::newRow("pause_turn") << QByteArray("pause_turn") << "other";
    }

    void finishReasonsAreNormalised()
    {
        QFETCH(QByteArray, vendor);
        QFETCH(QString, stored);
        const StreamOutcome out = streamBody([this](FakeVendorServer &s) { return provider(s); },
                                             withReplaced(QStringLiteral("anthropic-text.sse"),
                                                          R"("stop_reason":"end_turn")",
                                                          "\"stop_reason\":\"" + vendor + '"'),
                                             "text/event-stream");
        QCOMPARE(out.failedCount, 0);
        QCOMPARE(out.finishedCount, 1);
        QCOMPARE(out.finishReason, stored);
        QVERIFY(out.text().startsWith(QStringLiteral("Hello! I")));
    }

    void toolUseBlocksAreSignalled()
    {
        // Text, then two tool_use blocks whose input comes in pieces.
        const StreamOutcome out =
            streamBody([this](FakeVendorServer &s) { return provider(s); },
                       FakeVendorServer::transcript(QStringLiteral("anthropic-tool-uses.sse")),
                       "text/event-stream");
        QCOMPARE(out.failedCount, 0);
        QCOMPARE(out.finishedCount, 1);
        QCOMPARE(out.finishReason, QStringLiteral("tool_calls"));
        QCOMPARE(out.usage.completionTokens, 96);
        QCOMPARE(out.text(), QStringLiteral("I'll look up both — weather and time.")); // no note
        QVERIFY(out.toolCallsBeforeEnd);
        QCOMPARE(
            out.toolCalls,
            (QList<arbor::llm::ToolCall>{
                {QStringLiteral("toolu_01A09q90qw90lq917835lq9"), QStringLiteral("get_weather"),
                 QStringLiteral("{\"city\": \"Paris\", \"unit\": \"celsius\"}"), 37},
                {QStringLiteral("toolu_01B7x2kLmN4pQ8rS6tV0wY3z"), QStringLiteral("get_time"),
                 QStringLiteral("{\"zone\": \"Europe/Paris\"}"), 37}}));
    }

    void toolChoiceIsSent_data()
    {
        QTest::addColumn<QJsonValue>("choice");
        QTest::addColumn<QJsonValue>("sent");
        QTest::newRow("auto") << QJsonValue(QStringLiteral(
            "auto")) << QJsonValue(QJsonObject{{QStringLiteral("type"), QStringLiteral("auto")}});
        QTest::newRow("none") << QJsonValue(QStringLiteral(
            "none")) << QJsonValue(QJsonObject{{QStringLiteral("type"), QStringLiteral("none")}});
        QTest::newRow("required") << QJsonValue(QStringLiteral("required"))
                                  << QJsonValue(QJsonObject{
                                         {QStringLiteral("type"), QStringLiteral("any")}});
        QTest::newRow("one tool")
            << QJsonValue(QJsonObject{{QStringLiteral("name"), QStringLiteral("get_weather")}})
            << QJsonValue(QJsonObject{{QStringLiteral("type"), QStringLiteral("tool")},
                                      {QStringLiteral("name"), QStringLiteral("get_weather")}});
    }
    void toolChoiceIsSent()
    {
        // An API client's tool_choice ("auto", "none", "required" or one tool), in this vendor's
        // words.
        QFETCH(QJsonValue, choice);
        QFETCH(QJsonValue, sent);
        FakeVendorServer server;
        server.enqueue(FakeVendorServer::stream(
            FakeVendorServer::transcript(QStringLiteral("anthropic-text.sse")),
            "text/event-stream"));
        auto p = provider(server);
        QObject owner;
        arbor::llm::ChatRequest request = sampleRequest(QStringLiteral("claude-sonnet-4-5"));
        arbor::llm::ToolSpec tool;
        tool.name = QStringLiteral("get_weather");
        tool.description = QStringLiteral("The weather");
        tool.inputSchema = QJsonObject{{QStringLiteral("type"), QStringLiteral("object")}};
        request.tools = {tool};
        request.toolChoice = choice;
        const StreamOutcome out = runStream(p->startChat(request, &owner));
        QCOMPARE(out.failedCount, 0);
        QCOMPARE(bodyOf(server.requests().first()).value(QStringLiteral("tool_choice")), sent);
    }
};

QTEST_GUILESS_MAIN(TestAnthropicProvider)
#include "tst_anthropicprovider.moc"
