#pragma once

#include "chat/chatservice.h"

#include <QObject>
#include <QString>
#include <QtQml/qqml.h>

#include <optional>

class QQmlEngine;
class QJSEngine;

namespace arbor::core {
class Backend;
}

namespace arbor::app {

class ErrorController;

/**
 * @brief The last delete, and the way back (the undo bar, Ctrl+Z). Deleting asks no question
 * because of this: a deleted branch or conversation is a tombstone the backend can restore.
 * One level. GUI thread only.
 */
class UndoController : public QObject
{
    Q_OBJECT
    QML_NAMED_ELEMENT(Undo)
    QML_SINGLETON
    /** @brief What undo() would bring back, for people ("Deleted 3 messages"); "" when nothing. */
    Q_PROPERTY(QString text READ text NOTIFY changed)

public:
    static UndoController *create(QQmlEngine *qmlEngine, QJSEngine *jsEngine);

    /** @brief @p backend: nullptr when the store did not open (nothing is ever undone). */
    UndoController(core::Backend *backend, ErrorController *errors, QObject *parent = nullptr);

    QString text() const;
    /** @brief Brings back what was deleted last. */
    Q_INVOKABLE void undo();

    /** @brief A branch was deleted: undo() restores it. */
    void rememberSubtree(const chat::RemovedSubtree &removed);
    /** @brief A conversation was deleted: undo() restores it. */
    void rememberConversation(const QString &id, const QString &title);

Q_SIGNALS:
    void changed();
    /** @brief undo() brings back something in conversation @p id: it should be the one shown
     *  (before a branch is restored, after a conversation is). */
    void showConversation(const QString &id);

private:
    /** @brief A deleted branch, or (subtree empty) a deleted conversation. */
    struct Entry
    {
        std::optional<chat::RemovedSubtree> subtree;
        QString conversationId;
        QString title;
    };

    core::Backend *m_backend;
    ErrorController *m_errors;
    std::optional<Entry> m_entry;
};

} // namespace arbor::app
