// The usage ledger in the store (migration 0013, store/usagequeries): prices, cost arithmetic,
// and the totals the triggers keep, which must equal a recount from the messages after any mix
// of sends, tombstones, undos, team-sync applies and imports.
#include "domain/message.h"
#include "import/importqueries.h"
#include "store/conversationqueries.h"
#include "store/messagequeries.h"
#include "store/sql.h"
#include "store/treequeries.h"
#include "store/usagequeries.h"
#include "support/dbconnection.h"
#include "sync/localsync.h"
#include "sync/remotequeries.h"

#include <QRandomGenerator>
#include <QSqlRecord>
#include <QTemporaryDir>
#include <QTest>
#include <QTimeZone>

using namespace arbor;
namespace messages = store::messages;
namespace usage = store::usage;
using domain::Message;
using domain::MessageStatus;
using testsupport::DbConnection;

class TestUsageLedger : public QObject
{
    Q_OBJECT

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<DbConnection> m_conn;
    bool m_sawBreaks = false; ///< verifyPaths() met a live message under a tombstoned one
    QSqlDatabase &db() { return m_conn->db(); }

    /** The rows of @p sql as text, one line per row, for comparison. */
    QStringList rows(const QString &sql)
    {
        QSqlQuery q = store::exec(db(), sql);
        QStringList out;
        while (q.next()) {
            QStringList fields;
            for (int i = 0; i < q.record().count(); ++i)
                fields << q.value(i).toString();
            out << fields.join(QLatin1Char('|'));
        }
        return out;
    }

    static QString recount(bool perConversation)
    {
        return QStringLiteral(
                   "SELECT %1 date(coalesce(finished_at, created_at) / 1000, 'unixepoch',"
                   " 'localtime') AS d, provider, model,"
                   " CASE WHEN cost_nanos IS NULL THEN '' ELSE coalesce(currency, '') END AS cur,"
                   " count(*), sum(usage_estimated), sum(coalesce(prompt_tokens, 0)),"
                   " sum(coalesce(completion_tokens, 0)), sum(coalesce(cached_tokens, 0)),"
                   " sum(coalesce(reasoning_tokens, 0)), sum(coalesce(cost_nanos, 0))"
                   " FROM messages WHERE deleted_at IS NULL"
                   " AND (prompt_tokens IS NOT NULL OR completion_tokens IS NOT NULL)"
                   " GROUP BY %1 d, provider, model, cur ORDER BY %1 d, provider, model, cur")
            .arg(perConversation ? QStringLiteral("conversation_id,") : QString());
    }

    static QString kept(bool perConversation)
    {
        return QStringLiteral("SELECT %1 day, provider, model, currency, messages, estimated,"
                              " input_tokens, output_tokens, cached_tokens, reasoning_tokens,"
                              " cost_nanos FROM %2 WHERE NOT (messages = 0 AND estimated = 0"
                              " AND input_tokens = 0 AND output_tokens = 0 AND cached_tokens = 0"
                              " AND reasoning_tokens = 0 AND cost_nanos = 0)"
                              " ORDER BY %1 day, provider, model, currency")
            .arg(perConversation ? QStringLiteral("conversation_id,") : QString(),
                 perConversation ? QStringLiteral("usage_conversation_days")
                                 : QStringLiteral("usage_days"));
    }

    void verifyTotals()
    {
        const QStringList byDay = rows(recount(false));
        QCOMPARE(rows(kept(false)), byDay);
        QCOMPARE(rows(kept(true)), rows(recount(true)));
    }

