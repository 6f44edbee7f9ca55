// The protocol decoders (StreamDecoder per vendor): the outcome of every transcript, and the
// property that it is identical however the byte stream is cut into reads — random cuts, and
// every single cut position (which includes every point inside a UTF-8 sequence and every point
// between a CR and its LF).
#include "llm/anthropicprovider.h"
#include "llm/geminiprovider.h"
#include "llm/ollamaprovider.h"
#include "llm/openaiprovider.h"
#include "support/fakevendorserver.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QTest>

using arbor::llm::ChatError;
using arbor::llm::StreamDecoder;
using arbor::testsupport::FakeVendorServer;
using Kind = ChatError::Kind;

namespace {

struct Decoded
{
    QStringList text;
    QStringList reasoning;
    bool complete = false;
    int promptTokens = -1;
    int completionTokens = -1;
    QString finishReason;
    QString vendorFinishReason;
    QStringList toolCalls; ///< "id|name|arguments|at" of the whole calls at the end
    QStringList announced; ///< the same, as onToolCall announced them ("index:" first)
    int errorKind = -1;
    QString errorMessage;
    QJsonObject reasoningState;
    bool operator==(const Decoded &) const = default;
};

QString callText(const arbor::llm::ToolCall &c)
{
    return QStringLiteral("%1|%2|%3|%4").arg(c.id, c.name, c.arguments).arg(c.at);
}

std::unique_ptr<StreamDecoder> decoderFor(const QString &transcript)
{
    if (transcript.startsWith(u"openai"))
        return arbor::llm::OpenAiProvider::makeDecoder();
    if (transcript.startsWith(u"anthropic"))
        return arbor::llm::AnthropicProvider::makeDecoder();
    if (transcript.startsWith(u"gemini"))
        return arbor::llm::GeminiProvider::makeDecoder();
    return arbor::llm::OllamaProvider::makeDecoder();
}

Decoded decode(const QString &name, const QByteArray &bytes, const QList<qsizetype> &cuts)
{
    Decoded d;
    auto dec = decoderFor(name);
    dec->onText = [&](const QString &t) { d.text.append(t); };
    dec->onReasoning = [&](const QString &t) { d.reasoning.append(t); };
    dec->onToolCall = [&](int index, const arbor::llm::ToolCall &c) {
        d.announced.append(QString::number(index) + u':' + callText(c));
    };
    qsizetype from = 0;
    for (qsizetype cut : cuts) {
        dec->feed(QByteArrayView(bytes).sliced(from, cut - from));
        from = cut;
    }
    dec->feed(QByteArrayView(bytes).sliced(from));
    dec->finish();
    d.complete = dec->isComplete();
    d.promptTokens = dec->usage().promptTokens;
    d.completionTokens = dec->usage().completionTokens;
    d.finishReason = dec->finishReason();
    d.vendorFinishReason = dec->vendorFinishReason();
    for (const arbor::llm::ToolCall &c : dec->toolCalls())
        d.toolCalls.append(callText(c));
    d.reasoningState = dec->reasoningState();
    if (dec->error()) {
        d.errorKind = int(dec->error()->kind);
        d.errorMessage = dec->error()->message;
    }
    return d;
}

bool hasMultibyte(const QByteArray &b)
{
    return std::any_of(b.begin(), b.end(), [](char c) { return (uchar(c) & 0xC0) == 0x80; });
}

} // namespace

