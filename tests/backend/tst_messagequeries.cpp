// store::messages: the tree (paths, siblings, tombstones), streaming chunks and finishing.
#include "domain/message.h"
#include "store/conversationqueries.h"
#include "store/messagequeries.h"
#include "store/sql.h"
#include "store/treequeries.h"
#include "support/dbconnection.h"

#include <QTemporaryDir>
#include <QTest>

namespace messages = arbor::store::messages;
namespace conversations = arbor::store::conversations;
namespace tree = arbor::store::tree;
using arbor::domain::Conversation;
using arbor::domain::Message;
using arbor::domain::MessageStatus;
using arbor::testsupport::DbConnection;

class TestMessageQueries : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<DbConnection> m_conn;

    QSqlDatabase &db() { return m_conn->db(); }

    void addMessage(const QString &id, const QString &parent, const QString &role, qint64 createdAt,
                    MessageStatus status = MessageStatus::Complete,
                    const QString &content = QString(),
                    const QString &conversation = QStringLiteral("conv"))
    {
        Message m;
        m.id = id;
        m.conversationId = conversation;
        m.parentId = parent;
        m.role = role;
        m.content = content.isNull() ? QStringLiteral("text of %1").arg(id) : content;
        m.status = status;
        m.createdAt = createdAt;
        messages::insert(db(), m);
    }

    /** @brief Every field of @p m, named, so that a failed comparison says which one. */
    static QStringList fields(const Message &m)
    {
        return {QStringLiteral("id=") + m.id,
                QStringLiteral("conversationId=") + m.conversationId,
                QStringLiteral("parentId=") + m.parentId,
                QStringLiteral("role=") + m.role,
                QStringLiteral("author=") + m.author,
                QStringLiteral("provider=") + m.provider,
                QStringLiteral("model=") + m.model,
                QStringLiteral("content=") + m.content,
                QStringLiteral("status=") + arbor::domain::toString(m.status),
                QStringLiteral("error=") + m.error,
                QStringLiteral("finishReason=") + m.finishReason,
                QStringLiteral("promptTokens=%1").arg(m.promptTokens),
                QStringLiteral("completionTokens=%1").arg(m.completionTokens),
                QStringLiteral("createdAt=%1").arg(m.createdAt),
                QStringLiteral("finishedAt=%1").arg(m.finishedAt),
                QStringLiteral("label=") + m.label,
                QStringLiteral("fusedFrom=") + m.fusedFrom,
                QStringLiteral("params=") + m.params,
                QStringLiteral("request=") + m.request,
                QStringLiteral("siblingIndex=%1").arg(m.siblingIndex),
                QStringLiteral("siblingCount=%1").arg(m.siblingCount)};
    }

    static QStringList fields(const arbor::domain::TreeNode &n)
    {
        return {QStringLiteral("id=") + n.id,
                QStringLiteral("parentId=") + n.parentId,
                QStringLiteral("role=") + n.role,
                QStringLiteral("author=") + n.author,
                QStringLiteral("status=") + n.status,
                QStringLiteral("label=") + n.label,
                QStringLiteral("preview=") + n.preview,
                QStringLiteral("createdAt=%1").arg(n.createdAt)};
    }

    static QStringList ids(const QList<Message> &path)
    {
        QStringList out;
        for (const Message &m : path)
            out.append(m.id);
        return out;
    }

    /**
     * conv:  u (user)
     *        ├── a1 (assistant, t=2) ── u1 (t=4) ── a11 (t=6)
     *        ├── a2 (assistant, t=3) ── u2 (t=5)
     *        └── a3 (assistant, t=3, id > a2)
     */
    void buildTree()
    {
        addMessage(QStringLiteral("u"), {}, QStringLiteral("user"), 1);
        addMessage(QStringLiteral("a1"), QStringLiteral("u"), QStringLiteral("assistant"), 2);
        addMessage(QStringLiteral("a2"), QStringLiteral("u"), QStringLiteral("assistant"), 3);
        addMessage(QStringLiteral("a3"), QStringLiteral("u"), QStringLiteral("assistant"), 3);
        addMessage(QStringLiteral("u1"), QStringLiteral("a1"), QStringLiteral("user"), 4);
        addMessage(QStringLiteral("u2"), QStringLiteral("a2"), QStringLiteral("user"), 5);
        addMessage(QStringLiteral("a11"), QStringLiteral("u1"), QStringLiteral("assistant"), 6);
    }

