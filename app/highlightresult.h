#pragma once

#include <QList>
#include <QObject>
#include <QString>
#include <QtQml/qqml.h>

namespace arbor::app {

/** @brief How a code block came out of CodeHighlighter, for QML: `HighlightOutcome.TimedOut`.
 *  Every outcome but Highlighted leaves the code as plain text (no spans). */
namespace HighlightOutcome {
Q_NAMESPACE
QML_ELEMENT
enum Value {
    Highlighted,     ///< highlight.js coloured it (the spans may still be few or none)
    UnknownLanguage, ///< highlight.js does not know its language, or guessed none
    TimedOut,        ///< it took longer than the time limit and was stopped
    TooLarge,        ///< longer than the size limit: not sent to highlight.js at all
    Failed,          ///< highlight.js is missing, failed to load or threw (see error)
};
Q_ENUM_NS(Value)
} // namespace HighlightOutcome

/** @brief A stretch of the code that highlight.js put in one scope. Offsets are in UTF-16
 *  code units of the code (QString positions). */
struct HighlightSpan
{
    qsizetype start = 0;
    qsizetype length = 0;
    /** @brief highlight.js's CSS class for it: "hljs-keyword", "hljs-title function_",
     *  "hljs-string", "language-css" (an embedded language)... */
    QString scope;

    friend bool operator==(const HighlightSpan &, const HighlightSpan &) = default;
};

/**
 * @brief One highlighted code block: the code and the scopes highlight.js found in it.
 *
 * Spans nest as highlight.js's scopes do (a "hljs-params" inside a "hljs-function"): they come
 * in document order, an enclosing span before the spans inside it, and never overlap
 * otherwise. Empty spans are left out. HighlightPalette::html() turns a result into rich text.
 */
struct HighlightResult
{
    QString code;
    /** @brief The language highlight.js used: the block's own (as given, lowercase) or the
     *  one it guessed; empty when the code stayed plain. */
    QString language;
    QList<HighlightSpan> spans;
    HighlightOutcome::Value outcome = HighlightOutcome::UnknownLanguage;
    /** @brief Time highlight.js took for this block, on the clock (0 for a cached or unsent
     *  block)... */
    double elapsedMs = 0.0;
    /** @brief ...and of the worker's CPU (as elapsedMs where the system does not say). */
    double cpuMs = 0.0;
    /** @brief Why it failed (Failed only). */
    QString error;
};

} // namespace arbor::app
