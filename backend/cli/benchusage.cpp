// arbord bench usage: the usage ledger at 1,000,000 messages (issue 19): a 90-day by-day-by-model
// report from the kept totals, and what keeping them costs when a reply finishes.
#include "commands.h"
#include "common.h"

#include "core/backend.h"
#include "domain/ids.h"
#include "store/messagequeries.h"
#include "store/sql.h"
#include "store/store.h"
#include "store/usagequeries.h"
#include "usage/usageservice.h"

#include <QCommandLineParser>
#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTextStream>

#include <algorithm>

namespace arbor::cli {

namespace {

struct Rng
{
    quint64 state;
    quint64 next()
    {
        quint64 z = (state += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    int below(int n) { return int(next() % quint64(n)); }
};

double median(QList<double> v)
{
    std::sort(v.begin(), v.end());
    return v.isEmpty() ? 0 : v.at(v.size() / 2);
}

constexpr qint64 DayMs = 24 * 3600 * 1000;

/**
 * Conversations of alternating user and assistant messages (a chain), their replies spread over
 * the past year, each from one of @p models models on three providers, with usage and a cost.
 * Written through the store's own triggers, so the totals are kept as they are in use.
 */
void build(store::Store &store, int conversations, int perConversation, int models,
           QTextStream &log)
{
    Rng rng{19};
    const qint64 now = domain::nowMs();
    constexpr int Batch = 100;
    for (int first = 0; first < conversations; first += Batch) {
        const int last = std::min(conversations, first + Batch);
        store
            .write([&](QSqlDatabase &db) {
                QSqlQuery conv(db);
                conv.prepare(QStringLiteral("INSERT INTO conversations (id, title, settings,"
                                            " created_at, updated_at) VALUES (?, ?, '{}', ?, ?)"));
                QSqlQuery msg(db);
                msg.prepare(QStringLiteral(
                    "INSERT INTO messages (id, conversation_id, parent_id, role, author,"
                    " provider, model, content, status, prompt_tokens, completion_tokens,"
                    " cached_tokens, reasoning_tokens, cost_nanos, currency, created_at,"
                    " finished_at) VALUES (?, ?, ?, ?, '', ?, ?, 'x', 'complete', ?, ?, ?, ?, ?,"
                    " ?, ?, ?)"));
                for (int c = first; c < last; ++c) {
                    const QString cid = domain::newId();
                    qint64 clock = now - qint64(rng.below(365)) * DayMs - rng.below(DayMs / 2);
                    conv.addBindValue(cid);
                    conv.addBindValue(QStringLiteral("Bench %1").arg(c));
                    conv.addBindValue(clock);
                    conv.addBindValue(clock);
                    conv.exec();
                    const int model = rng.below(models);
                    QString parent;
                    for (int i = 0; i < perConversation; ++i) {
                        const bool user = i % 2 == 0;
                        const QString id = domain::newId();
                        clock += 1000 + rng.below(60'000);
                        const int input = 200 + rng.below(4000);
                        const int output = 50 + rng.below(1500);
                        msg.addBindValue(id);
                        msg.addBindValue(cid);
                        msg.addBindValue(parent.isEmpty() ? QVariant() : QVariant(parent));
                        msg.addBindValue(user ? QStringLiteral("user")
                                              : QStringLiteral("assistant"));
                        // Not NULL: the user's rows have no provider or model ("").
                        msg.addBindValue(user ? QStringLiteral("")
                                              : QStringLiteral("provider-%1").arg(model % 3));
                        msg.addBindValue(user ? QStringLiteral("")
                                              : QStringLiteral("model-%1").arg(model));
                        msg.addBindValue(user ? QVariant() : QVariant(input));
                        msg.addBindValue(user ? QVariant() : QVariant(output));
                        msg.addBindValue(user ? QVariant() : QVariant(input / 3));
                        msg.addBindValue(user ? QVariant() : QVariant(output / 4));
                        msg.addBindValue(user ? QVariant() : QVariant(qint64(input) * 2500));
                        msg.addBindValue(user ? QVariant() : QVariant(QStringLiteral("USD")));
                        msg.addBindValue(clock);
                        msg.addBindValue(clock);
                        if (!msg.exec())
                            throw store::StoreError(QStringLiteral("bench insert failed: %1")
                                                        .arg(msg.lastError().text()));
                        parent = id;
                    }
                }
            })
            .waitForFinished();
        if ((last / Batch) % 10 == 0)
            log << "bench usage: built " << last << " of " << conversations << " conversations\n"
                << Qt::flush;
    }
}

/** The usage triggers a reply's finish wakes: the day totals' (0013), the branch sums' (0019). */
const QStringList DayTriggers{QStringLiteral("usage_update_out"),
                              QStringLiteral("usage_update_in")};
const QStringList PathTriggers{QStringLiteral("usage_path_own")};

/** Drops @p names; returns their SQL, to put them back. */
QStringList dropTriggers(const QSqlDatabase &db, const QStringList &names)
{
    QStringList out;
    for (const QString &name : names) {
        QSqlQuery q = store::exec(
            db, QStringLiteral("SELECT sql FROM sqlite_schema WHERE type = 'trigger' AND name = ?"),
            {name});
        if (q.next())
            out << q.value(0).toString();
        q.finish();
        store::exec(db, QStringLiteral("DROP TRIGGER ") + name);
    }
    return out;
}

/** A conversation whose visible path is a chain of @p length messages, every other one a reply
 *  with usage; returns its id. */
QString buildLongPath(store::Store &store, int length)
{
    const QString cid = domain::newId();
    const qint64 now = domain::nowMs();
    store
        .write([&](QSqlDatabase &db) {
            store::exec(db,
                        QStringLiteral("INSERT INTO conversations (id, title, settings,"
                                       " created_at, updated_at) VALUES (?, 'Long', '{}', ?, ?)"),
                        {cid, now, now});
            QSqlQuery msg(db);
            msg.prepare(QStringLiteral(
                "INSERT INTO messages (id, conversation_id, parent_id, role, provider, model,"
                " content, status, prompt_tokens, completion_tokens, cost_nanos, currency,"
                " created_at, finished_at) VALUES (?, ?, ?, ?, ?, ?, 'x', 'complete', ?, ?, ?, ?,"
                " ?, ?)"));
            QString parent;
            for (int i = 0; i < length; ++i) {
                const bool user = i % 2 == 0;
                const QString id = domain::newId();
                msg.addBindValue(id);
                msg.addBindValue(cid);
                msg.addBindValue(parent.isEmpty() ? QVariant() : QVariant(parent));
                msg.addBindValue(user ? QStringLiteral("user") : QStringLiteral("assistant"));
                msg.addBindValue(user ? QStringLiteral("") : QStringLiteral("provider-0"));
                msg.addBindValue(user ? QStringLiteral("") : QStringLiteral("model-0"));
                msg.addBindValue(user ? QVariant() : QVariant(1000));
                msg.addBindValue(user ? QVariant() : QVariant(200));
                msg.addBindValue(user ? QVariant() : QVariant(qint64(2'500'000)));
                msg.addBindValue(user ? QVariant() : QVariant(QStringLiteral("USD")));
                msg.addBindValue(now - length + i);
                msg.addBindValue(now - length + i);
                if (!msg.exec())
                    throw store::StoreError(
                        QStringLiteral("bench insert failed: %1").arg(msg.lastError().text()));
                parent = id;
            }
            store::exec(db,
                        QStringLiteral("UPDATE conversations SET current_leaf_id = ? WHERE id = ?"),
                        {parent, cid});
        })
        .waitForFinished();
    return cid;
}

/**
 * Finishes @p count streaming replies with usage, timing each messages::finish() (the whole
 * write: fold, price, usage, triggers); with or without the totals' triggers.
 */
QList<double> finishTimes(const QSqlDatabase &db, const QString &conversationId, int count)
{
    const qint64 now = domain::nowMs();
    QStringList ids;
    for (int i = 0; i < count; ++i) {
        domain::Message m;
        m.id = domain::newId();
        m.conversationId = conversationId;
        m.role = QStringLiteral("assistant");
        m.provider = QStringLiteral("provider-1");
        m.model = QStringLiteral("model-1");
        m.status = domain::MessageStatus::Streaming;
        m.createdAt = now + i;
        store::messages::insert(db, m);
        store::messages::appendChunk(db, m.id, 0, QStringLiteral("Some reply text."));
        ids << m.id;
    }
    QList<double> us;
    for (const QString &id : std::as_const(ids)) {
        QElapsedTimer t;
        t.start();
        store::messages::finish(db, id,
                                {domain::MessageStatus::Complete,
                                 {},
                                 QStringLiteral("stop"),
                                 1200,
                                 300,
                                 -1,
                                 {},
                                 {},
                                 100,
                                 50});
        us.append(double(t.nsecsElapsed()) / 1000.0);
    }
    return us;
}

} // namespace

int runBenchUsage(const QStringList &args)
{
    QCommandLineParser parser;
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("Print JSON."));
    const QCommandLineOption messagesOption(QStringLiteral("messages"),
                                            QStringLiteral("Messages in the store."),
                                            QStringLiteral("N"), QStringLiteral("1000000"));
    const QCommandLineOption conversationsOption(QStringLiteral("conversations"),
                                                 QStringLiteral("Conversations in the store."),
                                                 QStringLiteral("N"), QStringLiteral("10000"));
    const QCommandLineOption modelsOption(QStringLiteral("models"), QStringLiteral("Models."),
                                          QStringLiteral("N"), QStringLiteral("30"));
    const QCommandLineOption runsOption(QStringLiteral("runs"), QStringLiteral("Runs per figure."),
                                        QStringLiteral("N"), QStringLiteral("21"));
    const QCommandLineOption pathOption(
        QStringLiteral("path"), QStringLiteral("Messages on the long branch read for its total."),
        QStringLiteral("N"), QStringLiteral("100000"));
    const QCommandLineOption dbOption(
        QStringLiteral("db"), QStringLiteral("Build in PATH (default: a temporary folder)."),
        QStringLiteral("PATH"));
    parser.addOptions({json, messagesOption, conversationsOption, modelsOption, runsOption,
                       pathOption, dbOption});
    if (!parser.parse(QStringList{QStringLiteral("arbord bench usage")} + args)) {
        QTextStream(stderr) << "arbord bench usage: " << parser.errorText() << "\n";
        return Usage;
    }
    const QString command = QStringLiteral("bench usage");
    const auto total = wholeOption(parser, messagesOption, 2, 1'000'000'000, command);
    const auto conversations = wholeOption(parser, conversationsOption, 1, 100'000'000, command);
    const auto models = wholeOption(parser, modelsOption, 1, 10'000, command);
    const auto runs = wholeOption(parser, runsOption, 1, 100'000, command);
    const auto pathLength = wholeOption(parser, pathOption, 2, 10'000'000, command);
    if (!total || !conversations || !models || !runs || !pathLength)
        return Usage;
    const int perConversation = int(std::max<qint64>(2, *total / *conversations));
    QTextStream log(stderr);
    QTemporaryDir dir;
    const QString path =
        parser.isSet(dbOption) ? parser.value(dbOption) : dir.filePath(QStringLiteral("bench.db"));

    QString longPath;
    QElapsedTimer buildTimer;
    buildTimer.start();
    {
        store::Store store(path, 1);
        store.open();
        build(store, int(*conversations), perConversation, int(*models), log);
        log << "bench usage: building a branch of " << *pathLength << " messages\n" << Qt::flush;
        longPath = buildLongPath(store, int(*pathLength));
        store.close();
    }
    const double buildS = double(buildTimer.elapsed()) / 1000.0;

    core::Backend backend({path, 0, false, 1});
    backend.open();
    // The 90 local days up to today, by day and model, as the Usage page's chart asks.
    usage::ReportOptions report;
    const QDate today = QDate::currentDate();
    report.sinceDay = today.addDays(-89).toString(Qt::ISODate);
    report.untilDay = today.toString(Qt::ISODate);
    report.groups = store::usage::ByDay | store::usage::ByModel;
    qsizetype rows = 0;
    QList<double> query;
    for (int i = 0; i < *runs; ++i) {
        QElapsedTimer t;
        t.start();
        rows = backend.usage().report(report).result().size();
        query.append(double(t.nsecsElapsed()) / 1e6);
    }

    // The branch total at the leaf of the long path, as the header reads it (the kept sums),
    // and by walking the path (as before migration 0019), for comparison.
    QList<double> branch, walked;
    qint64 branchMessages = 0;
    backend.store()
        .write([&](QSqlDatabase &db) {
            for (int i = 0; i < *runs; ++i) {
                QElapsedTimer t;
                t.start();
                const QList<store::usage::Totals> totals = store::usage::pathTotals(db, longPath);
                branch.append(double(t.nsecsElapsed()) / 1000.0);
                branchMessages = totals.isEmpty() ? 0 : totals.first().messages;
                t.restart();
                store::usage::walkedPathTotals(db, longPath);
                walked.append(double(t.nsecsElapsed()) / 1000.0);
            }
        })
        .waitForFinished();

    // Finishes with the totals' triggers and without them, in alternating rounds on the same
    // store; the difference of the medians is what keeping the totals adds to a finish.
    const QString benchConversation = domain::newId();
    const qint64 now = domain::nowMs();
    backend.store()
        .write([&](QSqlDatabase &db) {
            store::exec(db,
                        QStringLiteral("INSERT INTO conversations (id, title, settings,"
                                       " created_at, updated_at) VALUES (?, 'Finish', '{}', ?, ?)"),
                        {benchConversation, now, now});
        })
        .waitForFinished();
    constexpr int PerRound = 200;
    QList<double> with, withoutPaths, without;
    for (int round = 0; round < 5; ++round) {
        backend.store()
            .write([&](QSqlDatabase &db) {
                with += finishTimes(db, benchConversation, PerRound);
                QStringList triggers = dropTriggers(db, PathTriggers);
                withoutPaths += finishTimes(db, benchConversation, PerRound);
                triggers += dropTriggers(db, DayTriggers);
                without += finishTimes(db, benchConversation, PerRound);
                for (const QString &sql : std::as_const(triggers))
                    store::exec(db, sql);
            })
            .waitForFinished();
    }
    const double finishWith = median(with);
    const double finishWithout = median(without);
    const QJsonObject figures{
        {QStringLiteral("scenario"), QStringLiteral("usage")},
        {QStringLiteral("store_messages"), qint64(perConversation) * *conversations},
        {QStringLiteral("conversations"), *conversations},
        {QStringLiteral("models"), *models},
        {QStringLiteral("build_s"), buildS},
        {QStringLiteral("usage_query_ms"), median(query)},
        {QStringLiteral("usage_query_rows"), rows},
        {QStringLiteral("finish_us"), finishWith},
        {QStringLiteral("finish_without_totals_us"), finishWithout},
        {QStringLiteral("finish_overhead_us"), finishWith - finishWithout},
        {QStringLiteral("finish_branch_overhead_us"), finishWith - median(withoutPaths)},
        {QStringLiteral("branch_messages"), *pathLength},
        {QStringLiteral("branch_replies_counted"), branchMessages},
        {QStringLiteral("branch_total_us"), median(branch)},
        {QStringLiteral("branch_walk_us"), median(walked)},
        {QStringLiteral("runs"), *runs},
        {QStringLiteral("finishes"), int(with.size())},
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
