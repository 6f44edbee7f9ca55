// arbord bench stream: wire-protocol parse throughput, and the CPU cost per streamed token end
// to end (parse → live text + delta event → chunk flush to a real store → model update) while a
// message grows (issue 4, item 7: the cost of a token must not grow with the message).
#include "commands.h"
#include "common.h"

#include "chat/chatevents.h"
#include "chat/livetexts.h"
#include "domain/ids.h"
#include "llm/anthropicprovider.h"
#include "llm/geminiprovider.h"
#include "llm/ollamaprovider.h"
#include "llm/openaiprovider.h"
#include "store/conversationqueries.h"
#include "store/messagequeries.h"
#include "store/store.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTextStream>

namespace arbor::cli {

namespace {

/** A token of about four characters, some of them multibyte, JSON-escaped where needed. */
QString token(int i)
{
    static const char *const words[] = {
        " the",   " tree",   " of", " \\\"code\\\"", " grüße", " 世界", "\\n",  " data", " branch",
        " model", " stream", " é",  " token",        " a",     " is",   " node"};
    return QString::fromUtf8(words[i % 16]);
}

QByteArray openAiEvent(const QString &t)
{
    return "data: "
           "{\"id\":\"chatcmpl-D8Z5oo6uDh67AD85p73ksdT1KxhE0\",\"object\":\"chat.completion."
           "chunk\",\"created\":1770933892,"
           "\"model\":\"gpt-4.1-nano-2025-04-14\",\"service_tier\":\"default\",\"system_"
           "fingerprint\":\"fp_de604bd877\","
           "\"choices\":[{\"index\":0,\"delta\":{\"content\":\""
        + t.toUtf8()
        + "\"},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null,\"obfuscation\":"
          "\"yhjoJbEF\"}\n\n";
}

QByteArray anthropicEvent(const QString &t)
{
    return "event: content_block_delta\ndata: "
           "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\","
           "\"text\":\""
        + t.toUtf8() + "\"}}\n\n";
}

QByteArray geminiEvent(const QString &t)
{
    return "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"" + t.toUtf8()
        + "\"}],\"role\":\"model\"},\"index\":0}],\"usageMetadata\":{\"promptTokenCount\":9,"
          "\"candidatesTokenCount\":5,"
          "\"totalTokenCount\":199,\"promptTokensDetails\":[{\"modality\":\"TEXT\",\"tokenCount\":"
          "9}],\"thoughtsTokenCount\":185},"
          "\"modelVersion\":\"gemini-3-pro-preview\",\"responseId\":\"bH6LaZW8Fp_3nsEPqtaSwQ4\"}"
          "\r\n\r\n";
}

QByteArray ollamaEvent(const QString &t)
{
    return "{\"model\":\"llama3.2\",\"created_at\":\"2023-08-04T08:52:19.385406455-07:00\","
           "\"message\":{\"role\":\"assistant\",\"content\":\""
        + t.toUtf8() + "\",\"images\":null},\"done\":false}\n";
}

struct Protocol
{
    const char *name;
    QByteArray (*event)(const QString &);
    std::unique_ptr<llm::StreamDecoder> (*decoder)();
};

const Protocol protocols[] = {
    {"openai", openAiEvent, llm::OpenAiProvider::makeDecoder},
    {"anthropic", anthropicEvent, llm::AnthropicProvider::makeDecoder},
    {"gemini", geminiEvent, llm::GeminiProvider::makeDecoder},
    {"ollama", ollamaEvent, llm::OllamaProvider::makeDecoder},
};

/** Feeds a ~@p megabytes transcript in 16 KiB reads (a typical socket read); MB/s of wall time. */
double parseThroughput(const Protocol &p, int megabytes)
{
    QByteArray body;
    for (int i = 0; body.size() < qsizetype(megabytes) * 1024 * 1024; ++i)
        body += p.event(token(i));
    double best = 0;
    for (int round = 0; round < 3; ++round) {
        auto decoder = p.decoder();
        qsizetype chars = 0;
        decoder->onText = [&](const QString &t) { chars += t.size(); };
        QElapsedTimer timer;
        timer.start();
        constexpr qsizetype Read = 16 * 1024;
        for (qsizetype at = 0; at < body.size(); at += Read)
            decoder->feed(QByteArrayView(body).sliced(at, std::min(Read, body.size() - at)));
        const double seconds = double(timer.nsecsElapsed()) / 1e9;
        if (chars == 0 || decoder->error())
            return -1;
        best = std::max(best, double(body.size()) / (1024.0 * 1024.0) / seconds);
    }
    return best;
}

/**
 * The GUI's ThreadModel, emulated (it lives in app/, which links Qt Quick): it appends each delta
 * to the streaming row's text when the offset matches (O(delta)), and signals one dataChanged
 * per frame.
 */
class ModelEmulation : public QObject
{
public:
    QString content;
    qsizetype frames = 0;
    bool dirty = false;
    void onDelta(const QString &, const QString &, qsizetype offset, const QString &text)
    {
        if (offset == content.size())
            content += text;
        dirty = true;
    }
    void frame()
    {
        if (std::exchange(dirty, false))
            ++frames;
    }
};

struct TokenCost
{
    double usPerToken = 0;
    qint64 tokens = 0;
    qint64 messages = 0;
};

/**
 * Streams @p messages replies of @p tokensPerMessage tokens each through the reply path: OpenAI
 * SSE bytes (one event per read) → decoder → LiveTexts::append + ChatEvents::messageDelta
 * (queued, as to the GUI thread) + pending chunk; every FlushEvery tokens a chunk is posted to
 * the store writer (the app flushes every 100 ms) and a "frame" updates the model; at the end the
 * message is finished in the store. CPU time of the whole process, store thread included.
 */
TokenCost tokenCost(store::Store &store, const QString &conversationId, int messages,
                    int tokensPerMessage)
{
    constexpr int FlushEvery = 16;
    chat::LiveTexts live;
    chat::ChatEvents events;
    ModelEmulation model;
    QObject::connect(&events, &chat::ChatEvents::messageDelta, &model, &ModelEmulation::onDelta,
                     Qt::QueuedConnection);

    QList<QByteArray> reads;
    reads.reserve(tokensPerMessage + 1);
    for (int i = 0; i < tokensPerMessage; ++i)
        reads.append(openAiEvent(token(i)));
    reads.append(QByteArrayLiteral(
        "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: "
        "[DONE]\n\n"));

    QStringList ids;
    for (int m = 0; m < messages; ++m) {
        domain::Message msg;
        msg.id = domain::newId();
        msg.conversationId = conversationId;
        msg.role = QStringLiteral("assistant");
        msg.provider = QStringLiteral("bench");
        msg.model = QStringLiteral("bench");
        msg.status = domain::MessageStatus::Streaming;
        ids.append(msg.id);
        store.write([msg](QSqlDatabase &db) { store::messages::insert(db, msg); })
            .waitForFinished();
    }

    const double start = processCpuMicros();
    qint64 tokens = 0;
    for (const QString &id : std::as_const(ids)) {
        model.content.clear();
        live.begin(id);
        auto decoder = llm::OpenAiProvider::makeDecoder();
        QString pending;
        int seq = 0;
        int sinceFlush = 0;
        decoder->onText = [&](const QString &text) {
            const qsizetype offset = live.append(id, text);
            pending += text;
            Q_EMIT events.messageDelta(conversationId, id, offset, text);
            ++tokens;
            if (++sinceFlush == FlushEvery) {
                sinceFlush = 0;
                store.post([id, s = seq++, text = std::exchange(pending, {})](QSqlDatabase &db) {
                    store::messages::appendChunk(db, id, s, text);
                });
                QCoreApplication::processEvents(); // the GUI thread's frame: queued deltas land
                model.frame();
            }
        };
        for (const QByteArray &read : std::as_const(reads))
            decoder->feed(read);
        QCoreApplication::processEvents();
        model.frame();
        store.post([id, s = seq++, rest = std::exchange(pending, {}), usage = decoder->usage(),
                    reason = decoder->finishReason()](QSqlDatabase &db) {
            if (!rest.isEmpty())
                store::messages::appendChunk(db, id, s, rest);
            store::messages::finish(db, id,
                                    {domain::MessageStatus::Complete,
                                     {},
                                     reason,
                                     usage.promptTokens,
                                     usage.completionTokens,
                                     -1,
                                     {},
                                     {},
                                     usage.cachedTokens,
                                     usage.reasoningTokens});
        });
        live.end(id);
    }
    // Wait for the writer: its work is part of the cost.
    store.write([](QSqlDatabase &) {}).waitForFinished();
    const double spent = processCpuMicros() - start;
    return {spent / double(std::max<qint64>(1, tokens)), tokens, messages};
}

} // namespace

int runBenchStream(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Wire-protocol parse throughput and per-token streaming cost."));
    parser.addOption({QStringLiteral("json"), QStringLiteral("Print JSON.")});
    parser.addOption({QStringLiteral("mb"),
                      QStringLiteral("Transcript size per protocol (MB, default 32)."),
                      QStringLiteral("n"), QStringLiteral("32")});
    parser.addOption({QStringLiteral("tokens"),
                      QStringLiteral("Tokens per figure (default 22222)."), QStringLiteral("n"),
                      QStringLiteral("22222")});
    parser.process(QStringList{QStringLiteral("arbord-bench-stream")} + args);
    const auto mbOption = wholeOption(parser, QCommandLineOption(QStringLiteral("mb")), 1, 4096,
                                      QStringLiteral("bench stream"));
    const auto tokensOption = wholeOption(parser, QCommandLineOption(QStringLiteral("tokens")),
                                          1000, 100'000'000, QStringLiteral("bench stream"));
    if (!mbOption || !tokensOption)
        return Usage;
    const int mb = int(*mbOption);
    const int totalTokens = int(*tokensOption);

    QJsonObject out;
    for (const Protocol &p : protocols)
        out.insert(QStringLiteral("parse_mb_per_s_") + QLatin1String(p.name),
                   parseThroughput(p, mb));

    QTemporaryDir dir;
    store::Store store(dir.filePath(QStringLiteral("bench.db")));
    store.open();
    domain::Conversation conv;
    conv.id = domain::newId();
    conv.title = QStringLiteral("bench stream");
    conv.settings = QStringLiteral("{}");
    store.write([conv](QSqlDatabase &db) { store::conversations::insert(db, conv); })
        .waitForFinished();

    // Tokens average 4.5 characters: 222 tokens ≈ 1,000 characters, 22,222 ≈ 100,000. The short
    // figure streams many short replies so both figures cover the same number of tokens.
    constexpr int ShortTokens = 222;
    const int longTokens = 22222;
    tokenCost(store, conv.id, 4, ShortTokens); // warm-up: caches, the writer's statements
    const TokenCost shortCost =
        tokenCost(store, conv.id, std::max(1, totalTokens / ShortTokens), ShortTokens);
    const TokenCost longCost =
        tokenCost(store, conv.id, std::max(1, totalTokens / longTokens), longTokens);
    out.insert(QStringLiteral("us_per_token_short"), shortCost.usPerToken);
    out.insert(QStringLiteral("us_per_token_long"), longCost.usPerToken);
    out.insert(QStringLiteral("long_over_short"), longCost.usPerToken / shortCost.usPerToken);
    out.insert(QStringLiteral("tokens_short"), shortCost.tokens);
    out.insert(QStringLiteral("tokens_long"), longCost.tokens);

    QTextStream cout(stdout);
    if (parser.isSet(QStringLiteral("json"))) {
        cout << QJsonDocument(out).toJson(QJsonDocument::Indented);
        return Ok;
    }
    for (const Protocol &p : protocols) {
        const QString key = QStringLiteral("parse_mb_per_s_") + QLatin1String(p.name);
        cout << key << ": " << QString::number(out.value(key).toDouble(), 'f', 1) << "\n";
    }
    cout << "us_per_token_short: " << QString::number(shortCost.usPerToken, 'f', 2) << "  ("
         << shortCost.tokens << " tokens in " << shortCost.messages
         << " replies of ~1,000 characters)\n";
    cout << "us_per_token_long: " << QString::number(longCost.usPerToken, 'f', 2) << "  ("
         << longCost.tokens << " tokens in " << longCost.messages
         << " reply of ~100,000 characters)\n";
    cout << "long_over_short: "
         << QString::number(longCost.usPerToken / shortCost.usPerToken, 'f', 2)
         << "  (target ≤ 1.5)\n";
    cout << "model update: emulated ThreadModel append (app/ links Qt Quick; arbord does not)\n";
    return Ok;
}

} // namespace arbor::cli
