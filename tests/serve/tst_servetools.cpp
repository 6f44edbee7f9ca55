// arbord serve with a client's function tools and a model's reasoning: the official OpenAI SDK
// does a whole function-call round trip through Open Responses (streamed and not) and Chat
// Completions, and over the WebSocket mode; a scripted vendor asks for the tool, and gets the
// client's output back in its own wire format. Reasoning comes out as a reasoning item.
#include "servefixture.h"

#include "support/dbconnection.h"
#include "support/fakevendorserver.h"

#include <QJsonArray>
#include <QWebSocket>
#include <QtTest>

using namespace arbor::testsupport;

namespace {

QString s(const char *text)
{
    return QString::fromUtf8(text);
}

/** @brief An OpenAI Chat Completions stream that says @p text, as the vendor frames it. */
QByteArray openAiText(const QString &text)
{
    auto chunk = [](const QJsonObject &delta, const QJsonValue &finish) {
        const QJsonObject o{
            {s("id"), s("chatcmpl-x")},
            {s("object"), s("chat.completion.chunk")},
            {s("created"), 1795352336},
            {s("model"), s("fake-model")},
            {s("choices"),
             QJsonArray{
                 QJsonObject{{s("index"), 0}, {s("delta"), delta}, {s("finish_reason"), finish}}}}};
        return "data: " + QJsonDocument(o).toJson(QJsonDocument::Compact) + "\n\n";
    };
    return chunk({{s("role"), s("assistant")}, {s("content"), text}}, QJsonValue())
        + chunk({}, s("stop")) + "data: [DONE]\n\n";
}

/** @brief The messages of a request the fake vendor received. */
QJsonArray sentMessages(const FakeVendorServer::Request &r)
{
    return QJsonDocument::fromJson(r.body).object()[s("messages")].toArray();
}

const QJsonObject WeatherSchema{
    {s("type"), s("object")},
    {s("properties"), QJsonObject{{s("city"), QJsonObject{{s("type"), s("string")}}}}},
    {s("required"), QJsonArray{s("city")}}};

/** @brief The call of the transcript openai-tool-call.sse, as OpenAI sends it back. */
const QJsonObject TranscriptCall{
    {s("id"), s("call_epOp9BGdyFKMVnFA")},
    {s("type"), s("function")},
    {s("function"),
     QJsonObject{{s("name"), s("get_weather")}, {s("arguments"), s("{\"city\":\"Paris\"}")}}}};

} // namespace

