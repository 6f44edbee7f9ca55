// Upgrades keep data (issue 24): a store written by Arbor 0.1.0 (git tag v0.1.0; the fixture
// tests/backend/fixtures/store-v0.1.0.db, made with that version's arbord: branches, an edited
// path, a conversation with parameters, a stopped reply, non-ASCII text) opens in this build,
// is migrated to the latest schema, and keeps every message, conversation and visible path as
// it was. Every later version must keep passing this against the same file.
#include "chat/chatservice.h"
#include "core/backend.h"
#include "store/migrator.h"
#include "support/dbconnection.h"

#include <QCryptographicHash>
#include <QFile>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace arbor;
using testsupport::DbConnection;

namespace {

/** @brief A message as the 0.1.0 schema kept it, read with plain SQL. */
struct OldMessage
{
    QString conversationId;
    QString parentId;
    QString role;
    QString content;
    QString status;
    QString model;
    qint64 createdAt = 0;
};

struct OldConversation
{
    QString title;
    QString currentLeafId;
    QString settings;
};

QByteArray fileHash(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QCryptographicHash::hash(file.readAll(), QCryptographicHash::Sha256);
}

} // namespace

class TestStoreUpgrade : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_path;
    QHash<QString, OldMessage> m_messages;
    QHash<QString, OldConversation> m_conversations;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        const QString fixture = QStringLiteral(ARBOR_FIXTURES_DIR "/store-v0.1.0.db");
        m_path = m_dir.filePath(QStringLiteral("arbor.db"));
        QVERIFY(QFile::copy(fixture, m_path));
        QFile::setPermissions(m_path, QFile::ReadOwner | QFile::WriteOwner);

        // What 0.1.0 stored, read before anything of this build touches the file.
        DbConnection old(m_path, DbConnection::Mode::ReadOnly);
        QCOMPARE(old.scalar(QStringLiteral("SELECT max(version) FROM schema_migrations")).toInt(),
                 11);
        QSqlQuery q(old.db());
        QVERIFY(q.exec(QStringLiteral("SELECT id, conversation_id, coalesce(parent_id, ''), role, "
                                      "content, status, model, created_at FROM messages")));
        while (q.next())
            m_messages.insert(q.value(0).toString(),
                              {q.value(1).toString(), q.value(2).toString(), q.value(3).toString(),
                               q.value(4).toString(), q.value(5).toString(), q.value(6).toString(),
                               q.value(7).toLongLong()});
        QVERIFY(q.exec(QStringLiteral(
            "SELECT id, title, coalesce(current_leaf_id, ''), settings FROM conversations")));
        while (q.next())
            m_conversations.insert(
                q.value(0).toString(),
                {q.value(1).toString(), q.value(2).toString(), q.value(3).toString()});
        QCOMPARE(m_messages.size(), 12);
        QCOMPARE(m_conversations.size(), 3);
    }

    void theFixtureIsUntouched()
    {
        // The test reads a copy: the fixture in the repository never changes.
        QCOMPARE(fileHash(QStringLiteral(ARBOR_FIXTURES_DIR "/store-v0.1.0.db")),
                 QByteArray::fromHex(ARBOR_FIXTURE_SHA256));
    }

    void everyMessageSurvivesTheUpgrade()
    {
        core::Backend backend(core::BackendOptions{m_path, 0, false, 1});
        backend.open();
        {
            DbConnection now(m_path, DbConnection::Mode::ReadOnly);
            QCOMPARE(
                now.scalar(QStringLiteral("SELECT max(version) FROM schema_migrations")).toInt(),
                store::Migrator::latestVersion());
        }
        chat::ChatService &chat = backend.chat();
        const QList<domain::Conversation> conversations = chat.conversations().result();
        QCOMPARE(conversations.size(), m_conversations.size());
        int seen = 0;
        for (const domain::Conversation &c : conversations) {
            QVERIFY(m_conversations.contains(c.id));
            const OldConversation &old = m_conversations.value(c.id);
            QCOMPARE(c.title, old.title);
            QCOMPARE(c.currentLeafId, old.currentLeafId);
            QCOMPARE(c.settings, old.settings);
            // Every node of every branch, with its place in the tree.
            for (const domain::TreeNode &node : chat.tree(c.id).result()) {
                QVERIFY2(m_messages.contains(node.id), qPrintable(node.id));
                const OldMessage &was = m_messages.value(node.id);
                QCOMPARE(node.parentId, was.parentId);
                QCOMPARE(node.role, was.role);
                QCOMPARE(node.status, was.status);
                const std::optional<domain::Message> m = chat.message(node.id).result();
                QVERIFY(m);
                QCOMPARE(m->conversationId, was.conversationId);
                QCOMPARE(m->content, was.content);
                QCOMPARE(m->model, was.model);
                QCOMPARE(m->createdAt, was.createdAt);
                ++seen;
            }
            // The visible path ends where it ended.
            const QList<domain::Message> path = chat.visiblePath(c.id).result();
            QVERIFY(!path.isEmpty());
            QCOMPARE(path.constLast().id, old.currentLeafId);
        }
        QCOMPARE(seen, m_messages.size());

        // Search finds what 0.1.0 stored, also words in non-ASCII text.
        for (const QString &word : {QStringLiteral("maples"), QStringLiteral("Grüße")}) {
            qsizetype holding = 0;
            for (const OldMessage &m : std::as_const(m_messages))
                holding += m.content.contains(word, Qt::CaseInsensitive) ? 1 : 0;
            QVERIFY(holding > 0);
            QCOMPARE(chat.search(word).result().size(), holding);
        }
    }

    void openingTwiceChangesNothingMore()
    {
        {
            core::Backend backend(core::BackendOptions{m_path, 0, false, 1});
            backend.open();
            QCOMPARE(backend.chat().conversations().result().size(), m_conversations.size());
        }
        DbConnection now(m_path, DbConnection::Mode::ReadOnly);
        QCOMPARE(now.scalar(QStringLiteral("SELECT count(*) FROM schema_migrations")).toInt(),
                 store::Migrator::latestVersion());
        QCOMPARE(now.scalar(QStringLiteral("SELECT count(*) FROM messages")).toInt(),
                 m_messages.size());
    }
};

QTEST_GUILESS_MAIN(TestStoreUpgrade)
#include "tst_storeupgrade.moc"
