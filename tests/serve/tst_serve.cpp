// arbord serve over HTTP: tokens, refusals, the OpenAI SDK through Chat Completions and Open
// Responses, branching by previous_response_id, resuming a stream across a server restart and
// after a SIGKILL (byte for byte: a client is never sent text the store does not have).
#include "servefixture.h"

#include <QFile>
#include <QJsonArray>
#include <QTcpSocket>
#include <QtTest>

using namespace arbor::testsupport;

namespace {

/** @brief The text of a response object. */
QString outputText(const QJsonObject &response)
{
    return response[QStringLiteral("output")]
        .toArray()
        .at(0)[QStringLiteral("content")]
        .toArray()
        .at(0)[QStringLiteral("text")]
        .toString();
}

/** @brief Sends raw bytes on a fresh connection; the answer's status and body. */
HttpAnswer raw(const QString &port, const QByteArray &bytes)
{
    QTcpSocket s;
    s.connectToHost(QStringLiteral("127.0.0.1"), quint16(port.toUInt()));
    s.waitForConnected(5000);
    s.write(bytes);
    QByteArray in;
    QElapsedTimer clock;
    clock.start();
    while (clock.elapsed() < 10000 && s.state() == QAbstractSocket::ConnectedState) {
        s.waitForReadyRead(100);
        in += s.readAll();
        const qsizetype head = in.indexOf("\r\n\r\n");
        if (head >= 0) {
            const qsizetype at = in.indexOf("Content-Length: ");
            const qsizetype length = in.mid(at + 16, in.indexOf("\r\n", at) - at - 16).toLongLong();
            if (in.size() >= head + 4 + length)
                break;
        }
    }
    HttpAnswer a;
    a.status = in.mid(9, 3).toInt();
    a.body = in.mid(in.indexOf("\r\n\r\n") + 4);
    return a;
}

QString errorMessage(const HttpAnswer &a)
{
    return a.json()[QStringLiteral("error")][QStringLiteral("message")].toString();
}

} // namespace

