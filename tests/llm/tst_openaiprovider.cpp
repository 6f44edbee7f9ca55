// OpenAiProvider against a real HTTP server on 127.0.0.1 replaying recorded OpenAI streams.
#include "streamharness.h"

#include <QJsonArray>
#include <QSignalSpy>
#include <QTcpServer>

using namespace arbor::testsupport;
using arbor::llm::ChatError;
using Kind = arbor::llm::ChatError::Kind;

class TestOpenAiProvider : public QObject
{
    Q_OBJECT

    std::shared_ptr<arbor::llm::Provider> provider(FakeVendorServer &server)
    {
        auto config = configFor(QStringLiteral("openai"),
                                server.baseUrl().resolved(QUrl(QStringLiteral("/v1"))));
        config.headers.insert(QStringLiteral("HTTP-Referer"),
                              QStringLiteral("https://arbor.example"));
        config.headers.insert(QStringLiteral("X-Title"), QStringLiteral("Arbor"));
        return arbor::llm::createProvider(config);
    }

private Q_SLOTS:
    void happyPathSendsTheRequestAndReportsUsage()
    {
        FakeVendorServer server;
        auto response = FakeVendorServer::stream(
            FakeVendorServer::transcript(QStringLiteral("openai-text.sse")), "text/event-stream", 7,
            5);
        response.headers.append(
            qMakePair(QByteArray("x-ratelimit-remaining-requests"), QByteArray("59")));
        response.headers.append(
            qMakePair(QByteArray("x-ratelimit-reset-tokens"), QByteArray("6m0s")));
        server.enqueue(response);
        auto p = provider(server);
        QObject owner;
        auto *stream = p->startChat(sampleRequest(QStringLiteral("gpt-4.1-nano")), &owner);
        arbor::llm::RateLimitInfo limits;
        int limitSignals = 0;
        connect(stream, &arbor::llm::ChatStream::rateLimitSeen, this,
                [&](const arbor::llm::RateLimitInfo &info) {
                    limits = info;
                    ++limitSignals;
                });
        const StreamOutcome out = runStream(stream);
        QCOMPARE(limitSignals, 1);
        QCOMPARE(limits.remainingRequests, 59);
        QCOMPARE(limits.resetTokensMs, 360000);
        QCOMPARE(out.failedCount, 0);
        QCOMPARE(out.finishedCount, 1);
        QCOMPARE(out.text(), QStringLiteral("**"));
        QCOMPARE(out.usage.promptTokens, 16);
        QCOMPARE(out.usage.completionTokens, 300);
        QCOMPARE(out.finishReason, QStringLiteral("stop"));

        QCOMPARE(server.requests().size(), 1);
        const auto req = server.requests().first();
        QCOMPARE(req.method, QByteArray("POST"));
        QCOMPARE(req.target, QByteArray("/v1/chat/completions"));
        QCOMPARE(req.headers.value("authorization"), QByteArray("Bearer sk-test-key"));
        QCOMPARE(req.headers.value("x-title"), QByteArray("Arbor"));
        QCOMPARE(req.headers.value("http-referer"), QByteArray("https://arbor.example"));
        const QJsonObject body = bodyOf(req);
        QCOMPARE(body.value(u"model").toString(), QStringLiteral("gpt-4.1-nano"));
        QCOMPARE(body.value(u"stream").toBool(), true);
        QCOMPARE(body.value(u"stream_options").toObject().value(u"include_usage").toBool(), true);
        QCOMPARE(body.value(u"temperature").toDouble(), 0.25);
        QCOMPARE(body.value(u"max_tokens").toInt(), 123);
        const QJsonArray messages = body.value(u"messages").toArray();
        QCOMPARE(messages.size(), 2);
        QCOMPARE(messages.at(0).toObject().value(u"role").toString(), QStringLiteral("system"));
        QCOMPARE(messages.at(0).toObject().value(u"content").toString(),
                 QStringLiteral("Be brief."));
        QCOMPARE(messages.at(1).toObject().value(u"role").toString(), QStringLiteral("user"));
    }

    void multibyteTextAndCrFramingArriveIntact()
    {
        FakeVendorServer server;
        server.enqueue(FakeVendorServer::stream(
            FakeVendorServer::transcript(QStringLiteral("openai-utf8-cr.sse")), "text/event-stream",
            40, 1));
        auto p = provider(server);
        QObject owner;
        const StreamOutcome out =
            runStream(p->startChat(sampleRequest(QStringLiteral("m")), &owner));
        QCOMPARE(out.finishedCount, 1);
        QCOMPARE(out.text(), QStringLiteral("Grüße — 世界 🌳"));
    }

