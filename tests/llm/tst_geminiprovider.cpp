// GeminiProvider against a real HTTP server on 127.0.0.1 replaying recorded CRLF SSE streams.
#include "streamharness.h"

#include "llm/geminiprovider.h"

#include <QJsonArray>
#include <QSignalSpy>

using namespace arbor::testsupport;
using Kind = arbor::llm::ChatError::Kind;

class TestGeminiProvider : public QObject
{
    Q_OBJECT

    std::shared_ptr<arbor::llm::Provider> provider(FakeVendorServer &server)
    {
        return arbor::llm::createProvider(configFor(QStringLiteral("gemini"), server.baseUrl()));
    }

private Q_SLOTS:
    void happyPathWithCrlfAndNoEndMarker()
    {
        FakeVendorServer server;
        server.enqueue(FakeVendorServer::stream(
            FakeVendorServer::transcript(QStringLiteral("gemini-text.sse")), "text/event-stream",
            11, 5));
        auto p = provider(server);
        QObject owner;
        const StreamOutcome out = runStream(
            p->startChat(sampleRequest(QStringLiteral("models/gemini-3-pro-preview")), &owner));
        QCOMPARE(out.failedCount, 0);
        QCOMPARE(out.finishedCount, 1);
        QCOMPARE(out.text(),
                 QStringLiteral("There are **3** \"r\"s in strawberry.\n\nst**r**awbe**rr**y"));
        QCOMPARE(out.usage.promptTokens, 9);
        QCOMPARE(out.usage.completionTokens, 23 + 185);
        QCOMPARE(out.finishReason, QStringLiteral("stop"));

        const auto req = server.requests().first();
        QCOMPARE(req.target,
                 QByteArray("/v1beta/models/gemini-3-pro-preview:streamGenerateContent?alt=sse"));
        QCOMPARE(req.headers.value("x-goog-api-key"), QByteArray("sk-test-key"));
        const QJsonObject body = bodyOf(req);
        QCOMPARE(body.value(u"systemInstruction")
                     .toObject()
                     .value(u"parts")
                     .toArray()
                     .first()
                     .toObject()
                     .value(u"text")
                     .toString(),
                 QStringLiteral("Be brief."));
        QCOMPARE(body.value(u"generationConfig").toObject().value(u"maxOutputTokens").toInt(), 123);
        QCOMPARE(body.value(u"generationConfig").toObject().value(u"temperature").toDouble(), 0.25);
        QCOMPARE(body.value(u"contents").toArray().size(), 1);
        QCOMPARE(body.value(u"contents").toArray().first().toObject().value(u"role").toString(),
                 QStringLiteral("user"));
    }

    void thoughtsAreAskedForAndSignaturesGoBackOnTheirParts()
    {
        FakeVendorServer server;
        server.enqueue(FakeVendorServer::stream(
            FakeVendorServer::transcript(QStringLiteral("gemini-thinking.sse")),
            "text/event-stream", 7, 2));
        auto p = provider(server);
        arbor::llm::ChatRequest request = sampleRequest(QStringLiteral("gemini-2.5-flash"));
        request.thinkingBudget = 1024;
        arbor::llm::ChatTurn earlier{QStringLiteral("assistant"), QStringLiteral("Three r's.")};
        earlier.reasoning = QStringLiteral("Spell. Count.");
        earlier.reasoningData = QJsonObject{{"format", "gemini"},
                                            {"parts",
                                             QJsonArray{QJsonObject{{"type", "thought"},
                                                                    {"in", "reasoning"},
                                                                    {"start", 7},
                                                                    {"length", 6},
                                                                    {"signature", "sig-T"}},
                                                        QJsonObject{{"type", "text"},
                                                                    {"in", "content"},
                                                                    {"start", 6},
                                                                    {"length", 3},
                                                                    {"signature", "sig-1"}},
                                                        QJsonObject{{"type", "text"},
                                                                    {"in", "content"},
                                                                    {"start", 10},
                                                                    {"length", 0},
                                                                    {"signature", "sig-2"}}}}};
        request.turns.append(earlier);
        request.turns.append({QStringLiteral("user"), QStringLiteral("And in raspberry?")});
        QObject owner;
        const StreamOutcome out = runStream(p->startChat(request, &owner));
        QCOMPARE(out.finishedCount, 1);
        QCOMPARE(out.reasoningStateCount, 1);
        QCOMPARE(out.reasoning,
                 QStringLiteral("**Counting the letters**\n\nI am spelling out strawberry and "
                                "counting each r: three."));

        const QJsonObject body = bodyOf(server.requests().first());
        QCOMPARE(body.value(u"generationConfig").toObject().value(u"thinkingConfig").toObject(),
                 (QJsonObject{{"includeThoughts", true}, {"thinkingBudget", 1024}}));
        const QJsonArray contents = body.value(u"contents").toArray();
        QCOMPARE(contents.size(), 3);
        QCOMPARE(contents.at(1).toObject().value(u"role").toString(), QStringLiteral("model"));
        QCOMPARE(
            contents.at(1).toObject().value(u"parts").toArray(),
            (QJsonArray{
                QJsonObject{{"text", "Count."}, {"thought", true}, {"thoughtSignature", "sig-T"}},
                QJsonObject{{"text", "Three "}},
                QJsonObject{{"text", "r's"}, {"thoughtSignature", "sig-1"}},
                QJsonObject{{"text", "."}},
                QJsonObject{{"text", ""}, {"thoughtSignature", "sig-2"}}}));
        // A turn whose signatures do not fit its text goes as plain text.
        earlier.reasoningData = QJsonObject{{"format", "gemini"},
                                            {"parts",
                                             QJsonArray{QJsonObject{{"type", "text"},
                                                                    {"in", "content"},
                                                                    {"start", 8},
                                                                    {"length", 9},
                                                                    {"signature", "sig-1"}}}}};
        QCOMPARE(arbor::llm::GeminiProvider::partsOf(earlier),
                 (QJsonArray{QJsonObject{{"text", "Three r's."}}}));
    }

