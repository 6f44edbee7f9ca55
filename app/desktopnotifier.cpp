#include "desktopnotifier.h"

#include <QDBusMessage>
#include <QDBusPendingCallWatcher>
#include <QDBusPendingReply>
#include <QGuiApplication>
#include <QLoggingCategory>
#include <QVariantMap>

#ifdef ARBOR_TRAY_NOTIFICATIONS
#include <QIcon>
#include <QSystemTrayIcon>
#endif

Q_LOGGING_CATEGORY(lcNotify, "arbor.notify")

namespace arbor::app {

namespace {

// Desktop Notifications Specification 1.2.
const QString kService = QStringLiteral("org.freedesktop.Notifications");
const QString kPath = QStringLiteral("/org/freedesktop/Notifications");
const QString kInterface = QStringLiteral("org.freedesktop.Notifications");
const QString kDefaultAction = QStringLiteral("default");
constexpr int kServerDefaultTimeout = -1;

QDBusConnection sessionBus()
{
#ifdef ARBOR_TRAY_NOTIFICATIONS
    return QDBusConnection(QStringLiteral("arbor-no-bus"));
#else
    return QDBusConnection::sessionBus();
#endif
}

} // namespace

DesktopNotifier::DesktopNotifier(QObject *parent)
    : DesktopNotifier(sessionBus(), parent)
{
}

DesktopNotifier::DesktopNotifier(const QDBusConnection &bus, QObject *parent)
    : QObject(parent)
    , m_bus(bus)
{
#ifdef ARBOR_TRAY_NOTIFICATIONS
    if (QSystemTrayIcon::isSystemTrayAvailable()) {
        m_tray = new QSystemTrayIcon(QGuiApplication::windowIcon(), this);
        connect(m_tray, &QSystemTrayIcon::messageClicked, this, [this] {
            if (!m_trayKey.isEmpty())
                Q_EMIT activated(m_trayKey);
        });
    }
#endif
    if (!m_bus.isConnected())
        return;
    m_bus.connect(kService, kPath, kInterface, QStringLiteral("ActionInvoked"), this,
                  SLOT(onActionInvoked(uint, QString)));
    m_bus.connect(kService, kPath, kInterface, QStringLiteral("NotificationClosed"), this,
                  SLOT(onClosed(uint, uint)));
    // Bodies are escaped only for a server that renders markup in them.
    // Asking starts no server: a session without one gets it started by the first notice.
    QDBusMessage capabilities = QDBusMessage::createMethodCall(kService, kPath, kInterface,
                                                               QStringLiteral("GetCapabilities"));
    capabilities.setAutoStartService(false);
    auto *watcher = new QDBusPendingCallWatcher(m_bus.asyncCall(capabilities), this);
    connect(watcher, &QDBusPendingCallWatcher::finished, this, [this](QDBusPendingCallWatcher *w) {
        w->deleteLater();
        const QDBusPendingReply<QStringList> reply = *w;
        if (!reply.isError())
            m_bodyMarkup = reply.value().contains(QStringLiteral("body-markup"));
    });
}

DesktopNotifier::~DesktopNotifier() = default;

QString DesktopNotifier::escapeBody(const QString &text)
{
    return text.toHtmlEscaped();
}

bool DesktopNotifier::show(const Notice &notice)
{
#ifdef ARBOR_TRAY_NOTIFICATIONS
    if (m_tray) {
        m_trayKey = notice.key;
        m_tray->show();
        m_tray->showMessage(notice.summary, notice.body,
                            notice.urgent ? QSystemTrayIcon::Warning
                                          : QSystemTrayIcon::Information);
        return true;
    }
#endif
    if (!m_bus.isConnected())
        return false;
    QDBusMessage call =
        QDBusMessage::createMethodCall(kService, kPath, kInterface, QStringLiteral("Notify"));
    QVariantMap hints;
    hints.insert(QStringLiteral("desktop-entry"), QGuiApplication::desktopFileName());
    hints.insert(QStringLiteral("urgency"), QVariant::fromValue<uchar>(notice.urgent ? 2 : 1));
    hints.insert(QStringLiteral("category"),
                 notice.urgent ? QStringLiteral("network.error") : QStringLiteral("im.received"));
    call << QGuiApplication::applicationDisplayName() << m_idByKey.value(notice.key, 0u)
         << QGuiApplication::desktopFileName() << notice.summary
         << (m_bodyMarkup ? escapeBody(notice.body) : notice.body)
         << QStringList{kDefaultAction, tr("Open")} << hints << kServerDefaultTimeout;
    auto *watcher = new QDBusPendingCallWatcher(m_bus.asyncCall(call), this);
    connect(watcher, &QDBusPendingCallWatcher::finished, this,
            [this, key = notice.key](QDBusPendingCallWatcher *w) { onNotifyReply(w, key); });
    return true;
}

void DesktopNotifier::onNotifyReply(QDBusPendingCallWatcher *watcher, const QString &key)
{
    watcher->deleteLater();
    const QDBusPendingReply<uint> reply = *watcher;
    if (reply.isError()) {
        qCInfo(lcNotify) << "no desktop notification:" << reply.error().message();
        Q_EMIT delivered(key, 0, reply.error().message());
        return;
    }
    m_idByKey.insert(key, reply.value());
    Q_EMIT delivered(key, reply.value(), {});
}

void DesktopNotifier::onActionInvoked(uint id, const QString &action)
{
    const QString key = m_idByKey.key(id);
    if (key.isEmpty() || action != kDefaultAction)
        return; // another application's notice, on the same broadcast signal
    Q_EMIT activated(key);
}

void DesktopNotifier::onClosed(uint id, uint reason)
{
    Q_UNUSED(reason)
    const QString key = m_idByKey.key(id);
    if (!key.isEmpty())
        m_idByKey.remove(key);
}

} // namespace arbor::app
