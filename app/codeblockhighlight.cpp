#include "codeblockhighlight.h"

#include "async.h"
#include "codehighlighter.h"
#include "highlightpalette.h"

#include <QQmlEngine>

namespace arbor::app {

CodeBlockHighlight::CodeBlockHighlight(QObject *parent)
    : QObject(parent)
{
}

CodeBlockHighlight::~CodeBlockHighlight() = default;

void CodeBlockHighlight::setCode(const QString &code)
{
    if (code == m_code)
        return;
    m_code = code;
    Q_EMIT codeChanged();
    request();
}

void CodeBlockHighlight::setLanguage(const QString &language)
{
    if (language == m_language)
        return;
    m_language = language;
    Q_EMIT languageChanged();
    request();
}

void CodeBlockHighlight::setDark(bool dark)
{
    if (dark == m_dark)
        return;
    m_dark = dark;
    Q_EMIT darkChanged();
    render();
}

void CodeBlockHighlight::setHighlighter(CodeHighlighter *highlighter)
{
    if (highlighter == m_highlighter)
        return;
    m_highlighter = highlighter;
    Q_EMIT highlighterChanged();
    request();
}

QColor CodeBlockHighlight::foreground() const
{
    return HighlightPalette::forDark(m_dark).foreground();
}

QColor CodeBlockHighlight::background() const
{
    return HighlightPalette::forDark(m_dark).background();
}

void CodeBlockHighlight::classBegin()
{
    m_complete = false;
}

void CodeBlockHighlight::componentComplete()
{
    m_complete = true;
    if (!m_highlighter) {
        if (QQmlEngine *engine = qmlEngine(this)) {
            static const int typeId = qmlTypeId("Arbor", 1, 0, "CodeHighlighter");
            m_highlighter = engine->singletonInstance<CodeHighlighter *>(typeId);
            Q_EMIT highlighterChanged();
        }
    }
    request();
}

void CodeBlockHighlight::request()
{
    if (!m_complete)
        return; // once, when QML has set every property
    const quint64 request = ++m_request;
    const bool asking = m_highlighter && !m_code.isEmpty();
    QFuture<HighlightResult> future;
    if (asking)
        future = m_highlighter->highlight(m_code, m_language);
    if (asking && future.isFinished()) {
        // Cached (or too large): coloured now, not a frame later.
        m_ready = true;
        apply(future.result());
        Q_EMIT resultChanged();
        return;
    }
    HighlightResult plain;
    plain.code = m_code;
    m_ready = !asking;
    apply(plain);
    Q_EMIT resultChanged();
    if (!asking)
        return;
    whenDone(
        this, std::move(future),
        [this, request](const HighlightResult &result) {
            if (request != m_request)
                return; // the code or language changed since
            m_ready = true;
            apply(result);
            Q_EMIT resultChanged();
        },
        [](const QString &) {
            // Not reached: the highlighter reports every failure as an outcome.
        });
}

void CodeBlockHighlight::apply(const HighlightResult &result)
{
    m_result = result;
    render();
}

void CodeBlockHighlight::render()
{
    QString html = HighlightPalette::forDark(m_dark).html(m_result);
    if (html == m_html)
        return;
    m_html = std::move(html);
    Q_EMIT htmlChanged();
}

} // namespace arbor::app