    void http429UsesRetryInfo()
    {
        FakeVendorServer server;
        server.enqueue(FakeVendorServer::json(
            429, FakeVendorServer::transcript(QStringLiteral("gemini-429.json"))));
        auto p = provider(server);
        QObject owner;
        const StreamOutcome out =
            runStream(p->startChat(sampleRequest(QStringLiteral("gemini-x")), &owner));
        QCOMPARE(out.failedCount, 1);
        QCOMPARE(out.error.kind, Kind::RateLimited);
        QVERIFY(out.error.retryable());
        QCOMPARE(out.error.retryAfterMs, 34400);
    }

    void http404UnknownModel()
    {
        FakeVendorServer server;
        server.enqueue(FakeVendorServer::json(
            404,
            R"({"error":{"code":404,"message":"models/gemini-9 is not found for API version v1beta","status":"NOT_FOUND"}})"));
        auto p = provider(server);
        QObject owner;
        const StreamOutcome out =
            runStream(p->startChat(sampleRequest(QStringLiteral("gemini-9")), &owner));
        QCOMPARE(out.error.kind, Kind::NotFound);
        QVERIFY(out.error.message.contains(u"models/gemini-9 is not found"));
    }

    void rawErrorBodyInsideTheStream()
    {
        FakeVendorServer server;
        server.enqueue(FakeVendorServer::stream(
            FakeVendorServer::transcript(QStringLiteral("gemini-raw-error.sse")),
            "text/event-stream", 5, 5));
        auto p = provider(server);
        QObject owner;
        const StreamOutcome out =
            runStream(p->startChat(sampleRequest(QStringLiteral("g")), &owner));
        QCOMPARE(out.failedCount, 1);
        QCOMPARE(out.text(), QStringLiteral("There are **3**"));
        QCOMPARE(out.error.kind, Kind::Overloaded);
        QVERIFY(out.error.message.contains(u"The model is overloaded"));
    }

    void blockedPrompt()
    {
        FakeVendorServer server;
        server.enqueue(FakeVendorServer::stream(
            FakeVendorServer::transcript(QStringLiteral("gemini-blocked.sse")),
            "text/event-stream"));
        auto p = provider(server);
        QObject owner;
        const StreamOutcome out =
            runStream(p->startChat(sampleRequest(QStringLiteral("g")), &owner));
        QCOMPARE(out.error.kind, Kind::BadRequest);
        QVERIFY(out.error.message.contains(u"PROHIBITED_CONTENT"));
    }

    void droppedConnection()
    {
        FakeVendorServer server;
        auto r = FakeVendorServer::stream(
            FakeVendorServer::transcript(QStringLiteral("gemini-truncated.sse")),
            "text/event-stream", 2, 5);
        r.disconnectMidBody = true;
        server.enqueue(r);
        auto p = provider(server);
        QObject owner;
        const StreamOutcome out =
            runStream(p->startChat(sampleRequest(QStringLiteral("g")), &owner));
        QCOMPARE(out.error.kind, Kind::Interrupted);
        QCOMPARE(out.text(), QStringLiteral("There are **3**"));
    }

