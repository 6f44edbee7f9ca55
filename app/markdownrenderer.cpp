#include "markdownrenderer.h"

#include <QTextBlock>
#include <QTextCursor>
#include <QTextDocument>
#include <QTextList>
#include <QTextTable>

namespace arbor::app {

namespace {

constexpr QTextDocument::MarkdownFeatures Dialect(QTextDocument::MarkdownDialectGitHub
                                                  | QTextDocument::MarkdownNoHTML);
/** @brief A list level's indent, in pixels (Qt's 40 leaves half a line empty in a chat). */
constexpr int ListIndent = 22;
/** @brief A quote level's indent (Qt's importer gives 40), room for the bar QML draws. */
constexpr int QuoteIndent = 16;

bool isCode(const QTextBlock &block)
{
    return block.blockFormat().hasProperty(QTextFormat::BlockCodeFence)
        || block.blockFormat().hasProperty(QTextFormat::BlockCodeLanguage);
}

} // namespace

MarkdownRenderer::MarkdownRenderer(QObject *parent)
    : QObject(parent)
{
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &MarkdownRenderer::renderNow);
}

void MarkdownRenderer::setDocument(QQuickTextDocument *document)
{
    if (document == m_document)
        return;
    m_document = document;
    Q_EMIT documentChanged();
    m_pending = true;
    renderNow();
}

void MarkdownRenderer::setMarkdown(const QString &markdown)
{
    if (markdown == m_markdown)
        return;
    m_markdown = markdown;
    Q_EMIT markdownChanged();
    m_pending = true;
    schedule();
}

void MarkdownRenderer::setThrottled(bool throttled)
{
    if (throttled == m_throttled)
        return;
    m_throttled = throttled;
    Q_EMIT throttledChanged();
    if (!throttled && m_pending)
        renderNow(); // the block is complete: its last text shows at once
}

void MarkdownRenderer::setCodeBackground(const QColor &color)
{
    if (color == m_codeBackground)
        return;
    m_codeBackground = color;
    Q_EMIT codeBackgroundChanged();
    m_pending = true;
    schedule();
}

void MarkdownRenderer::schedule()
{
    if (!m_throttled || !m_lastRender.isValid() || m_lastRender.elapsed() >= ThrottleMs) {
        m_timer.stop();
        renderNow();
    } else if (!m_timer.isActive()) {
        m_timer.start(int(ThrottleMs - m_lastRender.elapsed()));
    }
}

void MarkdownRenderer::renderNow()
{
    if (!m_pending || !m_document)
        return;
    m_pending = false;
    render(m_document->textDocument(), m_markdown, m_codeBackground);
    m_lastRender.start();
    ++m_renders;
    Q_EMIT rendered();
}

QString MarkdownRenderer::toHtml() const
{
    return m_document ? m_document->textDocument()->toHtml() : QString();
}

void MarkdownRenderer::render(QTextDocument *document, const QString &markdown,
                              const QColor &codeBackground)
{
    if (!document)
        return;
    // HACK: one edit block, so that QQuickTextEdit hears of one change instead of relaying the
    // document out after each insertion of the importer (quadratic in Qt 6.4).
    QTextCursor cursor(document);
    cursor.beginEditBlock();
    document->setIndentWidth(ListIndent);
    document->setMarkdown(markdown, Dialect);
    const bool quotes = markdown.contains(u'>');
    const bool spans = codeBackground.isValid() && markdown.contains(u'`');
    QList<std::pair<int, int>> codeSpans; // changed after the walk, which they would upset
    for (QTextBlock block = document->begin(); (quotes || spans) && block.isValid();
         block = block.next()) {
        QTextBlockFormat format = block.blockFormat();
        if (const int level = format.property(QTextFormat::BlockQuoteLevel).toInt(); level > 0) {
            format.setLeftMargin(level * QuoteIndent);
            format.setRightMargin(0);
            QTextCursor(block).setBlockFormat(format);
        }
        if (!spans || isCode(block))
            continue;
        for (auto it = block.begin(); !it.atEnd(); ++it) {
            if (it.fragment().charFormat().fontFixedPitch())
                codeSpans.append({it.fragment().position(), it.fragment().length()});
        }
    }
    QTextCharFormat background;
    background.setBackground(codeBackground);
    for (const auto &[position, length] : std::as_const(codeSpans)) {
        QTextCursor span(document);
        span.setPosition(position);
        span.setPosition(position + length, QTextCursor::KeepAnchor);
        span.mergeCharFormat(background);
    }
    cursor.endEditBlock();
}

QString MarkdownRenderer::plainText(const QString &markdown)
{
    QTextDocument document;
    document.setMarkdown(markdown, Dialect);
    QString out;
    QTextBlock previous;
    for (QTextBlock block = document.begin(); block.isValid(); block = block.next()) {
        QTextCursor at(block);
        const QTextTable *table = at.currentTable();
        const QTextList *list = block.textList();
        // The empty block the document keeps after a table or at its end shows nothing.
        if (block.text().isEmpty() && !table && !list && !isCode(block))
            continue;
        if (table && previous.isValid() && QTextCursor(previous).currentTable() == table) {
            const QTextTableCell cell = table->cellAt(block.position());
            out += cell.column() > 0 && cell.firstPosition() == block.position() ? u'\t' : u'\n';
        } else if (previous.isValid()) {
            const bool sameList = list && list == previous.textList();
            const bool codeLines = isCode(block) && isCode(previous);
            out += sameList || codeLines ? QStringLiteral("\n") : QStringLiteral("\n\n");
        }
        if (list) {
            const int depth = std::max(0, list->format().indent() - 1);
            out += QString(depth * 2, u' ');
            const bool bullet = list->format().style() == QTextListFormat::ListDisc
                || list->format().style() == QTextListFormat::ListCircle
                || list->format().style() == QTextListFormat::ListSquare;
            out += bullet ? QStringLiteral("•") : list->itemText(block);
            out += u' ';
            if (block.blockFormat().marker() == QTextBlockFormat::MarkerType::Checked)
                out += QStringLiteral("☑ ");
            else if (block.blockFormat().marker() == QTextBlockFormat::MarkerType::Unchecked)
                out += QStringLiteral("☐ ");
        }
        QString text = block.text();
        text.replace(QChar::LineSeparator, u'\n');
        out += text;
        previous = block;
    }
    return out;
}

} // namespace arbor::app
