#pragma once

#include "sync/teampresence.h"

#include <QObject>
#include <QVariantList>
#include <QtQml/qqml.h>

namespace arbor::sync {
class SyncService;
}

namespace arbor::app {

/**
 * @brief Who of the team is where, for the presence bar, the workspace switcher's online list
 * and the typing line; and the composer's typing. An adapter over sync::SyncService. GUI thread
 * only.
 */
class Presence : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("Use App.sync.presence")
    /** @brief Teammates in the open conversation: [{user, initials, typing}]. */
    Q_PROPERTY(QVariantList here READ here NOTIFY changed)
    /** @brief Teammates online in the workspace shown: [{user, initials, here, typing}]. */
    Q_PROPERTY(QVariantList online READ online NOTIFY changed)
    /** @brief "alice is typing…" for the open conversation; "" when nobody is. */
    Q_PROPERTY(QString typingText READ typingText NOTIFY changed)

public:
    /** @param service nullptr when the store could not be opened (nobody is ever here). */
    explicit Presence(sync::SyncService *service, QObject *parent = nullptr);

    QVariantList here() const;
    QVariantList online() const;
    QString typingText() const { return m_view.typingText; }
    /** @brief The workspace whose conversations the list shows ("" = Personal). */
    void setWorkspaceShown(const QString &workspaceId);

    /** @brief The composer's text changed: typing while it is not empty, for a few seconds. */
    Q_INVOKABLE void noteTyping(bool hasText);

Q_SIGNALS:
    void changed();

private:
    void update();

    sync::SyncService *m_service;
    QString m_workspaceShown;
    sync::PresenceView m_view;
};

} // namespace arbor::app