class TestStreamDecoders : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void outcomes_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("complete");
        QTest::addColumn<int>("prompt");
        QTest::addColumn<int>("completion");
        QTest::addColumn<QString>("finish");
        QTest::addColumn<int>("errorKind");
        QTest::newRow("openai text") << "openai-text.sse"
                                     << "**" << true << 16 << 300 << "stop" << -1;
        QTest::newRow("openai utf8 cr") << "openai-utf8-cr.sse"
                                        << "Grüße — 世界 🌳" << true << 16 << 300 << "stop" << -1;
        QTest::newRow("openai error") << "openai-error.sse"
                                      << "**" << false << -1 << -1 << "" << int(Kind::Server);
        QTest::newRow("openai truncated")
            << "openai-truncated.sse"
            << "**" << false << -1 << -1 << "" << int(Kind::Interrupted);
        QTest::newRow("openai malformed") << "openai-malformed.sse"
                                          << "**" << false << -1 << -1 << "" << int(Kind::Protocol);
        QTest::newRow("anthropic text") << "anthropic-text.sse"
                                        << "Hello! I" << true << 12 << 30 << "stop" << -1;
        QTest::newRow("anthropic overloaded")
            << "anthropic-overloaded.sse"
            << "Hello" << false << 12 << 1 << "" << int(Kind::Overloaded);
        QTest::newRow("anthropic truncated")
            << "anthropic-truncated.sse"
            << "Hello" << false << 12 << 1 << "" << int(Kind::Interrupted);
        QTest::newRow("gemini text")
            << "gemini-text.sse"
            << "There are **3** \"r\"s in strawberry.\n\nst**r**awbe**rr**y" << true << 9 << 208
            << "stop" << -1;
        QTest::newRow("gemini utf8")
            << "gemini-utf8.sse"
            << "There are **3**ß 🍓 «ок»" << true << 9 << 208 << "stop" << -1;
        QTest::newRow("gemini truncated")
            << "gemini-truncated.sse"
            << "There are **3**" << false << 9 << 190 << "" << int(Kind::Interrupted);
        QTest::newRow("gemini blocked") << "gemini-blocked.sse"
                                        << "" << false << -1 << -1 << "" << int(Kind::BadRequest);
        QTest::newRow("gemini raw error")
            << "gemini-raw-error.sse"
            << "There are **3**" << false << 9 << 190 << "" << int(Kind::Overloaded);
        // Tool calls: the text before them is kept, nothing is added to it; the reason is
        // tool_calls (Gemini and Ollama say "stop" after a call, legacy OpenAI function_call).
        QTest::newRow("openai tool call")
            << "openai-tool-call.sse"
            << "Let me check the weather." << true << -1 << -1 << "tool_calls" << -1;
        QTest::newRow("openai tool calls")
            << "openai-tool-calls.sse"
            << "I'll check both." << true << 82 << 51 << "tool_calls" << -1;
        QTest::newRow("openai function call") << "openai-function-call.sse"
                                              << "" << true << -1 << -1 << "tool_calls" << -1;
        QTest::newRow("anthropic tool use")
            << "anthropic-tool-use.sse"
            << "Checking — un instant." << true << 849 << 47 << "tool_calls" << -1;
        QTest::newRow("anthropic tool uses")
            << "anthropic-tool-uses.sse"
            << "I'll look up both — weather and time." << true << 512 << 96 << "tool_calls" << -1;
        QTest::newRow("gemini tool call")
            << "gemini-tool-call.sse"
            << "I will look that up." << true << 40 << 14 << "tool_calls" << -1;
        QTest::newRow("gemini tool calls")
            << "gemini-tool-calls.sse"
            << "Checking both cities." << true << 58 << 26 << "tool_calls" << -1;
        QTest::newRow("ollama tool call") << "ollama-tool-call.ndjson"
                                          << "Voyons…" << true << 120 << 18 << "tool_calls" << -1;
        QTest::newRow("ollama tool calls")
            << "ollama-tool-calls.ndjson"
            << "Je regarde." << true << 210 << 44 << "tool_calls" << -1;
        QTest::newRow("ollama text") << "ollama-text.ndjson"
                                     << "The sky — 青い ✨" << true << 26 << 282 << "stop" << -1;
        QTest::newRow("ollama error") << "ollama-error.ndjson"
                                      << "The" << false << -1 << -1 << "" << int(Kind::Server);
        QTest::newRow("ollama truncated")
            << "ollama-truncated.ndjson"
            << "The sky — 青い ✨" << false << -1 << -1 << "" << int(Kind::Interrupted);
        // A whole reply instead of a stream (a server that ignored "stream": true).
        QTest::newRow("openai completion json")
            << "openai-completion.json"
            << "There are **3** r's — «straw·berry» 🍓" << true << 16 << 12 << "stop" << -1;
        QTest::newRow("anthropic message json")
            << "anthropic-message.json"
            << "Hello! I count **3** — «straw·berry» 🍓" << true << 12 << 30 << "stop" << -1;
        QTest::newRow("gemini array")
            << "gemini-array.json"
            << "There are **3** \"r\"s in strawberry." << true << 9 << 208 << "stop" << -1;
        QTest::newRow("ollama no stream")
            << "ollama-nostream.json"
            << "The sky — 青い ✨" << true << 26 << 282 << "stop" << -1;
        // Reasoning is not part of the answer.
        QTest::newRow("openai reasoning")
            << "openai-reasoning.sse"
            << "There are **3** r's." << true << 14 << 41 << "stop" << -1;
        QTest::newRow("anthropic thinking")
            << "anthropic-thinking.sse"
            << "There are **3** r's in strawberry." << true << 24 << 96 << "stop" << -1;
        QTest::newRow("gemini thinking")
            << "gemini-thinking.sse"
            << "There are **3** r's in strawberry — ¡tres!" << true << 9 << 155 << "stop" << -1;
        QTest::newRow("ollama thinking") << "ollama-thinking.ndjson"
                                         << "There are 3 r's." << true << 17 << 58 << "stop" << -1;
    }

    void outcomes()
    {
        QFETCH(QString, name);
        QFETCH(QString, text);
        QFETCH(bool, complete);
        QFETCH(int, prompt);
        QFETCH(int, completion);
        QFETCH(QString, finish);
        QFETCH(int, errorKind);
        const Decoded d = decode(name, FakeVendorServer::transcript(name), {});
        QCOMPARE(d.text.join(QString()), text);
        QCOMPARE(d.complete, complete);
        QCOMPARE(d.errorKind, errorKind);
        QCOMPARE(d.promptTokens, prompt);
        QCOMPARE(d.completionTokens, completion);
        QCOMPARE(d.finishReason, finish);
    }

    void identicalHoweverCut_data()
    {
        QTest::addColumn<QString>("name");
        for (const char *n :
             {"openai-text.sse",          "openai-utf8-cr.sse",      "openai-error.sse",
              "openai-truncated.sse",     "openai-malformed.sse",    "anthropic-text.sse",
              "anthropic-overloaded.sse", "anthropic-truncated.sse", "gemini-text.sse",
              "gemini-utf8.sse",          "gemini-truncated.sse",    "gemini-blocked.sse",
              "gemini-raw-error.sse",     "ollama-text.ndjson",      "ollama-error.ndjson",
              "ollama-truncated.ndjson",  "openai-tool-call.sse",    "anthropic-tool-use.sse",
              "gemini-tool-call.sse",     "ollama-tool-call.ndjson", "openai-tool-calls.sse",
              "openai-function-call.sse", "anthropic-tool-uses.sse", "gemini-tool-calls.sse",
              "ollama-tool-calls.ndjson", "openai-completion.json",  "anthropic-message.json",
              "gemini-array.json",        "ollama-nostream.json",    "openai-reasoning.sse",
              "anthropic-thinking.sse",   "gemini-thinking.sse",     "ollama-thinking.ndjson"})
            QTest::newRow(n) << QString::fromLatin1(n);
    }

    void identicalHoweverCut()
    {
        QFETCH(QString, name);
        const QByteArray bytes = FakeVendorServer::transcript(name);
        const Decoded whole = decode(name, bytes, {});
        QList<qsizetype> all;
        for (qsizetype i = 1; i < bytes.size(); ++i)
            all.append(i);
        QVERIFY(decode(name, bytes, all) == whole);
        QRandomGenerator rng(0x5EED + quint32(qHash(name)));
        for (int round = 0; round < 500; ++round) {
            QList<qsizetype> cuts;
            const int n = rng.bounded(1, 60);
            for (int i = 0; i < n; ++i)
                cuts.append(rng.bounded(qint64(bytes.size() + 1)));
            std::sort(cuts.begin(), cuts.end());
            if (!(decode(name, bytes, cuts) == whole))
                QFAIL(qPrintable(QStringLiteral("round %1 decodes differently").arg(round)));
        }
    }

    void pagesAndGarbageAreMalformedReplies_data()
    {
        QTest::addColumn<QString>("decoder");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("quoted");
        const QByteArray page = FakeVendorServer::transcript(QStringLiteral("proxy-502.html"));
        const QByteArray garbage = "\x01\x02 this is no stream\r\nat all\n";
        for (const char *decoder : {"openai", "anthropic", "gemini", "ollama"}) {
            QTest::addRow("%s, html page", decoder)
                << QString::fromLatin1(decoder) << page << "502 Bad Gateway";
            QTest::addRow("%s, garbage", decoder)
                << QString::fromLatin1(decoder) << garbage << "this is no stream";
        }
    }

    void pagesAndGarbageAreMalformedReplies()
    {
        // Whatever the cuts: a clear Protocol error quoting what came, never "cut off".
        QFETCH(QString, decoder);
        QFETCH(QByteArray, body);
        QFETCH(QString, quoted);
        const Decoded whole = decode(decoder, body, {});
        QCOMPARE(whole.errorKind, int(Kind::Protocol));
        QVERIFY2(whole.errorMessage.contains(u"malformed"), qPrintable(whole.errorMessage));
        QVERIFY2(whole.errorMessage.contains(quoted), qPrintable(whole.errorMessage));
        QVERIFY(whole.text.isEmpty());
        QList<qsizetype> all;
        for (qsizetype i = 1; i < body.size(); ++i)
            all.append(i);
        QVERIFY(decode(decoder, body, all) == whole);
    }

    void transcriptsCoverTheHardCuts()
    {
        // The property above is only as strong as its inputs: make sure they contain the cases.
        QVERIFY(hasMultibyte(FakeVendorServer::transcript(QStringLiteral("openai-utf8-cr.sse"))));
        QVERIFY(hasMultibyte(FakeVendorServer::transcript(QStringLiteral("gemini-utf8.sse"))));
        QVERIFY(hasMultibyte(FakeVendorServer::transcript(QStringLiteral("ollama-text.ndjson"))));
        QVERIFY(
            FakeVendorServer::transcript(QStringLiteral("gemini-text.sse")).contains("\r\n\r\n"));
        QVERIFY(
            FakeVendorServer::transcript(QStringLiteral("openai-utf8-cr.sse")).contains("\r\r"));
    }

    void toolCallsAreWhole_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QStringList>("calls"); // id|name|arguments|at
        QTest::addColumn<QString>("vendorReason");
        QTest::newRow("openai")
            << "openai-tool-call.sse"
            << QStringList{R"(call_epOp9BGdyFKMVnFA|get_weather|{"city":"Paris"}|25)"}
            << "tool_calls";
        // Two calls in one turn, each one's arguments in three pieces.
        QTest::newRow("openai parallel")
            << "openai-tool-calls.sse"
            << QStringList{R"(call_Qx3T8mWv1bLc9RkZ0aYhJ2nF|get_weather|{"city": "Paris"}|16)",
                           R"(call_Lm4P7sDe2vQa8WnX5cTr1kBy|get_time|{"zone": "Europe/Paris"}|16)"}
            << "tool_calls";
        QTest::newRow("openai legacy function_call")
            << "openai-function-call.sse"
            << QStringList{"|get_weather|{\n  \"city\": \"Oslo\"\n}|0"} << "function_call";
        QTest::newRow("anthropic")
            << "anthropic-tool-use.sse"
            << QStringList{R"(toolu_01KFbKqPYSuAKujiL6mTfzYA|json|{"elements": [{"location": "San Francisco", "temperature": 58, "condition": "sunny"}]}|22)"}
            << "tool_use";
        // Text first, then two tool_use blocks, their input in pieces (an empty one first).
        QTest::newRow("anthropic parallel")
            << "anthropic-tool-uses.sse"
            << QStringList{R"(toolu_01A09q90qw90lq917835lq9|get_weather|{"city": "Paris", "unit": "celsius"}|37)",
                           R"(toolu_01B7x2kLmN4pQ8rS6tV0wY3z|get_time|{"zone": "Europe/Paris"}|37)"}
            << "tool_use";
        QTest::newRow("gemini") << "gemini-tool-call.sse"
                                << QStringList{R"(|weather|{"location":"San Francisco"}|20)"}
                                << "STOP";
        QTest::newRow("gemini parallel")
            << "gemini-tool-calls.sse"
            << QStringList{R"(fc-7c1d|get_weather|{"city":"Paris"}|21)",
                           QStringLiteral(
                               R"(fc-8e2a|get_weather|{"city":"Zürich","unit":"celsius"}|21)")}
            << "STOP";
        QTest::newRow("ollama") << "ollama-tool-call.ndjson"
                                << QStringList{R"(|get_weather|{"city":"Tokyo"}|7)"} << "stop";
        QTest::newRow("ollama with ids")
            << "ollama-tool-calls.ndjson"
            << QStringList{R"(call_x1k9f2ma|get_weather|{"city":"Lyon"}|11)",
                           R"(call_p3z8q0wd|get_time|{"zone":"Europe/Paris"}|11)"}
            << "stop";
    }

    void toolCallsAreWhole()
    {
        QFETCH(QString, name);
        QFETCH(QStringList, calls);
        QFETCH(QString, vendorReason);
        const Decoded d = decode(name, FakeVendorServer::transcript(name), {});
        QVERIFY(d.complete);
        QCOMPARE(d.toolCalls, calls);
        QCOMPARE(d.vendorFinishReason, vendorReason);
        QCOMPARE(d.finishReason, QStringLiteral("tool_calls"));
        // Each announced once, whole, in order, before the end.
        QStringList announced;
        for (qsizetype i = 0; i < calls.size(); ++i)
            announced.append(QString::number(i) + u':' + calls.at(i));
        QCOMPARE(d.announced, announced);
        // The text is the model's own: no note about tools in it.
        QVERIFY(!d.text.join(QString()).contains(u"tool"));
    }

    void aCallCutOffIsNotKept()
    {
        // The stream breaks inside the second call: the first is whole (announced when the
        // second began), the second is not kept; the reply is interrupted.
        const QByteArray bytes =
            FakeVendorServer::transcript(QStringLiteral("openai-tool-calls.sse"));
        const QByteArray cut = bytes.left(bytes.indexOf("Europe/Paris"));
        const Decoded d = decode(QStringLiteral("openai-tool-calls.sse"),
                                 cut.left(cut.lastIndexOf("\n\n") + 2), {});
        QCOMPARE(d.errorKind, int(Kind::Interrupted));
        QCOMPARE(d.toolCalls,
                 QStringList{R"(call_Qx3T8mWv1bLc9RkZ0aYhJ2nF|get_weather|{"city": "Paris"}|16)"});
        QCOMPARE(d.announced, QStringList{QStringLiteral("0:") + d.toolCalls.first()});

        // Anthropic: a tool_use block without its content_block_stop is not whole.
        const QByteArray claude =
            FakeVendorServer::transcript(QStringLiteral("anthropic-tool-uses.sse"));
        const qsizetype second = claude.indexOf("\"index\":2");
        const Decoded c = decode(QStringLiteral("anthropic-tool-uses.sse"),
                                 claude.left(claude.indexOf("\n\n", second) + 2), {});
        QCOMPARE(c.errorKind, int(Kind::Interrupted));
        QCOMPARE(c.toolCalls.size(), 1);
        QVERIFY(c.toolCalls.first().startsWith(u"toolu_01A09q90qw90lq917835lq9|get_weather|"));
    }

    void callsWithNoArgumentsAreTheEmptyObject()
    {
        // Parallel calls whose pieces come in one delta, one of them with no arguments at all;
        // a third later.
        auto dec = arbor::llm::OpenAiProvider::makeDecoder();
        QStringList text;
        dec->onText = [&](const QString &t) { text.append(t); };
        dec->feed(
            R"(data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"a","type":"function","function":{"name":"get_weather","arguments":""}},{"index":1,"id":"b","type":"function","function":{"name":"get_time","arguments":"{}"}}]},"finish_reason":null}]})"
            "\n\n"
            "data: "
            "{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":2,\"id\":\"c\","
            "\"type\":\"function\",\"function\":{\"name\":\"search\",\"arguments\":\"{\\\"q\\\":1}"
            "\"}}]},\"finish_reason\":\"tool_calls\"}]}"
            "\n\ndata: [DONE]\n\n");
        dec->finish();
        QVERIFY(dec->isComplete());
        QCOMPARE(dec->finishReason(), QStringLiteral("tool_calls"));
        QVERIFY(text.isEmpty());
        QStringList calls;
        for (const arbor::llm::ToolCall &c : dec->toolCalls())
            calls.append(callText(c));
        QCOMPARE(calls,
                 (QStringList{"a|get_weather|{}|0", "b|get_time|{}|0", R"(c|search|{"q":1}|0)"}));

        // A whole (non-streamed) reply: its calls have no index, their order is theirs.
        auto whole = arbor::llm::OpenAiProvider::makeDecoder();
        whole->feed(
            "{\"object\":\"chat.completion\",\"choices\":[{\"index\":0,\"message\":{\"role\":"
            "\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"x\",\"type\":\"function\","
            "\"function\":{\"name\":\"one\",\"arguments\":\"{\\\"n\\\":1}\"}},{\"id\":\"y\","
            "\"type\":\"function\",\"function\":{\"name\":\"two\",\"arguments\":\"{\\\"n\\\":2}\"}}"
            "]},\"finish_reason\":\"tool_calls\"}]}");
        whole->finish();
        QVERIFY(whole->isComplete());
        calls.clear();
        for (const arbor::llm::ToolCall &c : whole->toolCalls())
            calls.append(callText(c));
        QCOMPARE(calls, (QStringList{R"(x|one|{"n":1}|0)", R"(y|two|{"n":2}|0)"}));
    }

    void anthropicInputWholeAtTheStart()
    {
        // A tool_use block whose input comes whole in content_block_start, with no deltas (a
        // proxy): taken as it is; one with an empty delta only takes nothing.
        auto dec = arbor::llm::AnthropicProvider::makeDecoder();
        dec->feed(
            "event: content_block_start\ndata: "
            R"({"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"t1","name":"a","input":{"x":1}}})"
            "\n\nevent: content_block_stop\ndata: "
            R"({"type":"content_block_stop","index":0})"
            "\n\nevent: content_block_start\ndata: "
            R"({"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"t2","name":"b","input":{}}})"
            "\n\nevent: content_block_delta\ndata: "
            R"({"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":""}})"
            "\n\nevent: content_block_stop\ndata: "
            R"({"type":"content_block_stop","index":1})"
            "\n\nevent: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
        dec->finish();
        QVERIFY(dec->isComplete());
        QStringList calls;
        for (const arbor::llm::ToolCall &c : dec->toolCalls())
            calls.append(callText(c));
        QCOMPARE(calls, (QStringList{R"(t1|a|{"x":1}|0)", "t2|b|{}|0"}));
        QCOMPARE(dec->finishReason(), QStringLiteral("tool_calls"));
    }

    void geminiCallSignatureGoesWithIt()
    {
        // The thoughtSignature on a functionCall part is kept for the call it came with.
        const Decoded d =
            decode(QStringLiteral("gemini-tool-calls.sse"),
                   FakeVendorServer::transcript(QStringLiteral("gemini-tool-calls.sse")), {});
        QCOMPARE(d.reasoningState,
                 (QJsonObject{{"format", "gemini"},
                              {"parts",
                               QJsonArray{QJsonObject{
                                   {"type", "function_call"},
                                   {"call", 0},
                                   {"signature", QStringLiteral("CqQBAdHtim9x2kP…")}}}}}));
        const Decoded one =
            decode(QStringLiteral("gemini-tool-call.sse"),
                   FakeVendorServer::transcript(QStringLiteral("gemini-tool-call.sse")), {});
        QCOMPARE(one.reasoningState.value(u"parts").toArray().size(), 1);
        QCOMPARE(one.reasoningState.value(u"parts").toArray().at(0).toObject().value(u"signature"),
                 QJsonValue(QStringLiteral("CiQB0e2Kb…")));
    }

    void reasoningIsKeptWithWhatGoesBack_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("reasoning");
        QTest::addColumn<QJsonObject>("state");
        QTest::newRow("openai") << "openai-reasoning.sse"
                                << "Spell it out: s-t-r-a-w-b-e-r-r-y. One r after t, two before y "
                                   "— três."
                                << QJsonObject();
        const QString claude =
            QStringLiteral("Let me spell it: s-t-r-a-w-b-e-r-r-y. That is three r's — «drei».");
        QTest::newRow("anthropic")
            << "anthropic-thinking.sse" << claude
            << QJsonObject{
                   {"format", "anthropic"},
                   {"parts",
                    QJsonArray{
                        QJsonObject{
                            {"type", "thinking"},
                            {"in", "reasoning"},
                            {"start", 0},
                            {"length", claude.size()},
                            {"signature", "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds"}},
                        QJsonObject{{"type", "redacted_thinking"},
                                    {"data",
                                     "EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3r"
                                     "AFBa8cr3qpPkNRj2YfWXGmKDxH4mPnZ5sQ7vB8URj2pLmN3kF8/"
                                     "dW5hR7xJ0aP1oLvs"}}}}};
        const QString first =
            QStringLiteral("**Counting the letters**\n\nI am spelling out strawberry");
        const QString second = QStringLiteral(" and counting each r: three.");
        const QString answer = QStringLiteral("There are **3** r's in strawberry — ¡tres!");
        QTest::newRow("gemini")
            << "gemini-thinking.sse" << first + second
            << QJsonObject{
                   {"format", "gemini"},
                   {"parts",
                    QJsonArray{
                        QJsonObject{
                            {"type", "thought"},
                            {"in", "reasoning"},
                            {"start", first.size()},
                            {"length", second.size()},
                            {"signature", "CiQB0e2Kb0Lxq7c1hZp9Uq3sTy2vWn8dF4mR6oK1jH5gE0a="}},
                        QJsonObject{{"type", "text"},
                                    {"in", "content"},
                                    {"start", answer.size()},
                                    {"length", 0},
                                    {"signature",
                                     "EqsFCqgFAb4+9vvtR2cJx1mKq0pTl8sWz3n5yD6aB7eF9hG0iJ="}}}}};
        QTest::newRow("ollama") << "ollama-thinking.ndjson"
                                << "Okay, the user asks how many r's are in strawberry — "
                                   "s-t-r-a-w-b-e-r-r-y: three."
                                << QJsonObject();
        // The recorded Gemini 3 reply: a signature on its last, empty part and no thoughts.
        QTest::newRow("gemini signature only")
            << "gemini-text.sse"
            << ""
            << QJsonObject{{"format", "gemini"},
                           {"parts",
                            QJsonArray{QJsonObject{{"type", "text"},
                                                   {"in", "content"},
                                                   {"start", 55},
                                                   {"length", 0},
                                                   {"signature", "EqsFCqgFAb4+9vvt…"}}}}};
    }

    void reasoningIsKeptWithWhatGoesBack()
    {
        QFETCH(QString, name);
        QFETCH(QString, reasoning);
        QFETCH(QJsonObject, state);
        const Decoded d = decode(name, FakeVendorServer::transcript(name), {});
        QVERIFY(d.complete);
        QCOMPARE(d.reasoning.join(QString()), reasoning);
        QCOMPARE(d.reasoningState, state);
    }

    void anthropicThinkingBlocksApart()
    {
        // Two thinking blocks (interleaved thinking): an empty line between them in the
        // reasoning text, each block addressing only its own text; a whole (non-streamed)
        // reply gives the same.
        auto dec = arbor::llm::AnthropicProvider::makeDecoder();
        QString reasoning;
        dec->onReasoning = [&](const QString &t) { reasoning += t; };
        dec->feed(
            "event: content_block_start\ndata: "
            R"({"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":""}})"
            "\n\nevent: content_block_delta\ndata: "
            R"({"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"one"}})"
            "\n\nevent: content_block_delta\ndata: "
            R"({"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"s1"}})"
            "\n\nevent: content_block_start\ndata: "
            R"({"type":"content_block_start","index":1,"content_block":{"type":"thinking","thinking":""}})"
            "\n\nevent: content_block_delta\ndata: "
            R"({"type":"content_block_delta","index":1,"delta":{"type":"thinking_delta","thinking":"two"}})"
            "\n\nevent: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
        dec->finish();
        QVERIFY(dec->isComplete());
        QCOMPARE(reasoning, QStringLiteral("one\n\ntwo"));
        const QJsonArray parts = dec->reasoningState().value(u"parts").toArray();
        QCOMPARE(parts.size(), 2);
        QCOMPARE(parts.at(0).toObject().value(u"start").toInt(), 0);
        QCOMPARE(parts.at(0).toObject().value(u"length").toInt(), 3);
        QCOMPARE(parts.at(0).toObject().value(u"signature").toString(), QStringLiteral("s1"));
        QCOMPARE(parts.at(1).toObject().value(u"start").toInt(), 5);
        QCOMPARE(parts.at(1).toObject().value(u"length").toInt(), 3);
        QCOMPARE(parts.at(1).toObject().value(u"signature").toString(), QString()); // cut off

        auto whole = arbor::llm::AnthropicProvider::makeDecoder();
        whole->feed(
            R"({"type":"message","role":"assistant","content":[{"type":"thinking","thinking":"one","signature":"s1"},{"type":"redacted_thinking","data":"xyz"},{"type":"text","text":"Hi"}],"stop_reason":"end_turn","usage":{"input_tokens":1,"output_tokens":2}})");
        whole->finish();
        QVERIFY(whole->isComplete());
        const QJsonArray wholeParts = whole->reasoningState().value(u"parts").toArray();
        QCOMPARE(wholeParts.size(), 2);
        QCOMPARE(wholeParts.at(0).toObject().value(u"signature").toString(), QStringLiteral("s1"));
        QCOMPARE(wholeParts.at(1).toObject().value(u"data").toString(), QStringLiteral("xyz"));
    }

    void nothingAfterTheEnd()
    {
        auto dec = arbor::llm::OpenAiProvider::makeDecoder();
        QStringList text;
        dec->onText = [&](const QString &t) { text.append(t); };
        dec->feed(FakeVendorServer::transcript(QStringLiteral("openai-text.sse")));
        QVERIFY(dec->isComplete());
        dec->feed("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"late\"}}]}\n\n");
        dec->finish();
        QCOMPARE(text, QStringList{QStringLiteral("**")});
        QVERIFY(!dec->error());
    }
};

QTEST_GUILESS_MAIN(TestStreamDecoders)
#include "tst_streamdecoders.moc"
