// The usage of the branch being read (store::usage::pathTotals): the visible path from the root
// to the current leaf, per currency, as the header's "this branch" figure shows it. Checked
// against a walk of the parent links in C++ over random trees with priced, unpriced, usage-less
// and tombstoned replies; and the kept path sums that migration 0019 backfills in an older store
// equal those its triggers keep as the same messages are written.
#include "domain/message.h"
#include "store/conversationqueries.h"
#include "store/messagequeries.h"
#include "store/migrator.h"
#include "store/sql.h"
#include "store/usagequeries.h"
#include "support/dbconnection.h"

#include <QDir>
#include <QFile>
#include <QMap>
#include <QRandomGenerator>
#include <QSqlRecord>
#include <QTemporaryDir>
#include <QTest>

using namespace arbor;
namespace messages = store::messages;
namespace usage = store::usage;
using domain::Message;
using domain::MessageStatus;
using testsupport::DbConnection;

class TestUsagePath : public QObject
{
    Q_OBJECT

    struct Node
    {
        QString parent;
        int input = -1;
        int output = -1;
        bool priced = false;
        bool deleted = false;
    };

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<DbConnection> m_conn;
    QMap<QString, Node> m_nodes;
    QSqlDatabase &db() { return m_conn->db(); }

    void addConversation()
    {
        domain::Conversation c;
        c.id = QStringLiteral("c");
        c.title = QStringLiteral("c");
        c.createdAt = c.updatedAt = 1;
        store::conversations::insert(db(), c);
    }

    /** A finished message under @p parent; @p input < 0: no usage (a user message). */
    void add(const QString &id, const QString &parent, int input, int output, bool priced)
    {
        Message m;
        m.id = id;
        m.conversationId = QStringLiteral("c");
        m.parentId = parent;
        m.role = input < 0 ? QStringLiteral("user") : QStringLiteral("assistant");
        // A shipped price (store/migrations/0013) for the priced ones, none for the others.
        m.provider = priced ? QStringLiteral("openai") : QStringLiteral("local");
        m.model = priced ? QStringLiteral("gpt-4o") : QStringLiteral("unpriced-model");
        m.status = input < 0 ? MessageStatus::Complete : MessageStatus::Streaming;
        m.content = QStringLiteral("text");
        m.createdAt = 1'760'000'000'000 + m_nodes.size();
        messages::insert(db(), m);
        if (input >= 0) {
            messages::Finish f;
            f.promptTokens = input;
            f.completionTokens = output;
            messages::finish(db(), id, f);
        }
        m_nodes.insert(id, {parent, input, output, priced && input >= 0, false});
    }

    void setLeaf(const QString &id)
    {
        store::exec(db(),
                    QStringLiteral("UPDATE conversations SET current_leaf_id = ? WHERE id = 'c'"),
                    {id});
    }

    void tombstone(const QString &id)
    {
        store::exec(db(), QStringLiteral("UPDATE messages SET deleted_at = 5 WHERE id = ?"), {id});
        m_nodes[id].deleted = true;
    }

    /** "currency:replies:input:output" per currency, from walking the parents of @p leaf. */
    QStringList expected(const QString &leaf) const
    {
        QMap<QString, QList<qint64>> sums; // currency → replies, input, output
        for (QString at = leaf; !at.isEmpty(); at = m_nodes.value(at).parent) {
            const Node &n = m_nodes[at];
            if (n.deleted || n.input < 0)
                continue;
            QList<qint64> &s = sums[n.priced ? QStringLiteral("USD") : QString()];
            if (s.isEmpty())
                s = {0, 0, 0};
            s[0] += 1;
            s[1] += n.input;
            s[2] += n.output;
        }
        QStringList out;
        for (auto it = sums.cbegin(); it != sums.cend(); ++it)
            out << QStringLiteral("%1:%2:%3:%4")
                       .arg(it.key())
                       .arg(it.value()[0])
                       .arg(it.value()[1])
                       .arg(it.value()[2]);
        return out;
    }

