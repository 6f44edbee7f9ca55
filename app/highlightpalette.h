#pragma once

#include "highlightresult.h"

#include <QColor>
#include <QHash>
#include <QString>

namespace arbor::app {

/** @brief How one highlight.js scope is drawn; an invalid color keeps the enclosing one. */
struct HighlightStyle
{
    QColor color;
    QColor background;
    bool bold = false;
    bool italic = false;

    bool isEmpty() const { return !color.isValid() && !background.isValid() && !bold && !italic; }
};

/**
 * @brief Colours for highlight.js scopes, and the rich text of a highlighted block.
 *
 * light() and dark() are highlight.js's own "GitHub" and "GitHub Dark" themes (styles/
 * github.css, github-dark.css in the same package) written out as a table. Immutable;
 * any thread.
 */
class HighlightPalette
{
public:
    static const HighlightPalette &light();
    static const HighlightPalette &dark();
    static const HighlightPalette &forDark(bool dark)
    {
        return dark ? HighlightPalette::dark() : light();
    }

    QColor foreground() const { return m_foreground; }
    QColor background() const { return m_background; }

    /** @brief The style of @p scope, a span's class list ("hljs-title function_"): a rule for
     *  the whole list if there is one, else for its first class; empty when neither. */
    HighlightStyle style(const QString &scope) const;

    /**
     * @brief Qt rich text for @p result: `<pre style="margin:0;color:#24292e">` around the
     * code, HTML-escaped, each styled span a `<span style="color:#d73a49">` (also
     * background-color, font-weight:bold, font-style:italic), nested as the spans are. A
     * result without spans gives the plain code in the same frame.
     */
    QString html(const HighlightResult &result) const;

private:
    HighlightPalette(QColor foreground, QColor background, bool dark);

    QColor m_foreground;
    QColor m_background;
    QHash<QString, HighlightStyle> m_styles;
};

} // namespace arbor::app
