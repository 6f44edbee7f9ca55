// Notifications and DesktopNotifier (app/, issue 19): a long reply that finishes while the
// window is not active, and a provider that starts failing and works again, are told to the
// desktop. The notification server is a real one, dunst, on a bus and an X display of the test's
// own (Xvfb); what it received is read back over its control interface (org.dunstproject.cmd0,
// what dunstctl uses). Replies come from a scripted OpenAI-compatible server on 127.0.0.1.
#include "conversationlistmodel.h"
#include "desktopnotifier.h"
#include "notifications.h"
#include "uistate.h"

#include "chat/chatservice.h"
#include "core/backend.h"
#include "llm/providerfactory.h"
#include "llm/providerregistry.h"
#include "support/fakevendorserver.h"
#include "support/privatebus.h"

#include <QDBusArgument>
#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QDBusMessage>
#include <QGuiApplication>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <memory>

using namespace arbor;
using app::ConversationListModel;
using app::DesktopNotifier;
using app::Notifications;
using app::UiState;
using testsupport::FakeVendorServer;

namespace {

const QString kNotifications = QStringLiteral("org.freedesktop.Notifications");
const QString kPath = QStringLiteral("/org/freedesktop/Notifications");
const QString kDunst = QStringLiteral("org.dunstproject.cmd0");

/** @brief What dunst shows or showed. */
struct Shown
{
    int id = 0;
    QString summary;
    QString body;
    QString category; ///< the notice's category hint
    QString appName;
};

} // namespace

class TestNotifications : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    testsupport::PrivateBus m_bus;
    QProcess m_xvfb;
    QProcess m_dunst;
    std::unique_ptr<FakeVendorServer> m_server;
    std::unique_ptr<core::Backend> m_backend;
    std::unique_ptr<ConversationListModel> m_list;
    std::unique_ptr<UiState> m_state;
    std::unique_ptr<DesktopNotifier> m_notifier;
    std::unique_ptr<Notifications> m_notifications;

    QDBusConnection bus() const
    {
        return QDBusConnection::connectToBus(m_bus.address(), QStringLiteral("test"));
    }

    QDBusMessage callDunst(const QString &method, const QVariantList &args = {}) const
    {
        QDBusMessage call = QDBusMessage::createMethodCall(kNotifications, kPath, kDunst, method);
        call.setArguments(args);
        return bus().call(call, QDBus::Block, 5000);
    }

    /** @brief Closes what dunst shows (it moves to its history) and returns what reached the
     *  history since the last call, oldest first (dunst 1.9 cannot clear its history). */
    QList<Shown> takeShown()
    {
        callDunst(QStringLiteral("NotificationCloseAll"));
        const QDBusMessage reply = callDunst(QStringLiteral("NotificationListHistory"));
        QList<Shown> shown;
        if (reply.type() != QDBusMessage::ReplyMessage || reply.arguments().isEmpty())
            return shown;
        const QDBusArgument array = reply.arguments().constFirst().value<QDBusArgument>();
        array.beginArray();
        while (!array.atEnd()) {
            QVariantMap entry;
            array >> entry;
            // Each value is a {"type", "data"} pair in dunstctl's JSON; on the bus, a variant.
            const auto text = [&entry](const char *key) {
                return entry.value(QString::fromLatin1(key)).toString();
            };
            const int id = entry.value(QStringLiteral("id")).toInt();
            if (id > m_seenId)
                shown.append(
                    {id, text("summary"), text("body"), text("category"), text("appname")});
        }
        array.endArray();
        std::sort(shown.begin(), shown.end(),
                  [](const Shown &a, const Shown &b) { return a.id < b.id; });
        for (const Shown &s : std::as_const(shown))
            m_seenId = std::max(m_seenId, s.id);
        return shown;
    }

    void addProvider()
    {
        llm::ProviderConfig config;
        config.id = QStringLiteral("acme");
        config.kind = QStringLiteral("openai");
        config.name = QStringLiteral("Acme Cloud");
        QUrl base = m_server->baseUrl();
        base.setPath(QStringLiteral("/v1"));
        config.baseUrl = base;
        config.apiKey = QStringLiteral("sk-test-key");
        config.models = {QStringLiteral("gpt-4.1-nano")};
        m_backend->providers().add(llm::createProvider(config));
    }

    /** @brief Sends @p text to the scripted server and waits for the reply to end; its id. */
    QString ask(const QString &text, const QString &conversationId = {})
    {
        chat::SendRequest request;
        request.conversationId = conversationId;
        request.text = text;
        request.modelKey = QStringLiteral("acme/gpt-4.1-nano");
        const chat::SendResult sent = m_backend->chat().send(request).result();
        m_list->setConversations(m_backend->chat().conversations().result());
        const QString id = sent.assistant.id;
        [&] { QTRY_VERIFY_WITH_TIMEOUT(ended(id), 15000); }();
        m_lastConversation = sent.conversationId;
        m_lastReply = id;
        return id;
    }

    bool ended(const QString &messageId)
    {
        const auto m = m_backend->chat().message(messageId).result();
        return m && !domain::isLive(m->status) && m->status != domain::MessageStatus::Queued;
    }

    void enqueueReply()
    {
        m_server->enqueue(FakeVendorServer::stream(
            FakeVendorServer::transcript(QStringLiteral("openai-text.sse")), "text/event-stream",
            3));
    }

    void enqueueRefusedKey()
    {
        m_server->enqueue(FakeVendorServer::json(
            401,
            R"({"error":{"message":"Incorrect API key provided: sk-test***key.",)"
            R"("type":"invalid_request_error","code":"invalid_api_key"}})"));
    }

    QString m_lastConversation;
    QString m_lastReply;
    int m_seenId = 0; ///< the newest notice takeShown() returned

