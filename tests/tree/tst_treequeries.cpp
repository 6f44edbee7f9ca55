// Tree queries on a real SQLite file, checked step by step against a brute-force model.
#include "domain/ids.h"
#include "store/conversationqueries.h"
#include "store/messagequeries.h"
#include "store/sql.h"
#include "store/treequeries.h"
#include "support/dbconnection.h"

#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <map>

using namespace arbor;
using testsupport::DbConnection;

namespace {

/** @brief The tree as plain data: what every query must agree with. */
struct Model
{
    struct Node
    {
        QString id;
        QString parent;
        qint64 created = 0;
        qint64 visited = 0;
        bool deleted = false;
        QString batch;
    };
    std::map<QString, Node> nodes;
    QList<QString> order; ///< insertion order
    QString leaf;

    QList<QString> children(const QString &parent) const
    {
        QList<QString> out;
        for (const QString &id : order) {
            const Node &n = nodes.at(id);
            if (!n.deleted && n.parent == parent)
                out.append(id);
        }
        return out; // insertion order == (created_at, id) order
    }
    QString latestLeafUnder(QString id) const
    {
        for (;;) {
            const auto kids = children(id);
            if (kids.isEmpty())
                return id;
            id = *std::max_element(kids.cbegin(), kids.cend(),
                                   [&](const QString &a, const QString &b) {
                                       const Node &x = nodes.at(a);
                                       const Node &y = nodes.at(b);
                                       return std::tie(x.visited, x.created, x.id)
                                           < std::tie(y.visited, y.created, y.id);
                                   });
        }
    }
    QList<QString> pathTo(QString id) const
    {
        QList<QString> out;
        for (; !id.isEmpty(); id = nodes.at(id).parent)
            out.prepend(id);
        return out;
    }
    void markPath(const QString &leafId, const QString &stopAfter, qint64 now)
    {
        for (QString id = leafId; !id.isEmpty(); id = nodes.at(id).parent) {
            nodes[id].visited = now;
            if (id == stopAfter)
                break;
        }
    }
    void switchTo(const QString &id, qint64 now)
    {
        leaf = latestLeafUnder(id);
        markPath(leaf, {}, now);
    }
};

} // namespace

class TestTreeQueries : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    int m_dbCount = 0;
    qint64 m_clock = 1000000;

    QString insertConversation(QSqlDatabase &db)
    {
        domain::Conversation c;
        c.id = domain::newId();
        c.title = QStringLiteral("Tree");
        c.createdAt = c.updatedAt = ++m_clock;
        store::conversations::insert(db, c);
        return c.id;
    }

    QString insertMessage(QSqlDatabase &db, Model &model, const QString &conversation,
                          const QString &parent, const QString &content = {})
    {
        domain::Message m;
        m.id = domain::newId();
        m.conversationId = conversation;
        m.parentId = parent;
        m.role = parent.isEmpty() || model.pathTo(parent).size() % 2 == 0
            ? QStringLiteral("user")
            : QStringLiteral("assistant");
        m.content =
            content.isEmpty() ? QStringLiteral("message %1").arg(model.order.size()) : content;
        m.createdAt = ++m_clock;
        store::messages::insert(db, m);
        model.nodes[m.id] = {m.id, parent, m.createdAt, m.createdAt, false, {}};
        model.order.append(m.id);
        return m.id;
    }

    void compareWithModel(QSqlDatabase &db, const Model &model, const QString &conversation)
    {
        QCOMPARE(store::messages::currentLeaf(db, conversation), model.leaf);
        const QList<domain::Message> path = store::messages::visiblePath(db, conversation);
        QStringList ids;
        for (const auto &m : path)
            ids.append(m.id);
        QCOMPARE(ids, model.leaf.isEmpty() ? QStringList() : QStringList(model.pathTo(model.leaf)));
        for (const auto &m : path) {
            const auto siblings = model.children(model.nodes.at(m.id).parent);
            QCOMPARE(m.siblingCount, int(siblings.size()));
            QCOMPARE(m.siblingIndex, int(siblings.indexOf(m.id)));
        }
        // The trigger-kept child counts agree with a recount.
        for (const auto &[id, node] : model.nodes) {
            if (node.deleted)
                continue;
            DbConnection &c = *m_db;
            QCOMPARE(c.scalar(QStringLiteral("SELECT child_count FROM messages WHERE id = ?"), {id})
                         .toInt(),
                     int(model.children(id).size()));
        }
    }

    std::unique_ptr<DbConnection> m_db;

    QSqlDatabase &freshDb()
    {
        m_db = std::make_unique<DbConnection>(
            m_dir.filePath(QStringLiteral("t%1.db").arg(++m_dbCount)),
            DbConnection::Mode::Migrated);
        return m_db->db();
    }

