#include "modelcontroller.h"

#include "app.h"
#include "uistate.h"

#include "core/backend.h"
#include "llm/providerregistry.h"
#include "providers/providerservice.h"

namespace arbor::app {

ModelController *ModelController::create(QQmlEngine *qmlEngine, QJSEngine *jsEngine)
{
    return App::singleton(qmlEngine, jsEngine, &App::models);
}

ModelController::ModelController(core::Backend &backend, UiState *uiState, QObject *parent)
    : QObject(parent)
    , m_backend(backend)
    , m_uiState(uiState)
    , m_list(new ModelListModel(this))
{
    m_list->setModels(m_backend.providers().models());
    if (const QString last = m_uiState->lastModelKey(); m_list->indexOfKey(last) >= 0)
        m_key = last;
    else if (m_list->rowCount() > 0)
        m_key = m_list->models().first().key;
    // Providers added, edited or removed (or their keys arriving from the keychain at start):
    // the picker follows.
    connect(&m_backend.providerService(), &providers::ProviderService::providersChanged, this,
            &ModelController::providersChanged);
}

void ModelController::setCurrentKey(const QString &key)
{
    if (key == m_key || m_list->indexOfKey(key) < 0)
        return;
    m_key = key;
    m_uiState->setLastModelKey(key);
    Q_EMIT currentKeyChanged();
}

void ModelController::providersChanged()
{
    m_list->setModels(m_backend.providers().models());
    // The model used last, once its provider is back; else the user's default model. The demo
    // stands in until one of them shows up.
    const QString last = m_uiState->lastModelKey();
    const QString preferred =
        m_list->indexOfKey(last) >= 0 ? last : m_backend.providerService().defaultModel();
    const bool onDemo = m_key.isEmpty() || m_key.startsWith(QLatin1String("demo/"));
    if (m_list->indexOfKey(m_key) < 0 || (onDemo && m_list->indexOfKey(preferred) >= 0)) {
        if (m_list->indexOfKey(preferred) >= 0)
            m_key = preferred;
        else
            m_key = m_list->rowCount() > 0 ? m_list->models().first().key : QString();
    }
    Q_EMIT currentKeyChanged();
}

} // namespace arbor::app