    /**
     * The branch sums (migration 0019) against a walk of the parent links in C++: every
     * message's kept path sums (tombstoned messages included), the count of live messages under
     * tombstoned parents per conversation, and pathTotals() for a few leaves of each
     * conversation (the figure a live path reads from the kept sums).
     */
    void verifyPaths(QRandomGenerator &rng)
    {
        struct Node
        {
            QString parent, conversation, currency;
            bool deleted = false, used = false;
            QList<qint64> own; // estimated, input, output, cached, reasoning, cost
        };
        QHash<QString, Node> nodes;
        QSqlQuery q = store::exec(
            db(),
            QStringLiteral("SELECT id, coalesce(parent_id, '') AS parent, conversation_id,"
                           " deleted_at IS NOT NULL AS deleted,"
                           " (prompt_tokens IS NOT NULL OR completion_tokens IS NOT NULL) AS used,"
                           " CASE WHEN cost_nanos IS NULL THEN '' ELSE coalesce(currency, '')"
                           " END AS cur, usage_estimated, coalesce(prompt_tokens, 0),"
                           " coalesce(completion_tokens, 0), coalesce(cached_tokens, 0),"
                           " coalesce(reasoning_tokens, 0), coalesce(cost_nanos, 0)"
                           " FROM messages"));
        while (q.next()) {
            Node n{q.value(1).toString(), q.value(2).toString(), q.value(5).toString(),
                   q.value(3).toBool(),   q.value(4).toBool(),   {}};
            for (int i = 6; i < 12; ++i)
                n.own << q.value(i).toLongLong();
            nodes.insert(q.value(0).toString(), n);
        }
        // "currency:messages:estimated:input:output:cached:reasoning:cost", sorted.
        const auto walk = [&](const QString &from, bool liveOnly) {
            QMap<QString, QList<qint64>> sums;
            for (QString at = from; nodes.contains(at); at = nodes[at].parent) {
                const Node &n = nodes[at];
                if (!n.used || (liveOnly && n.deleted))
                    continue;
                QList<qint64> &s = sums[n.currency];
                if (s.isEmpty())
                    s = QList<qint64>(7, 0);
                s[0] += 1;
                for (int i = 0; i < 6; ++i)
                    s[i + 1] += n.own[i];
            }
            QStringList out;
            for (auto it = sums.cbegin(); it != sums.cend(); ++it) {
                QStringList f{it.key()};
                for (qint64 v : it.value())
                    f << QString::number(v);
                out << f.join(QLatin1Char(':'));
            }
            return out;
        };
        const auto text = [](const QList<usage::Totals> &totals) {
            QStringList out;
            for (const usage::Totals &t : totals)
                out << QStringList{t.currency,
                                   QString::number(t.messages),
                                   QString::number(t.estimated),
                                   QString::number(t.inputTokens),
                                   QString::number(t.outputTokens),
                                   QString::number(t.cachedTokens),
                                   QString::number(t.reasoningTokens),
                                   QString::number(t.costNanos)}
                           .join(QLatin1Char(':'));
            out.sort();
            return out;
        };
        QMap<QString, qint64> breaks;
        for (auto it = nodes.cbegin(); it != nodes.cend(); ++it) {
            QCOMPARE(text(usage::messagePathTotals(db(), it.key())), walk(it.key(), false));
            if (!it->deleted && nodes.contains(it->parent) && nodes[it->parent].deleted)
                ++breaks[it->conversation];
        }
        QMap<QString, qint64> kept;
        QSqlQuery b = store::exec(db(),
                                  QStringLiteral("SELECT conversation_id, live_under_deleted FROM"
                                                 " usage_path_breaks WHERE live_under_deleted"
                                                 " <> 0"));
        while (b.next())
            kept.insert(b.value(0).toString(), b.value(1).toLongLong());
        QCOMPARE(kept, breaks);
        m_sawBreaks = m_sawBreaks || !breaks.isEmpty();
        // The branch figure: leaves picked at random in each conversation.
        QHash<QString, QStringList> byConversation;
        for (auto it = nodes.cbegin(); it != nodes.cend(); ++it)
            byConversation[it->conversation] << it.key();
        for (auto it = byConversation.begin(); it != byConversation.end(); ++it) {
            it->sort();
            for (int i = 0; i < 3; ++i) {
                const QString leaf = it->at(rng.bounded(int(it->size())));
                store::exec(db(),
                            QStringLiteral("UPDATE conversations SET current_leaf_id = ?"
                                           " WHERE id = ?"),
                            {leaf, it.key()});
                QCOMPARE(text(usage::pathTotals(db(), it.key())), walk(leaf, true));
                QCOMPARE(text(usage::walkedPathTotals(db(), it.key())), walk(leaf, true));
            }
        }
    }

