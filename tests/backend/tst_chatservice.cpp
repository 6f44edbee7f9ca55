// ChatService through the real composition root (core::Backend) on a temp store.
#include "chat/chatevents.h"
#include "chat/chatservice.h"
#include "core/backend.h"
#include "domain/ids.h"
#include "jobs/jobqueries.h"
#include "llm/demotext.h"
#include "store/conversationqueries.h"
#include "store/messagequeries.h"
#include "store/sql.h"
#include "store/store.h"
#include "support/dbconnection.h"

#include <QLocale>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace arbor;
using chat::ChatEvents;
using chat::ChatService;
using chat::SendRequest;
using chat::SendResult;
using domain::Message;
using domain::MessageStatus;

namespace {

/** @brief ChatEvents re-emitted on the test thread (QSignalSpy is not thread-safe). */
void relay(ChatEvents &from, ChatEvents &to)
{
    QObject::connect(&from, &ChatEvents::conversationsChanged, &to,
                     &ChatEvents::conversationsChanged, Qt::QueuedConnection);
    QObject::connect(&from, &ChatEvents::messageCreated, &to, &ChatEvents::messageCreated,
                     Qt::QueuedConnection);
    QObject::connect(&from, &ChatEvents::messageDelta, &to, &ChatEvents::messageDelta,
                     Qt::QueuedConnection);
    QObject::connect(&from, &ChatEvents::messageStateChanged, &to, &ChatEvents::messageStateChanged,
                     Qt::QueuedConnection);
}

/** @brief The text of the deltas @p spy saw for @p messageId, checking their offsets line up. */
QString deltasFor(const QSignalSpy &spy, const QString &messageId)
{
    QString out;
    for (const QList<QVariant> &args : spy) {
        if (args.at(1).toString() != messageId)
            continue;
        if (args.at(2).value<qsizetype>() != out.size())
            return QStringLiteral("<offset %1 after %2 characters>")
                .arg(args.at(2).value<qsizetype>())
                .arg(out.size());
        out += args.at(3).toString();
    }
    return out;
}

/** @brief The first final status @p spy saw for @p messageId (empty while none). */
QString finalStatus(const QSignalSpy &spy, const QString &messageId)
{
    for (const QList<QVariant> &args : spy) {
        if (args.at(1).toString() == messageId
            && !domain::isLive(domain::messageStatusFromString(args.at(2).toString())))
            return args.at(2).toString();
    }
    return {};
}

QString demoTextFor(const QString &prompt)
{
    return llm::DemoText::answer(prompt, llm::DemoText::seedFor(prompt));
}

} // namespace

class TestChatService : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<core::Backend> m_backend;
    std::unique_ptr<ChatEvents> m_events; // on the test thread

    QString dbPath() const { return m_dir->filePath(QStringLiteral("arbor.db")); }

    void openBackend(bool runJobs, double demoRate)
    {
        m_backend =
            std::make_unique<core::Backend>(core::BackendOptions{dbPath(), demoRate, runJobs, 2});
        m_events = std::make_unique<ChatEvents>();
        relay(m_backend->events(), *m_events);
        m_backend->open();
    }

    ChatService &chat() { return m_backend->chat(); }

    std::optional<Message> message(const QString &id)
    {
        return m_backend->store()
            .read([id](QSqlDatabase &db) { return store::messages::get(db, id); })
            .result();
    }

    QList<jobs::Job> jobsFor(const QString &subject)
    {
        return m_backend->store()
            .read([subject](QSqlDatabase &db) { return jobs::queries::forSubject(db, subject); })
            .result();
    }

    int count(const QString &table)
    {
        return m_backend->store()
            .read([table](QSqlDatabase &db) {
                QSqlQuery q = store::exec(db, QStringLiteral("SELECT count(*) FROM %1").arg(table));
                return q.next() ? q.value(0).toInt() : -1;
            })
            .result();
    }

    static QString errorOf(QFuture<SendResult> f)
    {
        try {
            f.waitForFinished();
        } catch (const std::exception &e) {
            return QString::fromUtf8(e.what());
        }
        return {};
    }

