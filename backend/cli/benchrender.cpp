// arbord bench render: the CPU cost per streamed token of splitting a reply into Markdown blocks
// while it is stored the way a live reply is (issue 17: messages are documents). A token must
// cost the same at 1,000 characters and at 100,000.
#include "commands.h"
#include "common.h"

#include "domain/ids.h"
#include "render/blocksplitter.h"
#include "store/conversationqueries.h"
#include "store/messagequeries.h"
#include "store/store.h"

#include <QCommandLineParser>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTextStream>

namespace arbor::cli {

namespace {

/** A reply as a model writes one: sections of prose, lists (one nested), a table, a code fence
 *  with a language, a numbered list and a quote, repeated up to @p chars characters. */
QString reply(qsizetype chars)
{
    static const char *const prose[] = {
        "The tree keeps every branch, so nothing is lost when you regenerate an answer. ",
        "Each message is stored once; the visible thread is the path to the current leaf. ",
        "Streaming appends to the open block only, and closed blocks never change. ",
        "A block is rendered once, when it closes: Markdown costs grow faster than text. ",
    };
    QString out;
    for (int section = 1; out.size() < chars; ++section) {
        out += QStringLiteral("## Section %1\n\n").arg(section);
        for (int s = 0; s < 3; ++s)
            out += QLatin1StringView(prose[(section + s) % 4]);
        out += QStringLiteral("\n\n- **Branches** stay in the tree\n- Regenerate adds a sibling\n"
                              "  - the old answer remains\n  - switch with the arrows\n"
                              "- Search covers `every` node\n\n");
        out +=
            QStringLiteral("| Store | Rows | Time |\n|---|---:|---:|\n| SQLite | 1,000 | 2 ms |\n"
                           "| PostgreSQL | 100,000 | 40 ms |\n| Memory | 10 | 0 ms |\n\n");
        out += QStringLiteral("```cpp\nint main()\n{\n    QCoreApplication app(argc, argv);\n"
                              "    for (int i = 0; i < %1; ++i)\n        process(i);\n"
                              "    return app.exec();\n}\n```\n\n")
                   .arg(section * 10);
        out += QStringLiteral("1. Open the conversation\n2. Pick a branch\n3. Continue from it\n\n"
                              "> Messages are documents: a list of blocks.\n\n");
    }
    return out.left(chars);
}

/** Cuts @p text into tokens of 1 to 7 characters (4 on average), as a model streams it. */
QStringList tokens(const QString &text, quint32 seed)
{
    QRandomGenerator rng(seed);
    QStringList out;
    for (qsizetype at = 0; at < text.size();) {
        const qsizetype n = std::min<qsizetype>(1 + rng.bounded(7), text.size() - at);
        out.append(text.sliced(at, n));
        at += n;
    }
    return out;
}

struct TokenCost
{
    double usPerToken = 0;
    qint64 tokens = 0;
    qint64 replies = 0;
    qint64 blocks = 0;
    qint64 seen = 0; ///< what the frames read (blocks and tail characters)
};

/**
 * Streams @p replies replies, each the tokens @p reply, through a BlockSplitter; with a
 * @p store, also the way ReplySession stores a live reply: the text since the last flush goes
 * to the store writer as a chunk every FlushEvery tokens, and the message is finished at the
 * end. Every FlushEvery tokens a "frame" reads what a view shows: the closed blocks and the open
 * tail. CPU time of the whole process, store thread included.
 */
TokenCost tokenCost(store::Store *store, const QString &conversationId, const QStringList &reply,
                    int replies)
{
    constexpr int FlushEvery = 16;
    QStringList ids;
    for (int r = 0; store && r < replies; ++r) {
        domain::Message msg;
        msg.id = domain::newId();
        msg.conversationId = conversationId;
        msg.role = QStringLiteral("assistant");
        msg.provider = QStringLiteral("bench");
        msg.model = QStringLiteral("bench");
        msg.status = domain::MessageStatus::Streaming;
        ids.append(msg.id);
        store->write([msg](QSqlDatabase &db) { store::messages::insert(db, msg); })
            .waitForFinished();
    }

    TokenCost cost;
    const double start = processCpuMicros();
    for (int r = 0; r < replies; ++r) {
        render::BlockSplitter splitter;
        const QString id = store ? ids.at(r) : QString();
        QString pending;
        int seq = 0;
        int sinceFlush = 0;
        for (const QString &token : reply) {
            splitter.append(token);
            if (store)
                pending += token;
            if (++sinceFlush < FlushEvery)
                continue;
            sinceFlush = 0;
            if (store) {
                store->post([id, s = seq++, text = std::exchange(pending, {})](QSqlDatabase &db) {
                    store::messages::appendChunk(db, id, s, text);
                });
            }
            cost.seen += splitter.closedBlocks().size();
            if (const auto tail = splitter.openTail())
                cost.seen += tail->source.size();
        }
        splitter.finish();
        cost.blocks += splitter.closedBlocks().size();
        if (store) {
            store->post([id, s = seq++, rest = std::exchange(pending, {})](QSqlDatabase &db) {
                if (!rest.isEmpty())
                    store::messages::appendChunk(db, id, s, rest);
                store::messages::finish(db, id, {domain::MessageStatus::Complete, {}, {}, -1, -1});
            });
        }
    }
    if (store) // wait for the writer: its work is part of the cost
        store->write([](QSqlDatabase &) {}).waitForFinished();
    const double spent = processCpuMicros() - start;
    cost.tokens = qint64(reply.size()) * replies;
    cost.replies = replies;
    cost.usPerToken = spent / double(std::max<qint64>(1, cost.tokens));
    return cost;
}

} // namespace

int runBenchRender(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "CPU cost per streamed token of splitting a reply into Markdown blocks and storing it."));
    parser.addOption({QStringLiteral("json"), QStringLiteral("Print JSON.")});
    parser.addOption({QStringLiteral("tokens"),
                      QStringLiteral("Tokens per figure (default 100000)."), QStringLiteral("n"),
                      QStringLiteral("100000")});
    parser.process(QStringList{QStringLiteral("arbord-bench-render")} + args);
    const auto tokensOption = wholeOption(parser, QCommandLineOption(QStringLiteral("tokens")),
                                          1000, 100'000'000, QStringLiteral("bench render"));
    if (!tokensOption)
        return Usage;

    QTemporaryDir dir;
    store::Store store(dir.filePath(QStringLiteral("bench.db")));
    store.open();
    domain::Conversation conv;
    conv.id = domain::newId();
    conv.title = QStringLiteral("bench render");
    conv.settings = QStringLiteral("{}");
    store.write([conv](QSqlDatabase &db) { store::conversations::insert(db, conv); })
        .waitForFinished();

    const QStringList shortReply = tokens(reply(1000), 1);
    const QStringList longReply = tokens(reply(100'000), 2);
    // Both figures cover about the same number of tokens: many short replies, a few long ones.
    const int shortReplies = int(std::max<qint64>(1, *tokensOption / shortReply.size()));
    const int longReplies = int(std::max<qint64>(1, *tokensOption / longReply.size()));

    tokenCost(&store, conv.id, shortReply, 8); // warm-up: caches, the writer's statements
    const TokenCost shortCost = tokenCost(&store, conv.id, shortReply, shortReplies);
    const TokenCost longCost = tokenCost(&store, conv.id, longReply, longReplies);
    const TokenCost shortSplit = tokenCost(nullptr, {}, shortReply, shortReplies);
    const TokenCost longSplit = tokenCost(nullptr, {}, longReply, longReplies);

    QJsonObject out;
    out.insert(QStringLiteral("us_per_token_short"), shortCost.usPerToken);
    out.insert(QStringLiteral("us_per_token_long"), longCost.usPerToken);
    out.insert(QStringLiteral("ratio"), longCost.usPerToken / shortCost.usPerToken);
    out.insert(QStringLiteral("split_us_per_token_short"), shortSplit.usPerToken);
    out.insert(QStringLiteral("split_us_per_token_long"), longSplit.usPerToken);
    out.insert(QStringLiteral("split_ratio"), longSplit.usPerToken / shortSplit.usPerToken);
    out.insert(QStringLiteral("tokens_short"), shortCost.tokens);
    out.insert(QStringLiteral("tokens_long"), longCost.tokens);
    out.insert(QStringLiteral("blocks_per_long_reply"), longCost.blocks / longCost.replies);

    QTextStream cout(stdout);
    if (parser.isSet(QStringLiteral("json"))) {
        cout << QJsonDocument(out).toJson(QJsonDocument::Indented);
        return Ok;
    }
    const auto figure = [](double v) { return QString::number(v, 'f', 2); };
    cout << "us_per_token_short: " << figure(shortCost.usPerToken) << "  (" << shortCost.tokens
         << " tokens in " << shortCost.replies << " replies of 1,000 characters)\n";
    cout << "us_per_token_long: " << figure(longCost.usPerToken) << "  (" << longCost.tokens
         << " tokens in " << longCost.replies << " replies of 100,000 characters, "
         << longCost.blocks / longCost.replies << " blocks each)\n";
    cout << "ratio: " << figure(longCost.usPerToken / shortCost.usPerToken) << "  (target ≤ 1.5)\n";
    cout << "split only: " << figure(shortSplit.usPerToken) << " / " << figure(longSplit.usPerToken)
         << " us per token (short / long)\n";
    return Ok;
}

} // namespace arbor::cli