    void addConversation(const QString &id, const QString &workspace = {})
    {
        domain::Conversation c;
        c.id = id;
        c.title = id;
        c.createdAt = c.updatedAt = 1;
        store::conversations::insert(db(), c);
        if (!workspace.isEmpty())
            store::exec(db(),
                        QStringLiteral("UPDATE conversations SET workspace_id = ? WHERE id = ?"),
                        {workspace, id});
    }

    usage::Price price(const QString &provider, const QString &model, const QString &from,
                       double input)
    {
        usage::Price p;
        p.provider = provider;
        p.model = model;
        p.validFrom = from;
        p.input = input;
        p.output = input * 4;
        return p;
    }

private Q_SLOTS:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        m_conn = std::make_unique<DbConnection>(m_dir->filePath(QStringLiteral("arbor.db")),
                                                DbConnection::Mode::Migrated);
    }

    void cleanup()
    {
        m_conn.reset();
        m_dir.reset();
    }

    void costCountsCachedAndReasoningTokensAtTheirPrices()
    {
        usage::Price p;
        p.input = 3; // per million
        p.output = 15;
        p.cachedInput = 0.3;
        p.reasoning = 20;
        // 1,000 input of which 800 cached, 500 output of which 200 reasoning, in billionths:
        // 200 × 3,000 + 800 × 300 + 300 × 15,000 + 200 × 20,000.
        QCOMPARE(usage::costNanos(p, {1000, 500, 800, 200}),
                 qint64(600'000 + 240'000 + 4'500'000 + 4'000'000));
        // Without their own prices, cached input costs as input and reasoning as output.
        p.cachedInput = -1;
        p.reasoning = -1;
        QCOMPARE(usage::costNanos(p, {1000, 500, 800, 200}), qint64(1000 * 3000 + 500 * 15000));
        // Unknown parts count nothing; a part larger than its whole is capped.
        QCOMPARE(usage::costNanos(p, {1000, -1, -1, -1}), qint64(3'000'000));
        QCOMPARE(usage::costNanos(p, {10, 10, 50, 50}), qint64(10 * 3000 + 10 * 15000));
        // Fractions of a billionth round once per reply: 1 token at $0.0375/M is 37.5 → 38.
        p.input = 0.0375;
        QCOMPARE(usage::costNanos(p, {1, 0, 0, 0}), qint64(38));
        QCOMPARE(usage::estimateTokens(0), 0);
        QCOMPARE(usage::estimateTokens(1), 1);
        QCOMPARE(usage::estimateTokens(8), 2);
        QCOMPARE(usage::estimateTokens(9), 3);
    }

    void thePriceOfAReplyIsTheMostSpecificValidOne()
    {
        store::exec(db(),
                    QStringLiteral("INSERT INTO providers (id, kind, name, created_at)"
                                   " VALUES ('work', 'openai', 'Work', 1)"));
        usage::setPrice(
            db(),
            price(QStringLiteral("openai"), QStringLiteral("m*"), QStringLiteral("2025-01-01"), 1));
        usage::setPrice(db(),
                        price(QStringLiteral("openai"), QStringLiteral("m-big*"),
                              QStringLiteral("2025-01-01"), 2));
        usage::setPrice(db(),
                        price(QStringLiteral("openai"), QStringLiteral("m-big*"),
                              QStringLiteral("2025-06-01"), 3));
        const auto at = [&](const QString &provider, const QString &model, const QString &day) {
            const auto p = usage::priceFor(db(), provider, model, day);
            return p ? p->input : -1.0;
        };
        // By the provider's kind; the longest pattern; the newest valid_from not after the day.
        QCOMPARE(
            at(QStringLiteral("work"), QStringLiteral("m-small"), QStringLiteral("2025-02-01")),
            1.0);
        QCOMPARE(
            at(QStringLiteral("work"), QStringLiteral("m-big-2"), QStringLiteral("2025-02-01")),
            2.0);
        QCOMPARE(
            at(QStringLiteral("work"), QStringLiteral("m-big-2"), QStringLiteral("2025-06-01")),
            3.0);
        QCOMPARE(
            at(QStringLiteral("work"), QStringLiteral("m-big-2"), QStringLiteral("2024-12-31")),
            -1.0);
        // A price for the provider id beats one for its kind.
        usage::setPrice(
            db(),
            price(QStringLiteral("work"), QStringLiteral("m*"), QStringLiteral("2025-01-01"), 9));
        QCOMPARE(
            at(QStringLiteral("work"), QStringLiteral("m-big-2"), QStringLiteral("2025-07-01")),
            9.0);
        // Another provider of no kind known, or a model no pattern covers: no price.
        QCOMPARE(
            at(QStringLiteral("other"), QStringLiteral("m-big-2"), QStringLiteral("2025-07-01")),
            -1.0);
        QCOMPARE(at(QStringLiteral("work"), QStringLiteral("x"), QStringLiteral("2025-07-01")),
                 -1.0);
        QCOMPARE(usage::removePrices(db(), QStringLiteral("openai"), QStringLiteral("m-big*"),
                                     QStringLiteral("2025-06-01")),
                 1);
        QCOMPARE(usage::removePrices(db(), QStringLiteral("openai"), QStringLiteral("m-big*")), 1);
        // The shipped list is there.
        QVERIFY(usage::priceFor(db(), QStringLiteral("openai"), QStringLiteral("gpt-4o-mini"),
                                QStringLiteral("2026-01-01")));
        QVERIFY(usage::priceFor(db(), QStringLiteral("anthropic"),
                                QStringLiteral("claude-sonnet-4-5-20250929"),
                                QStringLiteral("2026-01-01")));
    }

    void totalsEqualARecountAfterRandomChanges()
    {
        QRandomGenerator rng(1919);
        usage::setPrice(
            db(),
            price(QStringLiteral("p1"), QStringLiteral("priced"), QStringLiteral("2000-01-01"), 2));
        usage::Price euro =
            price(QStringLiteral("p2"), QStringLiteral("priced"), QStringLiteral("2000-01-01"), 3);
        euro.currency = QStringLiteral("EUR"); // a branch may mix currencies
        usage::setPrice(db(), euro);
        QStringList conversations;
        for (int i = 0; i < 4; ++i) {
            conversations << QStringLiteral("c%1").arg(i);
            addConversation(conversations.last());
        }
        QHash<QString, QStringList> nodes; // conversation → its messages
        QStringList batches;
        QList<sync::RemoteMessage> remote;
        store::exec(db(),
                    QStringLiteral("INSERT INTO sync_workspaces (id, name, role)"
                                   " VALUES ('w1', 'Team', 'member')"));
        sync::RemoteConversation shared;
        shared.id = QStringLiteral("shared");
        shared.workspaceId = QStringLiteral("w1");
        shared.title = QStringLiteral("Shared");
        shared.createdAt = shared.updatedAt = 1;
        int serial = 0;
        int changedUnderReplies = 0; // usage or cost changed on a message with children
        const auto newId = [&] {
            return QStringLiteral("m%1").arg(++serial, 5, 10, QLatin1Char('0'));
        };
        qint64 clock = 1'760'000'000'000; // October 2025, stepping hours: days turn over
        for (int step = 0; step < 400; ++step) {
            clock += rng.bounded(4 * 3600 * 1000);
            const int op = rng.bounded(100);
            if (op < 8) { // a regeneration: another reply to a question that has one
                const QString cid = conversations.at(rng.bounded(int(conversations.size())));
                const QStringList replies =
                    rows(QStringLiteral("SELECT id FROM messages WHERE conversation_id = '%1'"
                                        " AND role = 'assistant' AND parent_id IS NOT NULL"
                                        " AND deleted_at IS NULL ORDER BY id")
                             .arg(cid));
                if (replies.isEmpty())
                    continue;
                const std::optional<Message> first =
                    messages::get(db(), replies.at(rng.bounded(int(replies.size()))));
                QVERIFY(first);
                Message again = *first;
                again.id = newId();
                again.status = MessageStatus::Streaming;
                again.content.clear();
                again.promptTokens = again.completionTokens = -1;
                again.cachedTokens = again.reasoningTokens = -1;
                again.costNanos = -1;
                again.currency.clear();
                again.createdAt = clock;
                messages::insert(db(), again);
                messages::Finish f;
                f.promptTokens = rng.bounded(5000);
                f.completionTokens = rng.bounded(2000);
                QVERIFY(messages::finish(db(), again.id, f));
                nodes[cid] << again.id;
            } else if (op
                       < 55) { // a send: a question and its reply, finished with or without usage
                const QString cid = conversations.at(rng.bounded(int(conversations.size())));
                QStringList &here = nodes[cid];
                Message user;
                user.id = newId();
                user.conversationId = cid;
                user.parentId = here.isEmpty() ? QString() : here.at(rng.bounded(int(here.size())));
                user.role = QStringLiteral("user");
                user.content = QStringLiteral("question %1").arg(step);
                user.createdAt = clock;
                messages::insert(db(), user);
                Message reply = user;
                reply.id = newId();
                reply.parentId = user.id;
                reply.role = QStringLiteral("assistant");
                reply.provider = rng.bounded(2) ? QStringLiteral("p1") : QStringLiteral("p2");
                reply.model = rng.bounded(2) ? QStringLiteral("priced") : QStringLiteral("free");
                reply.content = QString();
                reply.status = MessageStatus::Streaming;
                reply.createdAt = clock + 1;
                messages::insert(db(), reply);
                messages::appendChunk(db(), reply.id, 0,
                                      QStringLiteral("answer text %1").arg(step));
                messages::Finish f;
                f.status =
                    rng.bounded(10) == 0 ? MessageStatus::Cancelled : MessageStatus::Complete;
                if (rng.bounded(5) > 0) { // the vendor reported usage
                    f.promptTokens = rng.bounded(5000);
                    f.completionTokens = rng.bounded(2000);
                    f.cachedTokens = rng.bounded(3) ? rng.bounded(f.promptTokens + 1) : -1;
                    f.reasoningTokens = rng.bounded(3) ? rng.bounded(f.completionTokens + 1) : -1;
                }
                QVERIFY(messages::finish(db(), reply.id, f));
                here << user.id << reply.id;
            } else if (op < 70) { // a tombstone of a subtree
                const QString cid = conversations.at(rng.bounded(int(conversations.size())));
                const QStringList &here = nodes[cid];
                if (here.isEmpty())
                    continue;
                const QString batch =
                    store::tree::removeSubtree(db(), here.at(rng.bounded(int(here.size()))), clock);
                if (!batch.isEmpty())
                    batches << batch;
            } else if (op < 80) { // its undo
                if (batches.isEmpty())
                    continue;
                store::tree::restore(db(), batches.takeAt(rng.bounded(int(batches.size()))));
            } else { // a team-sync apply: new teammates' replies, or changes to them
                sync::RemoteConversation c = shared;
                QList<sync::RemoteMessage> page;
                const bool big = rng.bounded(4) == 0; // > 32 rows: the staged path
                const int count = big ? 40 : 1 + rng.bounded(3);
                for (int i = 0; i < count; ++i) {
                    if (!remote.isEmpty() && rng.bounded(3) == 0) {
                        sync::RemoteMessage m = remote.at(rng.bounded(int(remote.size())));
                        // A teammate's tombstone of one message (the rest of its subtree may
                        // follow later), its undo, or corrected counts or cost on a message
                        // that may have replies under it by now.
                        const int change = rng.bounded(3);
                        if (change > 0
                            && !rows(QStringLiteral("SELECT 1 FROM messages WHERE parent_id = '%1'")
                                         .arg(m.id))
                                    .isEmpty())
                            ++changedUnderReplies;
                        if (change == 0) {
                            m.deletedAt = m.deletedAt ? std::nullopt : std::optional<qint64>(clock);
                        } else if (change == 1) {
                            m.completionTokens = rng.bounded(900);
                        } else {
                            m.costNanos = rng.bounded(2) ? std::optional<qint64>(rng.bounded(9999))
                                                         : std::nullopt;
                            m.currency = m.costNanos
                                ? (rng.bounded(2) ? QStringLiteral("USD") : QStringLiteral("EUR"))
                                : QString();
                        }
                        page << m;
                        continue;
                    }
                    sync::RemoteMessage m;
                    m.id = newId();
                    m.workspaceId = QStringLiteral("w1");
                    m.conversationId = shared.id;
                    // Under an earlier row of this page or one applied before, or a root.
                    if (!remote.isEmpty() && rng.bounded(4))
                        m.parentId = remote.at(rng.bounded(int(remote.size()))).id;
                    m.role = QStringLiteral("assistant");
                    m.author = QStringLiteral("Ann");
                    m.provider = QStringLiteral("p3");
                    m.model = QStringLiteral("teammate");
                    m.content = QStringLiteral("theirs");
                    m.status = QStringLiteral("complete");
                    if (rng.bounded(4))
                        m.promptTokens = rng.bounded(3000);
                    m.completionTokens = rng.bounded(3000);
                    m.createdAt = clock + i;
                    m.finishedAt = clock + i + 5;
                    page << m;
                    remote << m;
                }
                // Keep the latest version of each row in the list of known rows.
                for (const sync::RemoteMessage &m : std::as_const(page))
                    for (sync::RemoteMessage &known : remote)
                        if (known.id == m.id)
                            known = m;
                sync::local::apply(db(), {c}, page);
            }
            if (step % 20 == 10) { // an import (issue 18): replies with usage, some priced
                imports::ImportedConversation c;
                const int k = step / 20;
                c.format = k % 2 ? imports::Format::Arbor : imports::Format::OpenWebUi;
                c.sourceId = QStringLiteral("imported-%1").arg(k);
                c.createdAt = c.updatedAt = clock;
                for (int i = 0; i < 4; ++i) {
                    imports::ImportedNode n;
                    n.sourceId = QStringLiteral("%1-n%2").arg(c.sourceId).arg(i);
                    n.parentSourceId = i ? c.nodes.last().sourceId : QString();
                    n.role = i % 2 ? QStringLiteral("assistant") : QStringLiteral("user");
                    n.content = QStringLiteral("imported %1").arg(i);
                    n.createdAt = n.finishedAt = clock + i;
                    if (i % 2) {
                        n.provider = QStringLiteral("p1");
                        n.model = rng.bounded(2) ? QStringLiteral("priced") : QStringLiteral("old");
                        n.promptTokens = rng.bounded(4000);
                        n.completionTokens = rng.bounded(900);
                        n.cachedTokens = rng.bounded(n.promptTokens + 1);
                        if (c.format == imports::Format::Arbor && rng.bounded(2)) {
                            n.costNanos = rng.bounded(100000);
                            n.currency = QStringLiteral("USD");
                        }
                    }
                    c.nodes << n;
                }
                imports::ImportedConversation first = c;
                first.nodes.removeLast(); // the export before the conversation went on
                first.currentSourceNode = first.nodes.last().sourceId;
                c.currentSourceNode = c.nodes.last().sourceId;
                const auto w = imports::queries::writeConversation(db(), first);
                QCOMPARE(w.added, 3);
                QCOMPARE(imports::queries::writeConversation(db(), first).added, 0);
                QCOMPARE(imports::queries::writeConversation(db(), c).added, 1);
                conversations << w.conversationId;
                const QStringList ids =
                    rows(QStringLiteral("SELECT id FROM messages WHERE conversation_id = '%1'")
                             .arg(w.conversationId));
                nodes[w.conversationId] << ids;
            }
            if (step % 50 == 49) {
                verifyTotals();
                if (QTest::currentTestFailed())
                    return;
                verifyPaths(rng);
                if (QTest::currentTestFailed())
                    return;
            }
        }
        verifyTotals();
        if (QTest::currentTestFailed())
            return;
        verifyPaths(rng);
        if (QTest::currentTestFailed())
            return;
        // The mix the branch sums were checked on: changes under replies, breaks, currencies.
        QVERIFY(changedUnderReplies > 5);
        QVERIFY(m_sawBreaks);
        QVERIFY(rows(QStringLiteral("SELECT DISTINCT currency FROM usage_paths WHERE messages > 0"
                                    " ORDER BY 1"))
                == (QStringList{QString(), QStringLiteral("EUR"), QStringLiteral("USD")}));
        QVERIFY(rows(kept(false)).size() > 20);
        QVERIFY(rows(recount(true)).join(QLatin1Char('\n')).contains(QLatin1String("shared|")));
        // A rebuild in the same zone makes the same totals.
        const QStringList before = rows(kept(true));
        usage::rebuildTotals(db(), QString::fromUtf8(QTimeZone::systemTimeZoneId()));
        QCOMPARE(rows(kept(true)), before);
        QVERIFY(!usage::ensureZone(db(), QString::fromUtf8(QTimeZone::systemTimeZoneId())));
    }

    void aReportGroupsTheKeptTotals()
    {
        addConversation(QStringLiteral("c"));
        const qint64 day = 1'760'000'000'000;
        for (int i = 0; i < 3; ++i) {
            Message m;
            m.id = QStringLiteral("r%1").arg(i);
            m.conversationId = QStringLiteral("c");
            m.role = QStringLiteral("assistant");
            m.provider = QStringLiteral("p");
            m.model = i == 2 ? QStringLiteral("b") : QStringLiteral("a");
            m.status = MessageStatus::Streaming;
            m.createdAt = day + i;
            messages::insert(db(), m);
            messages::finish(db(), m.id,
                             {MessageStatus::Complete, {}, {}, 10, 20, -1, {}, {}, 5, 1});
        }
        const auto byModel = usage::report(db(), {}, {}, usage::ByModel);
        QCOMPARE(byModel.size(), 2);
        QCOMPARE(byModel.at(0).model, QStringLiteral("a"));
        QCOMPARE(byModel.at(0).totals.messages, qint64(2));
        QCOMPARE(byModel.at(0).totals.inputTokens, qint64(20));
        QCOMPARE(byModel.at(0).totals.outputTokens, qint64(40));
        QCOMPARE(byModel.at(0).totals.cachedTokens, qint64(10));
        QCOMPARE(byModel.at(0).totals.reasoningTokens, qint64(2));
        QCOMPARE(byModel.at(0).totals.currency, QString()); // no price: unknown cost
        const auto byConversation = usage::report(db(), {}, {}, usage::ByConversation);
        QCOMPARE(byConversation.size(), 1);
        QCOMPARE(byConversation.at(0).conversationTitle, QStringLiteral("c"));
        QCOMPARE(byConversation.at(0).totals.messages, qint64(3));
        // A range that ends before the day holds nothing.
        QVERIFY(usage::report(db(), {}, QStringLiteral("2000-01-01"), usage::ByDay).isEmpty());
        const auto totals = usage::conversationTotals(db(), QStringLiteral("c"));
        QCOMPARE(totals.size(), 1);
        QCOMPARE(totals.first().outputTokens, qint64(60));
    }
};

QTEST_GUILESS_MAIN(TestUsageLedger)
#include "tst_usageledger.moc"
