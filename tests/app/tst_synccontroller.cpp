// Team sync in the window (issue #6): two App instances (alice and bob) against a real
// PostgreSQL, through App.sync's feature controllers (server, presence, workspaces) over the
// backend's SyncService. The connect fields (password in the real keychain when the run has a
// Secret Service, else the in-memory path the user must choose), the workspace list, a conversation
// moved by one that appears in the other's list and thread by itself, unread badges, typing,
// and the state line across a server stop and start.
#include "app.h"
#include "conversationlistmodel.h"
#include "presence.h"
#include "synccontroller.h"
#include "teamserversettings.h"
#include "threadmodel.h"
#include "workspacelistmodel.h"

#include "core/backend.h"
#include "providers/secretservice.h"
#include "secrets/keychainsecretstore.h"
#include "store/sql.h"
#include "store/store.h"
#include "support/pgserver.h"
#include "sync/admin.h"
#include "sync/pgconnection.h"
#include "sync/syncservice.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace arbor;
using app::App;
using app::ConversationListModel;
using app::SyncController;
using app::TeamServerSettings;
using State = sync::SyncService::State;
using app::ThreadModel;
using app::WorkspaceListModel;
using testsupport::PgServer;

namespace {

constexpr int ConnectMs = 20000;

QVariant valueOf(const QAbstractItemModel *model, const QString &id, int idRole, int role)
{
    for (int row = 0; row < model->rowCount(); ++row) {
        const QModelIndex i = model->index(row, 0);
        if (model->data(i, idRole).toString() == id)
            return model->data(i, role);
    }
    return {};
}

bool listed(const ConversationListModel *model, const QString &id)
{
    return model->rowOf(id) >= 0;
}

int unread(const ConversationListModel *model, const QString &id)
{
    return valueOf(model, id, ConversationListModel::IdRole, ConversationListModel::UnreadRole)
        .toInt();
}

QString threadText(const ThreadModel *thread, int row)
{
    return row < thread->rowCount()
        ? thread->data(thread->index(row), ThreadModel::ContentRole).toString()
        : QString();
}

QString threadStatus(const ThreadModel *thread, int row)
{
    return row < thread->rowCount()
        ? thread->data(thread->index(row), ThreadModel::StatusRole).toString()
        : QString();
}

} // namespace

class TestSyncController : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void connectsAndListsWorkspaces();
    void aWrongPasswordSaysSo();
    void reconnectingKeepsTheStoredPassword();
    void movedConversationAppearsForTeammate();
    void newConversationGoesIntoTheWorkspace();
    void teammateReplyGrowsLiveWithoutReset();
    void teammateRepliesBelowWhatHeSees();
    void presenceAndTyping();
    void reconnectsAfterServerRestart();
    void connectsAgainAtStart();
    void disconnectForgetsTheServer();

private:
    std::unique_ptr<App> makeApp(const QString &name, double demoRate);
    /** @brief Connects through the controller as the dialog does (choosing memory for the
     *  password when the run has no keychain). */
    void connectAs(SyncController *sync, const QString &user, const QString &password);
    QString send(App *app, const QString &text);
    /** @brief Alice quits and starts again (the password comes from the keychain, or is typed
     *  again when it was kept in memory). */
    void reopenAlice(double demoRate);

    std::unique_ptr<PgServer> m_pg;
    QTemporaryDir m_dir;
    QString m_team;
    std::unique_ptr<App> m_alice;
    std::unique_ptr<App> m_bob;
    std::unique_ptr<QAbstractItemModelTester> m_workspaceTester;
    std::unique_ptr<QAbstractItemModelTester> m_listTester;
    std::unique_ptr<QAbstractItemModelTester> m_threadTester;
    QString m_shared; ///< moved into the workspace by alice
};

void TestSyncController::initTestCase()
{
    if (!testsupport::secretServiceExpected())
        testsupport::isolateFromSecretService();
    QVERIFY(m_dir.isValid());
    try {
        m_pg = std::make_unique<PgServer>();
        sync::PgConnection super(m_pg->superuserDsn());
        sync::Admin admin(super);
        admin.init();
        m_team = admin.addWorkspace(QStringLiteral("team")).id;
        admin.addWorkspace(QStringLiteral("elsewhere"));
        admin.addUser(QStringLiteral("alice"), QStringLiteral("alice-pw"));
        admin.addUser(QStringLiteral("bob"), QStringLiteral("bob pw with 'quote' and \\"));
        admin.addMember(QStringLiteral("team"), QStringLiteral("alice"), QStringLiteral("member"));
        admin.addMember(QStringLiteral("team"), QStringLiteral("bob"), QStringLiteral("member"));
    } catch (const std::exception &e) {
        QFAIL(e.what());
    }
}