class TestServeTools : public QObject
{
    Q_OBJECT

private:
    /** @brief The stored tool calls of @p messageId. */
    static QJsonArray storedCalls(const ServeFixture &f, const QString &messageId)
    {
        DbConnection c(f.dbPath(), DbConnection::Mode::ReadOnly);
        return QJsonDocument::fromJson(
                   c.scalar(s("SELECT tool_calls FROM messages WHERE id = ?"), {messageId})
                       .toString()
                       .toUtf8())
            .array();
    }

private Q_SLOTS:
    void responsesFunctionCallRoundTrip_data()
    {
        QTest::addColumn<bool>("stream");
        QTest::newRow("streamed") << true;
        QTest::newRow("not streamed") << false;
    }
    void responsesFunctionCallRoundTrip()
    {
        QFETCH(bool, stream);
        FakeVendorServer vendor;
        vendor.enqueue(FakeVendorServer::stream(
            FakeVendorServer::transcript(s("openai-tool-call.sse")), "text/event-stream", 3));
        vendor.enqueue(FakeVendorServer::stream(openAiText(s("It is 18°C and sunny in Paris.")),
                                                "text/event-stream"));
        ServeFixture f;
        const QString token = f.addToken(s("dev"));
        QVERIFY(f.startWithVendor(vendor.baseUrl()));

        const QJsonObject r =
            f.sdk(token, {s("tools-responses"), stream ? s("stream") : s("plain")});
        const QJsonObject first = r[s("first")].toObject();
        QCOMPARE(first[s("status")].toString(), s("completed"));
        // The reply's text, then the call, as output items.
        const QJsonArray output = first[s("output")].toArray();
        QCOMPARE(output.size(), 2);
        QCOMPARE(output[0][s("type")].toString(), s("message"));
        QCOMPARE(output[0][s("content")][0][s("text")].toString(), s("Let me check the weather."));
        const QJsonObject call = output[1].toObject();
        QCOMPARE(call[s("type")].toString(), s("function_call"));
        QCOMPARE(call[s("call_id")].toString(), s("call_epOp9BGdyFKMVnFA"));
        QCOMPARE(call[s("name")].toString(), s("get_weather"));
        QCOMPARE(call[s("arguments")].toString(), s("{\"city\":\"Paris\"}"));
        QCOMPARE(call[s("status")].toString(), s("completed"));
        QVERIFY(!call[s("id")].toString().isEmpty());
        if (stream) {
            QCOMPARE(first[s("streamedArguments")].toString(), s("{\"city\":\"Paris\"}"));
            // Numbers only grow; the call's events come after the text's, then the end.
            QStringList types;
            qint64 last = -1;
            for (const QJsonValue &e : r[s("events")].toArray()) {
                QVERIFY2(e[0].toInteger() > last, qPrintable(e[1].toString()));
                last = e[0].toInteger();
                types.append(e[1].toString() + QLatin1Char(' ') + e[2].toString());
            }
            const QStringList tail = types.mid(types.size() - 5);
            QCOMPARE(tail,
                     (QStringList{s("response.output_item.added function_call"),
                                  s("response.function_call_arguments.delta "),
                                  s("response.function_call_arguments.done "),
                                  s("response.output_item.done function_call"),
                                  s("response.completed ")}));
            QVERIFY(types.contains(s("response.output_text.delta ")));
        }

        // The client's output went back to the vendor in its format, after the call.
        const QJsonObject second = r[s("second")].toObject();
        QCOMPARE(second[s("text")].toString(), s("It is 18°C and sunny in Paris."));
        QCOMPARE(second[s("status")].toString(), s("completed"));
        QCOMPARE(second[s("previous_response_id")].toString(), first[s("id")].toString());
        const QList<FakeVendorServer::Request> sent = vendor.requests();
        QCOMPARE(sent.size(), 2);
        const QJsonObject asked = QJsonDocument::fromJson(sent[0].body).object();
        QCOMPARE(
            asked[s("tools")].toArray(),
            (QJsonArray{QJsonObject{{s("type"), s("function")},
                                    {s("function"),
                                     QJsonObject{{s("name"), s("get_weather")},
                                                 {s("description"), s("The weather in a city")},
                                                 {s("parameters"), WeatherSchema},
                                                 {s("strict"), true}}}}}));
        QCOMPARE(asked[s("tool_choice")].toString(), s("auto"));
        const QJsonArray messages = sentMessages(sent[1]);
        QCOMPARE(messages.size(), 3);
        QCOMPARE(messages[0].toObject(),
                 (QJsonObject{{s("role"), s("user")}, {s("content"), s("Weather in Paris?")}}));
        QCOMPARE(messages[1][s("role")].toString(), s("assistant"));
        QCOMPARE(messages[1][s("content")].toString(), s("Let me check the weather."));
        QCOMPARE(messages[1][s("tool_calls")].toArray(), QJsonArray{TranscriptCall});
        QCOMPARE(messages[2].toObject(),
                 (QJsonObject{{s("role"), s("tool")},
                              {s("tool_call_id"), s("call_epOp9BGdyFKMVnFA")},
                              {s("content"), s("18°C and sunny in Paris")}}));
        // The output is stored on the call in the tree, where tool results go.
        const QJsonArray calls = storedCalls(f, first[s("id")].toString());
        QCOMPARE(calls.size(), 1);
        QCOMPARE(calls[0][s("status")].toString(), s("done"));
        QCOMPARE(calls[0][s("result")].toString(), s("18°C and sunny in Paris"));
    }

