#pragma once

#include "highlightengine.h"
#include "highlightresult.h"

#include <QByteArray>
#include <QCache>
#include <QElapsedTimer>
#include <QFuture>
#include <QHash>
#include <QMutex>
#include <QObject>
#include <QThreadPool>
#include <QtQml/qqml.h>

#include <atomic>
#include <chrono>
#include <memory>

class QQmlEngine;
class QJSEngine;

namespace arbor::app {

/**
 * @brief Highlights closed code blocks with highlight.js, off the GUI thread (DESIGN §6b).
 *
 * One worker thread owns a QJSEngine that loads highlight.js once (HighlightEngine) and
 * highlights one block at a time. Each block has a time limit (timeLimit(): 200 ms plus 20 ms
 * per 1024 characters by default); a watchdog thread interrupts the engine when it passes,
 * the block stays plain (TimedOut) and the engine goes on with the next one. Blocks longer
 * than maxCodeLength() (100 KiB of characters) are not highlighted at all (TooLarge): no
 * chunking, whose seams would colour strings and comments wrongly. A block without a language
 * is guessed among HighlightEngine::autoLanguages(), or stays plain.
 *
 * Results are kept in an LRU cache by (language, SHA-256 of the code), bounded by
 * cacheCapacity() in characters; asking again for a block in the cache, or for one being
 * highlighted, costs no second run. Timed-out and failed blocks are not cached.
 *
 * highlight() may be called from any thread. QML gets the instance of its engine as the
 * singleton `CodeHighlighter` (a CodeBlockHighlight asks it for a delegate's block); it
 * reports how fast it goes in msPerKb and stats(), for benchmarks.
 */
class CodeHighlighter : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_SINGLETON
    /** @brief Milliseconds of the worker's CPU highlight.js took per 1024 characters, over
     *  every block it highlighted since the start or resetStats() (cache hits and plain blocks
     *  left out; the library's load and the time blocks waited in the queue are not in it). */
    Q_PROPERTY(double msPerKb READ msPerKb NOTIFY statsChanged)
    /** @brief How many blocks that figure covers. */
    Q_PROPERTY(int highlightedBlocks READ highlightedBlocks NOTIFY statsChanged)

public:
    using Limits = HighlightEngine::Limits;
    static constexpr qsizetype DefaultMaxCodeLength = 100 * 1024;
    static constexpr qsizetype DefaultCacheCapacity = 8 * 1024 * 1024;

    /** @brief The engine's own instance, which the engine deletes. */
    static CodeHighlighter *create(QQmlEngine *qmlEngine, QJSEngine *jsEngine);

    /** @brief @p parent is required: Qt 6.4 makes a default-constructible singleton with
     *  its constructor and never calls create(). */
    explicit CodeHighlighter(QObject *parent);
    /** @brief Interrupts the block running, drops the queued ones (their futures finish
     *  as Failed) and waits for the worker. */
    ~CodeHighlighter() override;

    /**
     * @brief Highlights @p code as @p language (a Markdown fence's info string: its first word
     * counts, any case, highlight.js names and aliases such as "c++", "py", "sh", "html").
     * Empty: guess. The future never holds an exception; it is finished at once for a cached
     * or too large block.
     */
    QFuture<HighlightResult> highlight(const QString &code, const QString &language = {});

    Limits timeLimit() const;
    void setTimeLimit(std::chrono::milliseconds base, std::chrono::milliseconds perKb);
    qsizetype maxCodeLength() const;
    void setMaxCodeLength(qsizetype characters);
    qsizetype cacheCapacity() const;
    void setCacheCapacity(qsizetype characters);

    /** @brief What the highlighter did since the start or resetStats(). Times are in ms; the
     *  block figures cover the highlighted blocks only (as msPerKb). */
    struct Stats
    {
        int blocks = 0;             ///< blocks highlighted
        qsizetype characters = 0;   ///< their length together
        double cpuMs = 0.0;         ///< the worker's CPU time in highlight.js for them
        double wallMs = 0.0;        ///< the same on the clock (longer when the CPU is shared)
        double queuedMsTotal = 0.0; ///< time from highlight() until highlight.js began on them
        double queuedMsMax = 0.0;   ///< ...the longest wait of one block
        /** @brief How long highlight.js took to load (-1: not yet; not reset by resetStats()).
         *  The first block waits for it, and the blocks queued behind it. */
        double loadMs = -1.0;
    };
    Stats stats() const;
    double msPerKb() const;
    int highlightedBlocks() const;
    Q_INVOKABLE void resetStats();

    /** @brief What highlight() makes of a fence's info string: "C++ {.numberLines}" → "c++". */
    static QString normalizedLanguage(const QString &language);

Q_SIGNALS:
    void statsChanged();

private:
    /** @brief On the worker: highlights @p code, which was asked for @p queuedMs ago. */
    HighlightResult run(const QByteArray &key, const QString &code, const QString &language,
                        double queuedMs);

    mutable QMutex m_mutex;
    QCache<QByteArray, HighlightResult> m_cache;
    QHash<QByteArray, QFuture<HighlightResult>> m_running;
    Limits m_limits;
    qsizetype m_maxCodeLength = DefaultMaxCodeLength;
    Stats m_stats;
    QElapsedTimer m_clock; ///< started at construction; how long blocks wait is read on it

    std::atomic_bool m_stopping = false;
    std::unique_ptr<HighlightEngine> m_engine; // used on the worker only
    QThreadPool m_worker;                      // one thread, kept for the engine's lifetime
};

} // namespace arbor::app
