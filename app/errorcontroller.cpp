#include "errorcontroller.h"

#include "app.h"

namespace arbor::app {

ErrorController *ErrorController::create(QQmlEngine *qmlEngine, QJSEngine *jsEngine)
{
    return App::singleton(qmlEngine, jsEngine, &App::errors);
}

ErrorController::ErrorController(QObject *parent)
    : QObject(parent)
{
}

void ErrorController::show(const QString &text)
{
    if (text == m_text)
        return;
    m_text = text;
    Q_EMIT textChanged();
}

} // namespace arbor::app
