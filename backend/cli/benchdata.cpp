#include "benchdata.h"

#include "domain/ids.h"
#include "store/sql.h"
#include "store/treequeries.h"

#include <QList>
#include <QSqlQuery>

#include <algorithm>

namespace arbor::cli::benchdata {

namespace {

struct Node
{
    QString id;
    int parent = -1;
    int depth = 0;
};

} // namespace

QString makeConversation(const QSqlDatabase &db, Rng &rng, TextMaker &text, int count, int depth,
                         qint64 &clock, QString *conversationId)
{
    const QString cid = domain::newId();
    *conversationId = cid;
    store::exec(
        db,
        QStringLiteral("INSERT INTO conversations (id, title, settings, created_at, updated_at)"
                       " VALUES (?, ?, '{}', ?, ?)"),
        {cid, QStringLiteral("Bench conversation"), clock, clock});
    QSqlQuery insert(db);
    insert.prepare(QStringLiteral(
        "INSERT INTO messages (id, conversation_id, parent_id, role, author, content, status,"
        " created_at, visited_at) VALUES (?, ?, ?, ?, ?, ?, 'complete', ?, ?)"));
    QList<Node> nodes;
    nodes.reserve(count);
    auto add = [&](int parent) {
        Node n;
        n.id = domain::newId();
        n.parent = parent;
        n.depth = parent < 0 ? 0 : nodes.at(parent).depth + 1;
        const bool user = n.depth % 2 == 0;
        ++clock;
        insert.addBindValue(n.id);
        insert.addBindValue(cid);
        insert.addBindValue(parent < 0 ? QVariant() : QVariant(nodes.at(parent).id));
        insert.addBindValue(user ? QStringLiteral("user") : QStringLiteral("assistant"));
        insert.addBindValue(user ? QStringLiteral("You") : QStringLiteral("Demo (offline)"));
        insert.addBindValue(text.make(rng.below(5000) == 0));
        insert.addBindValue(clock);
        insert.addBindValue(clock);
        if (!insert.exec())
            throw store::StoreError(QStringLiteral("bench insert failed"));
        nodes.append(n);
        return int(nodes.size() - 1);
    };
    int leaf = -1;
    for (int i = 0; i < std::min(depth, count); ++i)
        leaf = add(leaf);
    const int mainLeaf = leaf;
    while (nodes.size() < count) {
        // Branch off a random node: an edit or regenerate, then a run of turns.
        int at = rng.below(int(nodes.size()));
        const int room = depth - 1 - nodes.at(at).depth;
        if (room <= 0)
            continue;
        int length = std::min({room, 1 + rng.below(60), int(count - nodes.size())});
        at = nodes.at(at).parent; // a sibling of the chosen node
        int tip = at;
        for (int k = 0; k < length; ++k)
            tip = add(tip);
    }
    const QString leafId = nodes.at(mainLeaf).id;
    // The main path is the most recently visited one.
    store::exec(db, QStringLiteral("UPDATE conversations SET current_leaf_id = ? WHERE id = ?"),
                {leafId, cid});
    store::tree::switchTo(db, leafId, ++clock + 1'000'000'000);
    return leafId;
}

} // namespace arbor::cli::benchdata
