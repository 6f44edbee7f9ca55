// Imported conversations through team sync (issue 18, server version 8): the source of a
// conversation and of each message travels with it, so a teammate who imports a newer export of
// the same conversation adds only the new messages to the shared tree, and they reach everyone.
#include "syncdevice.h"

#include "domain/ids.h"
#include "import/importer.h"
#include "import/importqueries.h"
#include "support/pgserver.h"
#include "sync/admin.h"
#include "sync/localstate.h"
#include "sync/pgconnection.h"
#include "sync/syncclient.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace arbor;
using namespace arbor::testsupport;

namespace {

/** Imports @p path into @p device's store; returns what the run recorded. */
QList<imports::queries::Result> importInto(Device &device, const QString &path)
{
    imports::queries::Run run;
    run.id = domain::newId();
    run.path = path;
    run.format = QStringLiteral("auto");
    run.state = QStringLiteral("queued");
    run.createdAt = domain::nowMs();
    device.store.write([run](QSqlDatabase &db) { imports::queries::insertRun(db, run); })
        .waitForFinished();
    imports::Importer(device.store, run.id).run();
    return device.store
        .read([id = run.id](QSqlDatabase &db) { return imports::queries::results(db, id); })
        .result();
}

/** One ChatGPT conversation: a question, its answer and, with @p more, a follow-up. */
QByteArray exportFile(bool more)
{
    QByteArray mapping =
        "\"a\":{\"id\":\"a\",\"parent\":null,\"children\":[\"b\"],\"message\":{\"id\":\"a\","
        "\"author\":{\"role\":\"user\"},\"create_time\":1700000001,\"content\":{\"content_type\":"
        "\"text\",\"parts\":[\"Question\"]}}},"
        "\"b\":{\"id\":\"b\",\"parent\":\"a\",\"children\":[],\"message\":{\"id\":\"b\","
        "\"author\":{\"role\":\"assistant\"},\"create_time\":1700000002,\"content\":"
        "{\"content_type\":\"text\",\"parts\":[\"Answer\"]}}}";
    if (more)
        mapping +=
            ",\"c\":{\"id\":\"c\",\"parent\":\"b\",\"children\":[],\"message\":{\"id\":\"c\","
            "\"author\":{\"role\":\"user\"},\"create_time\":1700000003,\"content\":"
            "{\"content_type\":\"text\",\"parts\":[\"Follow-up\"]}}}";
    return "[{\"id\":\"shared-export\",\"title\":\"Imported\",\"create_time\":1700000000,"
           "\"current_node\":\""
        + QByteArray(more ? "c" : "b") + "\",\"mapping\":{" + mapping + "}}]";
}

} // namespace

class TestSyncImport : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void sourcesTravelAndReimportsAddOnlyTheNew()
    {
        PgServer pg;
        sync::PgConnection super(pg.superuserDsn());
        sync::Admin admin(super);
        admin.init();
        const QString ws = admin.addWorkspace(QStringLiteral("team")).id;
        for (const char *user : {"alice", "bob"}) {
            admin.addUser(QLatin1String(user), QLatin1String(user) + QStringLiteral("-pw"));
            admin.addMember(QStringLiteral("team"), QLatin1String(user), QStringLiteral("member"));
        }
        Device alice(QStringLiteral("alice"));
        Device bob(QStringLiteral("bob"));
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("conversations.json"));
        const auto write = [&path](bool more) {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(exportFile(more));
        };
        write(false);
        const auto first = importInto(alice, path);
        QCOMPARE(first.size(), 1);
        const QString conv = first.first().conversationId;
        sync::SyncClient a(alice.store,
                           pg.dsn(QStringLiteral("alice"), QStringLiteral("alice-pw")));
        a.connect();
        sync::local::moveToWorkspace(alice.store, conv, ws);
        QCOMPARE(a.push().pushed, 3);
        QCOMPARE(super.scalar(QStringLiteral("SELECT source_format || '/' || source_id FROM"
                                             " arbor.conversations WHERE id = $1"),
                              {conv}),
                 QStringLiteral("chatgpt/shared-export"));

        sync::SyncClient b(bob.store, pg.dsn(QStringLiteral("bob"), QStringLiteral("bob-pw")));
        b.connect();
        b.pull();
        QCOMPARE(bob.scalar(QStringLiteral("SELECT source_format || '/' || source_id FROM"
                                           " conversations WHERE id = ?"),
                            {conv}),
                 QStringLiteral("chatgpt/shared-export"));
        QCOMPARE(bob.scalar(QStringLiteral("SELECT group_concat(source_id, ',') FROM (SELECT"
                                           " source_id FROM messages WHERE conversation_id = ?"
                                           " ORDER BY source_id)"),
                            {conv}),
                 QStringLiteral("a,b"));

        // Bob imports a newer export of it: only the follow-up is added, to the shared tree.
        write(true);
        const auto second = importInto(bob, path);
        QCOMPARE(second.size(), 1);
        QCOMPARE(second.first().conversationId, conv);
        QCOMPARE(second.first().added, 1);
        QCOMPARE(b.push().pushed, 1);
        a.pull();
        QCOMPARE(alice.scalar(QStringLiteral("SELECT count(*) FROM messages WHERE"
                                             " conversation_id = ?"),
                              {conv}),
                 QStringLiteral("3"));
        QCOMPARE(alice.scalar(QStringLiteral("SELECT source_id FROM messages WHERE content ="
                                             " 'Follow-up'")),
                 QStringLiteral("c"));
        // Alice importing it again adds nothing.
        QCOMPARE(importInto(alice, path).first().added, 0);
        QCOMPARE(alice.outbox(), 0);
    }
};

QTEST_GUILESS_MAIN(TestSyncImport)
#include "tst_syncimport.moc"