    void errorEventMidStreamKeepsThePartialText()
    {
        FakeVendorServer server;
        server.enqueue(FakeVendorServer::stream(
            FakeVendorServer::transcript(QStringLiteral("openai-error.sse")), "text/event-stream",
            3, 5));
        auto p = provider(server);
        QObject owner;
        const StreamOutcome out =
            runStream(p->startChat(sampleRequest(QStringLiteral("m")), &owner));
        QCOMPARE(out.finishedCount, 0);
        QCOMPARE(out.failedCount, 1);
        QCOMPARE(out.text(), QStringLiteral("**"));
        QCOMPARE(out.error.kind, Kind::Server);
        QVERIFY(
            out.error.message.contains(u"The server had an error while processing your request."));
    }

    void httpErrors_data()
    {
        QTest::addColumn<int>("status");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QByteArray>("retryAfter");
        QTest::addColumn<int>("kind");
        QTest::addColumn<bool>("retryable");
        QTest::addColumn<QString>("vendorText");
        QTest::addColumn<qint64>("retryAfterMs");
        QTest::newRow("401 bad key")
            << 401
            << QByteArray(
                   R"({"error":{"message":"Incorrect API key provided: sk-test.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}})")
            << QByteArray() << int(Kind::Auth) << false
            << QStringLiteral("Incorrect API key provided") << qint64(-1);
        QTest::newRow("403 forbidden")
            << 403
            << QByteArray(
                   R"({"error":{"message":"Country not supported","type":"invalid_request_error","param":null,"code":null}})")
            << QByteArray() << int(Kind::Auth) << false << QStringLiteral("Country not supported")
            << qint64(-1);
        QTest::newRow("404 unknown model")
            << 404
            << QByteArray(
                   R"({"error":{"message":"The model `gpt-9` does not exist or you do not have access to it.","type":"invalid_request_error","param":null,"code":"model_not_found"}})")
            << QByteArray() << int(Kind::NotFound) << false
            << QStringLiteral("The model `gpt-9` does not exist") << qint64(-1);
        QTest::newRow("400 context too long")
            << 400
            << QByteArray(
                   R"({"error":{"message":"This model’s maximum context length is 128000 tokens.","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}})")
            << QByteArray() << int(Kind::BadRequest) << false
            << QStringLiteral("maximum context length is 128000") << qint64(-1);
        QTest::newRow("429 rate limit")
            << 429
            << QByteArray(
                   R"({"error":{"message":"Rate limit reached for gpt-4.1 in organization org-x on requests per min (RPM): Limit 3, Used 3. Please try again in 20s.","type":"requests","param":null,"code":"rate_limit_exceeded"}})")
            << QByteArray("20") << int(Kind::RateLimited) << true
            << QStringLiteral("Rate limit reached") << qint64(20000);
        QTest::newRow("429 quota")
            << 429
            << QByteArray(
                   R"({"error":{"message":"You exceeded your current quota.","type":"insufficient_quota","param":null,"code":"insufficient_quota"}})")
            << QByteArray() << int(Kind::Quota) << false
            << QStringLiteral("You exceeded your current quota.") << qint64(-1);
        QTest::newRow("500")
            << 500
            << QByteArray(
                   R"({"error":{"message":"The server had an error while processing your request.","type":"server_error","param":null,"code":null}})")
            << QByteArray() << int(Kind::Server) << true
            << QStringLiteral("The server had an error") << qint64(-1);
        QTest::newRow("503 html") << 503 << QByteArray("<html>Slow Down</html>")
                                  << QByteArray("1.5") << int(Kind::Overloaded) << true
                                  << QStringLiteral("Slow Down") << qint64(1500);
    }

    void httpErrors()
    {
        QFETCH(int, status);
        QFETCH(QByteArray, body);
        QFETCH(QByteArray, retryAfter);
        QFETCH(int, kind);
        QFETCH(bool, retryable);
        QFETCH(QString, vendorText);
        QFETCH(qint64, retryAfterMs);
        FakeVendorServer server;
        QList<QPair<QByteArray, QByteArray>> headers = {{"x-ratelimit-limit-requests", "60"},
                                                        {"x-ratelimit-remaining-requests", "0"},
                                                        {"x-ratelimit-reset-requests", "1s"},
                                                        {"x-ratelimit-remaining-tokens", "149984"},
                                                        {"x-ratelimit-reset-tokens", "6m0s"}};
        if (!retryAfter.isEmpty())
            headers.append({"Retry-After", retryAfter});
        server.enqueue(FakeVendorServer::json(status, body, headers));
        auto p = provider(server);
        QObject owner;
        const StreamOutcome out =
            runStream(p->startChat(sampleRequest(QStringLiteral("m")), &owner));
        QCOMPARE(out.finishedCount, 0);
        QCOMPARE(out.failedCount, 1);
        QCOMPARE(int(out.error.kind), kind);
        QCOMPARE(out.error.retryable(), retryable);
        QCOMPARE(out.error.httpStatus, status);
        QVERIFY2(out.error.message.contains(vendorText), qPrintable(out.error.message));
        QCOMPARE(out.error.retryAfterMs, retryAfterMs);
        QCOMPARE(out.error.rateLimit.limitRequests, 60);
        QCOMPARE(out.error.rateLimit.remainingRequests, 0);
        QCOMPARE(out.error.rateLimit.resetRequestsMs, 1000);
        QCOMPARE(out.error.rateLimit.remainingTokens, 149984);
        QCOMPARE(out.error.rateLimit.resetTokensMs, 360000);
    }

    void droppedConnectionIsInterruptedWithPartialText()
    {
        FakeVendorServer server;
        auto r = FakeVendorServer::stream(
            FakeVendorServer::transcript(QStringLiteral("openai-truncated.sse")),
            "text/event-stream", 2, 5);
        r.disconnectMidBody = true;
        server.enqueue(r);
        auto p = provider(server);
        QObject owner;
        const StreamOutcome out =
            runStream(p->startChat(sampleRequest(QStringLiteral("m")), &owner));
        QCOMPARE(out.failedCount, 1);
        QCOMPARE(out.error.kind, Kind::Interrupted);
        QCOMPARE(out.text(), QStringLiteral("**"));
    }

    void endWithoutDoneIsInterrupted()
    {
        FakeVendorServer server;
        server.enqueue(FakeVendorServer::stream(
            FakeVendorServer::transcript(QStringLiteral("openai-truncated.sse")),
            "text/event-stream"));
        auto p = provider(server);
        QObject owner;
        const StreamOutcome out =
            runStream(p->startChat(sampleRequest(QStringLiteral("m")), &owner));
        QCOMPARE(out.failedCount, 1);
        QCOMPARE(out.error.kind, Kind::Interrupted);
    }

    void malformedJsonIsAProtocolError()
    {
        FakeVendorServer server;
        server.enqueue(FakeVendorServer::stream(
            FakeVendorServer::transcript(QStringLiteral("openai-malformed.sse")),
            "text/event-stream", 3, 2));
        auto p = provider(server);
        QObject owner;
        const StreamOutcome out =
            runStream(p->startChat(sampleRequest(QStringLiteral("m")), &owner));
        QCOMPARE(out.finishedCount, 0);
        QCOMPARE(out.failedCount, 1);
        QCOMPARE(out.error.kind, Kind::Protocol);
        QVERIFY(!out.error.retryable());
        QVERIFY(out.error.message.contains(u"malformed"));
        QCOMPARE(out.text(), QStringLiteral("**"));
    }

    void cancelClosesTheConnectionAndEmitsNothing()
    {
        FakeVendorServer server;
        const QList<QByteArray> lines =
            FakeVendorServer::transcript(QStringLiteral("openai-text.sse")).split('\n');
        server.enqueue(stalled(lines.at(0) + "\n\n" + lines.at(2) + "\n\n", "text/event-stream"));
        auto p = provider(server);
        QObject owner;
        auto *stream = p->startChat(sampleRequest(QStringLiteral("m")), &owner);
        QSignalSpy deltas(stream, &arbor::llm::ChatStream::delta);
        QSignalSpy finished(stream, &arbor::llm::ChatStream::finished);
        QSignalSpy failed(stream, &arbor::llm::ChatStream::failed);
        QSignalSpy closed(&server, &FakeVendorServer::clientClosedEarly);
        QVERIFY(deltas.wait(20000));
        QCOMPARE(deltas.first().first().toString(), QStringLiteral("**"));
        stream->cancel();
        // The server still has a minute of body to send: only the client's abort closes it now.
        QVERIFY(closed.wait(20000));
        QTest::qWait(50);
        QCOMPARE(finished.size(), 0);
        QCOMPARE(failed.size(), 0);
    }

    void unreachableServerIsARetryableNetworkError()
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        QUrl url(QStringLiteral("http://127.0.0.1/v1"));
        url.setPort(probe.serverPort());
        probe.close();
        auto p = arbor::llm::createProvider(configFor(QStringLiteral("openai"), url));
        QObject owner;
        const StreamOutcome out =
            runStream(p->startChat(sampleRequest(QStringLiteral("m")), &owner));
        QCOMPARE(out.failedCount, 1);
        QCOMPARE(out.error.kind, Kind::Network);
        QVERIFY(out.error.retryable());
    }

    void listsModels()
    {
        FakeVendorServer server;
        server.enqueue(FakeVendorServer::json(
            200,
            R"({"object":"list","data":[{"id":"gpt-4.1-nano","object":"model","created":1686935002,"owned_by":"openai","shutdown_date":null},{"id":"o3-mini","object":"model","created":1686935003,"owned_by":"openai"}]})"));
        auto p = provider(server);
        const auto list = waitFor(p->listModels());
        QVERIFY(list.has_value());
        QVERIFY(!list->error);
        QCOMPARE(list->models.size(), 2);
        QCOMPARE(list->models.at(0).id, QStringLiteral("gpt-4.1-nano"));
        QCOMPARE(list->models.at(1).id, QStringLiteral("o3-mini"));
        QCOMPARE(server.requests().first().target, QByteArray("/v1/models"));
        QCOMPARE(server.requests().first().headers.value("authorization"),
                 QByteArray("Bearer sk-test-key"));
        QCOMPARE(p->models().size(), 2); // kept for the pickers
    }

    void modelListingReportsAuthErrors()
    {
        FakeVendorServer server;
        server.enqueue(FakeVendorServer::json(
            401,
            R"({"error":{"message":"Incorrect API key provided","type":"invalid_request_error","param":null,"code":"invalid_api_key"}})"));
        auto p = provider(server);
        const auto list = waitFor(p->listModels());
        QVERIFY(list.has_value());
        QVERIFY(list->error.has_value());
        QCOMPARE(list->error->kind, Kind::Auth);
        QVERIFY(list->models.isEmpty());
    }

    void finishReasonsAreNormalised_data()
    {
        QTest::addColumn<QByteArray>("vendor");
        QTest::addColumn<QString>("stored");
        QTest::newRow("stop") << QByteArray("stop") << "stop";
        QTest::newRow("length") << QByteArray("length") << "length";
        QTest::newRow("content_filter") << QByteArray("content_filter") << "content_filter";
        QTest::newRow("tool_calls") << QByteArray("tool_calls") << "tool_calls";
        QTest::newRow("function_call (deprecated)") << QByteArray("function_call") << "tool_calls";
        QTest::newRow("eos_token (TGI)") << QByteArray("eos_token") << "stop";
        QTest::newRow("unknown") << QByteArray("abort") << "other";
    }

    void finishReasonsAreNormalised()
    {
        QFETCH(QByteArray, vendor);
        QFETCH(QString, stored);
        const StreamOutcome out =
            streamBody([this](FakeVendorServer &s) { return provider(s); },
                       withReplaced(QStringLiteral("openai-text.sse"), R"("finish_reason":"stop")",
                                    "\"finish_reason\":\"" + vendor + '"'),
                       "text/event-stream");
        QCOMPARE(out.failedCount, 0);
        QCOMPARE(out.finishedCount, 1);
        QCOMPARE(out.finishReason, stored);
        QCOMPARE(out.deltas.constFirst(), QStringLiteral("**"));
    }

    void toolCallDeltasAreSignalled()
    {
        // Two parallel calls, each one's arguments in pieces.
        const StreamOutcome out =
            streamBody([this](FakeVendorServer &s) { return provider(s); },
                       FakeVendorServer::transcript(QStringLiteral("openai-tool-calls.sse")),
                       "text/event-stream");
        QCOMPARE(out.failedCount, 0);
        QCOMPARE(out.finishedCount, 1);
        QCOMPARE(out.finishReason, QStringLiteral("tool_calls"));
        QCOMPARE(out.text(), QStringLiteral("I'll check both.")); // no note
        QVERIFY(out.toolCallsBeforeEnd);
        QCOMPARE(out.toolCalls,
                 (QList<arbor::llm::ToolCall>{
                     {QStringLiteral("call_Qx3T8mWv1bLc9RkZ0aYhJ2nF"),
                      QStringLiteral("get_weather"), QStringLiteral("{\"city\": \"Paris\"}"), 16},
                     {QStringLiteral("call_Lm4P7sDe2vQa8WnX5cTr1kBy"), QStringLiteral("get_time"),
                      QStringLiteral("{\"zone\": \"Europe/Paris\"}"), 16}}));
    }
};

QTEST_GUILESS_MAIN(TestOpenAiProvider)
#include "tst_openaiprovider.moc"