    QStringList actual()
    {
        QStringList out;
        for (const usage::Totals &t : usage::pathTotals(db(), QStringLiteral("c")))
            out << QStringLiteral("%1:%2:%3:%4")
                       .arg(t.currency)
                       .arg(t.messages)
                       .arg(t.inputTokens)
                       .arg(t.outputTokens);
        out.sort();
        return out;
    }

private Q_SLOTS:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        m_conn = std::make_unique<DbConnection>(m_dir->filePath(QStringLiteral("arbor.db")),
                                                DbConnection::Mode::Migrated);
        m_nodes.clear();
        addConversation();
    }

    void cleanup()
    {
        m_conn.reset();
        m_dir.reset();
    }

    void theBranchCountsOnlyItsPath()
    {
        add(QStringLiteral("u1"), {}, -1, -1, false);
        add(QStringLiteral("a1"), QStringLiteral("u1"), 1000, 2000, true);
        add(QStringLiteral("a2"), QStringLiteral("u1"), 5, 7, false); // a sibling branch
        add(QStringLiteral("u2"), QStringLiteral("a1"), -1, -1, false);
        add(QStringLiteral("a3"), QStringLiteral("u2"), 3000, 4000, true);
        setLeaf(QStringLiteral("a3"));
        const QList<usage::Totals> path = usage::pathTotals(db(), QStringLiteral("c"));
        QCOMPARE(path.size(), 1);
        QCOMPARE(path.first().currency, QStringLiteral("USD"));
        QCOMPARE(path.first().messages, qint64(2));
        QCOMPARE(path.first().inputTokens, qint64(4000));
        QCOMPARE(path.first().outputTokens, qint64(6000));
        // gpt-4o's shipped price: $2.50 in, $10 out per million tokens.
        QCOMPARE(path.first().costNanos, qint64(4000 * 2500 + 6000 * 10000));
        // The whole conversation counts the other branch too.
        qint64 all = 0;
        for (const usage::Totals &t : usage::conversationTotals(db(), QStringLiteral("c")))
            all += t.messages;
        QCOMPARE(all, qint64(3));

        setLeaf(QStringLiteral("a2"));
        QCOMPARE(actual(), QStringList{QStringLiteral(":1:5:7")});
        setLeaf(QStringLiteral("a3"));
        tombstone(QStringLiteral("a1"));
        QCOMPARE(actual(), QStringList{QStringLiteral("USD:1:3000:4000")});
    }

    void noLeafNoUsage()
    {
        QVERIFY(usage::pathTotals(db(), QStringLiteral("c")).isEmpty());
        QVERIFY(usage::pathTotals(db(), QStringLiteral("no such conversation")).isEmpty());
    }

    void randomTreesMatchAWalkOfTheParents()
    {
        QRandomGenerator random(20261206);
        QStringList ids;
        for (int i = 0; i < 300; ++i) {
            const QString id = QStringLiteral("m%1").arg(i, 3, 10, QLatin1Char('0'));
            const QString parent = ids.isEmpty() || random.bounded(20) == 0
                ? QString()
                : ids.at(random.bounded(qsizetype(ids.size())));
            const bool reply = random.bounded(3) != 0;
            add(id, parent, reply ? random.bounded(5000) : -1, reply ? random.bounded(5000) : -1,
                random.bounded(2) == 0);
            ids << id;
        }
        for (int round = 0; round < 40; ++round) {
            if (round % 4 == 3)
                tombstone(ids.at(random.bounded(qsizetype(ids.size()))));
            const QString leaf = ids.at(random.bounded(qsizetype(ids.size())));
            setLeaf(leaf);
            QCOMPARE(actual(), expected(leaf));
        }
    }

    void theMigrationBackfillsWhatTheTriggersKeep()
    {
        // The same random tree (three currencies and none, estimates, tombstones with live
        // replies under them) written into a store before the path sums' migration, then
        // migrated, and into a current store, where the triggers keep the sums as it is written.
        const QString files = QStringLiteral(":/arbor/migrations");
        QStringList names = QDir(files).entryList(QDir::Files);
        names.sort();
        qsizetype pathsAt = 0;
        while (pathsAt < names.size() && !names.at(pathsAt).contains(QLatin1String("usage_paths")))
            ++pathsAt;
        QVERIFY(pathsAt > 0 && pathsAt < names.size());
        DbConnection old(m_dir->filePath(QStringLiteral("old.db")));
        store::Migrator::currentVersion(old.db()); // creates schema_migrations
        for (qsizetype i = 0; i < pathsAt; ++i) {
            QFile f(files + QLatin1Char('/') + names.at(i));
            QVERIFY(f.open(QIODevice::ReadOnly));
            store::execScript(old.db(), QString::fromUtf8(f.readAll()));
            old.exec(QStringLiteral("INSERT INTO schema_migrations (version, name, applied_at)"
                                    " VALUES (?, ?, 1)"),
                     {names.at(i).left(4).toInt(), names.at(i).chopped(4)});
        }
        QRandomGenerator random(1919);
        QStringList ids;
        QHash<QString, QString> conversationOf; // a root's conversation, at random, for its tree
        for (DbConnection *c : {&old, m_conn.get()}) {
            c->exec(QStringLiteral("INSERT OR IGNORE INTO conversations (id, title, created_at,"
                                   " updated_at) VALUES ('c', 'c', 1, 1)"));
            c->exec(QStringLiteral("INSERT INTO conversations (id, title, created_at, updated_at)"
                                   " VALUES ('d', 'd', 1, 1)"));
        }
        const QStringList currencies{QStringLiteral("USD"), QStringLiteral("EUR"),
                                     QStringLiteral("JPY"), QString()};
        for (int i = 0; i < 400; ++i) {
            const QString id = QStringLiteral("m%1").arg(i, 3, 10, QLatin1Char('0'));
            const QString parent = ids.isEmpty() || random.bounded(15) == 0
                ? QString()
                : ids.at(random.bounded(qsizetype(ids.size())));
            conversationOf.insert(
                id,
                parent.isEmpty() ? (random.bounded(2) ? QStringLiteral("c") : QStringLiteral("d"))
                                 : conversationOf.value(parent));
            const bool used = random.bounded(3) != 0;
            const QString currency = currencies.at(random.bounded(4));
            const QVariantList row{
                id,
                conversationOf.value(id),
                parent.isEmpty() ? QVariant() : QVariant(parent),
                used ? QVariant(random.bounded(5000)) : QVariant(),
                used && random.bounded(4) ? QVariant(random.bounded(900)) : QVariant(),
                used && random.bounded(2) ? QVariant(random.bounded(400)) : QVariant(),
                used ? QVariant(random.bounded(2)) : QVariant(0),
                used && !currency.isEmpty() ? QVariant(random.bounded(99999)) : QVariant(),
                currency.isEmpty() ? QVariant() : QVariant(currency),
                random.bounded(6) == 0 ? QVariant(7) : QVariant(),
                i};
            for (DbConnection *c : {&old, m_conn.get()})
                store::execCached(
                    c->db(),
                    QStringLiteral(
                        "INSERT INTO messages (id, conversation_id, parent_id, role, status,"
                        " prompt_tokens, completion_tokens, cached_tokens, usage_estimated,"
                        " cost_nanos, currency, deleted_at, created_at) VALUES (?, ?, ?,"
                        " 'assistant', 'complete', ?, ?, ?, ?, ?, ?, ?, ?)"),
                    row);
            ids << id;
        }
        store::Migrator::migrate(old.db());
        const auto dump = [](DbConnection &c, const QString &sql) {
            QSqlQuery q = store::exec(c.db(), sql);
            QStringList out;
            while (q.next()) {
                QStringList fields;
                for (int i = 0; i < q.record().count(); ++i)
                    fields << q.value(i).toString();
                out << fields.join(QLatin1Char('|'));
            }
            return out;
        };
        const QString paths = QStringLiteral("SELECT * FROM usage_paths WHERE messages > 0"
                                             " ORDER BY message_id, currency");
        const QString breaks = QStringLiteral("SELECT * FROM usage_path_breaks WHERE"
                                              " live_under_deleted <> 0 ORDER BY 1");
        const QStringList kept = dump(*m_conn, paths);
        QCOMPARE(dump(old, paths), kept);
        QCOMPARE(dump(old, breaks), dump(*m_conn, breaks));
        QVERIFY(kept.size() > 400); // messages on paths of two currencies or more
        QVERIFY(!dump(*m_conn, breaks).isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestUsagePath)
#include "tst_usagepath.moc"
