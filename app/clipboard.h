#pragma once

#include <QObject>
#include <QString>
#include <QtQml/qqml.h>

class QQmlEngine;
class QJSEngine;

namespace arbor::app {

/** @brief The system clipboard for QML (Qt 6.4 QML has no clipboard API). GUI thread only. */
class Clipboard : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_SINGLETON

public:
    static Clipboard *create(QQmlEngine *qmlEngine, QJSEngine *jsEngine);
    // Not default-constructible: Qt 6.4 would build the singleton with that constructor and
    // never call create().
    explicit Clipboard(QObject *parent)
        : QObject(parent)
    {
    }

    Q_INVOKABLE void setText(const QString &text);
    /** @brief Puts what @p markdown shows on the clipboard, as plain text (no markup). */
    Q_INVOKABLE void setMarkdownAsPlainText(const QString &markdown);
    Q_INVOKABLE QString text() const;
};

} // namespace arbor::app
