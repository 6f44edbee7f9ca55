// arbord serve streams what the vendor streams, piece by piece: a call's arguments as
// response.function_call_arguments.delta events (and Chat Completions tool_calls fragments),
// reasoning as response.reasoning_text.delta events; and a response object echoes its
// request's tools, tool_choice and parameters. The official OpenAI SDK is the client; the
// scripted vendor speaks OpenAI's Chat Completions stream.
#include "servefixture.h"

#include "support/fakevendorserver.h"

#include <QJsonArray>
#include <QtTest>

using namespace arbor::testsupport;

namespace {

QString s(const char *text)
{
    return QString::fromUtf8(text);
}

/** @brief One event of an OpenAI Chat Completions stream. */
QByteArray chunk(const QJsonObject &delta, const QJsonValue &finish = QJsonValue())
{
    const QJsonObject o{{s("id"), s("chatcmpl-p")},
                        {s("object"), s("chat.completion.chunk")},
                        {s("created"), 1795352336},
                        {s("model"), s("fake-model")},
                        {s("choices"),
                         QJsonArray{QJsonObject{
                             {s("index"), 0}, {s("delta"), delta}, {s("finish_reason"), finish}}}}};
    return "data: " + QJsonDocument(o).toJson(QJsonDocument::Compact) + "\n\n";
}

/** @brief A tool_calls delta of call 0 with a piece of its arguments. */
QByteArray argumentsChunk(const QString &piece)
{
    return chunk({{s("tool_calls"),
                   QJsonArray{QJsonObject{
                       {s("index"), 0}, {s("function"), QJsonObject{{s("arguments"), piece}}}}}}});
}

const QStringList ArgumentPieces{s("{\"ci"), s("ty\": \"Pa"), s("ris\"}")};

/**
 * @brief A vendor reply: some text, then a call whose arguments come in ArgumentPieces, each its
 * own SSE event. The call comes a while after the text, so the client is following by then.
 */
FakeVendorServer::Response toolCallInPieces()
{
    FakeVendorServer::Response r;
    r.headers = {{"Content-Type", "text/event-stream"}};
    r.body.append(
        {chunk({{s("role"), s("assistant")}, {s("content"), s("Let me check the weather.")}}), 0});
    QByteArray calls = chunk({{s("tool_calls"),
                               QJsonArray{QJsonObject{{s("index"), 0},
                                                      {s("id"), s("call_pieces1")},
                                                      {s("type"), s("function")},
                                                      {s("function"),
                                                       QJsonObject{{s("name"), s("get_weather")},
                                                                   {s("arguments"), s("")}}}}}}});
    for (const QString &piece : ArgumentPieces)
        calls += argumentsChunk(piece);
    calls += chunk({}, s("tool_calls")) + "data: [DONE]\n\n";
    r.body.append({calls, 400});
    return r;
}

/** @brief A vendor reply that reasons in three pieces, sent apart, then answers. */
FakeVendorServer::Response reasoningInPieces(const QStringList &pieces, const QString &answer)
{
    FakeVendorServer::Response r;
    r.headers = {{"Content-Type", "text/event-stream"}};
    r.body.append({chunk({{s("role"), s("assistant")}, {s("content"), QJsonValue()}}), 0});
    for (const QString &piece : pieces)
        r.body.append(
            {chunk({{s("content"), QJsonValue()}, {s("reasoning_content"), piece}}), 300});
    r.body.append({chunk({{s("content"), answer}}) + chunk({}, s("stop")) + "data: [DONE]\n\n", 0});
    return r;
}

FakeVendorServer::Response text(const QString &answer)
{
    return FakeVendorServer::stream(chunk({{s("role"), s("assistant")}, {s("content"), answer}})
                                        + chunk({}, s("stop")) + "data: [DONE]\n\n",
                                    "text/event-stream");
}

const QJsonArray WeatherTools{QJsonObject{
    {s("type"), s("function")},
    {s("name"), s("get_weather")},
    {s("description"), s("The weather in a city")},
    {s("parameters"),
     QJsonObject{{s("type"), s("object")},
                 {s("properties"), QJsonObject{{s("city"), QJsonObject{{s("type"), s("string")}}}}},
                 {s("required"), QJsonArray{s("city")}}}},
    {s("strict"), true}}};

} // namespace