void TestSyncController::cleanupTestCase()
{
    m_threadTester.reset();
    m_listTester.reset();
    m_workspaceTester.reset();
    m_alice.reset();
    m_bob.reset();
}

std::unique_ptr<App> TestSyncController::makeApp(const QString &name, double demoRate)
{
    auto app = std::make_unique<App>(app::AppConfig{m_dir.filePath(name), demoRate});
    sync::SyncEngine::Options options;
    options.pollIntervalMs = 1000;
    options.presenceIntervalMs = 1000;
    options.maxRetryMs = 500;
    app->sync()->setEngineOptions(options);
    return app;
}

void TestSyncController::connectAs(SyncController *sync, const QString &user,
                                   const QString &password)
{
    QSignalSpy finished(sync->server(), &TeamServerSettings::connectFinished);
    const auto connectNow = [&] {
        sync->server()->connectToServer(QStringLiteral("127.0.0.1"), m_pg->port(),
                                        QStringLiteral("postgres"), user, password,
                                        QStringLiteral("disable"));
    };
    connectNow();
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 10000);
    if (!testsupport::secretServiceExpected() && !sync->server()->passwordInMemory()) {
        // No keychain: nothing is stored, the dialog says why and offers memory.
        QCOMPARE(finished.at(0).at(0).toBool(), false);
        QVERIFY2(!finished.at(0).at(1).toString().isEmpty(), "no reason given");
        QVERIFY(!sync->server()->keychainAvailable());
        sync->server()->keepPasswordInMemory();
        QVERIFY(sync->server()->passwordInMemory());
        connectNow();
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, 10000);
    }
    QVERIFY2(finished.last().at(0).toBool(), qPrintable(finished.last().at(1).toString()));
    QVERIFY(sync->server()->configured());
}

QString TestSyncController::send(App *app, const QString &text)
{
    const QString before = app->currentConversationId();
    QSignalSpy changed(app, &App::currentConversationChanged);
    if (!app->send(text))
        return {};
    if (before.isEmpty()
        && !QTest::qWaitFor([&] { return !app->currentConversationId().isEmpty(); }, 10000))
        return {};
    return app->currentConversationId();
}

void TestSyncController::reopenAlice(double demoRate)
{
    m_workspaceTester.reset();
    m_alice.reset();
    m_alice = makeApp(QStringLiteral("alice.db"), demoRate);
    if (!testsupport::secretServiceExpected())
        connectAs(m_alice->sync(), QStringLiteral("alice"), QStringLiteral("alice-pw"));
    QTRY_COMPARE_WITH_TIMEOUT(m_alice->sync()->server()->state(), State::Connected, ConnectMs);
    QTRY_COMPARE(m_alice->sync()->workspaces()->rowCount(), 2);
    m_alice->sync()->setCurrentWorkspace(m_team);
    QCOMPARE(m_alice->sync()->currentWorkspace(), m_team);
}

