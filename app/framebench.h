#pragma once

#include <QElapsedTimer>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QString>
#include <QTimer>

#include <atomic>

namespace arbor::app {

class App;

/**
 * @brief `arbor --bench-frames OUT.json`: how late the GUI thread gets while a long reply
 * streams in.
 *
 * A 1 ms timer (Qt::PreciseTimer) on the GUI thread notes how late each of its ticks fires:
 * time the thread spent elsewhere (layout, QML, rendering, the model). It sends a prompt to the
 * demo model (main() configures it: ~100,000 characters with code, tables and lists, at 200
 * tokens/s), records from the first token until a second after the reply completed, then
 * writes the figures as JSON and quits. Lateness is reported over the whole reply, its first
 * and last tenth (by characters received), with the resident memory at the end.
 *
 * The fields of OUT.json (times in ms):
 * - `stall_p50_ms`, `stall_p99_ms`, `stall_max_ms`: how late the 1 ms timer fired, from the
 *   first token until a second after the reply completed; `stall_p99_ms_start`,
 *   `stall_max_ms_start` over the first tenth of the reply, `…_end` over the last tenth and the
 *   second after it.
 * - With `--bench-compare` the prompt goes to six demo columns at once (a compare, the compare
 *   view open; each reply ~CompareReplyChars characters at 200 tokens/s): the same figures,
 *   from the first token of any column until a second after the last completed; `reply_chars`
 *   is then all six together and `columns` says how many streamed.
 * - Work done while it streamed (first token to completion), which a busy machine does not
 *   change the way it changes lateness: `frames_per_s` (frames the window rendered),
 *   `gui_cpu_ms_per_s` (CPU time of the GUI thread), `process_cpu_ms_per_s` (of the whole
 *   process: rendering, the rasteriser's threads, the backend), and `load_1m`, the machine's
 *   load average at the end.
 * - `rss_mb`: resident memory at the end. `reply_chars`, `reply_s`: the reply's length and how
 *   long it streamed; `ticks`: how many timer ticks were counted.
 * - The code highlighter (CodeHighlighter::stats(), the code blocks of the reply; blocks found
 *   in its cache again are not counted; null when it highlighted nothing):
 *   - `highlight_ms_per_kb`: CPU time of the highlighter's worker inside highlight.js per 1024
 *     characters of the code it highlighted: what highlighting costs. Not in it: the library's
 *     load, the time a block waited in the queue, time the worker was preempted.
 *   - `highlight_wall_ms_per_kb`: the same on the clock. Higher when the worker shares the CPU
 *     with the GUI thread, Xvfb and whatever else runs (on 2 busy cores, several times higher);
 *     this was `highlight_ms_per_kb` before.
 *   - `highlight_ms_per_block`: CPU time per block. The demo's blocks are small (60–220
 *     characters): a call costs ~0.4 ms whatever its length, and the first block of each
 *     language a few ms, so per KB this comes out well above the ~2 ms/KB that
 *     tst_codehighlighter measures on 10 KB blocks.
 *   - `highlight_blocks`, `highlight_kb`: what those figures cover.
 *   - `highlight_load_ms`: how long highlight.js took to load (once, on the worker, when the
 *     first block came).
 *   - `highlight_queued_ms_mean`, `highlight_queued_ms_max`: time from asking for a block
 *     until highlight.js began on it: the queue, and for the blocks that came first the load.
 */
class FrameBench : public QObject
{
    Q_OBJECT

public:
    /** @brief What main() configures the demo model with. */
    static constexpr double TokensPerSecond = 200.0;
    static constexpr qsizetype ReplyChars = 100'000;
    /** @brief Each column's length in the compare scenario (six stream at once). */
    static constexpr qsizetype CompareReplyChars = 20'000;
    static constexpr int CompareColumns = 6;

    FrameBench(App *app, QString outPath, bool compare = false, QObject *parent = nullptr);

    /** @brief Starts the timer and, once the window has settled, sends the prompt. */
    void start();

private:
    void tick();
    /** @brief The reply's length so far, or -1 while there is no reply. */
    qsizetype replyChars(bool *live) const;
    void write();
    /** @brief The code highlighter's figures (the highlight_* fields above). */
    void addHighlightFigures(QJsonObject &out) const;

    struct Sample
    {
        double lateMs = 0;
        qsizetype chars = 0; ///< reply characters when it fired; -1 after the reply completed
    };

    App *m_app;
    QString m_outPath;
    bool m_compare = false;
    QTimer m_ticker;
    QElapsedTimer m_clock;
    qint64 m_lastNs = -1;
    bool m_sent = false;
    bool m_started = false; ///< the first token arrived
    qint64 m_doneNs = -1;   ///< when the reply completed
    qsizetype m_finalChars = 0;
    qint64 m_firstTokenNs = 0;
    QList<Sample> m_samples;
    /** @brief Frames rendered (counted on the render thread). */
    std::atomic<int> m_frames{0};
    int m_framesAtStart = 0, m_framesAtDone = 0;
    double m_guiCpuAtStart = 0, m_guiCpuAtDone = 0;   ///< ms
    double m_procCpuAtStart = 0, m_procCpuAtDone = 0; ///< ms
};

} // namespace arbor::app
