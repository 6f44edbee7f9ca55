#pragma once

#include "highlightresult.h"

#include <QJSValue>
#include <QString>
#include <QStringList>
#include <QStringView>

#include <chrono>
#include <memory>

class QJSEngine;

namespace arbor::app {

class HighlightWatchdog;

/**
 * @brief highlight.js in a QJSEngine: loads the library once (embedded at
 * :/arbor/highlightjs/, fetched and verified by cmake/HighlightJs.cmake), runs one code block
 * at a time under a time limit, and turns the HTML highlight.js returns into spans.
 *
 * Qt 6.4's JavaScript engine departs from the standard in ways highlight.js trips over; a
 * prelude (highlightjs-shims.js) mends each fault it finds before the library loads.
 *
 * Not thread-safe: one thread makes it and highlights with it (CodeHighlighter's worker).
 * interrupt() alone may come from another thread.
 */
class HighlightEngine
{
public:
    /** @brief How long one block may take: base + perKb for each 1024 characters. */
    struct Limits
    {
        std::chrono::milliseconds base{200};
        std::chrono::milliseconds perKb{20};
    };

    HighlightEngine();
    ~HighlightEngine();
    HighlightEngine(const HighlightEngine &) = delete;
    HighlightEngine &operator=(const HighlightEngine &) = delete;

    /** @brief Highlights @p code as @p language (a highlight.js name or alias, lowercase);
     *  an empty language lets highlight.js guess among autoLanguages(). Loads the library
     *  first if needed (not counted against the limit). */
    HighlightResult highlight(const QString &code, const QString &language, const Limits &limits);
    /** @brief Stops the block running now, if any (shutting down). Any thread. */
    void interrupt();
    /** @brief Empty once the library loaded; else why it did not. */
    QString loadError() const { return m_loadError; }
    /** @brief Loads the library (reading, compiling and warming up every grammar) unless it
     *  was tried already; false when it did not load. highlight() calls it. */
    bool load();
    /** @brief How long load() took on the clock; -1 before it was tried. */
    double loadMs() const { return m_loadMs; }

    /** @brief The languages a block without one may be guessed as: the common ones in chat.
     *  Guessing runs every one of them over the block's first kAutoSample characters. */
    static QStringList autoLanguages();
    static constexpr int kAutoSample = 1500;
    /** @brief A guess with a lower relevance (highlight.js's score) stays plain text. */
    static constexpr int kAutoMinRelevance = 5;

    /** @brief Splits highlight.js's HTML (`<span class="…">`, `</span>`, five entities, text)
     *  into the plain @p text and its @p spans. False on anything else. */
    static bool parseHtml(QStringView html, QString *text, QList<HighlightSpan> *spans);

private:
    std::unique_ptr<QJSEngine> m_js;
    std::unique_ptr<HighlightWatchdog> m_watchdog;
    QJSValue m_run;
    QJSValue m_autoLanguages;
    bool m_loadTried = false;
    double m_loadMs = -1.0;
    QString m_loadError;
};

} // namespace arbor::app
