#pragma once

#include <QDBusConnection>
#include <QHash>
#include <QObject>
#include <QString>

class QDBusPendingCallWatcher;
class QSystemTrayIcon;

namespace arbor::app {

/** @brief One desktop notification. */
struct Notice
{
    QString key;     ///< what it is about (a conversation id); a newer notice with the same key
                     ///< replaces the one still shown
    QString summary; ///< one short line
    QString body;    ///< plain text (escaped before it goes to a server that renders markup)
    bool urgent = false;
};

/**
 * @brief Shows desktop notifications: the freedesktop notification service
 * (`org.freedesktop.Notifications`, via Qt D-Bus) on Linux and the BSDs, the system tray's
 * balloon (`QSystemTrayIcon::showMessage`, built with ARBOR_TRAY_NOTIFICATIONS) elsewhere.
 *
 * Calls never block: a server that does not answer costs nothing. A notice with the key of one
 * still shown replaces it. Clicking a notice (its default action) emits activated() with its key.
 * GUI thread only.
 */
class DesktopNotifier : public QObject
{
    Q_OBJECT

public:
    /** @brief Talks to the notification server on the session bus. */
    explicit DesktopNotifier(QObject *parent = nullptr);
    /** @brief Talks to the notification server on @p bus (tests pass a private bus). */
    DesktopNotifier(const QDBusConnection &bus, QObject *parent = nullptr);
    ~DesktopNotifier() override;

    /** @brief Sends @p notice; false when there is no way to show it (no session bus). */
    bool show(const Notice &notice);

    /** @brief @p text with the characters a server that renders markup in bodies interprets
     *  (the specification allows a subset of HTML there) escaped. */
    static QString escapeBody(const QString &text);

Q_SIGNALS:
    /** @brief The user clicked the notice with @p key. */
    void activated(const QString &key);
    /** @brief The server answered a notice with @p key (it has id @p id there), or failed to:
     *  @p id 0 and @p error says why. For tests and logs. */
    void delivered(const QString &key, uint id, const QString &error);

private Q_SLOTS:
    void onActionInvoked(uint id, const QString &action);
    void onClosed(uint id, uint reason);

private:
    void onNotifyReply(QDBusPendingCallWatcher *watcher, const QString &key);

    QDBusConnection m_bus;
    QHash<QString, uint> m_idByKey; ///< notices still shown, by key
    bool m_bodyMarkup = true;       ///< the server renders markup in bodies (most do)
#ifdef ARBOR_TRAY_NOTIFICATIONS
    QSystemTrayIcon *m_tray = nullptr;
    QString m_trayKey;
#endif
};

} // namespace arbor::app