private Q_SLOTS:
    void randomTreesMatchBruteForce_data()
    {
        QTest::addColumn<quint32>("seed");
        for (quint32 seed = 1; seed <= 12; ++seed)
            QTest::addRow("seed %u", seed) << seed;
    }

    void randomTreesMatchBruteForce()
    {
        QFETCH(quint32, seed);
        QRandomGenerator rng(seed);
        QSqlDatabase &db = freshDb();
        Model model;
        const QString conversation = insertConversation(db);
        auto pick = [&]() -> QString {
            QList<QString> live;
            for (const QString &id : std::as_const(model.order)) {
                if (!model.nodes.at(id).deleted)
                    live.append(id);
            }
            return live.isEmpty() ? QString() : live.at(rng.bounded(int(live.size())));
        };
        // A tree with several roots and uneven branching.
        for (int i = 0; i < 120; ++i) {
            const QString parent =
                (model.order.isEmpty() || rng.bounded(30) == 0) ? QString() : pick();
            insertMessage(db, model, conversation, parent);
        }
        store::tree::switchTo(db, model.order.constLast(), ++m_clock);
        model.switchTo(model.order.constLast(), m_clock);
        compareWithModel(db, model, conversation);

        QList<std::pair<QString, QString>> undo; // batch, leaf before
        for (int step = 0; step < 150; ++step) {
            const int op = int(rng.bounded(6));
            const QString node = pick();
            if (node.isEmpty())
                break;
            if (op == 0) { // jump anywhere (tree map click)
                QCOMPARE(store::tree::switchTo(db, node, ++m_clock), model.latestLeafUnder(node));
                model.switchTo(node, m_clock);
            } else if (op == 1 && !model.leaf.isEmpty()) { // ‹ › on a node of the visible path
                const auto path = model.pathTo(model.leaf);
                const QString on = path.at(rng.bounded(int(path.size())));
                const int delta = rng.bounded(2) ? 1 : -1;
                const auto siblings = model.children(model.nodes.at(on).parent);
                const QString expected = siblings.at(
                    std::clamp<qsizetype>(siblings.indexOf(on) + delta, 0, siblings.size() - 1));
                const QString sibling = store::tree::siblingAt(db, on, delta);
                QCOMPARE(sibling, expected);
                if (sibling != on) {
                    QCOMPARE(store::tree::switchToSibling(db, sibling, ++m_clock),
                             model.latestLeafUnder(sibling));
                    model.leaf = model.latestLeafUnder(sibling);
                    model.markPath(model.leaf, sibling, m_clock);
                }
            } else if (op == 2) { // a new message under any node
                const QString id = insertMessage(db, model, conversation, node);
                store::conversations::setCurrentLeaf(db, conversation, id);
                model.leaf = id;
                store::tree::switchTo(db, id, ++m_clock);
                model.switchTo(id, m_clock);
            } else if (op == 3) { // delete a subtree
                const QString before = model.leaf;
                const QString batch = store::tree::removeSubtree(db, node, ++m_clock);
                QList<QString> stack{node};
                while (!stack.isEmpty()) {
                    const QString id = stack.takeLast();
                    stack.append(model.children(id));
                    model.nodes[id].deleted = true;
                    model.nodes[id].batch = batch;
                }
                if (!model.leaf.isEmpty() && model.nodes.at(model.leaf).deleted) {
                    const QString parent = model.nodes.at(node).parent;
                    QString start = parent;
                    if (start.isEmpty()) {
                        const auto roots = model.children({});
                        if (!roots.isEmpty()) {
                            start = *std::max_element(roots.cbegin(), roots.cend(),
                                                      [&](const QString &a, const QString &b) {
                                                          const auto &x = model.nodes.at(a);
                                                          const auto &y = model.nodes.at(b);
                                                          return std::tie(x.visited, x.created)
                                                              < std::tie(y.visited, y.created);
                                                      });
                        }
                    }
                    if (start.isEmpty())
                        model.leaf.clear();
                    else
                        model.switchTo(model.latestLeafUnder(start), m_clock);
                }
                undo.append({batch, before});
            } else if (op == 4 && !undo.isEmpty()) { // undo the latest delete
                const auto [batch, before] = undo.takeLast();
                int restored = 0;
                for (auto &[id, n] : model.nodes) {
                    if (n.batch == batch) {
                        n.deleted = false;
                        n.batch.clear();
                        ++restored;
                    }
                }
                QCOMPARE(store::tree::restore(db, batch), restored);
                if (!before.isEmpty() && !model.nodes.at(before).deleted) {
                    store::tree::switchTo(db, before, ++m_clock);
                    model.switchTo(before, m_clock);
                }
            } else if (op == 5) { // fork: a copy of the path in a new conversation
                const auto expected = model.pathTo(node);
                const QString copy = store::tree::fork(db, node, ++m_clock);
                const auto forked = store::messages::visiblePath(db, copy);
                QCOMPARE(forked.size(), expected.size());
                for (qsizetype i = 0; i < forked.size(); ++i) {
                    QCOMPARE(forked.at(i).content,
                             store::messages::get(db, expected.at(i))->content);
                    QVERIFY(forked.at(i).id != expected.at(i));
                }
                QCOMPARE(
                    m_db->scalar(
                            QStringLiteral(
                                "SELECT forked_from_message_id FROM conversations WHERE id = ?"),
                            {copy})
                        .toString(),
                    node);
            }
            compareWithModel(db, model, conversation);
            if (QTest::currentTestFailed()) {
                qWarning() << "failed at step" << step << "op" << op;
                return;
            }
        }
    }

    void pathBelowReadsOnlyRowsUnderTheFork()
    {
        QSqlDatabase &db = freshDb();
        Model model;
        const QString conversation = insertConversation(db);
        QString tip;
        for (int i = 0; i < 10; ++i)
            tip = insertMessage(db, model, conversation, tip);
        const QString fork = model.order.at(4);
        const auto below = store::messages::pathBelow(db, fork, tip);
        QCOMPARE(below.size(), 5);
        QCOMPARE(below.first().parentId, fork);
        QCOMPARE(below.last().id, tip);
        QVERIFY(store::messages::pathBelow(db, tip, tip).isEmpty());
    }

    void searchFindsInactiveBranchesAndSkipsDeletedOnes()
    {
        QSqlDatabase &db = freshDb();
        Model model;
        const QString conversation = insertConversation(db);
        const QString root =
            insertMessage(db, model, conversation, {}, QStringLiteral("How do trees grow?"));
        const QString hidden =
            insertMessage(db, model, conversation, root,
                          QStringLiteral("They grow [slowly] like a xylophone of rings"));
        const QString shown =
            insertMessage(db, model, conversation, root, QStringLiteral("Slowly, ring by ring"));
        store::tree::switchTo(db, shown, ++m_clock);
        QCOMPARE(store::messages::currentLeaf(db, conversation), shown);

        auto hits = store::tree::search(db, QStringLiteral("xylophone"));
        QCOMPARE(hits.size(), 1);
        QCOMPARE(hits.first().messageId, hidden);
        QCOMPARE(hits.first().conversationId, conversation);
        // The match is marked with STX/ETX, which no text contains; brackets in the text stay text.
        QVERIFY2(
            hits.first().snippet.contains(QStringLiteral("[slowly] like a \u0002xylophone\u0003")),
            qPrintable(hits.first().snippet));
        // Opening the hit shows its branch.
        store::tree::switchTo(db, hits.first().messageId, ++m_clock);
        const auto path = store::messages::visiblePath(db, conversation);
        QCOMPARE(path.constLast().id, hidden);

        // Text changed by a finished stream is indexed too.
        store::messages::appendChunk(db, shown, 0, QStringLiteral(" with a marimba"));
        store::exec(db, QStringLiteral("UPDATE messages SET status = 'streaming' WHERE id = ?"),
                    {shown});
        store::messages::finish(db, shown, {});
        QCOMPARE(store::tree::search(db, QStringLiteral("marimba")).size(), 1);

        const QString batch = store::tree::removeSubtree(db, hidden, ++m_clock);
        QVERIFY(store::tree::search(db, QStringLiteral("xylophone")).isEmpty());
        store::tree::restore(db, batch);
        QCOMPARE(store::tree::search(db, QStringLiteral("xylophone")).size(), 1);

        // User text is words, not FTS5 syntax: operators and quotes cannot break the query.
        QVERIFY(store::tree::search(db, QStringLiteral("\"AND OR NEAR( * -")).isEmpty());
        QCOMPARE(store::tree::ftsQuery(QStringLiteral("ring\" OR x")),
                 QStringLiteral("\"ring\" \"OR\" \"x\""));
        QCOMPARE(store::tree::search(db, QStringLiteral("GROW grow")).size(),
                 2); // case-insensitive words
    }

    void labelsAreStoredAndCleared()
    {
        QSqlDatabase &db = freshDb();
        Model model;
        const QString conversation = insertConversation(db);
        const QString id = insertMessage(db, model, conversation, {});
        store::tree::setLabel(db, id, QStringLiteral("  good   answer "));
        QCOMPARE(store::messages::get(db, id)->label, QStringLiteral("good answer"));
        QCOMPARE(store::tree::nodes(db, conversation).first().label, QStringLiteral("good answer"));
        store::tree::setLabel(db, id, {});
        QCOMPARE(store::messages::get(db, id)->label, QString());
        bool threw = false;
        try {
            store::tree::setLabel(db, QStringLiteral("nope"), QStringLiteral("x"));
        } catch (const store::StoreError &) {
            threw = true;
        }
        QVERIFY(threw);
    }
};

QTEST_GUILESS_MAIN(TestTreeQueries)
#include "tst_treequeries.moc"
