#pragma once

#include "codehighlighter.h"
#include "highlightresult.h"

#include <QColor>
#include <QObject>
#include <QPointer>
#include <QQmlParserStatus>
#include <QString>
#include <QtQml/qqml.h>

namespace arbor::app {

/**
 * @brief A code block's highlighted rich text for a delegate: give it the closed block's code
 * and language, show `html` in a TextEdit with `textFormat: TextEdit.RichText`.
 *
 *     CodeBlockHighlight { id: hl; code: model.blockText; language: model.language;
 *                          dark: Theme.dark }
 *     TextEdit { textFormat: TextEdit.RichText; text: hl.html; readOnly: true }
 *
 * Until the result comes (off the GUI thread, from CodeHighlighter), html is the plain code in
 * the same frame, so nothing jumps; a block already highlighted (the cache) is coloured at
 * once. Changing `dark` only recolours. GUI thread only.
 */
class CodeBlockHighlight
    : public QObject
    , public QQmlParserStatus
{
    Q_OBJECT
    Q_INTERFACES(QQmlParserStatus)
    QML_ELEMENT
    Q_PROPERTY(QString code READ code WRITE setCode NOTIFY codeChanged)
    /** @brief The fence's info string ("python", "c++"); empty: guess. */
    Q_PROPERTY(QString language READ language WRITE setLanguage NOTIFY languageChanged)
    /** @brief Use the dark palette. */
    Q_PROPERTY(bool dark READ dark WRITE setDark NOTIFY darkChanged)
    /** @brief Who highlights; by default the CodeHighlighter singleton of this QML engine. */
    Q_PROPERTY(arbor::app::CodeHighlighter *highlighter READ highlighter WRITE setHighlighter NOTIFY
                   highlighterChanged)
    /** @brief Rich text: `<pre>` with coloured spans (HighlightPalette::html()). */
    Q_PROPERTY(QString html READ html NOTIFY htmlChanged)
    /** @brief The palette's colours for the block's frame and plain text. */
    Q_PROPERTY(QColor foreground READ foreground NOTIFY darkChanged)
    Q_PROPERTY(QColor background READ background NOTIFY darkChanged)
    /** @brief The result for the current code has come (whatever its outcome). */
    Q_PROPERTY(bool ready READ ready NOTIFY resultChanged)
    Q_PROPERTY(arbor::app::HighlightOutcome::Value outcome READ outcome NOTIFY resultChanged)
    /** @brief The language highlight.js used (the one guessed for a block without one). */
    Q_PROPERTY(QString detectedLanguage READ detectedLanguage NOTIFY resultChanged)

public:
    explicit CodeBlockHighlight(QObject *parent = nullptr);
    ~CodeBlockHighlight() override;

    QString code() const { return m_code; }
    void setCode(const QString &code);
    QString language() const { return m_language; }
    void setLanguage(const QString &language);
    bool dark() const { return m_dark; }
    void setDark(bool dark);
    CodeHighlighter *highlighter() const { return m_highlighter; }
    void setHighlighter(CodeHighlighter *highlighter);

    QString html() const { return m_html; }
    QColor foreground() const;
    QColor background() const;
    bool ready() const { return m_ready; }
    HighlightOutcome::Value outcome() const { return m_result.outcome; }
    QString detectedLanguage() const { return m_result.language; }

    void classBegin() override;
    void componentComplete() override;

Q_SIGNALS:
    void codeChanged();
    void languageChanged();
    void darkChanged();
    void highlighterChanged();
    void htmlChanged();
    void resultChanged();

private:
    void request();
    void apply(const HighlightResult &result);
    void render();

    QString m_code;
    QString m_language;
    bool m_dark = false;
    QPointer<CodeHighlighter> m_highlighter;
    bool m_complete = true; // false between classBegin() and componentComplete() in QML
    bool m_ready = false;
    quint64 m_request = 0; // answers to older requests are dropped
    HighlightResult m_result;
    QString m_html;
};

} // namespace arbor::app