    void chatCompletionsToolCalls()
    {
        FakeVendorServer vendor;
        vendor.enqueue(FakeVendorServer::stream(
            FakeVendorServer::transcript(s("openai-tool-call.sse")), "text/event-stream", 2));
        vendor.enqueue(
            FakeVendorServer::stream(openAiText(s("Sunny, 18°C.")), "text/event-stream"));
        ServeFixture f;
        const QString token = f.addToken(s("dev"));
        QVERIFY(f.startWithVendor(vendor.baseUrl()));

        const QJsonObject r = f.sdk(token, {s("tools-chat")});
        QCOMPARE(r[s("content")].toString(), s("Let me check the weather."));
        QCOMPARE(r[s("finish")].toString(), s("tool_calls"));
        QCOMPARE(r[s("calls")].toArray(), QJsonArray{TranscriptCall});
        QCOMPARE(r[s("text")].toString(), s("Sunny, 18°C."));
        QCOMPARE(r[s("secondFinish")].toString(), s("stop"));

        const QList<FakeVendorServer::Request> sent = vendor.requests();
        QCOMPARE(sent.size(), 2);
        const QJsonObject asked = QJsonDocument::fromJson(sent[0].body).object();
        QCOMPARE(asked[s("tool_choice")].toString(), s("required"));
        QCOMPARE(asked[s("tools")][0][s("function")][s("name")].toString(), s("get_weather"));
        // The resent history, role "tool" included, became the tree the vendor is sent.
        const QJsonArray messages = sentMessages(sent[1]);
        QCOMPARE(messages.size(), 3);
        QCOMPARE(messages[1][s("tool_calls")].toArray(), QJsonArray{TranscriptCall});
        QCOMPARE(messages[2].toObject(),
                 (QJsonObject{{s("role"), s("tool")},
                              {s("tool_call_id"), s("call_epOp9BGdyFKMVnFA")},
                              {s("content"), s("18°C and sunny")}}));
    }

    void webSocketFunctionCallRoundTrip()
    {
        FakeVendorServer vendor;
        vendor.enqueue(FakeVendorServer::stream(
            FakeVendorServer::transcript(s("openai-tool-call.sse")), "text/event-stream"));
        vendor.enqueue(FakeVendorServer::stream(openAiText(s("Warm.")), "text/event-stream"));
        ServeFixture f;
        const QString token = f.addToken(s("dev"));
        QVERIFY(f.startWithVendor(vendor.baseUrl()));

        QWebSocket socket;
        QList<QJsonObject> events;
        connect(&socket, &QWebSocket::textMessageReceived, &socket, [&](const QString &m) {
            events.append(QJsonDocument::fromJson(m.toUtf8()).object());
        });
        QNetworkRequest request{
            QUrl(QString(f.base()).replace(s("http://"), s("ws://")) + s("/v1/responses"))};
        request.setRawHeader("Authorization", "Bearer " + token.toUtf8());
        QSignalSpy connected(&socket, &QWebSocket::connected);
        socket.open(request);
        QVERIFY(connected.wait(10000));
        auto send = [&](const QJsonObject &body) {
            QJsonObject m = body;
            m.insert(s("type"), s("response.create"));
            socket.sendTextMessage(
                QString::fromUtf8(QJsonDocument(m).toJson(QJsonDocument::Compact)));
        };
        auto completed = [&](qsizetype from) -> QJsonObject {
            for (qsizetype i = from; i < events.size(); ++i)
                if (events[i][s("type")].toString() == u"response.completed")
                    return events[i][s("response")].toObject();
            return {};
        };
        send({{s("model"), s("fake/fake-model")},
              {s("input"), s("Weather in Paris?")},
              {s("tools"),
               QJsonArray{QJsonObject{{s("type"), s("function")},
                                      {s("name"), s("get_weather")},
                                      {s("parameters"), WeatherSchema}}}}});
        QTRY_VERIFY_WITH_TIMEOUT(!completed(0).isEmpty(), 30000);
        const QJsonObject first = completed(0);
        QVERIFY(std::any_of(events.begin(), events.end(), [](const QJsonObject &e) {
            return e[s("type")].toString() == u"response.function_call_arguments.done"
                && e[s("arguments")].toString() == u"{\"city\":\"Paris\"}";
        }));
        const QJsonObject call = first[s("output")][1].toObject();
        QCOMPARE(call[s("type")].toString(), s("function_call"));
        const qsizetype mark = events.size();
        send({{s("previous_response_id"), first[s("id")]},
              {s("input"),
               QJsonArray{QJsonObject{{s("type"), s("function_call_output")},
                                      {s("call_id"), call[s("call_id")]},
                                      {s("output"), s("25°C")}}}}});
        QTRY_VERIFY_WITH_TIMEOUT(!completed(mark).isEmpty(), 30000);
        QCOMPARE(completed(mark)[s("output")][0][s("content")][0][s("text")].toString(),
                 s("Warm."));
        QCOMPARE(vendor.requests().size(), 2);
        QCOMPARE(sentMessages(vendor.requests()[1]).last().toObject(),
                 (QJsonObject{{s("role"), s("tool")},
                              {s("tool_call_id"), s("call_epOp9BGdyFKMVnFA")},
                              {s("content"), s("25°C")}}));
    }

