// What the four HTTP providers share (HttpProvider, HttpChatStream), against a real HTTP server
// on 127.0.0.1: where requests go whatever the shape of the base URL, and what failures say.
#include "streamharness.h"

#include <QTcpServer>

using namespace arbor::testsupport;
using Kind = arbor::llm::ChatError::Kind;

namespace {

/** A stream each kind's decoder completes. */
FakeVendorServer::Response replyOf(const QString &kind)
{
    if (kind == u"openai")
        return FakeVendorServer::stream(
            FakeVendorServer::transcript(QStringLiteral("openai-text.sse")), "text/event-stream");
    if (kind == u"anthropic")
        return FakeVendorServer::stream(
            FakeVendorServer::transcript(QStringLiteral("anthropic-text.sse")),
            "text/event-stream");
    if (kind == u"gemini")
        return FakeVendorServer::stream(
            FakeVendorServer::transcript(QStringLiteral("gemini-text.sse")), "text/event-stream");
    return FakeVendorServer::stream(
        FakeVendorServer::transcript(QStringLiteral("ollama-text.ndjson")), "application/x-ndjson");
}

/** A one-page model list in each kind's shape, naming the model "m". */
QByteArray modelListOf(const QString &kind)
{
    if (kind == u"openai")
        return R"({"object":"list","data":[{"id":"m","object":"model"}]})";
    if (kind == u"anthropic")
        return R"({"data":[{"type":"model","id":"m","display_name":"M"}],"has_more":false})";
    if (kind == u"gemini")
        return R"({"models":[{"name":"models/m","supportedGenerationMethods":["generateContent"]}]})";
    return R"({"models":[{"name":"m","model":"m"}]})";
}

/** Why @p message does not name @p url without secrets; empty when it does. */
QString misnamed(const QString &message, const QString &url)
{
    if (!message.contains(url))
        return QStringLiteral("“%1” does not name %2").arg(message, url);
    if (message.contains(u"secret") || message.contains(u"sk-test-key"))
        return QStringLiteral("“%1” shows a secret").arg(message);
    return {};
}

/** The start of each kind's text transcript, up to the line that carries its first text. */
QByteArray beforeAnyText(const QString &kind)
{
    auto upTo = [](const QString &name, const QByteArray &marker) {
        const QByteArray bytes = FakeVendorServer::transcript(name);
        return bytes.left(bytes.lastIndexOf('\n', bytes.indexOf(marker)) + 1);
    };
    if (kind == u"openai") // the first chunk carries only the role
        return upTo(QStringLiteral("openai-text.sse"), R"("delta":{"content":"**"})");
    if (kind == u"anthropic") // message_start, content_block_start, ping
        return upTo(QStringLiteral("anthropic-text.sse"), "event: content_block_delta");
    return {}; // Gemini and Ollama send text in their first chunk: the cut comes before it
}

QUrl withPath(QUrl base, const QString &path)
{
    base.setPath(path);
    return base;
}

} // namespace

