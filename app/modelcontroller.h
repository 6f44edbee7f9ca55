#pragma once

#include "modellistmodel.h"

#include <QObject>
#include <QString>
#include <QtQml/qqml.h>

class QQmlEngine;
class QJSEngine;

namespace arbor::core {
class Backend;
}

namespace arbor::app {

class UiState;

/**
 * @brief The models the user can pick and the one that answers the next message (the model
 * picker). Follows the providers as they are added, edited or removed, remembers the choice
 * between runs, and falls back to the user's default model, else the first one. GUI thread only.
 */
class ModelController : public QObject
{
    Q_OBJECT
    QML_NAMED_ELEMENT(Models)
    QML_SINGLETON
    Q_PROPERTY(arbor::app::ModelListModel *list READ list CONSTANT)
    /** @brief "provider/model" of the model that answers the next message. */
    Q_PROPERTY(QString currentKey READ currentKey WRITE setCurrentKey NOTIFY currentKeyChanged)
    /** @brief Its display name, e.g. "Demo (offline)". */
    Q_PROPERTY(QString currentName READ currentName NOTIFY currentKeyChanged)

public:
    static ModelController *create(QQmlEngine *qmlEngine, QJSEngine *jsEngine);

    ModelController(core::Backend &backend, UiState *uiState, QObject *parent = nullptr);

    ModelListModel *list() const { return m_list; }
    QString currentKey() const { return m_key; }
    /** @brief Picks @p key (ignored when no such model is configured) and remembers it. */
    void setCurrentKey(const QString &key);
    QString currentName() const { return m_list->displayNameOf(m_key); }

Q_SIGNALS:
    void currentKeyChanged();

private:
    void providersChanged();

    core::Backend &m_backend;
    UiState *m_uiState;
    ModelListModel *m_list;
    QString m_key;
};

} // namespace arbor::app