    void reasoningItems()
    {
        FakeVendorServer vendor;
        vendor.enqueue(FakeVendorServer::stream(
            FakeVendorServer::transcript(s("openai-reasoning.sse")), "text/event-stream", 4));
        ServeFixture f;
        const QString token = f.addToken(s("dev"));
        QVERIFY(f.startWithVendor(vendor.baseUrl()));

        const QJsonObject r = f.sdk(token, {s("reasoning")});
        const QString reasoning =
            s("Spell it out: s-t-r-a-w-b-e-r-r-y. One r after t, two before y — três.");
        QCOMPARE(r[s("reasoning")].toString(), reasoning);
        QCOMPARE(r[s("text")].toString(), s("There are **3** r's."));
        const QJsonArray output = r[s("output")].toArray();
        QCOMPARE(output.size(), 2);
        QCOMPARE(output[1][s("content")][0][s("text")].toString(), s("There are **3** r's."));
        QCOMPARE(output[0][s("type")].toString(), s("reasoning"));
        QCOMPARE(output[0][s("content")][0][s("type")].toString(), s("reasoning_text"));
        QCOMPARE(output[0][s("content")][0][s("text")].toString(), reasoning);
        QCOMPARE(output[1][s("type")].toString(), s("message"));
        // The reasoning item's events come first: its deltas numbered by where they end.
        const qint64 rr = reasoning.size();
        QStringList first;
        for (const QJsonValue &e : r[s("events")].toArray()) {
            const QString type = e[1].toString();
            if (type == u"response.reasoning_text.delta")
                continue; // one per piece the vendor sent (reasoningStreamsPiecewise)
            first.append(QString::number(e[0].toInteger()) + QLatin1Char(' ') + type
                         + QLatin1Char(' ') + e[2].toString());
        }
        QCOMPARE(
            first.mid(0, 8),
            (QStringList{s("0 response.created "), s("1 response.in_progress "),
                         s("2 response.output_item.added reasoning"),
                         s("3 response.content_part.added "),
                         QStringLiteral("%1 response.reasoning_text.done ").arg(4 + rr),
                         QStringLiteral("%1 response.content_part.done ").arg(5 + rr),
                         QStringLiteral("%1 response.output_item.done reasoning").arg(6 + rr),
                         QStringLiteral("%1 response.output_item.added message").arg(7 + rr)}));
        // Not streamed: the same items.
        const QString id = r[s("id")].toString();
        const HttpAnswer got = f.request("GET", s("/v1/responses/") + id, token);
        QCOMPARE(got.status, 200);
        QCOMPARE(got.json()[s("output")].toArray(), output);
        // A resume inside the reasoning item sends the rest of it, then the text, whole.
        QNetworkReply *resumed = f.openStream(
            "GET", s("/v1/responses/") + id + s("?stream=true&starting_after=5"), token);
        const QList<SseEvent> events = ServeFixture::readEvents(
            resumed, [](const SseEvent &e) { return e.event == "response.completed"; });
        resumed->deleteLater();
        QVERIFY(events.size() > 1);
        QCOMPARE(events[0].event, QByteArray("response.reasoning_text.delta"));
        QCOMPARE(events[0].data[s("sequence_number")].toInteger(), 3 + rr);
        QCOMPARE(events[0].data[s("delta")].toString(), reasoning.mid(2));
        QCOMPARE(events[1].data[s("sequence_number")].toInteger(), 4 + rr);
        QCOMPARE(events[1].event, QByteArray("response.reasoning_text.done"));
        QString text;
        for (const SseEvent &e : events)
            if (e.event == "response.output_text.delta")
                text += e.data[s("delta")].toString();
        QCOMPARE(text, s("There are **3** r's."));
        QCOMPARE(events.last().event, QByteArray("response.completed"));
    }
};

QTEST_GUILESS_MAIN(TestServeTools)
#include "tst_servetools.moc"
