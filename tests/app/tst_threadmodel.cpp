// ThreadModel against a real backend (SQLite file, job engine, demo model).
#include "statetypes.h"
#include "threadmodel.h"

#include "chat/chatevents.h"
#include "chat/chatservice.h"
#include "core/backend.h"
#include "domain/ids.h"
#include "domain/toolcall.h"
#include "llm/providerfactory.h"
#include "llm/providerregistry.h"
#include "store/conversationqueries.h"
#include "store/messagequeries.h"
#include "store/sql.h"
#include "store/store.h"
#include "support/answerorder.h"
#include "support/fakevendorserver.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace arbor;
using app::ThreadModel;

class TestThreadModel : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<core::Backend> m_backend;

    core::Backend &backend(double rate)
    {
        m_dir = std::make_unique<QTemporaryDir>();
        m_backend = std::make_unique<core::Backend>(
            core::BackendOptions{m_dir->filePath(QStringLiteral("a.db")), rate, true, 2});
        m_backend->open();
        return *m_backend;
    }

    chat::SendResult send(const QString &text, const QString &conversationId = {},
                          const QString &parentId = {})
    {
        chat::SendRequest request;
        request.text = text;
        request.conversationId = conversationId;
        request.parentId = parentId;
        auto f = m_backend->chat().send(request);
        f.waitForFinished();
        return f.result();
    }

    QString stored(const QString &messageId)
    {
        const auto m =
            m_backend->store()
                .read([messageId](QSqlDatabase &db) { return store::messages::get(db, messageId); })
                .result();
        return m ? m->content : QString();
    }

    /** @brief A backend that runs no job, and a reply whose first attempt failed ("Connection
     *  refused") and whose job waits for its second at @p retryAt. */
    chat::SendResult retryingReply(qint64 retryAt)
    {
        m_dir = std::make_unique<QTemporaryDir>();
        m_backend = std::make_unique<core::Backend>(core::BackendOptions{
            m_dir->filePath(QStringLiteral("a.db")), 0, false, 2}); // no job runs
        m_backend->open();
        const chat::SendResult r = send(QStringLiteral("Hello"));
        const QString replyId = r.assistant.id;
        const qint64 jobId = r.jobId;
        m_backend->store()
            .write([replyId, jobId, retryAt](QSqlDatabase &db) {
                store::exec(
                    db,
                    QStringLiteral("UPDATE messages SET error = 'Connection refused' WHERE id = ?"),
                    {replyId});
                store::exec(db,
                            QStringLiteral("UPDATE jobs SET attempts = 1, run_at = ? WHERE id = ?"),
                            {retryAt, jobId});
            })
            .waitForFinished();
        return r;
    }

    static QString at(const ThreadModel &model, int row, ThreadModel::Roles role)
    {
        return model.data(model.index(row), role).toString();
    }