private Q_SLOTS:
    void initTestCase()
    {
        QGuiApplication::setApplicationName(QStringLiteral("Arbor"));
        qputenv("ARBOR_DISCOVERY_PORTS", "");
        QVERIFY(m_dir.isValid());
        QVERIFY2(m_bus.start(), qPrintable(m_bus.error()));
        // dunst draws on an X display: an Xvfb of this test's own, numbered by the server.
        const QString xvfb = QStandardPaths::findExecutable(QStringLiteral("Xvfb"));
        const QString dunst = QStandardPaths::findExecutable(QStringLiteral("dunst"));
        QVERIFY2(!xvfb.isEmpty() && !dunst.isEmpty(),
                 "Xvfb and dunst are needed (scripts/deps.sh installs xvfb and dunst)");
        m_xvfb.start(xvfb,
                     {QStringLiteral("-displayfd"), QStringLiteral("1"), QStringLiteral("-screen"),
                      QStringLiteral("0"), QStringLiteral("640x480x24"),
                      QStringLiteral("-nolisten"), QStringLiteral("tcp")});
        QVERIFY2(m_xvfb.waitForStarted(), qPrintable(m_xvfb.errorString()));
        QTRY_VERIFY_WITH_TIMEOUT(m_xvfb.canReadLine(), 15000);
        const QString display =
            QStringLiteral(":") + QString::fromLatin1(m_xvfb.readLine()).trimmed();
        QFile config(m_dir.filePath(QStringLiteral("dunstrc")));
        QVERIFY(config.open(QIODevice::WriteOnly));
        config.write("[global]\n    sticky_history = yes\n    history_length = 50\n");
        config.close();
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("DISPLAY"), display);
        env.insert(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"), m_bus.address());
        env.remove(QStringLiteral("WAYLAND_DISPLAY"));
        m_dunst.setProcessEnvironment(env);
        m_dunst.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        m_dunst.start(dunst, {QStringLiteral("-config"), config.fileName()});
        QVERIFY2(m_dunst.waitForStarted(), qPrintable(m_dunst.errorString()));
        QTRY_VERIFY_WITH_TIMEOUT(bus().interface()->isServiceRegistered(kNotifications), 15000);
    }

    void cleanupTestCase()
    {
        QDBusConnection::disconnectFromBus(QStringLiteral("test"));
        for (QProcess *p : {&m_dunst, &m_xvfb}) {
            p->terminate();
            p->waitForFinished(5000);
        }
    }

    void init()
    {
        m_server = std::make_unique<FakeVendorServer>();
        m_backend = std::make_unique<core::Backend>(core::BackendOptions{
            m_dir.filePath(QStringLiteral("%1.db").arg(QTest::currentTestFunction())), 0, true, 2});
        m_backend->open();
        addProvider();
        m_list = std::make_unique<ConversationListModel>();
        const QString ini =
            m_dir.filePath(QStringLiteral("%1.ini").arg(QTest::currentTestFunction()));
        m_state = std::make_unique<UiState>(ini);
        m_notifier = std::make_unique<DesktopNotifier>(bus());
        m_notifications = std::make_unique<Notifications>(m_backend.get(), m_list.get(),
                                                          m_state.get(), m_notifier.get());
        m_notifications->setLongReplyMs(0);
        m_notifications->setWindowActive(false);
        takeShown();
    }

    void cleanup()
    {
        m_notifications.reset();
        m_notifier.reset();
        m_backend.reset();
        m_state.reset();
        m_list.reset();
        m_server.reset();
    }

    void aFinishedReplyIsToldWhileTheWindowIsInTheBackground()
    {
        QSignalSpy delivered(m_notifier.get(), &DesktopNotifier::delivered);
        enqueueReply();
        ask(QStringLiteral("How are you?"));
        QTRY_COMPARE_WITH_TIMEOUT(delivered.count(), 1, 10000);
        QCOMPARE(delivered.at(0).at(2).toString(), QString()); // no error from the server
        const QList<Shown> shown = takeShown();
        QCOMPARE(shown.size(), 1);
        const QString title = m_list->find(m_lastConversation)->title;
        QVERIFY2(shown.at(0).summary.contains(title), qPrintable(shown.at(0).summary));
        // The reply's text, on one line.
        const QString content = m_backend->chat().message(m_lastReply).result()->content;
        QVERIFY(!content.isEmpty());
        QCOMPARE(shown.at(0).body, Notifications::excerpt(content));
        QCOMPARE(shown.at(0).appName, QStringLiteral("Arbor"));
        QCOMPARE(shown.at(0).category, QStringLiteral("im.received"));
    }

    void nothingIsToldInTheForegroundOrWhenTurnedOffOrForAShortReply()
    {
        QSignalSpy delivered(m_notifier.get(), &DesktopNotifier::delivered);
        m_notifications->setWindowActive(true);
        enqueueReply();
        ask(QStringLiteral("In front"));
        m_notifications->setWindowActive(false);
        m_notifications->setReplyNotices(false);
        QVERIFY(!UiState(m_dir.filePath(QStringLiteral("%1.ini").arg(QTest::currentTestFunction())))
                     .replyNotices()); // kept
        enqueueReply();
        ask(QStringLiteral("Turned off"));
        m_notifications->setReplyNotices(true);
        m_notifications->setLongReplyMs(60'000);
        enqueueReply();
        ask(QStringLiteral("Quick"));
        // Then one that is told: it is the only one the server got.
        m_notifications->setLongReplyMs(0);
        enqueueReply();
        ask(QStringLiteral("Told"));
        QTRY_COMPARE_WITH_TIMEOUT(delivered.count(), 1, 10000);
        const QList<Shown> shown = takeShown();
        QCOMPARE(shown.size(), 1);
        QVERIFY2(shown.at(0).summary.contains(QStringLiteral("Told")),
                 qPrintable(shown.at(0).summary));
    }

    void clickingTheNoticeOpensItsConversation()
    {
        QSignalSpy delivered(m_notifier.get(), &DesktopNotifier::delivered);
        QSignalSpy open(m_notifications.get(), &Notifications::openRequested);
        enqueueReply();
        ask(QStringLiteral("Open me"));
        QTRY_COMPARE_WITH_TIMEOUT(delivered.count(), 1, 10000);
        // The user clicks it: dunst invokes the default action of the first notice shown.
        const QDBusMessage clicked =
            callDunst(QStringLiteral("NotificationAction"), {QVariant::fromValue(0u)});
        QCOMPARE(clicked.type(), QDBusMessage::ReplyMessage);
        QTRY_COMPARE_WITH_TIMEOUT(open.count(), 1, 5000);
        QCOMPARE(open.at(0).at(0).toString(), m_lastConversation);
    }

    void aSecondReplyInTheSameConversationReplacesTheFirstNotice()
    {
        QSignalSpy delivered(m_notifier.get(), &DesktopNotifier::delivered);
        enqueueReply();
        ask(QStringLiteral("First"));
        QTRY_COMPARE_WITH_TIMEOUT(delivered.count(), 1, 10000);
        enqueueReply();
        ask(QStringLiteral("Second"), m_lastConversation);
        QTRY_COMPARE_WITH_TIMEOUT(delivered.count(), 2, 10000);
        QCOMPARE(delivered.at(1).at(1).toUInt(), delivered.at(0).at(1).toUInt());
        QCOMPARE(takeShown().size(), 1);
    }

    void aFailingProviderIsToldOnceAndItsRecoveryToo()
    {
        QSignalSpy delivered(m_notifier.get(), &DesktopNotifier::delivered);
        m_notifications->setReplyNotices(false); // only the provider's notices
        m_notifications->setWindowActive(true);  // they are told in the foreground too
        enqueueRefusedKey();
        ask(QStringLiteral("Refused"));
        QTRY_COMPARE_WITH_TIMEOUT(delivered.count(), 1, 10000);
        QList<Shown> shown = takeShown();
        QCOMPARE(shown.size(), 1);
        QCOMPARE(shown.at(0).summary, QStringLiteral("Acme Cloud is failing"));
        QVERIFY2(shown.at(0).body.contains(QStringLiteral("Incorrect API key")),
                 qPrintable(shown.at(0).body));
        QCOMPARE(shown.at(0).category, QStringLiteral("network.error"));
        enqueueRefusedKey();
        ask(QStringLiteral("Refused again"));
        // Working again: one notice more, and none for the second failure.
        enqueueReply();
        ask(QStringLiteral("Works"));
        QTRY_COMPARE_WITH_TIMEOUT(delivered.count(), 2, 10000);
        shown = takeShown();
        QCOMPARE(shown.size(), 1);
        QCOMPARE(shown.at(0).summary, QStringLiteral("Acme Cloud works again"));

        // Turned off: a new failure tells nothing, nor its recovery, which was never news.
        m_notifications->setProviderNotices(false);
        enqueueRefusedKey();
        ask(QStringLiteral("Refused, quietly"));
        m_notifications->setProviderNotices(true);
        enqueueReply();
        ask(QStringLiteral("Works, quietly"));
        enqueueRefusedKey();
        ask(QStringLiteral("Refused, told"));
        QTRY_COMPARE_WITH_TIMEOUT(delivered.count(), 3, 10000);
        QCOMPARE(takeShown().size(), 1);
    }

    void excerpts()
    {
        QCOMPARE(Notifications::excerpt(QStringLiteral("  one\n\ntwo  ")),
                 QStringLiteral("one two"));
        const QString cut = Notifications::excerpt(QString(500, QLatin1Char('a')), 10);
        QCOMPARE(cut.size(), 10);
        QVERIFY(cut.endsWith(QChar(0x2026)));
        QCOMPARE(DesktopNotifier::escapeBody(QStringLiteral("a <b> & c")),
                 QStringLiteral("a &lt;b&gt; &amp; c"));
    }
};

QTEST_MAIN(TestNotifications)
#include "tst_notifications.moc"
