#include "clipboard.h"

#include <QClipboard>
#include <QGuiApplication>
#include <QQmlEngine>
#include <QThread>

namespace arbor::app {

Clipboard *Clipboard::create(QQmlEngine *qmlEngine, QJSEngine *)
{
    Q_ASSERT(QThread::currentThread() == qmlEngine->thread());
    return new Clipboard;
}

void Clipboard::setText(const QString &text)
{
    QGuiApplication::clipboard()->setText(text);
}

QString Clipboard::text() const
{
    return QGuiApplication::clipboard()->text();
}

} // namespace arbor::app