    void cancelAbortsAtOnce()
    {
        FakeVendorServer server;
        server.enqueue(stalled(FakeVendorServer::transcript(QStringLiteral("gemini-truncated.sse")),
                               "text/event-stream"));
        auto p = provider(server);
        QObject owner;
        auto *stream = p->startChat(sampleRequest(QStringLiteral("g")), &owner);
        QSignalSpy deltas(stream, &arbor::llm::ChatStream::delta);
        QSignalSpy ends(stream, &arbor::llm::ChatStream::failed);
        QSignalSpy closed(&server, &FakeVendorServer::clientClosedEarly);
        QVERIFY(deltas.wait(20000));
        stream->cancel();
        QVERIFY(closed.wait(20000));
        QTest::qWait(50);
        QCOMPARE(ends.size(), 0);
    }

    void listsGenerativeModelsAcrossPages()
    {
        FakeVendorServer server;
        server.enqueue(FakeVendorServer::json(
            200,
            R"({"models":[{"name":"models/gemini-2.5-flash","displayName":"Gemini 2.5 Flash","inputTokenLimit":1048576,"outputTokenLimit":65536,"supportedGenerationMethods":["generateContent","countTokens"]},{"name":"models/text-embedding-004","displayName":"Text Embedding 004","supportedGenerationMethods":["embedContent"]}],"nextPageToken":"p2"})"));
        server.enqueue(FakeVendorServer::json(
            200,
            R"({"models":[{"name":"models/gemini-2.5-pro","displayName":"Gemini 2.5 Pro","supportedGenerationMethods":["generateContent"]}]})"));
        auto p = provider(server);
        const auto list = waitFor(p->listModels());
        QVERIFY(list && !list->error);
        QCOMPARE(list->models.size(), 2);
        QCOMPARE(list->models.at(0).id, QStringLiteral("gemini-2.5-flash"));
        QCOMPARE(list->models.at(0).displayName, QStringLiteral("Gemini 2.5 Flash"));
        QCOMPARE(list->models.at(1).id, QStringLiteral("gemini-2.5-pro"));
        QCOMPARE(server.requests().at(0).target, QByteArray("/v1beta/models?pageSize=1000"));
        QCOMPARE(server.requests().at(1).target,
                 QByteArray("/v1beta/models?pageSize=1000&pageToken=p2"));
    }

    void finishReasonsAreNormalised_data()
    {
        QTest::addColumn<QByteArray>("vendor");
        QTest::addColumn<QString>("stored");
        QTest::newRow("STOP") << QByteArray("STOP") << "stop";
        QTest::newRow("MAX_TOKENS") << QByteArray("MAX_TOKENS") << "length";
        QTest::newRow("SAFETY") << QByteArray("SAFETY") << "content_filter";
        QTest::newRow("RECITATION") << QByteArray("RECITATION") << "content_filter";
        QTest::newRow("PROHIBITED_CONTENT") << QByteArray("PROHIBITED_CONTENT") << "content_filter";
        QTest::newRow("MALFORMED_FUNCTION_CALL")
            << QByteArray("MALFORMED_FUNCTION_CALL") << "error";
        QTest::newRow("OTHER") << QByteArray("OTHER") << "other";
    }

    void finishReasonsAreNormalised()
    {
        QFETCH(QByteArray, vendor);
        QFETCH(QString, stored);
        const StreamOutcome out =
            streamBody([this](FakeVendorServer &s) { return provider(s); },
                       withReplaced(QStringLiteral("gemini-text.sse"), R"("finishReason":"STOP")",
                                    "\"finishReason\":\"" + vendor + '"'),
                       "text/event-stream");
        QCOMPARE(out.failedCount, 0);
        QCOMPARE(out.finishedCount, 1);
        QCOMPARE(out.finishReason, stored);
        QVERIFY(out.text().startsWith(QStringLiteral("There are **3**")));
    }