void TestSyncController::connectsAndListsWorkspaces()
{
    m_alice = makeApp(QStringLiteral("alice.db"), 0);
    SyncController *sync = m_alice->sync();
    m_workspaceTester = std::make_unique<QAbstractItemModelTester>(
        sync->workspaces(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(sync->server()->state(), State::NotConfigured);
    QCOMPARE(sync->server()->stateText(), QStringLiteral("Not connected to a team server"));
    QCOMPARE(sync->workspaces()->rowCount(), 1); // Personal
    QCOMPARE(sync->workspaces()->nameOf({}), QStringLiteral("Personal"));

    connectAs(sync, QStringLiteral("alice"), QStringLiteral("alice-pw"));
    QTRY_COMPARE_WITH_TIMEOUT(sync->server()->state(), State::Connected, ConnectMs);
    QCOMPARE(sync->server()->stateText(),
             QStringLiteral("Connected as alice to 127.0.0.1:%1/postgres").arg(m_pg->port()));
    QCOMPARE(sync->server()->errorText(), QString());
    // Only the workspace alice is a member of.
    QTRY_COMPARE(sync->workspaces()->rowCount(), 2);
    const QModelIndex team = sync->workspaces()->index(1);
    QCOMPARE(team.data(WorkspaceListModel::IdRole).toString(), m_team);
    QCOMPARE(team.data(WorkspaceListModel::NameRole).toString(), QStringLiteral("team"));
    QCOMPARE(team.data(WorkspaceListModel::MemberRoleRole).toString(), QStringLiteral("member"));
    QCOMPARE(sync->shareTargets().size(), 1);

    // The settings never hold the password; the keychain does (when there is one).
    const QString settings =
        m_alice->backend()
            ->store()
            .read([](QSqlDatabase &db) {
                QSqlQuery q = store::exec(
                    db,
                    QStringLiteral("SELECT group_concat(key || '=' || value, ' ') FROM settings"));
                return q.next() ? q.value(0).toString() : QString();
            })
            .result();
    QVERIFY2(settings.contains(QLatin1String("team_server.user=alice")), qPrintable(settings));
    QVERIFY2(!settings.contains(QLatin1String("alice-pw")), qPrintable(settings));
    if (testsupport::secretServiceExpected()) {
        secrets::KeychainSecretStore keychain;
        const auto r = keychain.read(sync::TeamServerConfig{
            QStringLiteral("127.0.0.1"), m_pg->port(), QStringLiteral("postgres"),
            QStringLiteral("alice"), QStringLiteral("disable")}
                                         .account());
        QVERIFY(QTest::qWaitFor([&] { return r.isFinished(); }, 10000));
        QCOMPARE(r.result().secret, QStringLiteral("alice-pw"));
    }
}

void TestSyncController::aWrongPasswordSaysSo()
{
    m_bob = makeApp(QStringLiteral("bob.db"), 0);
    SyncController *sync = m_bob->sync();
    connectAs(sync, QStringLiteral("bob"), QStringLiteral("not the password"));
    QTRY_COMPARE_WITH_TIMEOUT(sync->server()->state(), State::Reconnecting, ConnectMs);
    QVERIFY2(sync->server()->errorText().contains(QLatin1String("password authentication failed")),
             qPrintable(sync->server()->errorText()));
    QVERIFY2(sync->server()->stateText().startsWith(QStringLiteral("Offline — reconnecting")),
             qPrintable(sync->server()->stateText()));

    // The right one (with a quote and a backslash: the DSN quoting is real).
    connectAs(sync, QStringLiteral("bob"), QStringLiteral("bob pw with 'quote' and \\"));
    QTRY_COMPARE_WITH_TIMEOUT(sync->server()->state(), State::Connected, ConnectMs);
    QCOMPARE(sync->server()->errorText(), QString());
    QTRY_COMPARE(sync->workspaces()->rowCount(), 2);
}

void TestSyncController::reconnectingKeepsTheStoredPassword()
{
    // "Save and reconnect" with the password field left empty (it reads "as stored in the
    // keychain"): the stored password is used, not forgotten.
    SyncController *sync = m_bob->sync();
    QSignalSpy finished(sync->server(), &TeamServerSettings::connectFinished);
    sync->server()->connectToServer(QStringLiteral("127.0.0.1"), m_pg->port(),
                                    QStringLiteral("postgres"), QStringLiteral("bob"), QString(),
                                    QStringLiteral("disable"));
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 10000);
    QVERIFY2(finished.at(0).at(0).toBool(), qPrintable(finished.at(0).at(1).toString()));
    QTRY_COMPARE_WITH_TIMEOUT(sync->server()->state(), State::Connected, ConnectMs);
    QCOMPARE(sync->server()->errorText(), QString());
}

void TestSyncController::movedConversationAppearsForTeammate()
{
    QVERIFY(m_alice && m_bob);
    ConversationListModel *bobList = m_bob->conversations();
    m_listTester = std::make_unique<QAbstractItemModelTester>(
        bobList, QAbstractItemModelTester::FailureReportingMode::QtTest);
    m_bob->sync()->setCurrentWorkspace(m_team);
    QCOMPARE(bobList->workspaceFilter(), m_team);

    // Alice writes in a personal conversation, then shares it.
    m_shared = send(m_alice.get(), QStringLiteral("Show me a table"));
    QVERIFY(!m_shared.isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(threadStatus(m_alice->thread(), 1), QStringLiteral("complete"),
                              20000);
    QTRY_VERIFY(listed(m_alice->conversations(), m_shared));
    QVERIFY(!m_bob->conversations()->find(m_shared));

    QSignalSpy moved(m_alice->sync(), &SyncController::moveFinished);
    m_alice->sync()->moveToWorkspace(m_shared, m_team);
    QTRY_COMPARE(moved.count(), 1);
    QVERIFY2(moved.at(0).at(0).toBool(), qPrintable(moved.at(0).at(1).toString()));
    // Out of alice's personal list...
    QTRY_VERIFY(!listed(m_alice->conversations(), m_shared));
    // ...into bob's list of the workspace, by itself, with both messages unread.
    QTRY_VERIFY_WITH_TIMEOUT(listed(bobList, m_shared), 15000);
    QCOMPARE(
        valueOf(bobList, m_shared, ConversationListModel::IdRole, ConversationListModel::TitleRole)
            .toString(),
        QStringLiteral("Show me a table"));
    QCOMPARE(valueOf(bobList, m_shared, ConversationListModel::IdRole,
                     ConversationListModel::WorkspaceIdRole)
                 .toString(),
             m_team);
    QTRY_COMPARE_WITH_TIMEOUT(unread(bobList, m_shared), 2, 10000);
    QTRY_COMPARE(m_bob->sync()->workspaces()->index(1).data(WorkspaceListModel::UnreadRole).toInt(),
                 2);
    // Alice's own messages are never unread for her.
    m_alice->sync()->setCurrentWorkspace(m_team);
    QTRY_VERIFY(listed(m_alice->conversations(), m_shared));
    QCOMPARE(unread(m_alice->conversations(), m_shared), 0);

    // Opening it reads it.
    m_bob->selectConversation(m_shared);
    QTRY_COMPARE(m_bob->thread()->rowCount(), 2);
    QCOMPARE(threadText(m_bob->thread(), 0), QStringLiteral("Show me a table"));
    QCOMPARE(unread(bobList, m_shared), 0);
    QCOMPARE(m_bob->currentTitle(), QStringLiteral("Show me a table"));

    // Alice's conversation is not bob's to delete: he is told why, and it stays open.
    m_bob->deleteConversation(m_shared);
    QTRY_VERIFY(!m_bob->errorText().isEmpty());
    QVERIFY2(m_bob->errorText().contains(QLatin1String("was started by alice")),
             qPrintable(m_bob->errorText()));
    QTRY_COMPARE(m_bob->currentConversationId(), m_shared);
    QVERIFY(listed(bobList, m_shared));
    m_bob->dismissError();
}

void TestSyncController::newConversationGoesIntoTheWorkspace()
{
    QCOMPARE(m_alice->sync()->currentWorkspace(), m_team);
    m_alice->newConversation();
    const QString id = send(m_alice.get(), QStringLiteral("Started in the workspace"));
    QVERIFY(!id.isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(listed(m_alice->conversations(), id), 10000);
    QTRY_VERIFY_WITH_TIMEOUT(listed(m_bob->conversations(), id), 15000);
    QTRY_COMPARE_WITH_TIMEOUT(unread(m_bob->conversations(), id), 2, 15000);
    // Bob has the other one open: its badge stays clear.
    QCOMPARE(unread(m_bob->conversations(), m_shared), 0);
}

void TestSyncController::teammateReplyGrowsLiveWithoutReset()
{
    // Alice again, with a slow model so the reply streams for a while.
    reopenAlice(40);
    if (QTest::currentTestFailed())
        return;
    QTRY_VERIFY(listed(m_alice->conversations(), m_shared));
    m_alice->selectConversation(m_shared);
    QTRY_COMPARE(m_alice->thread()->rowCount(), 2);

    ThreadModel *thread = m_bob->thread();
    m_threadTester = std::make_unique<QAbstractItemModelTester>(
        thread, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy resets(thread, &QAbstractItemModel::modelReset);
    QSignalSpy inserted(thread, &QAbstractItemModel::rowsInserted);
    QStringList seen;     // the reply's text as bob saw it grow
    bool bobBusy = false; // a teammate's live reply never makes bob's window busy
    connect(thread, &QAbstractItemModel::dataChanged, this,
            [&](const QModelIndex &from, const QModelIndex &, const QList<int> &roles) {
                if (from.row() == 3 && roles.contains(ThreadModel::ContentRole))
                    seen.append(threadText(thread, 3));
                bobBusy = bobBusy || m_bob->busy();
            });
    QVERIFY(m_alice->send(QStringLiteral("And a longer answer, please")));
    QTRY_COMPARE_WITH_TIMEOUT(thread->rowCount(), 4, 15000);
    QCOMPARE(threadText(thread, 2), QStringLiteral("And a longer answer, please"));
    QTRY_COMPARE_WITH_TIMEOUT(threadStatus(m_alice->thread(), 3), QStringLiteral("complete"),
                              60000);
    const QString final = threadText(m_alice->thread(), 3);
    QTRY_COMPARE_WITH_TIMEOUT(threadText(thread, 3), final, 15000);
    QTRY_COMPARE(threadStatus(thread, 3), QStringLiteral("complete"));
    QCOMPARE(resets.count(), 0);
    QVERIFY(inserted.count() >= 1);
    QVERIFY(!bobBusy);
    // Checkpoints arrived while it streamed: bob saw partial texts, each a prefix of the next.
    QVERIFY2(seen.size() >= 2, qPrintable(QStringLiteral("%1 content updates").arg(seen.size())));
    for (const QString &partial : std::as_const(seen))
        QVERIFY(final.startsWith(partial));
    disconnect(thread, &QAbstractItemModel::dataChanged, this, nullptr);
}

void TestSyncController::teammateRepliesBelowWhatHeSees()
{
    // Bob's copy never had a current leaf for this conversation: his message continues the
    // path he sees, and alice sees it continue hers.
    QCOMPARE(m_bob->thread()->rowCount(), 4);
    const QString lastSeen = m_bob->thread()->messageAt(3).id;
    QVERIFY(m_bob->send(QStringLiteral("Bob's turn")));
    QTRY_COMPARE_WITH_TIMEOUT(threadStatus(m_bob->thread(), 5), QStringLiteral("complete"), 20000);
    QCOMPARE(m_bob->thread()->messageAt(4).parentId, lastSeen);
    QTRY_COMPARE_WITH_TIMEOUT(threadText(m_alice->thread(), 4), QStringLiteral("Bob's turn"),
                              15000);
    QTRY_COMPARE_WITH_TIMEOUT(threadText(m_alice->thread(), 5), threadText(m_bob->thread(), 5),
                              15000);
    // Alice has it open: nothing unread for her.
    QCOMPARE(unread(m_alice->conversations(), m_shared), 0);
}

void TestSyncController::presenceAndTyping()
{
    SyncController *alice = m_alice->sync();
    SyncController *bob = m_bob->sync();
    QCOMPARE(m_alice->currentConversationId(), m_shared);
    QCOMPARE(m_bob->currentConversationId(), m_shared);
    // Both are in the conversation: each sees the other there and online in the workspace.
    QTRY_COMPARE_WITH_TIMEOUT(alice->presence()->here().size(), 1, 10000);
    QCOMPARE(alice->presence()->here().first().toMap().value(QStringLiteral("user")).toString(),
             QStringLiteral("bob"));
    QCOMPARE(alice->presence()->here().first().toMap().value(QStringLiteral("initials")).toString(),
             QStringLiteral("B"));
    QTRY_COMPARE(bob->presence()->online().size(), 1);
    QCOMPARE(bob->presence()->online().first().toMap().value(QStringLiteral("user")).toString(),
             QStringLiteral("alice"));
    QVERIFY(bob->presence()->online().first().toMap().value(QStringLiteral("here")).toBool());

    bob->presence()->noteTyping(true);
    QTRY_COMPARE_WITH_TIMEOUT(alice->presence()->typingText(), QStringLiteral("bob is typing…"),
                              10000);
    bob->presence()->noteTyping(false);
    QTRY_COMPARE_WITH_TIMEOUT(alice->presence()->typingText(), QString(), 10000);
    // Typing stops by itself a few seconds after the last keystroke.
    bob->presence()->noteTyping(true);
    QTRY_COMPARE_WITH_TIMEOUT(alice->presence()->typingText(), QStringLiteral("bob is typing…"),
                              10000);
    QTRY_COMPARE_WITH_TIMEOUT(alice->presence()->typingText(), QString(),
                              sync::SyncService::TypingMs + 8000);

    // Bob leaves the conversation: still online, no longer here.
    m_bob->newConversation();
    QTRY_COMPARE_WITH_TIMEOUT(alice->presence()->here().size(), 0, 10000);
    m_bob->selectConversation(m_shared);
}

void TestSyncController::reconnectsAfterServerRestart()
{
    SyncController *alice = m_alice->sync();
    QCOMPARE(alice->server()->state(), State::Connected);
    m_pg->stop(true);
    QTRY_COMPARE_WITH_TIMEOUT(alice->server()->state(), State::Reconnecting, ConnectMs);
    QVERIFY2(!alice->server()->errorText().isEmpty(), "no error for a lost server");
    QVERIFY2(alice->server()->stateText().startsWith(QStringLiteral("Offline — ")),
             qPrintable(alice->server()->stateText()));

    // Written while offline: it waits, and the line says so.
    const int base = m_alice->thread()->rowCount();
    QVERIFY(m_alice->send(QStringLiteral("Written while the server is down")));
    QTRY_COMPARE_WITH_TIMEOUT(threadStatus(m_alice->thread(), base + 1), QStringLiteral("complete"),
                              60000);
    QTRY_VERIFY_WITH_TIMEOUT(alice->server()->pending() > 0, 10000);
    QTRY_VERIFY_WITH_TIMEOUT(alice->server()->stateText().contains(QLatin1String("waiting")),
                             10000);

    m_pg->start();
    QTRY_COMPARE_WITH_TIMEOUT(alice->server()->state(), State::Connected, ConnectMs);
    QTRY_COMPARE_WITH_TIMEOUT(alice->server()->pending(), 0, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(m_bob->sync()->server()->state(), State::Connected, ConnectMs);
    // Bob has the conversation open: the offline message arrives there too.
    QTRY_COMPARE_WITH_TIMEOUT(threadText(m_bob->thread(), base),
                              QStringLiteral("Written while the server is down"), 15000);
    QTRY_COMPARE_WITH_TIMEOUT(threadStatus(m_bob->thread(), base + 1), QStringLiteral("complete"),
                              15000);
    QCOMPARE(threadText(m_bob->thread(), base + 1), threadText(m_alice->thread(), base + 1));
}

void TestSyncController::connectsAgainAtStart()
{
    m_threadTester.reset();
    m_workspaceTester.reset();
    m_alice.reset();
    m_alice = makeApp(QStringLiteral("alice.db"), 0);
    SyncController *sync = m_alice->sync();
    QTRY_VERIFY(sync->server()->configured());
    QCOMPARE(sync->server()->config().value(QStringLiteral("user")).toString(),
             QStringLiteral("alice"));
    QCOMPARE(sync->server()->config().value(QStringLiteral("port")).toInt(), int(m_pg->port()));
    if (testsupport::secretServiceExpected()) {
        // The password comes back from the keychain.
        QTRY_COMPARE_WITH_TIMEOUT(sync->server()->state(), State::Connected, ConnectMs);
    } else {
        // It was kept in memory only: the app says it cannot log in without it, never reads a file.
        QTRY_VERIFY_WITH_TIMEOUT(!sync->server()->errorText().isEmpty(), ConnectMs);
        QVERIFY(sync->server()->state() != State::Connected);
        QVERIFY(!sync->server()->passwordInMemory());
    }
    // The workspaces are known without the server (stored locally).
    QTRY_COMPARE(sync->workspaces()->rowCount(), 2);
}

void TestSyncController::disconnectForgetsTheServer()
{
    SyncController *sync = m_bob->sync();
    QVERIFY(sync->server()->configured());
    sync->server()->disconnectFromServer();
    QCOMPARE(sync->server()->state(), State::NotConfigured);
    QCOMPARE(sync->server()->stateText(), QStringLiteral("Not connected to a team server"));
    QTRY_VERIFY(!sync->server()->busy()); // the password is gone from the keychain
    if (testsupport::secretServiceExpected()) {
        secrets::KeychainSecretStore keychain;
        const auto r = keychain.read(sync::TeamServerConfig{
            QStringLiteral("127.0.0.1"), m_pg->port(), QStringLiteral("postgres"),
            QStringLiteral("bob"), QStringLiteral("disable")}
                                         .account());
        QVERIFY(QTest::qWaitFor([&] { return r.isFinished(); }, 10000));
        QCOMPARE(r.result().status, secrets::SecretResult::Status::NotFound);
    }
    // Nothing left to connect with at the next start.
    m_listTester.reset();
    m_bob.reset();
    m_bob = makeApp(QStringLiteral("bob.db"), 0);
    QTest::qWait(500);
    QVERIFY(!m_bob->sync()->server()->configured());
    QCOMPARE(m_bob->sync()->server()->state(), State::NotConfigured);
}

QTEST_MAIN(TestSyncController)

#include "tst_synccontroller.moc"
