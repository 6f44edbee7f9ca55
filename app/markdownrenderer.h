#pragma once

#include <QColor>
#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QQuickTextDocument>
#include <QString>
#include <QTimer>
#include <QtQml/qqml.h>

class QTextDocument;

namespace arbor::app {

/**
 * @brief Renders Markdown into a TextEdit's document with the dialect of the block splitter:
 * GitHub (tables, strikethrough, task lists, autolinks) without raw HTML. A TextEdit's own
 * `TextEdit.MarkdownText` would read HTML in model output.
 *
 * The document is filled in one edit block: Qt Quick otherwise lays the whole document out
 * again after every piece the Markdown importer inserts, which made 3,000 characters cost
 * ~50 ms and 10,000 half a second (Qt 6.4); in one edit block they cost 1–2 ms.
 *
 * While the block grows (throttled), it is rendered at most every ThrottleMs; the last text
 * is always rendered. GUI thread only.
 */
class MarkdownRenderer : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    /** @brief The TextEdit's textDocument (the TextEdit's own text stays unset). */
    Q_PROPERTY(QQuickTextDocument *document READ document WRITE setDocument NOTIFY documentChanged)
    Q_PROPERTY(QString markdown READ markdown WRITE setMarkdown NOTIFY markdownChanged)
    /** @brief The text is still growing: render it at most every ThrottleMs. */
    Q_PROPERTY(bool throttled READ throttled WRITE setThrottled NOTIFY throttledChanged)
    /** @brief Behind inline code spans (none when not valid). */
    Q_PROPERTY(QColor codeBackground READ codeBackground WRITE setCodeBackground NOTIFY
                   codeBackgroundChanged)
    /** @brief Renders so far (tests, measurements). */
    Q_PROPERTY(int renderCount READ renderCount NOTIFY rendered)

public:
    /** @brief Shortest time between two renders of a growing block (~30 Hz). */
    static constexpr int ThrottleMs = 33;

    explicit MarkdownRenderer(QObject *parent = nullptr);

    QQuickTextDocument *document() const { return m_document; }
    void setDocument(QQuickTextDocument *document);
    QString markdown() const { return m_markdown; }
    void setMarkdown(const QString &markdown);
    bool throttled() const { return m_throttled; }
    void setThrottled(bool throttled);
    QColor codeBackground() const { return m_codeBackground; }
    void setCodeBackground(const QColor &color);
    int renderCount() const { return m_renders; }
    /** @brief The document as HTML: what was rendered, formats included (tests). */
    Q_INVOKABLE QString toHtml() const;

    /** @brief Replaces @p document's content with @p markdown, rendered (GitHub, no HTML),
     *  inline code on @p codeBackground when it is valid. */
    static void render(QTextDocument *document, const QString &markdown,
                       const QColor &codeBackground = {});
    /** @brief @p markdown as plain text: what it shows, without its markup (list items keep
     *  a bullet or number, table cells are separated by tabs, blocks by a blank line). */
    static QString plainText(const QString &markdown);

Q_SIGNALS:
    void documentChanged();
    void markdownChanged();
    void throttledChanged();
    void codeBackgroundChanged();
    void rendered();

private:
    void schedule();
    void renderNow();

    QPointer<QQuickTextDocument> m_document;
    QString m_markdown;
    QColor m_codeBackground;
    bool m_throttled = false;
    bool m_pending = false;
    int m_renders = 0;
    QElapsedTimer m_lastRender;
    QTimer m_timer;
};

} // namespace arbor::app