    void functionCallPartIsSignalled()
    {
        const StreamOutcome out =
            streamBody([this](FakeVendorServer &s) { return provider(s); },
                       FakeVendorServer::transcript(QStringLiteral("gemini-tool-call.sse")),
                       "text/event-stream");
        QCOMPARE(out.failedCount, 0);
        QCOMPARE(out.finishedCount, 1);
        QCOMPARE(out.finishReason, QStringLiteral("tool_calls"));     // Gemini itself says STOP
        QCOMPARE(out.text(), QStringLiteral("I will look that up.")); // no note added
        QVERIFY(out.toolCallsBeforeEnd);
        QCOMPARE(out.toolCalls.size(), 1);
        QCOMPARE(out.toolCalls.first(),
                 (arbor::llm::ToolCall{{},
                                       QStringLiteral("weather"),
                                       QStringLiteral(R"({"location":"San Francisco"})"),
                                       20}));
        // Its thoughtSignature goes with the call.
        QCOMPARE(out.reasoningState.value(u"parts").toArray().at(0).toObject().value(u"call"),
                 QJsonValue(0));
    }

    void functionCallSignatureIsNotSentBackAlone()
    {
        // An earlier reply with a call and a signed text part: the text part goes back with its
        // signature, the call (sent back with its result by the tools issue) does not.
        arbor::llm::ChatTurn earlier{QStringLiteral("assistant"), QStringLiteral("Looking.")};
        earlier.reasoningData = QJsonObject{
            {"format", "gemini"},
            {"parts",
             QJsonArray{
                 QJsonObject{{"type", "function_call"}, {"call", 0}, {"signature", "sigCall"}},
                 QJsonObject{{"type", "text"},
                             {"in", "content"},
                             {"start", 8},
                             {"length", 0},
                             {"signature", "sigText"}}}}};
        const QJsonArray parts = arbor::llm::GeminiProvider::partsOf(earlier);
        QCOMPARE(parts,
                 (QJsonArray{QJsonObject{{"text", "Looking."}},
                             QJsonObject{{"text", ""}, {"thoughtSignature", "sigText"}}}));
    }

    void toolChoiceIsSent_data()
    {
        QTest::addColumn<QJsonValue>("choice");
        QTest::addColumn<QJsonValue>("sent");
        QTest::newRow("auto") << QJsonValue(QStringLiteral("auto"))
                              << QJsonValue(QJsonObject{{QStringLiteral("functionCallingConfig"),
                                                         QJsonObject{{QStringLiteral("mode"),
                                                                      QStringLiteral("AUTO")}}}});
        QTest::newRow("none") << QJsonValue(QStringLiteral("none"))
                              << QJsonValue(QJsonObject{{QStringLiteral("functionCallingConfig"),
                                                         QJsonObject{{QStringLiteral("mode"),
                                                                      QStringLiteral("NONE")}}}});
        QTest::newRow("required") << QJsonValue(QStringLiteral("required"))
                                  << QJsonValue(
                                         QJsonObject{{QStringLiteral("functionCallingConfig"),
                                                      QJsonObject{{QStringLiteral("mode"),
                                                                   QStringLiteral("ANY")}}}});
        QTest::newRow("one tool")
            << QJsonValue(QJsonObject{{QStringLiteral("name"), QStringLiteral("get_weather")}})
            << QJsonValue(QJsonObject{{QStringLiteral("functionCallingConfig"),
                                       QJsonObject{{QStringLiteral("mode"), QStringLiteral("ANY")},
                                                   {QStringLiteral("allowedFunctionNames"),
                                                    QJsonArray{QStringLiteral("get_weather")}}}}});
    }
    void toolChoiceIsSent()
    {
        // An API client's tool_choice ("auto", "none", "required" or one tool), in this vendor's
        // words.
        QFETCH(QJsonValue, choice);
        QFETCH(QJsonValue, sent);
        FakeVendorServer server;
        server.enqueue(FakeVendorServer::stream(
            FakeVendorServer::transcript(QStringLiteral("gemini-text.sse")), "text/event-stream"));
        auto p = provider(server);
        QObject owner;
        arbor::llm::ChatRequest request = sampleRequest(QStringLiteral("gemini-2.5-flash"));
        arbor::llm::ToolSpec tool;
        tool.name = QStringLiteral("get_weather");
        tool.description = QStringLiteral("The weather");
        tool.inputSchema = QJsonObject{{QStringLiteral("type"), QStringLiteral("object")}};
        request.tools = {tool};
        request.toolChoice = choice;
        const StreamOutcome out = runStream(p->startChat(request, &owner));
        QCOMPARE(out.failedCount, 0);
        QCOMPARE(bodyOf(server.requests().first()).value(QStringLiteral("toolConfig")), sent);
    }
};

QTEST_GUILESS_MAIN(TestGeminiProvider)
#include "tst_geminiprovider.moc"
