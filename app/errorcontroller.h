#pragma once

#include <QObject>
#include <QString>
#include <QtQml/qqml.h>

class QQmlEngine;
class QJSEngine;

namespace arbor::app {

/**
 * @brief The error the window shows (the banner above the thread) until the user dismisses it
 * or the next action clears it. Every controller reports here. GUI thread only.
 */
class ErrorController : public QObject
{
    Q_OBJECT
    QML_NAMED_ELEMENT(Errors)
    QML_SINGLETON
    /** @brief The sentence to show; "" when there is none. */
    Q_PROPERTY(QString text READ text NOTIFY textChanged)

public:
    static ErrorController *create(QQmlEngine *qmlEngine, QJSEngine *jsEngine);

    // Not default-constructible on purpose: Qt 6.4 builds a default-constructible singleton
    // with its constructor and never calls create(), so QML would get an instance of its own.
    explicit ErrorController(QObject *parent);

    QString text() const { return m_text; }
    /** @brief Shows @p text instead of what was shown. */
    void show(const QString &text);
    Q_INVOKABLE void dismiss() { show({}); }

Q_SIGNALS:
    void textChanged();

private:
    QString m_text;
};

} // namespace arbor::app