class TestServe : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(QFile::exists(QStringLiteral(ARBOR_NODE_MODULES "/openai/package.json")),
                 "the OpenAI SDK is missing: run scripts/npm-peers.sh");
    }

    void tokensAndRefusals()
    {
        ServeFixture f;
        const QString alice = f.addToken(QStringLiteral("alice"));
        QVERIFY(alice.startsWith(u"arb_"));
        QVERIFY(f.start());
        QCOMPARE(f.request("GET", QStringLiteral("/healthz"), {}).status, 200);

        const HttpAnswer none = f.request("GET", QStringLiteral("/v1/models"), {});
        QCOMPARE(none.status, 401);
        QCOMPARE(errorMessage(none), QStringLiteral("Unauthorized."));
        const HttpAnswer wrong =
            f.request("GET", QStringLiteral("/v1/models"), alice + QStringLiteral("x"));
        QCOMPARE(wrong.status, 401);
        QCOMPARE(wrong.body, none.body); // no detail tells a wrong token from none

        const HttpAnswer models = f.request("GET", QStringLiteral("/v1/models"), alice);
        QCOMPARE(models.status, 200);
        const QJsonArray data = models.json()[QStringLiteral("data")].toArray();
        QVERIFY(!data.isEmpty());
        QCOMPARE(data.at(0)[QStringLiteral("id")].toString(), QStringLiteral("demo/demo"));

        // The SDK sees the same refusal; a revoked token is refused like a wrong one.
        QCOMPARE(f.sdk(alice + QStringLiteral("x"),
                       {QStringLiteral("unauthorized")})[QStringLiteral("status")]
                     .toInt(),
                 401);
        QVERIFY(f.arbord({QStringLiteral("serve"), QStringLiteral("token"),
                          QStringLiteral("revoke"), QStringLiteral("alice")})
                    .endedWith(0));
        const HttpAnswer revoked = f.request("GET", QStringLiteral("/v1/models"), alice);
        QCOMPARE(revoked.status, 401);
        QCOMPARE(revoked.body, none.body);

        // Only models the token may use.
        const QString carol = f.addToken(QStringLiteral("carol"),
                                         {QStringLiteral("--models"), QStringLiteral("other/*")});
        QVERIFY(f.request("GET", QStringLiteral("/v1/models"), carol)
                    .json()[QStringLiteral("data")]
                    .toArray()
                    .isEmpty());
        const HttpAnswer forbidden = f.post(QStringLiteral("/v1/responses"), carol,
                                            {{QStringLiteral("model"), QStringLiteral("demo/demo")},
                                             {QStringLiteral("input"), QStringLiteral("hi")}});
        QCOMPARE(forbidden.status, 403);

        // One log line per request, with the token's name and never its secret.
        QTRY_VERIFY(f.log().contains(u"GET /v1/models 401"));
        QVERIFY(f.log().contains(u"GET /v1/models 200"));
        QVERIFY(f.log().contains(u"token=alice"));
        QVERIFY(!f.log().contains(alice));
        QVERIFY(!f.log().contains(carol));
        QCOMPARE(f.stop(), 0);
        QVERIFY(f.log().contains(u"arbord serve: stopped"));
    }

    void quota()
    {
        ServeFixture f;
        const QString bob = f.addToken(
            QStringLiteral("bob"), {QStringLiteral("--quota-tokens-per-day"), QStringLiteral("5")});
        QVERIFY(f.start({QStringLiteral("--rate"), QStringLiteral("0")}));
        const QJsonObject body{
            {QStringLiteral("model"), QStringLiteral("demo/demo")},
            {QStringLiteral("messages"),
             QJsonArray{QJsonObject{{QStringLiteral("role"), QStringLiteral("user")},
                                    {QStringLiteral("content"), QStringLiteral("Hello")}}}}};
        const HttpAnswer first = f.post(QStringLiteral("/v1/chat/completions"), bob, body);
        QCOMPARE(first.status, 200);
        const int used =
            first.json()[QStringLiteral("usage")][QStringLiteral("total_tokens")].toInt();
        QVERIFY(used > 5);
        // The reply's usage lands in the token's ledger when it finishes.
        QTRY_VERIFY_WITH_TIMEOUT(f.arbord({QStringLiteral("serve"), QStringLiteral("token"),
                                           QStringLiteral("list"), QStringLiteral("--json")})
                                         .array()
                                         .at(0)[QStringLiteral("used_today")]
                                         .toInt()
                                     == used,
                                 10000);
        const HttpAnswer refused = f.post(QStringLiteral("/v1/chat/completions"), bob, body);
        QCOMPARE(refused.status, 429);
        QVERIFY2(errorMessage(refused).contains(u"quota of 5 tokens"),
                 qPrintable(errorMessage(refused)));
        QVERIFY(refused.headers.value("retry-after").toInt() > 0);
    }

    void badRequests()
    {
        ServeFixture f;
        const QString t = f.addToken(QStringLiteral("t"));
        QVERIFY(f.start());
        const HttpAnswer malformed =
            f.request("POST", QStringLiteral("/v1/chat/completions"), t, "{\"model\": ");
        QCOMPARE(malformed.status, 400);
        QVERIFY2(errorMessage(malformed).contains(u"not valid JSON"),
                 qPrintable(errorMessage(malformed)));
        QCOMPARE(f.request("POST", QStringLiteral("/v1/responses"), t, "[1, 2]").status, 400);
        const HttpAnswer noModel = f.post(QStringLiteral("/v1/responses"), t,
                                          {{QStringLiteral("input"), QStringLiteral("hi")}});
        QCOMPARE(noModel.status, 400);
        QVERIFY(errorMessage(noModel).contains(u"model"));
        const HttpAnswer notUser =
            f.post(QStringLiteral("/v1/chat/completions"), t,
                   {{QStringLiteral("model"), QStringLiteral("demo/demo")},
                    {QStringLiteral("messages"),
                     QJsonArray{QJsonObject{{QStringLiteral("role"), QStringLiteral("assistant")},
                                            {QStringLiteral("content"), QStringLiteral("Hi")}}}}});
        QCOMPARE(notUser.status, 400);
        QVERIFY(errorMessage(notUser).contains(u"last message must be from the user"));
        const HttpAnswer unknownModel =
            f.post(QStringLiteral("/v1/responses"), t,
                   {{QStringLiteral("model"), QStringLiteral("nobody/nothing")},
                    {QStringLiteral("input"), QStringLiteral("hi")}});
        QCOMPARE(unknownModel.status, 400);
        const HttpAnswer huge =
            f.post(QStringLiteral("/v1/responses"), t,
                   {{QStringLiteral("model"), QStringLiteral("demo/demo")},
                    {QStringLiteral("input"), QString(1'000'001, QLatin1Char('a'))}});
        QCOMPARE(huge.status, 400);
        QCOMPARE(f.request("GET", QStringLiteral("/v1/nothing"), t).status, 404);

        // Raw HTTP: a body over the limit is refused before it is read; broken heads are 400.
        const HttpAnswer tooLarge =
            raw(f.port(),
                "POST /v1/responses HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + t.toUtf8()
                    + "\r\nContent-Length: 5000000\r\n\r\n");
        QCOMPARE(tooLarge.status, 413);
        QVERIFY(QJsonDocument::fromJson(tooLarge.body).isObject());
        QCOMPARE(raw(f.port(), "GARBAGE\r\n\r\n").status, 400);
        QCOMPARE(raw(f.port(), "GET /healthz HTTP/1.1\r\nno colon here\r\n\r\n").status, 400);
        QCOMPARE(raw(f.port(), "POST /v1/responses HTTP/1.1\r\nContent-Length: x\r\n\r\n").status,
                 400);
        QCOMPARE(raw(f.port(), "GET /healthz HTTP/1.1\r\nX: " + QByteArray(40000, 'a')).status,
                 431);
        // A chunked body is read whole.
        const QByteArray json = R"({"model":"demo/demo","input":"chunked"})";
        const HttpAnswer chunked =
            raw(f.port(),
                "POST /v1/responses HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + t.toUtf8()
                    + "\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                    + QByteArray::number(10, 16) + "\r\n" + json.left(10) + "\r\n"
                    + QByteArray::number(json.size() - 10, 16) + "\r\n" + json.mid(10)
                    + "\r\n0\r\n\r\n");
        QCOMPARE(chunked.status, 200);
        QCOMPARE(QJsonDocument::fromJson(chunked.body)[QStringLiteral("status")].toString(),
                 QStringLiteral("completed"));
    }

    void openAiSdk()
    {
        ServeFixture f;
        const QString t = f.addToken(QStringLiteral("sdk"));
        QVERIFY(f.start({QStringLiteral("--rate"), QStringLiteral("400")}));
        auto stored = [&](const QString &id) {
            const HttpAnswer a = f.request("GET", QStringLiteral("/v1/responses/") + id, t);
            return a.json();
        };

        const QJsonObject chatStream = f.sdk(t, {QStringLiteral("chat-stream")});
        const QString chatId =
            chatStream[QStringLiteral("id")].toString().mid(QStringLiteral("chatcmpl-").size());
        QVERIFY(!chatStream[QStringLiteral("text")].toString().isEmpty());
        QCOMPARE(chatStream[QStringLiteral("finish")].toString(), QStringLiteral("stop"));
        QVERIFY(chatStream[QStringLiteral("usage")][QStringLiteral("total_tokens")].toInt() > 0);
        QCOMPARE(outputText(stored(chatId)), chatStream[QStringLiteral("text")].toString());

        const QJsonObject chat = f.sdk(t, {QStringLiteral("chat")});
        const QString chatId2 =
            chat[QStringLiteral("id")].toString().mid(QStringLiteral("chatcmpl-").size());
        QCOMPARE(outputText(stored(chatId2)), chat[QStringLiteral("text")].toString());
        // The resent history is stored: the reply's previous response is the assistant turn.
        const QJsonObject chatResponse = stored(chatId2);
        QVERIFY(!chatResponse[QStringLiteral("previous_response_id")].toString().isEmpty());

        // The same history under metadata.arbor_conversation_id follows the stored path.
        const QString conversation =
            chat[QStringLiteral("metadata")][QStringLiteral("arbor_conversation_id")].toString();
        QVERIFY(!conversation.isEmpty());
        const HttpAnswer more = f.post(
            QStringLiteral("/v1/chat/completions"), t,
            {{QStringLiteral("model"), QStringLiteral("demo/demo")},
             {QStringLiteral("metadata"),
              QJsonObject{{QStringLiteral("arbor_conversation_id"), conversation}}},
             {QStringLiteral("messages"),
              QJsonArray{
                  QJsonObject{{QStringLiteral("role"), QStringLiteral("user")},
                              {QStringLiteral("content"), QStringLiteral("Hello")}},
                  QJsonObject{{QStringLiteral("role"), QStringLiteral("assistant")},
                              {QStringLiteral("content"), QStringLiteral("Hi! How can I help?")}},
                  QJsonObject{
                      {QStringLiteral("role"), QStringLiteral("user")},
                      {QStringLiteral("content"), QStringLiteral("Tell me about branches.")}},
                  QJsonObject{{QStringLiteral("role"), QStringLiteral("assistant")},
                              {QStringLiteral("content"), chat[QStringLiteral("text")]}},
                  QJsonObject{{QStringLiteral("role"), QStringLiteral("user")},
                              {QStringLiteral("content"), QStringLiteral("And twigs?")}}}}});
        QCOMPARE(more.status, 200);
        const QString moreId =
            more.json()[QStringLiteral("id")].toString().mid(QStringLiteral("chatcmpl-").size());
        QCOMPARE(stored(moreId)[QStringLiteral("previous_response_id")].toString(), chatId2);

        const QJsonObject responses = f.sdk(t, {QStringLiteral("responses-stream")});
        const QString text = responses[QStringLiteral("text")].toString();
        QVERIFY(!text.isEmpty());
        QCOMPARE(responses[QStringLiteral("status")].toString(), QStringLiteral("completed"));
        QCOMPARE(outputText(stored(responses[QStringLiteral("id")].toString())), text);
        const QJsonArray events = responses[QStringLiteral("events")].toArray();
        QCOMPARE(events.at(0).toArray().at(0).toInt(), 0);
        QCOMPARE(events.last().toArray().at(0).toInt(), text.size() + 7);
        for (qsizetype i = 1; i < events.size(); ++i)
            QVERIFY(events.at(i).toArray().at(0).toInt()
                    > events.at(i - 1).toArray().at(0).toInt());

        const QJsonObject whole = f.sdk(t, {QStringLiteral("responses")});
        QCOMPARE(whole[QStringLiteral("status")].toString(), QStringLiteral("completed"));
        QCOMPARE(outputText(stored(whole[QStringLiteral("id")].toString())),
                 whole[QStringLiteral("text")].toString());
    }

    void branchingByPreviousResponse()
    {
        ServeFixture f;
        const QString t = f.addToken(QStringLiteral("b"));
        QVERIFY(f.start({QStringLiteral("--rate"), QStringLiteral("0")}));
        const QJsonObject r = f.sdk(t, {QStringLiteral("branch")});
        const QString first = r[QStringLiteral("first")].toString();
        const QString second = r[QStringLiteral("second")].toString();
        QVERIFY(!first.isEmpty());
        QCOMPARE(r[QStringLiteral("secondPrevious")].toString(), first);
        QCOMPARE(r[QStringLiteral("thirdPrevious")].toString(), first); // a branch beside second
        QVERIFY(r[QStringLiteral("third")].toString() != second);
        QCOMPARE(r[QStringLiteral("fourthPrevious")].toString(), second);
        const QJsonArray conversations = r[QStringLiteral("conversations")].toArray();
        QCOMPARE(conversations.at(1), conversations.at(0));
        QCOMPARE(conversations.at(2), conversations.at(0));
        // The tree: the first answer has two user children (the two second questions).
        const ArbordRun tree = f.arbord({QStringLiteral("show"), conversations.at(0).toString(),
                                         QStringLiteral("--tree"), QStringLiteral("--json")});
        QVERIFY2(tree.endedWith(0), qPrintable(tree.describe()));
        int childrenOfFirst = 0;
        const QJsonArray nodes = tree.object()[QStringLiteral("nodes")].toArray();
        for (const QJsonValue &n : nodes)
            if (n[QStringLiteral("parent_id")].toString() == first)
                ++childrenOfFirst;
        QVERIFY2(childrenOfFirst == 2, tree.out.left(2000).constData());

        // Another token cannot continue (or read) this token's conversation.
        const QString other = f.addToken(QStringLiteral("other"));
        const HttpAnswer foreign = f.post(QStringLiteral("/v1/responses"), other,
                                          {{QStringLiteral("model"), QStringLiteral("demo/demo")},
                                           {QStringLiteral("input"), QStringLiteral("peek")},
                                           {QStringLiteral("previous_response_id"), first}});
        QCOMPARE(foreign.status, 400);
        QCOMPARE(f.request("GET", QStringLiteral("/v1/responses/") + first, other).status, 404);
    }

    void resumeAfterServerRestart()
    {
        ServeFixture f;
        const QString t = f.addToken(QStringLiteral("r"));
        QVERIFY(f.start({QStringLiteral("--rate"), QStringLiteral("60")}));
        QNetworkReply *reply = f.openStream(
            "POST", QStringLiteral("/v1/responses"), t,
            QJsonDocument(
                QJsonObject{{QStringLiteral("model"), QStringLiteral("demo/demo")},
                            {QStringLiteral("input"), QStringLiteral("Tell me a long story.")},
                            {QStringLiteral("stream"), true},
                            {QStringLiteral("background"), true}})
                .toJson());
        const QList<SseEvent> before = ServeFixture::readEvents(reply, [](const SseEvent &e) {
            return e.data[QStringLiteral("sequence_number")].toInt() > 40;
        });
        QVERIFY(!before.isEmpty());
        const QString id =
            before.at(0).data[QStringLiteral("response")][QStringLiteral("id")].toString();
        QVERIFY(!id.isEmpty());
        QString text;
        qint64 last = -1;
        for (const SseEvent &e : before) {
            const qint64 seq = e.data[QStringLiteral("sequence_number")].toInteger();
            QVERIFY(seq > last);
            last = seq;
            if (e.event == "response.output_text.delta") {
                text += e.data[QStringLiteral("delta")].toString();
                QCOMPARE(seq, 3 + text.size()); // numbered by offset: stable across restarts
            }
        }
        QVERIFY(!text.isEmpty());
        // The server stops mid-stream (SIGTERM: it closes the stream and hands the job on).
        QCOMPARE(f.stop(), 0);
        reply->deleteLater();

        QVERIFY(f.start({QStringLiteral("--rate"), QStringLiteral("60")}));
        const QJsonObject resumed = f.sdk(t, {QStringLiteral("resume"), id, QString::number(last)});
        const QJsonArray events = resumed[QStringLiteral("events")].toArray();
        QVERIFY(!events.isEmpty());
        QVERIFY(events.at(0).toArray().at(0).toInteger() > last);
        for (qsizetype i = 1; i < events.size(); ++i)
            QVERIFY(events.at(i).toArray().at(0).toInteger()
                    > events.at(i - 1).toArray().at(0).toInteger());
        text += resumed[QStringLiteral("text")].toString();
        const QJsonObject stored =
            f.request("GET", QStringLiteral("/v1/responses/") + id, t).json();
        QCOMPARE(text, outputText(stored)); // byte for byte: nothing lost, nothing twice
        QCOMPARE(events.last().toArray().at(0).toInteger(), text.size() + 7);
        QCOMPARE(resumed[QStringLiteral("status")].toString(),
                 stored[QStringLiteral("status")].toString());
    }

    void resumeAfterSigkill()
    {
        ServeFixture f;
        const QString t = f.addToken(QStringLiteral("k"));
        QVERIFY(f.start({QStringLiteral("--rate"), QStringLiteral("80")}));
        QNetworkReply *reply = f.openStream(
            "POST", QStringLiteral("/v1/responses"), t,
            QJsonDocument(QJsonObject{{QStringLiteral("model"), QStringLiteral("demo/demo")},
                                      {QStringLiteral("input"), QStringLiteral("A long story.")},
                                      {QStringLiteral("stream"), true}})
                .toJson());
        QString id;
        QString text;
        qint64 last = -1;
        QStringList problems;
        // Every event is checked as it comes: numbers strictly rising, a delta numbered by the
        // text's length after it.
        auto take = [&](const SseEvent &e) {
            const qint64 seq = e.data[QStringLiteral("sequence_number")].toInteger();
            if (seq <= last)
                problems.append(QStringLiteral("event %1 after %2").arg(seq).arg(last));
            last = seq;
            if (e.event == "response.created")
                id = e.data[QStringLiteral("response")][QStringLiteral("id")].toString();
            if (e.event == "response.output_text.delta") {
                text += e.data[QStringLiteral("delta")].toString();
                if (seq != 3 + text.size())
                    problems.append(
                        QStringLiteral("delta %1 ends at %2").arg(seq).arg(text.size()));
            }
        };
        ServeFixture::readEvents(reply, [&](const SseEvent &e) {
            take(e);
            return text.size() > 150;
        });
        QVERIFY(!id.isEmpty());
        QVERIFY(text.size() > 150);
        QCOMPARE(last, 3 + text.size());
        // Killed mid-stream, with nothing of its own to save: whatever it had not committed is
        // lost, and the client must not have been sent any of it.
        f.kill();
        reply->abort();
        reply->deleteLater();
        const QString seen = text;

        QVERIFY(f.start({QStringLiteral("--rate"), QStringLiteral("80")}));
        QNetworkReply *resumed = f.openStream(
            "GET",
            QStringLiteral("/v1/responses/%1?stream=true&starting_after=%2").arg(id).arg(last), t);
        const qint64 lastBefore = last;
        QString final;
        const QList<SseEvent> after = ServeFixture::readEvents(resumed, [&](const SseEvent &e) {
            take(e);
            if (e.event.startsWith("response.") && e.data[QStringLiteral("response")].isObject()
                && e.event != "response.created" && e.event != "response.in_progress")
                final = QString::fromLatin1(e.event);
            return !final.isEmpty() || e.event == "error";
        });
        resumed->deleteLater();
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join(u'\n')));
        QVERIFY(!after.isEmpty());
        QVERIFY(after.first().data[QStringLiteral("sequence_number")].toInteger() > lastBefore);
        QVERIFY2(!final.isEmpty(), qPrintable(f.log()));
        const QJsonObject stored =
            f.request("GET", QStringLiteral("/v1/responses/") + id, t).json();
        const QString storedText = outputText(stored);
        QVERIFY(storedText.startsWith(seen)); // nothing the client saw was lost
        QCOMPARE(text, storedText);           // byte for byte: nothing missing, nothing twice
        QCOMPARE(last, text.size() + 7);      // numbered as one stream from start to end
        QCOMPARE(
            stored[QStringLiteral("status")].toString(),
            after.last().data[QStringLiteral("response")][QStringLiteral("status")].toString());
    }
};

QTEST_GUILESS_MAIN(TestServe)
#include "tst_serve.moc"