class TestServeStreaming : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void responsesStreamArgumentPieces()
    {
        FakeVendorServer vendor;
        vendor.enqueue(toolCallInPieces());
        ServeFixture f;
        const QString token = f.addToken(s("dev"));
        QVERIFY(f.startWithVendor(vendor.baseUrl()));

        const QJsonObject r = f.sdk(token, {s("pieces-responses")});
        const QJsonArray deltas = r[s("deltas")].toArray();
        // The vendor's pieces, as it cut them, each its own event of the call's item.
        QStringList pieces;
        for (const QJsonValue &d : deltas) {
            QCOMPARE(d[s("item_id")].toString(), r[s("done")][s("item_id")].toString());
            QCOMPARE(d[s("output_index")].toInt(), 1);
            pieces.append(d[s("delta")].toString());
        }
        QVERIFY2(pieces.size() >= 2, qPrintable(pieces.join(s("|"))));
        QCOMPARE(pieces, ArgumentPieces);
        QCOMPARE(pieces.join(QString()), r[s("done")][s("arguments")].toString());
        const QJsonArray output = r[s("output")].toArray();
        QCOMPARE(output.size(), 2);
        QCOMPARE(output[1][s("arguments")].toString(), s("{\"city\": \"Paris\"}"));
        QCOMPARE(output[1][s("call_id")].toString(), s("call_pieces1"));
        // Numbers only grow, and a resume in the middle of the arguments sends the rest.
        qint64 last = -1;
        qint64 secondDelta = -1;
        for (const QJsonValue &e : r[s("events")].toArray()) {
            QVERIFY2(e[0].toInteger() > last, qPrintable(e[1].toString()));
            last = e[0].toInteger();
            if (e[1].toString() == u"response.function_call_arguments.delta" && secondDelta == -2)
                secondDelta = last;
            if (e[1].toString() == u"response.function_call_arguments.delta" && secondDelta == -1)
                secondDelta = -2;
        }
        QVERIFY(secondDelta > 0);
        QNetworkReply *resumed = f.openStream("GET",
                                              s("/v1/responses/%1?stream=true&starting_after=%2")
                                                  .arg(r[s("id")].toString())
                                                  .arg(secondDelta - 2),
                                              token);
        const QList<SseEvent> events = ServeFixture::readEvents(
            resumed, [](const SseEvent &e) { return e.event == "response.completed"; });
        resumed->deleteLater();
        // The call is stored whole now: its arguments come as one piece, numbered by its end.
        const QString arguments = s("{\"city\": \"Paris\"}");
        const qint64 added = secondDelta - 1 - ArgumentPieces[0].size() - ArgumentPieces[1].size();
        QVERIFY(!events.isEmpty());
        QCOMPARE(events[0].event, QByteArray("response.function_call_arguments.delta"));
        QCOMPARE(events[0].data[s("sequence_number")].toInteger(), added + 1 + arguments.size());
        QCOMPARE(events[0].data[s("delta")].toString(), arguments.mid(secondDelta - 2 - added - 1));
        QCOMPARE(events[1].event, QByteArray("response.function_call_arguments.done"));

        // What the request set, echoed at the start and at the end.
        for (const char *key : {"created", "completed"}) {
            const QJsonObject echo = r[s(key)].toObject();
            QCOMPARE(echo[s("tools")].toArray(), WeatherTools);
            QCOMPARE(echo[s("tool_choice")].toString(), s("required"));
            QCOMPARE(echo[s("parallel_tool_calls")].toBool(true), false);
            QCOMPARE(echo[s("temperature")].toDouble(), 0.25);
            QCOMPARE(echo[s("max_output_tokens")].toInt(), 300);
            QCOMPARE(echo[s("top_p")].toDouble(), 1.0);
        }
    }

    void chatCompletionsArgumentFragments()
    {
        FakeVendorServer vendor;
        vendor.enqueue(toolCallInPieces());
        ServeFixture f;
        const QString token = f.addToken(s("dev"));
        QVERIFY(f.startWithVendor(vendor.baseUrl()));

        const QJsonObject r = f.sdk(token, {s("pieces-chat")});
        QCOMPARE(r[s("finish")].toString(), s("tool_calls"));
        QStringList fragments;
        for (const QJsonValue &fragment : r[s("fragments")].toArray()) {
            QCOMPARE(fragment[0].toInt(), 0);
            fragments.append(fragment[1].toString());
        }
        QCOMPARE(fragments, ArgumentPieces);
        const QJsonArray calls = r[s("calls")].toArray();
        QCOMPARE(calls.size(), 1);
        QCOMPARE(calls[0].toObject(),
                 (QJsonObject{{s("id"), s("call_pieces1")},
                              {s("name"), s("get_weather")},
                              {s("arguments"), s("{\"city\": \"Paris\"}")}}));
    }

    void reasoningStreamsPiecewise()
    {
        const QStringList pieces{s("Spell it out: s-t-r-a-w-b-e-r-r-y."), s(" One r after t,"),
                                 s(" two before y — três.")};
        FakeVendorServer vendor;
        vendor.enqueue(reasoningInPieces(pieces, s("There are **3** r's.")));
        ServeFixture f;
        const QString token = f.addToken(s("dev"));
        QVERIFY(f.startWithVendor(vendor.baseUrl()));

        const QJsonObject r = f.sdk(token, {s("reasoning")});
        const QString reasoning = pieces.join(QString());
        QCOMPARE(r[s("reasoning")].toString(), reasoning);
        QCOMPARE(r[s("text")].toString(), s("There are **3** r's."));
        // Each piece as the vendor sent it: reasoning_text.delta numbered by where it ends.
        QStringList seen;
        for (const QJsonValue &e : r[s("events")].toArray())
            seen.append(QString::number(e[0].toInteger()) + QLatin1Char(' ') + e[1].toString()
                        + QLatin1Char(' ') + e[2].toString());
        const qint64 r1 = pieces[0].size();
        const qint64 r2 = r1 + pieces[1].size();
        const qint64 rr = reasoning.size();
        const QStringList head{s("0 response.created "),
                               s("1 response.in_progress "),
                               s("2 response.output_item.added reasoning"),
                               s("3 response.content_part.added "),
                               QStringLiteral("%1 response.reasoning_text.delta ").arg(3 + r1),
                               QStringLiteral("%1 response.reasoning_text.delta ").arg(3 + r2),
                               QStringLiteral("%1 response.reasoning_text.delta ").arg(3 + rr),
                               QStringLiteral("%1 response.reasoning_text.done ").arg(4 + rr),
                               QStringLiteral("%1 response.content_part.done ").arg(5 + rr),
                               QStringLiteral("%1 response.output_item.done reasoning").arg(6 + rr),
                               QStringLiteral("%1 response.output_item.added message").arg(7 + rr)};
        QCOMPARE(seen.mid(0, head.size()), head);
        const QJsonArray output = r[s("output")].toArray();
        QCOMPARE(output.size(), 2);
        QCOMPARE(output[0][s("content")][0][s("text")].toString(), reasoning);

        // A resume inside the second piece sends the rest of it, then the rest, as numbered.
        QNetworkReply *resumed = f.openStream("GET",
                                              s("/v1/responses/%1?stream=true&starting_after=%2")
                                                  .arg(r[s("id")].toString())
                                                  .arg(3 + r1 + 4),
                                              token);
        const QList<SseEvent> events = ServeFixture::readEvents(
            resumed, [](const SseEvent &e) { return e.event == "response.completed"; });
        resumed->deleteLater();
        QVERIFY(!events.isEmpty());
        QCOMPARE(events[0].event, QByteArray("response.reasoning_text.delta"));
        QCOMPARE(events[0].data[s("delta")].toString(), reasoning.mid(r1 + 4));
        QCOMPARE(events[0].data[s("sequence_number")].toInteger(), 3 + rr);
        QCOMPARE(events[1].data[s("sequence_number")].toInteger(), 4 + rr);
    }

    void responseObjectEchoesTheRequest()
    {
        FakeVendorServer vendor;
        vendor.enqueue(text(s("Sunny.")));
        ServeFixture f;
        const QString token = f.addToken(s("dev"));
        QVERIFY(f.startWithVendor(vendor.baseUrl()));

        const QJsonObject r = f.sdk(token, {s("echo")});
        for (const char *key : {"created", "retrieved"}) {
            const QJsonObject echo = r[s(key)].toObject();
            QCOMPARE(echo[s("tools")].toArray(), WeatherTools);
            QCOMPARE(echo[s("tool_choice")].toObject(),
                     (QJsonObject{{s("type"), s("function")}, {s("name"), s("get_weather")}}));
            QCOMPARE(echo[s("temperature")].toDouble(), 0.5);
            QCOMPARE(echo[s("max_output_tokens")].toInt(), 200);
            QCOMPARE(echo[s("parallel_tool_calls")].toBool(false), true);
        }
        // A request that sets none: the API's defaults.
        const QJsonObject plain = r[s("plain")].toObject();
        QCOMPARE(plain[s("tools")].toArray(), QJsonArray());
        QCOMPARE(plain[s("tool_choice")].toString(), s("auto"));
        QCOMPARE(plain[s("parallel_tool_calls")].toBool(false), true);
        QCOMPARE(plain[s("temperature")].toDouble(), 1.0);
        QCOMPARE(plain[s("top_p")].toDouble(), 1.0);
        QVERIFY(plain[s("max_output_tokens")].isNull());
    }
};

QTEST_GUILESS_MAIN(TestServeStreaming)
#include "tst_servestreaming.moc"
