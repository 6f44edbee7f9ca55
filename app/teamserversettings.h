#pragma once

#include "sync/syncservice.h"

#include <QObject>
#include <QStringList>
#include <QVariantMap>
#include <QtQml/qqml.h>

namespace arbor::app {

/**
 * @brief What the "Connect to a team server" dialog and the sidebar's status line bind to: the
 * stored settings, the connection state, the keychain's state, connect and disconnect. An
 * adapter over sync::SyncService (which holds every rule). GUI thread only.
 */
class TeamServerSettings : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("Use App.sync.server")
    /** @brief TeamSync.NotConfigured, Offline, Connecting, Connected or Reconnecting. */
    Q_PROPERTY(arbor::sync::SyncService::State state READ state NOTIFY statusChanged)
    /** @brief One line for the status bar: "Connected as alice to host:5432/db", "Offline — 3
     *  changes waiting, reconnecting in 2 s", ... */
    Q_PROPERTY(QString stateText READ stateText NOTIFY statusChanged)
    /** @brief The last connection or server error (or why Arbor could not connect), for people. */
    Q_PROPERTY(QString errorText READ errorText NOTIFY statusChanged)
    /** @brief Local changes to shared conversations not on the server yet. */
    Q_PROPERTY(int pending READ pending NOTIFY statusChanged)
    /** @brief A team server is configured (the status line shows its state). */
    Q_PROPERTY(bool configured READ configured NOTIFY configChanged)
    /** @brief The stored settings for the dialog: {host, port, database, user, sslmode}. */
    Q_PROPERTY(QVariantMap config READ config NOTIFY configChanged)
    Q_PROPERTY(QStringList sslModes READ sslModes CONSTANT)
    /** @brief A keychain or settings write is under way. */
    Q_PROPERTY(bool busy READ busy NOTIFY busyChanged)
    /** @brief False once the keychain said it does not exist, is locked or refused access. */
    Q_PROPERTY(bool keychainAvailable READ keychainAvailable NOTIFY keychainStatusChanged)
    Q_PROPERTY(QString keychainProblem READ keychainProblem NOTIFY keychainStatusChanged)
    /** @brief The user chose keepPasswordInMemory(). */
    Q_PROPERTY(bool passwordInMemory READ passwordInMemory NOTIFY keychainStatusChanged)

public:
    /** @param service nullptr when the store could not be opened (everything is then inert). */
    explicit TeamServerSettings(sync::SyncService *service, QObject *parent = nullptr);

    sync::SyncService::State state() const;
    QString stateText() const;
    QString errorText() const;
    int pending() const;
    bool configured() const;
    QVariantMap config() const;
    QStringList sslModes() const { return sync::TeamServerConfig::sslModes(); }
    bool busy() const;
    bool keychainAvailable() const;
    QString keychainProblem() const;
    bool passwordInMemory() const;

    /** @brief What is wrong with the fields ("" when nothing), as connectToServer() would say. */
    Q_INVOKABLE QString validate(const QString &host, int port, const QString &database,
                                 const QString &user, const QString &sslmode) const;
    /** @brief The connection string the fields make, without the password (the dialog shows it). */
    Q_INVOKABLE QString dsnFor(const QString &host, int port, const QString &database,
                               const QString &user, const QString &sslmode) const;
    /** @brief Stores the password (an empty one keeps the stored one) and the settings, then
     *  connects. Answers with connectFinished(); the state then says whether the server
     *  answered. */
    Q_INVOKABLE void connectToServer(const QString &host, int port, const QString &database,
                                     const QString &user, const QString &password,
                                     const QString &sslmode);
    /** @brief Stops syncing and forgets the settings and the password. Shared conversations stay
     *  in the local store. */
    Q_INVOKABLE void disconnectFromServer();
    /** @brief The user's choice when the keychain is missing, locked or refuses. */
    Q_INVOKABLE void keepPasswordInMemory();
    /** @brief Called when the dialog opens: asks the keychain whether it is there. */
    Q_INVOKABLE void refresh();

Q_SIGNALS:
    void statusChanged();
    void configChanged();
    void busyChanged();
    void keychainStatusChanged();
    /** @brief The answer to connectToServer(): @p error is for a person. */
    void connectFinished(bool ok, const QString &error);

private:
    sync::SyncService *m_service;
};

} // namespace arbor::app
