// arbord bench tree: the scale figures of conversation trees (issue: trees at 100,000 messages).
#include "benchdata.h"
#include "commands.h"
#include "common.h"

#include "chat/chatservice.h"
#include "core/backend.h"
#include "domain/ids.h"
#include "store/messagequeries.h"
#include "store/sql.h"
#include "store/store.h"
#include "store/treequeries.h"
#include "tree/treelayout.h"

#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTextStream>

#include <algorithm>

namespace arbor::cli {

using benchdata::makeConversation;
using benchdata::Rng;
using benchdata::TextMaker;

namespace {

double median(QList<double> v)
{
    std::sort(v.begin(), v.end());
    return v.isEmpty() ? 0 : v.at(v.size() / 2);
}

template<class F>
double timeMs(F &&f)
{
    QElapsedTimer t;
    t.start();
    f();
    return double(t.nsecsElapsed()) / 1e6;
}

} // namespace

int runBenchTree(const QStringList &args)
{
    QCommandLineParser parser;
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("Print JSON."));
    const QCommandLineOption messages(QStringLiteral("messages"),
                                      QStringLiteral("Size of the big conversation."),
                                      QStringLiteral("N"), QStringLiteral("100000"));
    const QCommandLineOption depthOption(QStringLiteral("depth"),
                                         QStringLiteral("Its deepest path."), QStringLiteral("N"),
                                         QStringLiteral("2000"));
    const QCommandLineOption storeMessages(QStringLiteral("store-messages"),
                                           QStringLiteral("Messages in the whole store."),
                                           QStringLiteral("N"), QStringLiteral("1000000"));
    const QCommandLineOption conversationsOption(QStringLiteral("conversations"),
                                                 QStringLiteral("Conversations in the store."),
                                                 QStringLiteral("N"), QStringLiteral("1000"));
    const QCommandLineOption runsOption(QStringLiteral("runs"),
                                        QStringLiteral("Warm runs per figure."),
                                        QStringLiteral("N"), QStringLiteral("21"));
    const QCommandLineOption dbOption(
        QStringLiteral("db"), QStringLiteral("Build in PATH (default: a temporary folder)."),
        QStringLiteral("PATH"));
    parser.addOptions(
        {json, messages, depthOption, storeMessages, conversationsOption, runsOption, dbOption});
    if (!parser.parse(QStringList{QStringLiteral("arbord bench tree")} + args)) {
        QTextStream(stderr) << "arbord bench tree: " << parser.errorText() << "\n";
        return Usage;
    }
    const QString command = QStringLiteral("bench tree");
    const auto bigValue = wholeOption(parser, messages, 1, 100'000'000, command);
    const auto depthValue = wholeOption(parser, depthOption, 2, 100'000'000, command);
    const auto totalValue = wholeOption(parser, storeMessages, 1, 1'000'000'000, command);
    const auto conversationsValue =
        wholeOption(parser, conversationsOption, 1, 100'000'000, command);
    const auto runsValue = wholeOption(parser, runsOption, 1, 100'000, command);
    if (!bigValue || !depthValue || !totalValue || !conversationsValue || !runsValue)
        return Usage;
    const int bigCount = int(*bigValue);
    const int depth = int(*depthValue);
    const int total = std::max(bigCount, int(*totalValue));
    const int conversations = int(*conversationsValue);
    const int runs = int(*runsValue);
    QTextStream log(stderr);
    QTemporaryDir dir;
    const QString path =
        parser.isSet(dbOption) ? parser.value(dbOption) : dir.filePath(QStringLiteral("bench.db"));

    QString bigConversation;
    QString bigLeaf;
    double buildMs = 0;
    {
        store::Store store(path, 1);
        store.open();
        buildMs = timeMs([&] {
            Rng rng{42};
            TextMaker text(rng);
            qint64 clock = domain::nowMs();
            bigLeaf = store
                          .write([&](QSqlDatabase &db) {
                              return makeConversation(db, rng, text, bigCount, depth, clock,
                                                      &bigConversation);
                          })
                          .result();
            const int others = conversations - 1;
            const int each = others > 0 ? (total - bigCount) / others : 0;
            for (int c = 0; c < others && each > 0; ++c) {
                QString id;
                store
                    .write([&](QSqlDatabase &db) {
                        return makeConversation(db, rng, text, each, std::min(each, 200), clock,
                                                &id);
                    })
                    .waitForFinished();
                if (c % 100 == 99)
                    log << "bench tree: built " << (c + 1) << " of " << others << " conversations\n"
                        << Qt::flush;
            }
        });
        store.close();
    }

    core::Backend backend({path, 0, false, 1});
    backend.open();
    auto &chat = backend.chat();
    QList<domain::Message> path0;
    const double openCold = timeMs([&] { path0 = chat.visiblePath(bigConversation).result(); });
    QList<double> open;
    for (int i = 0; i < runs; ++i)
        open.append(timeMs([&] { chat.visiblePath(bigConversation).result(); }));

    // Forks on the visible path, deepest last: switching there touches the fewest rows.
    QList<domain::Message> forks;
    for (const auto &m : std::as_const(path0)) {
        if (m.siblingCount > 1)
            forks.append(m);
    }
    QList<double> switchWrite;
    QList<double> switchTotal;
    for (int i = 0; i < runs && !forks.isEmpty(); ++i) {
        const auto &fork = forks.at(forks.size() - 1 - (i % std::min<qsizetype>(forks.size(), 10)));
        const double w = timeMs([&] { chat.switchSibling(fork.id, i % 2 ? -1 : 1).result(); });
        // What the thread view reads after a switch: the rows below the fork.
        const double r =
            timeMs([&] { chat.visiblePathBelow(bigConversation, fork.parentId).result(); });
        switchWrite.append(w);
        switchTotal.append(w + r);
    }
    QList<double> layoutLoad;
    QList<double> layoutCompute;
    int columns = 0;
    for (int i = 0; i < std::min(runs, 5); ++i) {
        QList<store::tree::TreeNode> nodes;
        layoutLoad.append(timeMs([&] { nodes = chat.tree(bigConversation, false).result(); }));
        layoutCompute.append(timeMs([&] { columns = tree::TreeLayout::compute(nodes).columns(); }));
    }
    // A rare word, a rare phrase, a frequent word and two frequent words: FTS5 ranks every
    // match of the frequent ones before taking the top 50.
    const QStringList queries{QStringLiteral("zephyrine"), QStringLiteral("zephyrine quokka"),
                              QStringLiteral("arno"), QStringLiteral("wojowo pace")};
    QList<double> search;
    QJsonObject searchByQuery;
    int hits = 0;
    for (int i = 0; i < runs; ++i) {
        for (const QString &q : queries)
            search.append(timeMs([&] { hits += int(chat.search(q, 50).result().size()); }));
    }
    for (const QString &q : queries) {
        QList<double> one;
        for (int i = 0; i < runs; ++i)
            one.append(timeMs([&] { chat.search(q, 50).result(); }));
        searchByQuery.insert(q, median(one));
    }
    const qint64 dbBytes = QFileInfo(path).size() + QFileInfo(path + QStringLiteral("-wal")).size();
    backend.close();

    const QJsonObject figures{
        {QStringLiteral("scenario"), QStringLiteral("tree")},
        {QStringLiteral("big_conversation_messages"), bigCount},
        {QStringLiteral("deepest_path"), int(path0.size())},
        {QStringLiteral("forks_on_path"), int(forks.size())},
        {QStringLiteral("store_messages"), total},
        {QStringLiteral("conversations"), conversations},
        {QStringLiteral("build_s"), buildMs / 1000.0},
        {QStringLiteral("open_path_ms"), median(open)},
        {QStringLiteral("open_path_cold_ms"), openCold},
        {QStringLiteral("switch_branch_ms"), median(switchTotal)},
        {QStringLiteral("switch_branch_write_ms"), median(switchWrite)},
        {QStringLiteral("tree_layout_ms"), median(layoutLoad) + median(layoutCompute)},
        {QStringLiteral("tree_load_ms"), median(layoutLoad)},
        {QStringLiteral("tree_compute_ms"), median(layoutCompute)},
        {QStringLiteral("tree_columns"), columns},
        {QStringLiteral("search_ms"), median(search)},
        {QStringLiteral("search_hits"), hits},
        {QStringLiteral("search_ms_by_query"), searchByQuery},
        {QStringLiteral("db_bytes"), dbBytes},
        {QStringLiteral("runs"), runs},
    };
    QTextStream out(stdout);
    if (parser.isSet(json)) {
        out << QJsonDocument(figures).toJson(QJsonDocument::Indented);
    } else {
        for (auto it = figures.constBegin(); it != figures.constEnd(); ++it)
            out << it.key() << ": " << it.value().toVariant().toString() << "\n";
    }
    return Ok;
}

} // namespace arbor::cli