private Q_SLOTS:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
    }

    void cleanup()
    {
        m_backend.reset();
        m_events.reset();
        m_dir.reset();
    }

    void sendStoresEverythingInOneGo()
    {
        openBackend(false, 0); // no engine: the reply stays queued where we can see it
        QSignalSpy created(m_events.get(), &ChatEvents::messageCreated);
        QSignalSpy listChanged(m_events.get(), &ChatEvents::conversationsChanged);
        SendRequest request;
        request.text = QStringLiteral("  Plan a trip to Lisbon\nwith three days and a budget");
        const SendResult r = chat().send(request).result();

        QVERIFY(!r.conversationId.isEmpty());
        QVERIFY(r.jobId > 0);
        QCOMPARE(r.user.role, QStringLiteral("user"));
        QCOMPARE(r.user.parentId, QString());
        QCOMPARE(r.user.content, request.text);
        QCOMPARE(r.assistant.parentId, r.user.id);
        QCOMPARE(arbor::domain::toString(r.assistant.status), QStringLiteral("queued"));
        QCOMPARE(r.assistant.provider, QStringLiteral("demo"));

        const auto conversations = chat().conversations().result();
        QCOMPARE(conversations.size(), 1);
        QCOMPARE(conversations.at(0).id, r.conversationId);
        QCOMPARE(conversations.at(0).title, QStringLiteral("Plan a trip to Lisbon"));
        QCOMPARE(conversations.at(0).currentLeafId, r.assistant.id);

        QCOMPARE(arbor::domain::toString(message(r.user.id)->status), QStringLiteral("complete"));
        QCOMPARE(arbor::domain::toString(message(r.assistant.id)->status),
                 QStringLiteral("queued"));
        const QList<jobs::Job> jobs = jobsFor(r.assistant.id);
        QCOMPARE(jobs.size(), 1);
        QCOMPARE(jobs.at(0).id, r.jobId);
        QCOMPARE(arbor::jobs::toString(jobs.at(0).state), QStringLiteral("queued"));
        QCOMPARE(jobs.at(0).kind, QStringLiteral("chat.reply"));
        QCOMPARE(jobs.at(0).priority, jobs::Priority::Interactive);
        QCOMPARE(jobs.at(0).payload.value(QStringLiteral("message_id")).toString(), r.assistant.id);

        QTRY_COMPARE(created.size(), 2);
        QCOMPARE(created.at(0).at(0).value<Message>().id, r.user.id);
        QCOMPARE(created.at(1).at(0).value<Message>().id, r.assistant.id);
        QTRY_COMPARE(listChanged.size(), 1);
    }

    void titleIsTheFirstLineShortened()
    {
        QCOMPARE(ChatService::titleFor(QStringLiteral("Hello\nworld")), QStringLiteral("Hello"));
        QCOMPARE(ChatService::titleFor(QStringLiteral("   \n  ")),
                 QStringLiteral("New conversation"));
        const QString longLine = QStringLiteral("word ").repeated(40);
        const QString title = ChatService::titleFor(longLine);
        QVERIFY(title.size() <= 61);
        QVERIFY(title.endsWith(QChar(0x2026)));
    }

    void replyCompletesWithTheStreamedText()
    {
        openBackend(true, 0);
        QSignalSpy deltas(m_events.get(), &ChatEvents::messageDelta);
        QSignalSpy states(m_events.get(), &ChatEvents::messageStateChanged);
        SendRequest request;
        request.text = QStringLiteral("Tell me about trees");
        const SendResult r = chat().send(request).result();

        QTRY_COMPARE_WITH_TIMEOUT(finalStatus(states, r.assistant.id), QStringLiteral("complete"),
                                  60000);
        const Message reply = *message(r.assistant.id);
        QCOMPARE(arbor::domain::toString(reply.status), QStringLiteral("complete"));
        QCOMPARE(reply.content, deltasFor(deltas, r.assistant.id));
        QCOMPARE(reply.content, demoTextFor(request.text));
        QCOMPARE(reply.finishReason, QStringLiteral("stop"));
        QVERIFY(reply.completionTokens > 0);
        QCOMPARE(arbor::jobs::toString(jobsFor(r.assistant.id).at(0).state),
                 QStringLiteral("done"));
        QCOMPARE(count(QStringLiteral("message_chunks")), 0);
        // streaming was announced before complete
        QCOMPARE(states.at(0).at(1).toString(), r.assistant.id);
        QCOMPARE(states.at(0).at(2).toString(), QStringLiteral("streaming"));
    }

    void everyReplyAnnouncesItsEnd()
    {
        // Views and arbord wait for the final messageStateChanged; a reply that ends without it
        // spins forever. Fast replies (rate 0) end while the store is idle, which is when the
        // announcement is most at risk of being missed, so send many.
        openBackend(true, 0);
        QSignalSpy states(m_events.get(), &ChatEvents::messageStateChanged);
        constexpr int Replies = 40;
        QStringList ids;
        for (int i = 0; i < Replies; ++i) {
            SendRequest request;
            request.text = QStringLiteral("Quick question %1").arg(i);
            ids.append(chat().send(request).result().assistant.id);
            // One at a time: each reply ends on an otherwise idle engine and writer.
            QTRY_VERIFY_WITH_TIMEOUT(message(ids.last())->status == MessageStatus::Complete, 60000);
        }
        // Events are queued to this thread; give the last ones time to arrive, then count.
        [[maybe_unused]] const bool arrived = QTest::qWaitFor(
            [&] {
                return std::all_of(ids.cbegin(), ids.cend(), [&](const QString &id) {
                    return !finalStatus(states, id).isEmpty();
                });
            },
            10000);
        QStringList missing;
        for (const QString &id : std::as_const(ids)) {
            if (finalStatus(states, id) != u"complete")
                missing.append(id);
        }
        QVERIFY2(missing.isEmpty(),
                 qPrintable(QStringLiteral("%1 of %2 replies completed in the store without a "
                                           "\"complete\" event")
                                .arg(missing.size())
                                .arg(Replies)));
    }

    void continuingParentsOnTheCurrentLeaf()
    {
        openBackend(true, 0);
        QSignalSpy states(m_events.get(), &ChatEvents::messageStateChanged);
        SendRequest first;
        first.text = QStringLiteral("First question");
        const SendResult r1 = chat().send(first).result();
        QTRY_COMPARE_WITH_TIMEOUT(finalStatus(states, r1.assistant.id), QStringLiteral("complete"),
                                  60000);

        SendRequest second;
        second.conversationId = r1.conversationId;
        second.text = QStringLiteral("Second question");
        const SendResult r2 = chat().send(second).result();
        QCOMPARE(r2.conversationId, r1.conversationId);
        QCOMPARE(r2.user.parentId, r1.assistant.id);
        QTRY_COMPARE_WITH_TIMEOUT(finalStatus(states, r2.assistant.id), QStringLiteral("complete"),
                                  60000);

        const QList<Message> path = chat().visiblePath(r1.conversationId).result();
        QStringList ids;
        for (const Message &m : path)
            ids.append(m.id);
        QCOMPARE(ids, (QStringList{r1.user.id, r1.assistant.id, r2.user.id, r2.assistant.id}));
        QCOMPARE(chat().conversations().result().size(), 1);

        // An explicit parent makes a branch: a sibling of the second question.
        SendRequest branch;
        branch.conversationId = r1.conversationId;
        branch.parentId = r1.assistant.id;
        branch.text = QStringLiteral("Another second question");
        const SendResult r3 = chat().send(branch).result();
        QCOMPARE(r3.user.parentId, r1.assistant.id);
        QCOMPARE(r3.user.siblingIndex, 1);
        QCOMPARE(r3.user.siblingCount, 2);
        QTRY_COMPARE_WITH_TIMEOUT(finalStatus(states, r3.assistant.id), QStringLiteral("complete"),
                                  60000);
        const QList<Message> branchPath = chat().visiblePath(r1.conversationId).result();
        QCOMPARE(branchPath.size(), 4);
        QCOMPARE(branchPath.at(2).id, r3.user.id);
        QCOMPARE(branchPath.at(2).siblingCount, 2);
    }

    void sendIntoAnUnknownConversationFails()
    {
        openBackend(false, 0);
        SendRequest request;
        request.conversationId = domain::newId();
        request.text = QStringLiteral("hello");
        QVERIFY(errorOf(chat().send(request)).contains(QLatin1String("does not exist")));
        request.conversationId.clear();
        request.modelKey = QStringLiteral("nope/none");
        QVERIFY(errorOf(chat().send(request)).contains(QLatin1String("not available")));
        QCOMPARE(count(QStringLiteral("messages")), 0);
        QCOMPARE(count(QStringLiteral("conversations")), 0);
        QCOMPARE(count(QStringLiteral("jobs")), 0);
    }

    void validateRejectsEmptyAndHugeText()
    {
        QCOMPARE(ChatService::validate(QStringLiteral("")),
                 QStringLiteral("Type a message first."));
        QCOMPARE(ChatService::validate(QStringLiteral(" \n\t ")),
                 QStringLiteral("Type a message first."));
        QCOMPARE(ChatService::validate(QStringLiteral("hi")), QString());
        QCOMPARE(ChatService::validate(QString(ChatService::MaxMessageLength, QLatin1Char('x'))),
                 QString());
        const QString huge(ChatService::MaxMessageLength + 1, QLatin1Char('x'));
        const QString error = ChatService::validate(huge);
        QVERIFY2(error.contains(QLatin1String("at most")), qPrintable(error));
        QVERIFY2(error.contains(QLocale().toString(ChatService::MaxMessageLength + 1)),
                 qPrintable(error));

        openBackend(false, 0);
        SendRequest empty;
        empty.text = QStringLiteral("   ");
        QCOMPARE(errorOf(chat().send(empty)), QStringLiteral("Type a message first."));
        SendRequest big;
        big.text = huge;
        QCOMPARE(errorOf(chat().send(big)), error);
        QCOMPARE(count(QStringLiteral("messages")), 0);
        QCOMPARE(count(QStringLiteral("conversations")), 0);
        QCOMPARE(count(QStringLiteral("jobs")), 0);
    }

    void stopKeepsThePartialText()
    {
        openBackend(true, 5);
        QSignalSpy deltas(m_events.get(), &ChatEvents::messageDelta);
        QSignalSpy states(m_events.get(), &ChatEvents::messageStateChanged);
        SendRequest request;
        request.text = QStringLiteral("A slow answer please");
        const SendResult r = chat().send(request).result();
        QTRY_VERIFY_WITH_TIMEOUT(deltasFor(deltas, r.assistant.id).size() > 0, 60000);

        QVERIFY(chat().stop(r.assistant.id).result());
        QTRY_COMPARE_WITH_TIMEOUT(finalStatus(states, r.assistant.id), QStringLiteral("cancelled"),
                                  60000);
        const Message reply = *message(r.assistant.id);
        const QString full = demoTextFor(request.text);
        QCOMPARE(arbor::domain::toString(reply.status), QStringLiteral("cancelled"));
        QVERIFY(!reply.content.isEmpty());
        QVERIFY2(reply.content.size() < full.size(), qPrintable(reply.content));
        QVERIFY(full.startsWith(reply.content));
        QCOMPARE(reply.content, deltasFor(deltas, r.assistant.id));
        QCOMPARE(arbor::jobs::toString(jobsFor(r.assistant.id).at(0).state),
                 QStringLiteral("cancelled"));
        QVERIFY(!chat().stop(r.assistant.id).result()); // no longer live
    }

    void stopAQueuedReply()
    {
        openBackend(false, 0);
        QSignalSpy states(m_events.get(), &ChatEvents::messageStateChanged);
        SendRequest request;
        request.text = QStringLiteral("never mind");
        const SendResult r = chat().send(request).result();
        QVERIFY(chat().stop(r.assistant.id).result());
        QCOMPARE(arbor::domain::toString(message(r.assistant.id)->status),
                 QStringLiteral("cancelled"));
        QCOMPARE(message(r.assistant.id)->content, QString());
        QCOMPARE(arbor::jobs::toString(jobsFor(r.assistant.id).at(0).state),
                 QStringLiteral("cancelled"));
        QTRY_COMPARE(finalStatus(states, r.assistant.id), QStringLiteral("cancelled"));
        QVERIFY(!chat().stop(r.user.id).result());
    }

    void renameAndRemove()
    {
        openBackend(false, 0);
        SendRequest request;
        request.text = QStringLiteral("original title");
        QSignalSpy sendChanged(m_events.get(), &ChatEvents::conversationsChanged);
        const SendResult r = chat().send(request).result();
        QTRY_COMPARE(sendChanged.size(), 1); // the send's own announcement is out of the way
        QSignalSpy listChanged(m_events.get(), &ChatEvents::conversationsChanged);

        chat().rename(r.conversationId, QStringLiteral("  Better   title ")).waitForFinished();
        QCOMPARE(chat().conversations().result().at(0).title, QStringLiteral("Better title"));
        QTRY_COMPARE(listChanged.size(), 1);
        QVERIFY_THROWS_EXCEPTION(
            store::StoreError,
            chat().rename(r.conversationId, QStringLiteral("  ")).waitForFinished());
        QVERIFY_THROWS_EXCEPTION(
            store::StoreError,
            chat().rename(domain::newId(), QStringLiteral("x")).waitForFinished());

        chat().remove(r.conversationId).waitForFinished();
        QVERIFY(chat().conversations().result().isEmpty());
        QTRY_COMPARE(listChanged.size(), 2);
        // Removing stops what was waiting for a reply.
        QCOMPARE(arbor::jobs::toString(jobsFor(r.assistant.id).at(0).state),
                 QStringLiteral("cancelled"));
        QVERIFY_THROWS_EXCEPTION(store::StoreError,
                                 chat().remove(r.conversationId).waitForFinished());
        QVERIFY_THROWS_EXCEPTION(
            store::StoreError,
            chat().rename(r.conversationId, QStringLiteral("back")).waitForFinished());
        // A tombstone: the rows stay.
        QCOMPARE(count(QStringLiteral("messages")), 2);
    }

    void sweepInterruptsLiveMessagesWithoutAJob()
    {
        openBackend(false, 0);
        SendRequest request;
        request.text = QStringLiteral("has a job");
        const SendResult withJob = chat().send(request).result();
        const QString orphan = domain::newId();
        m_backend->store()
            .write([conversation = withJob.conversationId, parent = withJob.user.id,
                    orphan](QSqlDatabase &db) {
                Message m;
                m.id = orphan;
                m.conversationId = conversation;
                m.parentId = parent;
                m.role = QStringLiteral("assistant");
                m.status = MessageStatus::Streaming;
                m.createdAt = domain::nowMs();
                store::messages::insert(db, m);
                store::messages::appendChunk(db, orphan, 0, QStringLiteral("partial "));
                store::messages::appendChunk(db, orphan, 1, QStringLiteral("text"));
            })
            .waitForFinished();

        // An orphan that never received any text does not claim to keep any.
        const QString empty = domain::newId();
        m_backend->store()
            .write([conversation = withJob.conversationId, parent = withJob.user.id,
                    empty](QSqlDatabase &db) {
                Message m;
                m.id = empty;
                m.conversationId = conversation;
                m.parentId = parent;
                m.role = QStringLiteral("assistant");
                m.status = MessageStatus::Queued;
                m.createdAt = domain::nowMs();
                store::messages::insert(db, m);
            })
            .waitForFinished();

        // A teammate's reply, pulled from the team server while it streams on their machine, has
        // no job here either: it is theirs to finish, not ours to interrupt.
        const QString teammates = domain::newId();
        m_backend->store()
            .write([conversation = withJob.conversationId, parent = withJob.user.id,
                    teammates](QSqlDatabase &db) {
                store::exec(
                    db,
                    QStringLiteral(
                        "INSERT INTO messages (id, conversation_id, parent_id, role, author, "
                        "content, "
                        "status, created_at, synced_at) VALUES (?, ?, ?, 'assistant', 'alice', "
                        "'half a', 'streaming', 1, 2)"),
                    {teammates, conversation, parent});
            })
            .waitForFinished();

        QCOMPARE(m_backend->store().write(&ChatService::sweepOrphanedMessages).result(), 2);
        QCOMPARE(arbor::domain::toString(message(teammates)->status), QStringLiteral("streaming"));
        const Message swept = *message(orphan);
        QCOMPARE(arbor::domain::toString(swept.status), QStringLiteral("interrupted"));
        QCOMPARE(swept.content, QStringLiteral("partial text"));
        QVERIFY2(swept.error.contains(QLatin1String("text received so far is kept")),
                 qPrintable(swept.error));
        const Message nothing = *message(empty);
        QCOMPARE(arbor::domain::toString(nothing.status), QStringLiteral("interrupted"));
        QVERIFY2(!nothing.error.contains(QLatin1String("kept")), qPrintable(nothing.error));
        QVERIFY2(nothing.error.contains(QLatin1String("before any of it arrived")),
                 qPrintable(nothing.error));
        QCOMPARE(arbor::domain::toString(message(withJob.assistant.id)->status),
                 QStringLiteral("queued"));
        QCOMPARE(m_backend->store().write(&ChatService::sweepOrphanedMessages).result(), 0);
    }
};

QTEST_GUILESS_MAIN(TestChatService)
#include "tst_chatservice.moc"