class TestHttpProvider : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void baseUrlPathsDoNotDouble_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("basePath");
        QTest::addColumn<QByteArray>("chatTarget");
        QTest::addColumn<QByteArray>("listTarget");
        const QByteArray anthropicChat = "/v1/messages";
        const QByteArray anthropicList = "/v1/models?limit=1000";
        QTest::newRow("anthropic, no path") << "anthropic"
                                            << "" << anthropicChat << anthropicList;
        QTest::newRow("anthropic, /") << "anthropic"
                                      << "/" << anthropicChat << anthropicList;
        QTest::newRow("anthropic, /v1") << "anthropic"
                                        << "/v1" << anthropicChat << anthropicList;
        QTest::newRow("anthropic, /v1/") << "anthropic"
                                         << "/v1/" << anthropicChat << anthropicList;
        QTest::newRow("anthropic, gateway /v1/")
            << "anthropic"
            << "/gw/anthropic/v1/" << QByteArray("/gw/anthropic/v1/messages")
            << QByteArray("/gw/anthropic/v1/models?limit=1000");
        const QByteArray geminiChat = "/v1beta/models/m:streamGenerateContent?alt=sse";
        const QByteArray geminiList = "/v1beta/models?pageSize=1000";
        QTest::newRow("gemini, no path") << "gemini"
                                         << "" << geminiChat << geminiList;
        QTest::newRow("gemini, /v1beta") << "gemini"
                                         << "/v1beta" << geminiChat << geminiList;
        QTest::newRow("gemini, /v1beta/") << "gemini"
                                          << "/v1beta/" << geminiChat << geminiList;
        QTest::newRow("gemini, /v1/")
            << "gemini"
            << "/v1/" << QByteArray("/v1/models/m:streamGenerateContent?alt=sse")
            << QByteArray("/v1/models?pageSize=1000");
        QTest::newRow("openai, /v1")
            << "openai"
            << "/v1" << QByteArray("/v1/chat/completions") << QByteArray("/v1/models");
        QTest::newRow("openai, /v1/")
            << "openai"
            << "/v1/" << QByteArray("/v1/chat/completions") << QByteArray("/v1/models");
        QTest::newRow("ollama, /") << "ollama"
                                   << "/" << QByteArray("/api/chat") << QByteArray("/api/tags");
        QTest::newRow("ollama, /api/")
            << "ollama"
            << "/api/" << QByteArray("/api/chat") << QByteArray("/api/tags");
    }

    void baseUrlPathsDoNotDouble()
    {
        QFETCH(QString, kind);
        QFETCH(QString, basePath);
        QFETCH(QByteArray, chatTarget);
        QFETCH(QByteArray, listTarget);
        FakeVendorServer server;
        server.enqueue(replyOf(kind));
        server.enqueue(FakeVendorServer::json(200, modelListOf(kind)));
        auto p = arbor::llm::createProvider(configFor(kind, withPath(server.baseUrl(), basePath)));
        QObject owner;
        const StreamOutcome out =
            runStream(p->startChat(sampleRequest(QStringLiteral("m")), &owner));
        QCOMPARE(out.failedCount, 0);
        QCOMPARE(out.finishedCount, 1);
        const auto list = waitFor(p->listModels());
        QVERIFY(list);
        QVERIFY2(!list->error, qPrintable(list->error ? list->error->message : QString()));
        QCOMPARE(list->models.value(0).id, QStringLiteral("m"));
        QCOMPARE(server.requests().size(), 2);
        QCOMPARE(server.requests().at(0).target, chatTarget);
        QCOMPARE(server.requests().at(1).target, listTarget);
    }

    void cutBeforeAnyTextIsANetworkFailure_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QByteArray>("body");
        for (const char *kind : {"openai", "anthropic", "gemini", "ollama"})
            QTest::newRow(kind) << QString::fromLatin1(kind)
                                << beforeAnyText(QString::fromLatin1(kind));
        // OpenRouter's keep-alive comments: the body is a stream, the cut is still a cut.
        QTest::newRow("openai, keep-alive comments only")
            << "openai" << QByteArray(": OPENROUTER PROCESSING\n\n: OPENROUTER PROCESSING\n\n");
    }

    void cutBeforeAnyTextIsANetworkFailure()
    {
        // Headers (and maybe events without text), then the connection drops: nothing of the
        // reply arrived, so it is retryable like a refused connection, and says nothing of
        // kept text.
        QFETCH(QString, kind);
        QFETCH(QByteArray, body);
        FakeVendorServer server;
        FakeVendorServer::Response cut = replyOf(kind);
        cut.body = {{body, 0}};
        cut.disconnectMidBody = true;
        server.enqueue(cut);
        auto p = arbor::llm::createProvider(configFor(kind, server.baseUrl()));
        QObject owner;
        const StreamOutcome out =
            runStream(p->startChat(sampleRequest(QStringLiteral("m")), &owner));
        QCOMPARE(out.failedCount, 1);
        QCOMPARE(out.text(), QString());
        QCOMPARE(out.error.kind, Kind::Network);
        QVERIFY(out.error.retryable());
        QVERIFY2(!out.error.message.contains(u"kept"), qPrintable(out.error.message));
        QVERIFY2(out.error.message.contains(server.baseUrl().toString()),
                 qPrintable(out.error.message));
    }

    void aWholeReplyInsteadOfAStream_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("transcript");
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("prompt");
        QTest::addColumn<int>("completion");
        QTest::newRow("openai") << "openai"
                                << "openai-completion.json"
                                << "There are **3** r's — «straw·berry» 🍓" << 16 << 12;
        QTest::newRow("anthropic") << "anthropic"
                                   << "anthropic-message.json"
                                   << "Hello! I count **3** — «straw·berry» 🍓" << 12 << 30;
        QTest::newRow("gemini") << "gemini"
                                << "gemini-array.json"
                                << "There are **3** \"r\"s in strawberry." << 9 << 208;
        QTest::newRow("ollama") << "ollama"
                                << "ollama-nostream.json"
                                << "The sky — 青い ✨" << 26 << 282;
    }

    void aWholeReplyInsteadOfAStream()
    {
        // A server that ignores "stream": true answers 200 with one JSON reply: it is the reply.
        QFETCH(QString, kind);
        QFETCH(QString, transcript);
        QFETCH(QString, text);
        QFETCH(int, prompt);
        QFETCH(int, completion);
        FakeVendorServer server;
        server.enqueue(FakeVendorServer::json(200, FakeVendorServer::transcript(transcript)));
        auto p = arbor::llm::createProvider(configFor(kind, server.baseUrl()));
        QObject owner;
        const StreamOutcome out =
            runStream(p->startChat(sampleRequest(QStringLiteral("m")), &owner));
        QCOMPARE(out.failedCount, 0);
        QCOMPARE(out.finishedCount, 1);
        QCOMPARE(out.text(), text);
        QCOMPARE(out.usage.promptTokens, prompt);
        QCOMPARE(out.usage.completionTokens, completion);
        QCOMPARE(out.finishReason, QStringLiteral("stop"));
    }

    void a200ThatIsNotAReply_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QByteArray>("contentType");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<int>("errorKind");
        QTest::addColumn<QString>("says");
        const QByteArray page = FakeVendorServer::transcript(QStringLiteral("proxy-502.html"));
        const QByteArray garbage = "\x01\x02 this is no stream\n";
        const QList<std::pair<const char *, QByteArray>> errors = {
            {"openai",
             R"({"error":{"message":"upstream says no","type":"invalid_request_error","param":null,"code":null}})"},
            {"anthropic",
             R"({"type":"error","error":{"type":"invalid_request_error","message":"upstream says no"}})"},
            {"gemini",
             R"({"error":{"code":400,"message":"upstream says no","status":"INVALID_ARGUMENT"}})"},
            {"ollama", R"({"error":"upstream says no"})"},
        };
        for (const auto &[kind, error] : errors) {
            const QByteArray streamType =
                qstrcmp(kind, "ollama") == 0 ? "application/x-ndjson" : "text/event-stream";
            // Ollama's bare string error has no type: an unknown error is a server error.
            const int errorKind =
                qstrcmp(kind, "ollama") == 0 ? int(Kind::Server) : int(Kind::BadRequest);
            QTest::addRow("%s, json error", kind)
                << QString::fromLatin1(kind) << QByteArray("application/json") << error << errorKind
                << "upstream says no";
            QTest::addRow("%s, html page", kind)
                << QString::fromLatin1(kind) << QByteArray("text/html") << page
                << int(Kind::Protocol)
                << "(text/html): neither a stream of events nor a JSON reply";
            QTest::addRow("%s, garbage then a clean close", kind)
                << QString::fromLatin1(kind) << streamType << garbage << int(Kind::Protocol)
                << "this is no stream";
        }
    }

    void a200ThatIsNotAReply()
    {
        // A proxy's page, a JSON error document, or bytes that are no stream, with status 200
        // and a clean end: never "the connection closed before the reply was complete".
        QFETCH(QString, kind);
        QFETCH(QByteArray, contentType);
        QFETCH(QByteArray, body);
        QFETCH(int, errorKind);
        QFETCH(QString, says);
        FakeVendorServer server;
        server.enqueue(FakeVendorServer::stream(body, contentType, 3, 2));
        auto p = arbor::llm::createProvider(configFor(kind, server.baseUrl()));
        QObject owner;
        const StreamOutcome out =
            runStream(p->startChat(sampleRequest(QStringLiteral("m")), &owner));
        QCOMPARE(out.finishedCount, 0);
        QCOMPARE(out.failedCount, 1);
        QCOMPARE(out.text(), QString());
        QCOMPARE(int(out.error.kind), errorKind);
        QVERIFY2(out.error.message.contains(says), qPrintable(out.error.message));
        QVERIFY2(!out.error.message.contains(u"closed"), qPrintable(out.error.message));
        if (errorKind == int(Kind::Protocol)) {
            const QString url =
                QStringLiteral("malformed reply from ") + server.baseUrl().toString();
            QVERIFY2(out.error.message.contains(url), qPrintable(out.error.message));
        }
    }

    void httpFailuresNameTheUrl_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("basePath");
        QTest::addColumn<QString>("chatPath");
        QTest::addColumn<QString>("listPath");
        QTest::newRow("openai") << "openai"
                                << "/v1"
                                << "/v1/chat/completions"
                                << "/v1/models";
        QTest::newRow("anthropic") << "anthropic"
                                   << ""
                                   << "/v1/messages"
                                   << "/v1/models";
        QTest::newRow("gemini") << "gemini"
                                << ""
                                << "/v1beta/models/m:streamGenerateContent"
                                << "/v1beta/models";
        QTest::newRow("ollama") << "ollama"
                                << ""
                                << "/api/chat"
                                << "/api/tags";
    }

    void httpFailuresNameTheUrl()
    {
        // A 404 and a refused connection, for a stream and a listing: the message names the URL
        // that failed, without the user info or query a secret could hide in, and never the key.
        QFETCH(QString, kind);
        QFETCH(QString, basePath);
        QFETCH(QString, chatPath);
        QFETCH(QString, listPath);
        FakeVendorServer server;
        const QByteArray notFound =
            R"({"error":{"message":"no such route","type":"not_found_error"}})";
        server.enqueue(FakeVendorServer::json(404, notFound));
        server.enqueue(FakeVendorServer::json(404, notFound));
        QUrl base = withPath(server.baseUrl(), basePath);
        base.setUserInfo(QStringLiteral("someone:secret-password"));
        base.setQuery(QStringLiteral("token=secret-query"));
        auto p = arbor::llm::createProvider(configFor(kind, base));
        const QString origin = server.baseUrl().toString();

        QObject owner;
        const StreamOutcome out =
            runStream(p->startChat(sampleRequest(QStringLiteral("m")), &owner));
        QCOMPARE(out.error.kind, Kind::NotFound);
        QVERIFY2(out.error.message.contains(u"HTTP 404"), qPrintable(out.error.message));
        QVERIFY2(out.error.message.contains(u"no such route"), qPrintable(out.error.message));
        QString why = misnamed(out.error.message, origin + chatPath);
        QVERIFY2(why.isEmpty(), qPrintable(why));
        const auto list = waitFor(p->listModels());
        QVERIFY(list && list->error);
        QCOMPARE(list->error->kind, Kind::NotFound);
        why = misnamed(list->error->message, origin + listPath);
        QVERIFY2(why.isEmpty(), qPrintable(why));

        // Nobody listens on the port any more: the connection is refused.
        QTcpServer gone;
        QVERIFY(gone.listen(QHostAddress::LocalHost, 0));
        QUrl closed = base;
        closed.setPort(gone.serverPort());
        gone.close();
        auto unreachable = arbor::llm::createProvider(configFor(kind, closed));
        const StreamOutcome refused =
            runStream(unreachable->startChat(sampleRequest(QStringLiteral("m")), &owner));
        QCOMPARE(refused.error.kind, Kind::Network);
        const QString closedOrigin = QStringLiteral("http://127.0.0.1:%1").arg(closed.port());
        why = misnamed(refused.error.message, closedOrigin + chatPath);
        QVERIFY2(why.isEmpty(), qPrintable(why));
        const auto refusedList = waitFor(unreachable->listModels());
        QVERIFY(refusedList && refusedList->error);
        QCOMPARE(refusedList->error->kind, Kind::Network);
        why = misnamed(refusedList->error->message, closedOrigin + listPath);
        QVERIFY2(why.isEmpty(), qPrintable(why));
    }
};

QTEST_GUILESS_MAIN(TestHttpProvider)
#include "tst_httpprovider.moc"