private Q_SLOTS:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        m_conn = std::make_unique<DbConnection>(m_dir->filePath(QStringLiteral("arbor.db")),
                                                DbConnection::Mode::Migrated);
        for (const char *id : {"conv", "other"}) {
            Conversation c;
            c.id = QString::fromLatin1(id);
            c.title = QStringLiteral("Tree");
            c.createdAt = c.updatedAt = 1;
            conversations::insert(db(), c);
        }
    }

    void cleanup()
    {
        m_conn.reset();
        m_dir.reset();
    }

    void pathToRunsFromRootToLeaf()
    {
        buildTree();
        const QList<Message> path = messages::pathTo(db(), QStringLiteral("a11"));
        QCOMPARE(ids(path),
                 (QStringList{QStringLiteral("u"), QStringLiteral("a1"), QStringLiteral("u1"),
                              QStringLiteral("a11")}));
        QCOMPARE(path.at(0).parentId, QString());
        for (int i = 1; i < path.size(); ++i)
            QCOMPARE(path.at(i).parentId, path.at(i - 1).id);
        QCOMPARE(path.at(1).role, QStringLiteral("assistant"));
        QCOMPARE(path.at(3).content, QStringLiteral("text of a11"));
    }

    void pathToUnknownLeafIsEmpty()
    {
        buildTree();
        QVERIFY(messages::pathTo(db(), QStringLiteral("nope")).isEmpty());
    }

    void siblingIndexAndCount()
    {
        buildTree();
        const QList<Message> viaA1 = messages::pathTo(db(), QStringLiteral("a11"));
        QCOMPARE(viaA1.at(0).siblingIndex, 0);
        QCOMPARE(viaA1.at(0).siblingCount, 1);
        QCOMPARE(viaA1.at(1).siblingIndex, 0);
        QCOMPARE(viaA1.at(1).siblingCount, 3);
        QCOMPARE(viaA1.at(2).siblingCount, 1);

        const QList<Message> viaA2 = messages::pathTo(db(), QStringLiteral("u2"));
        QCOMPARE(viaA2.at(1).id, QStringLiteral("a2"));
        QCOMPARE(viaA2.at(1).siblingIndex, 1);
        QCOMPARE(viaA2.at(1).siblingCount, 3);

        // Same created_at as a2: the id breaks the tie, so a3 comes after a2.
        const QList<Message> viaA3 = messages::pathTo(db(), QStringLiteral("a3"));
        QCOMPARE(viaA3.at(1).siblingIndex, 2);
        QCOMPARE(viaA3.at(1).siblingCount, 3);
    }

    void rootsAreSiblingsWithinTheirConversationOnly()
    {
        addMessage(QStringLiteral("r1"), {}, QStringLiteral("user"), 1);
        addMessage(QStringLiteral("r2"), {}, QStringLiteral("user"), 2);
        addMessage(QStringLiteral("x"), {}, QStringLiteral("user"), 0, MessageStatus::Complete,
                   QStringLiteral("x"), QStringLiteral("other"));
        const QList<Message> path = messages::pathTo(db(), QStringLiteral("r2"));
        QCOMPARE(path.size(), 1);
        QCOMPARE(path.at(0).siblingIndex, 1);
        QCOMPARE(path.at(0).siblingCount, 2);
    }

    void tombstonedSiblingsAreNotCounted()
    {
        buildTree();
        m_conn->exec(QStringLiteral("UPDATE messages SET deleted_at = 10 WHERE id = 'a1'"));
        const QList<Message> viaA2 = messages::pathTo(db(), QStringLiteral("u2"));
        QCOMPARE(viaA2.at(1).siblingIndex, 0);
        QCOMPARE(viaA2.at(1).siblingCount, 2);
        const QList<Message> viaA3 = messages::pathTo(db(), QStringLiteral("a3"));
        QCOMPARE(viaA3.at(1).siblingIndex, 1);
        QCOMPARE(viaA3.at(1).siblingCount, 2);
    }

    void visiblePathFollowsCurrentLeaf()
    {
        buildTree();
        // No leaf yet (a conversation that arrived from a teammate): the newest path.
        QCOMPARE(ids(messages::visiblePath(db(), QStringLiteral("conv"))),
                 (QStringList{QStringLiteral("u"), QStringLiteral("a3")}));
        // A leaf that teammates continued below: the path goes on to the newest leaf under it.
        conversations::setCurrentLeaf(db(), QStringLiteral("conv"), QStringLiteral("u1"));
        QCOMPARE(ids(messages::visiblePath(db(), QStringLiteral("conv"))),
                 (QStringList{QStringLiteral("u"), QStringLiteral("a1"), QStringLiteral("u1"),
                              QStringLiteral("a11")}));

        conversations::setCurrentLeaf(db(), QStringLiteral("conv"), QStringLiteral("a11"));
        QCOMPARE(ids(messages::visiblePath(db(), QStringLiteral("conv"))),
                 (QStringList{QStringLiteral("u"), QStringLiteral("a1"), QStringLiteral("u1"),
                              QStringLiteral("a11")}));

        conversations::setCurrentLeaf(db(), QStringLiteral("conv"), QStringLiteral("u2"));
        const QList<Message> path = messages::visiblePath(db(), QStringLiteral("conv"));
        QCOMPARE(ids(path),
                 (QStringList{QStringLiteral("u"), QStringLiteral("a2"), QStringLiteral("u2")}));
        QCOMPARE(path.at(1).siblingIndex, 1);
        QCOMPARE(conversations::get(db(), QStringLiteral("conv"))->currentLeafId,
                 QStringLiteral("u2"));
        QVERIFY(messages::visiblePath(db(), QStringLiteral("missing")).isEmpty());
    }

    void everyFieldRoundTripsThroughEveryRead()
    {
        // Every field holds a value no other field has: a read that takes a field from another
        // column (a SELECT reordered under a positional read) fails here.
        addMessage(QStringLiteral("root"), {}, QStringLiteral("user"), 1);
        addMessage(QStringLiteral("older"), QStringLiteral("root"), QStringLiteral("assistant"), 2);
        Message want;
        want.id = QStringLiteral("m-id");
        want.conversationId = QStringLiteral("conv");
        want.parentId = QStringLiteral("root");
        want.role = QStringLiteral("assistant");
        want.author = QStringLiteral("m-author");
        want.provider = QStringLiteral("m-provider");
        want.model = QStringLiteral("m-model");
        want.content = QStringLiteral("m-content");
        want.status = MessageStatus::Interrupted;
        want.error = QStringLiteral("m-error");
        want.createdAt = 10;
        want.fusedFrom = QStringLiteral(R"(["m-a","m-b"])");
        want.params = QStringLiteral(R"({"max_tokens":400,"temperature":1.5})");
        want.request = QStringLiteral(R"({"prompt":"Fuse them.","tools":["everything"]})");
        messages::insert(db(), want);
        want.finishReason = QStringLiteral("m-finish");
        want.promptTokens = 11;
        want.completionTokens = 12;
        want.finishedAt = 13;
        want.label = QStringLiteral("m-label");
        m_conn->exec(
            QStringLiteral("UPDATE messages SET finish_reason = ?, prompt_tokens = ?,"
                           " completion_tokens = ?, finished_at = ?, label = ? WHERE id = ?"),
            {want.finishReason, want.promptTokens, want.completionTokens, want.finishedAt,
             want.label, want.id});
        conversations::setCurrentLeaf(db(), QStringLiteral("conv"), want.id);

        QCOMPARE(fields(*messages::get(db(), want.id)), fields(want)); // no sibling figures
        want.siblingIndex = 1;
        want.siblingCount = 2;
        QCOMPARE(fields(messages::pathTo(db(), want.id).value(1)), fields(want));
        QCOMPARE(fields(messages::pathBelow(db(), QStringLiteral("root"), want.id).value(0)),
                 fields(want));
        QCOMPARE(fields(messages::visiblePath(db(), QStringLiteral("conv")).value(1)),
                 fields(want));

        const arbor::domain::TreeNode node{
            want.id,    want.parentId, want.role,     want.author, QStringLiteral("interrupted"),
            want.label, want.content,  want.createdAt};
        const QList<arbor::domain::TreeNode> nodes = tree::nodes(db(), QStringLiteral("conv"));
        QCOMPARE(nodes.size(), 3);
        QCOMPARE(fields(nodes.at(2)), fields(node));
        QCOMPARE(fields(tree::labelled(db(), QStringLiteral("conv")).value(0)), fields(node));
    }

    void getShowsUnfoldedChunksWhileStreaming()
    {
        addMessage(QStringLiteral("u"), {}, QStringLiteral("user"), 1);
        addMessage(QStringLiteral("a"), QStringLiteral("u"), QStringLiteral("assistant"), 2,
                   MessageStatus::Queued, QStringLiteral(""));
        messages::setStatus(db(), QStringLiteral("a"), MessageStatus::Streaming);
        QCOMPARE(arbor::domain::toString(messages::get(db(), QStringLiteral("a"))->status),
                 QStringLiteral("streaming"));
        QCOMPARE(messages::get(db(), QStringLiteral("a"))->content, QString());

        messages::appendChunk(db(), QStringLiteral("a"), 0, QStringLiteral("Hel"));
        QCOMPARE(messages::get(db(), QStringLiteral("a"))->content, QStringLiteral("Hel"));
        // Chunks are ordered by seq, not by arrival.
        messages::appendChunk(db(), QStringLiteral("a"), 2, QStringLiteral(" world"));
        messages::appendChunk(db(), QStringLiteral("a"), 1, QStringLiteral("lo,"));
        QCOMPARE(messages::get(db(), QStringLiteral("a"))->content, QStringLiteral("Hello, world"));
        // The path shows the same live text.
        QCOMPARE(messages::pathTo(db(), QStringLiteral("a")).last().content,
                 QStringLiteral("Hello, world"));
        QVERIFY(!messages::get(db(), QStringLiteral("missing")).has_value());
    }

    void finishFoldsChunksExactlyOnce()
    {
        addMessage(QStringLiteral("u"), {}, QStringLiteral("user"), 1);
        addMessage(QStringLiteral("a"), QStringLiteral("u"), QStringLiteral("assistant"), 2,
                   MessageStatus::Streaming, QStringLiteral("Kept. "));
        messages::appendChunk(db(), QStringLiteral("a"), 0, QStringLiteral("One "));
        messages::appendChunk(db(), QStringLiteral("a"), 1, QStringLiteral("two."));

        messages::Finish f;
        f.status = MessageStatus::Complete;
        f.finishReason = QStringLiteral("stop");
        f.promptTokens = 7;
        f.completionTokens = 3;
        QVERIFY(messages::finish(db(), QStringLiteral("a"), f));

        const Message done = *messages::get(db(), QStringLiteral("a"));
        QCOMPARE(done.content, QStringLiteral("Kept. One two."));
        QCOMPARE(arbor::domain::toString(done.status), QStringLiteral("complete"));
        QCOMPARE(done.finishReason, QStringLiteral("stop"));
        QCOMPARE(done.promptTokens, 7);
        QCOMPARE(done.completionTokens, 3);
        QVERIFY(done.finishedAt > 0);
        QCOMPARE(m_conn
                     ->scalar(QStringLiteral(
                         "SELECT count(*) FROM message_chunks WHERE message_id = 'a'"))
                     .toInt(),
                 0);
        // The stored column itself holds the folded text (not only the read-time view).
        QCOMPARE(m_conn->scalar(QStringLiteral("SELECT content FROM messages WHERE id = 'a'"))
                     .toString(),
                 QStringLiteral("Kept. One two."));

        // Finished messages are immutable: a second finish, even with stray chunks, changes
        // nothing.
        messages::appendChunk(db(), QStringLiteral("a"), 5, QStringLiteral(" late"));
        messages::Finish again;
        again.status = MessageStatus::Error;
        again.error = QStringLiteral("should not land");
        QVERIFY(!messages::finish(db(), QStringLiteral("a"), again));
        const Message after = *messages::get(db(), QStringLiteral("a"));
        QCOMPARE(after.content, done.content);
        QCOMPARE(arbor::domain::toString(after.status), QStringLiteral("complete"));
        QCOMPARE(after.error, QString());
        QCOMPARE(after.finishedAt, done.finishedAt);
        QCOMPARE(after.completionTokens, 3);
    }

    void reasoningStreamsInChunksAndFoldsOnce()
    {
        addMessage(QStringLiteral("u"), {}, QStringLiteral("user"), 1);
        addMessage(QStringLiteral("a"), QStringLiteral("u"), QStringLiteral("assistant"), 2,
                   MessageStatus::Streaming, QStringLiteral(""));
        // Only reasoning so far: it is text to keep (a crash does not start the reply over).
        messages::appendReasoningChunk(db(), QStringLiteral("a"), 1, QStringLiteral("so "));
        messages::appendReasoningChunk(db(), QStringLiteral("a"), 0, QStringLiteral("Think, "));
        Message live = *messages::get(db(), QStringLiteral("a"));
        QCOMPARE(live.reasoning, QStringLiteral("Think, so "));
        QCOMPARE(live.content, QString());
        QCOMPARE(live.reasoningMs, qint64(-1));
        QCOMPARE(messages::pathTo(db(), QStringLiteral("a")).last().reasoning,
                 QStringLiteral("Think, so "));
        const QList<messages::Unattended> left = messages::unattendedLive(db());
        QCOMPARE(left.size(), 1);
        QVERIFY(left.first().hasText);

        messages::setReasoningMs(db(), QStringLiteral("a"), 1500);
        messages::appendReasoningChunk(db(), QStringLiteral("a"), 2, QStringLiteral("done."));
        messages::appendChunk(db(), QStringLiteral("a"), 3, QStringLiteral("Answer"));
        messages::Finish f;
        f.reasoningData = QStringLiteral(R"({"format":"gemini","parts":[]})");
        QVERIFY(messages::finish(db(), QStringLiteral("a"), f));
        const Message done = *messages::get(db(), QStringLiteral("a"));
        QCOMPARE(done.reasoning, QStringLiteral("Think, so done."));
        QCOMPARE(done.content, QStringLiteral("Answer"));
        QCOMPARE(done.reasoningMs, qint64(1500)); // kept: the finish did not say
        QCOMPARE(done.reasoningData, f.reasoningData);
        QCOMPARE(m_conn->scalar(QStringLiteral("SELECT reasoning FROM messages WHERE id = 'a'"))
                     .toString(),
                 QStringLiteral("Think, so done."));
        QCOMPARE(
            m_conn->scalar(QStringLiteral("SELECT count(*) FROM message_reasoning_chunks")).toInt(),
            0);
        // Immutable once finished.
        messages::setReasoningMs(db(), QStringLiteral("a"), 9);
        QCOMPARE(messages::get(db(), QStringLiteral("a"))->reasoningMs, qint64(1500));

        // A plain message has none; a copy (a fork) keeps it.
        QCOMPARE(messages::get(db(), QStringLiteral("u"))->reasoningMs, qint64(-1));
        Message copy = done;
        copy.id = QStringLiteral("copy");
        messages::insert(db(), copy);
        const Message copied = *messages::get(db(), QStringLiteral("copy"));
        QCOMPARE(copied.reasoning, done.reasoning);
        QCOMPARE(copied.reasoningMs, done.reasoningMs);
        QCOMPARE(copied.reasoningData, done.reasoningData);
    }

    void finishedMessagesIgnoreStatusChanges()
    {
        addMessage(QStringLiteral("u"), {}, QStringLiteral("user"), 1);
        messages::setStatus(db(), QStringLiteral("u"), MessageStatus::Streaming);
        messages::requeue(db(), QStringLiteral("u"), QStringLiteral("note"));
        const Message u = *messages::get(db(), QStringLiteral("u"));
        QCOMPARE(arbor::domain::toString(u.status), QStringLiteral("complete"));
        QCOMPARE(u.error, QString());

        addMessage(QStringLiteral("a"), QStringLiteral("u"), QStringLiteral("assistant"), 2,
                   MessageStatus::Streaming, QStringLiteral(""));
        messages::requeue(db(), QStringLiteral("a"), QStringLiteral("retrying"));
        QCOMPARE(arbor::domain::toString(messages::get(db(), QStringLiteral("a"))->status),
                 QStringLiteral("queued"));
        QCOMPARE(messages::get(db(), QStringLiteral("a"))->error, QStringLiteral("retrying"));
    }

    void statusStringsRoundTrip_data()
    {
        QTest::addColumn<MessageStatus>("status");
        QTest::addColumn<QString>("text");
        QTest::newRow("queued") << MessageStatus::Queued << QStringLiteral("queued");
        QTest::newRow("streaming") << MessageStatus::Streaming << QStringLiteral("streaming");
        QTest::newRow("complete") << MessageStatus::Complete << QStringLiteral("complete");
        QTest::newRow("cancelled") << MessageStatus::Cancelled << QStringLiteral("cancelled");
        QTest::newRow("error") << MessageStatus::Error << QStringLiteral("error");
        QTest::newRow("interrupted") << MessageStatus::Interrupted << QStringLiteral("interrupted");
    }

    void statusStringsRoundTrip()
    {
        QFETCH(MessageStatus, status);
        QFETCH(QString, text);
        QCOMPARE(arbor::domain::toString(status), text);
        QCOMPARE(arbor::domain::toString(arbor::domain::messageStatusFromString(text)), text);
        // ... and through the table's CHECK constraint and back.
        addMessage(QStringLiteral("m"), {}, QStringLiteral("user"), 1, status, QStringLiteral("x"));
        QCOMPARE(
            m_conn->scalar(QStringLiteral("SELECT status FROM messages WHERE id = 'm'")).toString(),
            text);
        QCOMPARE(arbor::domain::toString(messages::get(db(), QStringLiteral("m"))->status), text);
        QCOMPARE(arbor::domain::isLive(status),
                 status == MessageStatus::Queued || status == MessageStatus::Streaming);
    }

    void unknownStatusReadsAsError()
    {
        QCOMPARE(arbor::domain::toString(
                     arbor::domain::messageStatusFromString(QStringLiteral("bogus"))),
                 QStringLiteral("error"));
    }
};

QTEST_GUILESS_MAIN(TestMessageQueries)
#include "tst_messagequeries.moc"
