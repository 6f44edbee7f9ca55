#include "clipboard.h"

#include "markdownrenderer.h"

#include <QClipboard>
#include <QGuiApplication>
#include <QQmlEngine>
#include <QThread>

namespace arbor::app {

Clipboard *Clipboard::create(QQmlEngine *qmlEngine, QJSEngine *jsEngine)
{
    Q_ASSERT(QThread::currentThread() == qmlEngine->thread());
    Q_ASSERT(jsEngine == qmlEngine);
    return new Clipboard(nullptr); // the engine owns it
}

void Clipboard::setText(const QString &text)
{
    QGuiApplication::clipboard()->setText(text);
}

void Clipboard::setMarkdownAsPlainText(const QString &markdown)
{
    setText(MarkdownRenderer::plainText(markdown));
}

QString Clipboard::text() const
{
    return QGuiApplication::clipboard()->text();
}

} // namespace arbor::app