private Q_SLOTS:
    void failedAndRetryingRepliesSayWhatHappens()
    {
        // Issue 15: a reply waiting for another attempt said "Queued" beside a red error, and one
        // that failed offered no way on. The rows now tell them apart, with the job's attempts.
        const qint64 retryAt = domain::nowMs() + 30'000;
        const chat::SendResult r = retryingReply(retryAt);
        const QString replyId = r.assistant.id;
        const qint64 jobId = r.jobId;

        ThreadModel model(*m_backend);
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setConversation(r.conversationId);
        QTRY_COMPARE(model.rowCount(), 2);
        const QModelIndex reply = model.index(1);
        QTRY_COMPARE(model.data(reply, ThreadModel::RetryAtRole).toLongLong(), retryAt);
        QCOMPARE(model.data(reply, ThreadModel::IsRetryingRole).toBool(), true);
        QCOMPARE(model.data(reply, ThreadModel::AttemptRole).toInt(), 1);
        QCOMPARE(model.data(reply, ThreadModel::MaxAttemptsRole).toInt(), 3);
        QCOMPARE(model.data(reply, ThreadModel::CanRetryRole).toBool(), false);
        QCOMPARE(model.data(model.index(0), ThreadModel::IsRetryingRole).toBool(), false);

        // It failed for good: no retry pending, the user can ask again.
        m_backend->store()
            .write([replyId, jobId](QSqlDatabase &db) {
                store::exec(db, QStringLiteral("UPDATE messages SET status = 'error' WHERE id = ?"),
                            {replyId});
                store::exec(db,
                            QStringLiteral("UPDATE jobs SET state = 'failed', attempts = 3, "
                                           "last_error_kind = 'network' WHERE id = ?"),
                            {jobId});
            })
            .waitForFinished();
        model.reload();
        QTRY_COMPARE(model.data(reply, ThreadModel::CanRetryRole).toBool(), true);
        QCOMPARE(model.data(reply, ThreadModel::IsRetryingRole).toBool(), false);
        QCOMPARE(model.data(reply, ThreadModel::RetryAtRole).toLongLong(), 0);
        QTRY_COMPARE(model.data(reply, ThreadModel::AttemptRole).toInt(), 3);
        // A network failure is not fixed in Settings; a refused key is.
        QCOMPARE(model.data(reply, ThreadModel::NeedsSettingsRole).toBool(), false);
        m_backend->store()
            .write([jobId](QSqlDatabase &db) {
                store::exec(db,
                            QStringLiteral("UPDATE jobs SET last_error_kind = 'auth' WHERE id = ?"),
                            {jobId});
            })
            .waitForFinished();
        model.reload();
        QTRY_COMPARE(model.data(reply, ThreadModel::NeedsSettingsRole).toBool(), true);
    }

    void aReplysJobKeepsItsNewestRead()
    {
        // Each state change of a waiting reply reads its job again, and the store's readers
        // answer in any order: of two reads, the older answered last (AnswerOrder makes it so)
        // must not bring back the attempt before.
        const chat::SendResult r = retryingReply(domain::nowMs() + 30'000);
        const QString replyId = r.assistant.id;
        const qint64 jobId = r.jobId;
        ThreadModel model(*m_backend);
        model.setConversation(r.conversationId);
        QTRY_COMPARE(model.rowCount(), 2);
        const QModelIndex reply = model.index(1);
        QTRY_COMPARE(model.data(reply, ThreadModel::AttemptRole).toInt(), 1);

        testsupport::AnswerOrder order(&model);
        chat::ChatEvents &events = m_backend->events();
        const QString queued = QStringLiteral("queued");
        const QString error = QStringLiteral("Connection refused");
        // What the engine reports after each failed attempt, the second one in between.
        Q_EMIT events.messageStateChanged(r.conversationId, replyId, queued, error);
        m_backend->store()
            .write([jobId](QSqlDatabase &db) {
                store::exec(db, QStringLiteral("UPDATE jobs SET attempts = 2 WHERE id = ?"),
                            {jobId});
            })
            .waitForFinished();
        Q_EMIT events.messageStateChanged(r.conversationId, replyId, queued, error);
        QVERIFY(order.deliver(testsupport::AnswerOrder::Order::NewestFirst) >= 2);
        QCOMPARE(model.data(reply, ThreadModel::AttemptRole).toInt(), 2);
    }

    void statusAndActionsAreRolesTheViewFollows()
    {
        // Issue 16: the view gets the status as a MessageStatus value and what the message
        // allows as can… roles (MessagePolicy), and hears of both when the status changes.
        m_dir = std::make_unique<QTemporaryDir>();
        m_backend = std::make_unique<core::Backend>(core::BackendOptions{
            m_dir->filePath(QStringLiteral("a.db")), 0, false, 2}); // no job runs
        m_backend->open();
        const chat::SendResult r = send(QStringLiteral("Hello"));
        ThreadModel model(*m_backend);
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setConversation(r.conversationId);
        QTRY_COMPARE(model.rowCount(), 2);
        const QModelIndex question = model.index(0);
        const QModelIndex reply = model.index(1);
        const auto can = [&](const QModelIndex &i, int role) {
            return model.data(i, role).toBool();
        };

        QCOMPARE(model.data(question, ThreadModel::MessageStatusRole).toInt(),
                 int(app::MessageStatus::Complete));
        QVERIFY(can(question, ThreadModel::CanEditRole));
        QVERIFY(!can(question, ThreadModel::CanRegenerateRole));
        QVERIFY(model.allows(r.user.id, app::MessageAction::Edit));
        // A queued reply: nothing that makes a branch beside it yet.
        QCOMPARE(model.data(reply, ThreadModel::MessageStatusRole).toInt(),
                 int(app::MessageStatus::Queued));
        QVERIFY(!can(reply, ThreadModel::CanEditRole));
        QVERIFY(!can(reply, ThreadModel::CanRegenerateRole));
        QVERIFY(!can(reply, ThreadModel::CanContinueRole));
        QVERIFY(!can(reply, ThreadModel::CanRetryRole));
        QVERIFY(can(reply, ThreadModel::CanLabelRole) && can(reply, ThreadModel::CanForkRole)
                && can(reply, ThreadModel::CanDeleteRole));
        QVERIFY(!model.allows(r.assistant.id, app::MessageAction::Regenerate));
        QVERIFY(!model.allows(QStringLiteral("not-on-the-path"), app::MessageAction::Copy));

        // It stopped with some text: it can be continued and regenerated, and the view hears
        // of the status and the actions in one change.
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        const QString replyId = r.assistant.id;
        m_backend->store()
            .write([replyId](QSqlDatabase &db) {
                store::exec(db,
                            QStringLiteral("UPDATE messages SET status = 'cancelled', content = "
                                           "'Half a reply' WHERE id = ?"),
                            {replyId});
            })
            .waitForFinished();
        model.reload();
        QTRY_COMPARE(model.data(reply, ThreadModel::MessageStatusRole).toInt(),
                     int(app::MessageStatus::Cancelled));
        QVERIFY(can(reply, ThreadModel::CanContinueRole));
        QVERIFY(can(reply, ThreadModel::CanRegenerateRole));
        QVERIFY(!can(reply, ThreadModel::CanRetryRole));
        QVERIFY(model.allows(replyId, app::MessageAction::Continue));
        QList<int> roles;
        for (const auto &args : std::as_const(changed)) {
            if (args.at(0).value<QModelIndex>().row() == 1)
                roles += args.at(2).value<QList<int>>();
        }
        for (int role : {int(ThreadModel::MessageStatusRole), int(ThreadModel::CanContinueRole),
                         int(ThreadModel::CanRegenerateRole), int(ThreadModel::CanRetryRole),
                         int(ThreadModel::ContentRole)})
            QVERIFY2(roles.contains(role), qPrintable(QString::number(role)));

        // The view sees the enum under "messageStatus"; the stored word is for C++ callers only.
        const auto names = model.roleNames();
        QCOMPARE(names.value(ThreadModel::MessageStatusRole), QByteArray("messageStatus"));
        QVERIFY(!names.contains(ThreadModel::StatusRole));
        for (const char *name : {"canEdit", "canRegenerate", "canContinue", "canRetry", "canLabel",
                                 "canFork", "canDelete", "needsSettings"})
            QVERIFY2(names.values().contains(QByteArray(name)), name);
    }

    void cleanup()
    {
        m_backend.reset();
        m_dir.reset();
    }

    void showsAStreamedReplyAndCoalescesDeltas()
    {
        backend(0); // as fast as the demo can go: many deltas per frame
        ThreadModel model(*m_backend);
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy deltas(&m_backend->events(), &chat::ChatEvents::messageDelta);
        int contentChanges = 0;
        connect(&model, &QAbstractItemModel::dataChanged, this,
                [&](const QModelIndex &, const QModelIndex &, const QList<int> &roles) {
                    if (roles.contains(ThreadModel::ContentRole))
                        ++contentChanges;
                });
        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);

        const auto sent = send(QStringLiteral("Show me a table"));
        model.setConversation(sent.conversationId);
        QTRY_COMPARE(model.rowCount(), 2);
        QCOMPARE(at(model, 0, ThreadModel::RoleRole), QStringLiteral("user"));
        QCOMPARE(at(model, 0, ThreadModel::ContentRole), QStringLiteral("Show me a table"));
        QCOMPARE(at(model, 1, ThreadModel::AuthorRole), QStringLiteral("Demo (offline)"));
        QTRY_COMPARE_WITH_TIMEOUT(at(model, 1, ThreadModel::StatusRole), QStringLiteral("complete"),
                                  20000);
        QVERIFY(!model.hasLive());
        QVERIFY(!model.data(model.index(1), ThreadModel::IsLiveRole).toBool());

        const QString final = stored(sent.assistant.id);
        QVERIFY(final.contains(QStringLiteral("|---")));
        QCOMPARE(at(model, 1, ThreadModel::ContentRole), final);
        QVERIFY(deltas.count() > 20);
        // One repaint per frame, not one per token.
        QVERIFY2(contentChanges < deltas.count(),
                 qPrintable(QStringLiteral("%1 content changes for %2 deltas")
                                .arg(contentChanges)
                                .arg(deltas.count())));
        QCOMPARE(resets.count(), 0);
    }

    void loadingMidStreamLosesAndDoublesNothing()
    {
        backend(60);
        const auto sent = send(QStringLiteral("Tell me about streams"));
        QSignalSpy deltas(&m_backend->events(), &chat::ChatEvents::messageDelta);
        QTRY_VERIFY(deltas.count() >= 5); // the reply is well under way

        ThreadModel model(*m_backend);
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setConversation(sent.conversationId);
        QTRY_COMPARE(model.rowCount(), 2);
        QVERIFY(model.hasLive());
        QVERIFY(!at(model, 1, ThreadModel::ContentRole).isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(at(model, 1, ThreadModel::StatusRole), QStringLiteral("complete"),
                                  30000);
        QCOMPARE(at(model, 1, ThreadModel::ContentRole), stored(sent.assistant.id));
    }

    void stopKeepsPartialTextAndClearsLive()
    {
        backend(20);
        ThreadModel model(*m_backend);
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy live(&model, &ThreadModel::hasLiveChanged);
        const auto sent = send(QStringLiteral("A slow one"));
        model.setConversation(sent.conversationId);
        QTRY_VERIFY(!at(model, 1, ThreadModel::ContentRole).isEmpty());
        QVERIFY(model.hasLive());
        QCOMPARE(model.liveMessageId(), sent.assistant.id);

        QVERIFY(m_backend->chat().stop(sent.assistant.id).result());
        QTRY_COMPARE(at(model, 1, ThreadModel::StatusRole), QStringLiteral("cancelled"));
        QTRY_COMPARE(at(model, 1, ThreadModel::ContentRole), stored(sent.assistant.id));
        QVERIFY(!stored(sent.assistant.id).isEmpty());
        QVERIFY(!model.hasLive());
        QVERIFY(live.count() >= 2);
    }

    void branchSwitchTouchesOnlyRowsBelowTheFork()
    {
        backend(0);
        const auto first = send(QStringLiteral("First question"));
        QTRY_COMPARE(stored(first.assistant.id).isEmpty(), false);
        ThreadModel model(*m_backend);
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setConversation(first.conversationId);
        QTRY_COMPARE(model.rowCount(), 2);
        QTRY_COMPARE(at(model, 1, ThreadModel::StatusRole), QStringLiteral("complete"));

        // A second turn arrives through events and is appended, not reloaded.
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        const auto second = send(QStringLiteral("Second question"), first.conversationId);
        QTRY_COMPARE(model.rowCount(), 4);
        QCOMPARE(at(model, 2, ThreadModel::IdRole), second.user.id);
        QTRY_COMPARE(at(model, 3, ThreadModel::StatusRole), QStringLiteral("complete"));

        // Edit the first question: a sibling branch from the root becomes the visible path.
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
        inserted.clear();
        // Build a sibling of the first question as an edit would (branching UI is issue #3).
        const QString sibling = domain::newId();
        m_backend->store()
            .write([&, conv = first.conversationId](QSqlDatabase &db) {
                domain::Message m;
                m.id = sibling;
                m.conversationId = conv;
                m.role = QStringLiteral("user");
                m.author = QStringLiteral("You");
                m.content = QStringLiteral("A different first question");
                m.createdAt = domain::nowMs();
                store::messages::insert(db, m);
                store::conversations::setCurrentLeaf(db, conv, sibling);
            })
            .waitForFinished();
        model.reload();
        QTRY_COMPARE(model.rowCount(), 1);
        QCOMPARE(at(model, 0, ThreadModel::IdRole), sibling);
        QCOMPARE(model.data(model.index(0), ThreadModel::SiblingCountRole).toInt(), 2);
        QCOMPARE(resets.count(), 0);
        QVERIFY(removed.count() >= 1);
        QCOMPARE(removed.constLast().at(1).toInt(), 0);

        // Back to the original leaf: the prefix is re-inserted below the fork.
        m_backend->store()
            .write([conv = first.conversationId, leaf = second.assistant.id](QSqlDatabase &db) {
                store::conversations::setCurrentLeaf(db, conv, leaf);
            })
            .waitForFinished();
        model.reload();
        QTRY_COMPARE(model.rowCount(), 4);
        QCOMPARE(at(model, 0, ThreadModel::IdRole), first.user.id);
        QCOMPARE(resets.count(), 0);
    }

    void reasoningStreamsBeforeTheAnswer()
    {
        // An Ollama thinking model: its reasoning arrives, then (seconds later) the answer.
        testsupport::FakeVendorServer server;
        const QList<QByteArray> lines =
            testsupport::FakeVendorServer::transcript(QStringLiteral("ollama-thinking.ndjson"))
                .split('\n');
        testsupport::FakeVendorServer::Response response = testsupport::FakeVendorServer::stream(
            lines.at(0) + '\n' + lines.at(1) + '\n', "application/x-ndjson");
        response.body.append({lines.at(2) + '\n', 4000});
        response.body.append({lines.at(3) + '\n', 50});
        server.enqueue(response);
        backend(0);
        llm::ProviderConfig config;
        config.id = QStringLiteral("local");
        config.kind = QStringLiteral("ollama");
        config.name = QStringLiteral("Local");
        config.baseUrl = server.baseUrl();
        config.models = {QStringLiteral("qwen3")};
        m_backend->providers().add(llm::createProvider(config));

        ThreadModel model(*m_backend);
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        const QHash<int, QByteArray> names = model.roleNames();
        QCOMPARE(names.value(ThreadModel::ReasoningRole), QByteArray("reasoning"));
        QCOMPARE(names.value(ThreadModel::ReasoningMsRole), QByteArray("reasoningMs"));
        QCOMPARE(names.value(ThreadModel::ReasoningLiveRole), QByteArray("reasoningLive"));
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);

        chat::SendRequest request;
        request.text = QStringLiteral("How many r?");
        request.modelKey = QStringLiteral("local/qwen3");
        const chat::SendResult r = m_backend->chat().send(request).result();
        model.setConversation(r.conversationId);
        QTRY_COMPARE(model.rowCount(), 2);
        const QModelIndex reply = model.index(1);
        // Views learn of the reasoning from the rows they are given or, once they have them,
        // from a change of the reasoning role.
        const bool reasoningAtLoad = !model.data(reply, ThreadModel::ReasoningRole).isNull()
            && !model.data(reply, ThreadModel::ReasoningRole).toString().isEmpty();
        const QString thought = QStringLiteral(
            "Okay, the user asks how many r's are in strawberry — s-t-r-a-w-b-e-r-r-y: three.");
        QTRY_COMPARE_WITH_TIMEOUT(model.data(reply, ThreadModel::ReasoningRole).toString(), thought,
                                  20000);
        QCOMPARE(model.data(reply, ThreadModel::ReasoningLiveRole).toBool(), true);
        QCOMPARE(model.data(reply, ThreadModel::ContentRole).toString(), QString());
        QCOMPARE(model.data(reply, ThreadModel::ReasoningMsRole).toLongLong(), -1);
        const auto announced = [&changed](int role) {
            return std::count_if(changed.cbegin(), changed.cend(),
                                 [role](const QList<QVariant> &c) {
                                     return c.at(2).value<QList<int>>().contains(role);
                                 });
        };
        // A delta is in the row at once and announced at the next coalesced flush (16-33 ms):
        // the QTRY above can see the text before that flush has run.
        QTRY_VERIFY2(reasoningAtLoad || announced(ThreadModel::ReasoningRole) >= 1,
                     "the reasoning reached the view neither with the rows nor as a change");
        QCOMPARE(announced(ThreadModel::ContentRole), 0);

        // The answer begins: no longer reasoning, and the time it took is known.
        QTRY_COMPARE_WITH_TIMEOUT(model.data(reply, ThreadModel::ContentRole).toString(),
                                  QStringLiteral("There are 3 r's."), 20000);
        QCOMPARE(model.data(reply, ThreadModel::ReasoningLiveRole).toBool(), false);
        QTRY_VERIFY(model.data(reply, ThreadModel::ReasoningMsRole).toLongLong() >= 3000);
        QTRY_COMPARE(model.data(reply, ThreadModel::IsLiveRole).toBool(), false);
        QCOMPARE(model.data(reply, ThreadModel::ReasoningRole).toString(), thought);
        QVERIFY(model.data(reply, ThreadModel::ReasoningMsRole).toLongLong() >= 3000);
        QVERIFY(announced(ThreadModel::ReasoningLiveRole) >= 2); // on, then off
        // A message without reasoning.
        QCOMPARE(model.data(model.index(0), ThreadModel::ReasoningRole).toString(), QString());
        QCOMPARE(model.data(model.index(0), ThreadModel::ReasoningMsRole).toLongLong(), -1);
        QCOMPARE(model.data(model.index(0), ThreadModel::ReasoningLiveRole).toBool(), false);

        // Loaded from the store, the finished reply shows the same.
        ThreadModel again(*m_backend);
        again.setConversation(r.conversationId);
        QTRY_COMPARE(again.rowCount(), 2);
        QCOMPARE(again.data(again.index(1), ThreadModel::ReasoningRole).toString(), thought);
        QCOMPARE(again.data(again.index(1), ThreadModel::ReasoningMsRole),
                 model.data(reply, ThreadModel::ReasoningMsRole));
    }

    void toolCallsShowWhileTheReplyStreams()
    {
        // Anthropic: text, a whole tool_use block, then nothing for a minute. The call shows
        // while the reply still streams (also in a view that loads it then), and stays when the
        // reply is stopped.
        testsupport::FakeVendorServer server;
        const QByteArray all =
            testsupport::FakeVendorServer::transcript(QStringLiteral("anthropic-tool-uses.sse"));
        const qsizetype cut = all.indexOf("\n\n",
                                          all.indexOf("{\"type\":\"content_block_stop\","
                                                      "\"index\":1}"))
            + 2;
        testsupport::FakeVendorServer::Response response =
            testsupport::FakeVendorServer::stream(all.left(cut), "text/event-stream", 3);
        response.body.append({all.mid(cut), 60000});
        server.enqueue(response);
        backend(0);
        llm::ProviderConfig config;
        config.id = QStringLiteral("claude");
        config.kind = QStringLiteral("anthropic");
        config.name = QStringLiteral("Claude");
        config.baseUrl = server.baseUrl();
        config.apiKey = QStringLiteral("sk-test");
        config.models = {QStringLiteral("sonnet")};
        m_backend->providers().add(llm::createProvider(config));

        ThreadModel model(*m_backend);
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.roleNames().value(ThreadModel::ToolCallsRole), QByteArray("toolCalls"));
        chat::SendRequest request;
        request.text = QStringLiteral("Weather and time?");
        request.modelKey = QStringLiteral("claude/sonnet");
        const chat::SendResult r = m_backend->chat().send(request).result();
        model.setConversation(r.conversationId);
        QTRY_COMPARE(model.rowCount(), 2);
        const QModelIndex reply = model.index(1);
        const auto calls = [](const QAbstractItemModel &m, const QModelIndex &i) {
            QStringList names;
            for (const domain::ToolCall &c :
                 domain::toolcalls::parse(m.data(i, ThreadModel::ToolCallsRole).toString()))
                names.append(QStringLiteral("%1 %2 %3").arg(c.name, c.arguments).arg(c.at));
            return names;
        };
        const QStringList first{
            QStringLiteral("get_weather {\"city\": \"Paris\", \"unit\": \"celsius\"} 37")};
        QTRY_COMPARE_WITH_TIMEOUT(calls(model, reply), first, 20000);
        QVERIFY(model.data(reply, ThreadModel::IsLiveRole).toBool());
        QCOMPARE(model.data(reply, ThreadModel::ContentRole).toString(),
                 QStringLiteral("I'll look up both — weather and time."));

        // A view that loads the conversation now gets the call too.
        ThreadModel later(*m_backend);
        later.setConversation(r.conversationId);
        QTRY_COMPARE(later.rowCount(), 2);
        QCOMPARE(calls(later, later.index(1)), first);

        // Stopped: the whole call stays with the reply.
        QVERIFY(m_backend->chat().stop(r.assistant.id).result());
        QTRY_COMPARE_WITH_TIMEOUT(model.data(reply, ThreadModel::IsLiveRole).toBool(), false,
                                  20000);
        QCOMPARE(calls(model, reply), first);
        QCOMPARE(model.data(reply, ThreadModel::MessageStatusRole).toInt(),
                 int(app::MessageStatus::Cancelled));
    }

    void otherConversationsDoNotLeakIn()
    {
        backend(0);
        const auto a = send(QStringLiteral("Conversation A"));
        ThreadModel model(*m_backend);
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setConversation(a.conversationId);
        QTRY_COMPARE(model.rowCount(), 2);
        const auto b = send(QStringLiteral("Conversation B"));
        QTRY_COMPARE(stored(b.assistant.id).isEmpty(), false);
        QTRY_COMPARE(at(model, 1, ThreadModel::StatusRole), QStringLiteral("complete"));
        QCOMPARE(model.rowCount(), 2);
        model.setConversation({});
        QCOMPARE(model.rowCount(), 0);
    }
};

QTEST_MAIN(TestThreadModel)
#include "tst_threadmodel.moc"
