#pragma once

#include <QElapsedTimer>
#include <QJsonValue>
#include <QList>
#include <QObject>
#include <QString>
#include <QTimer>

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
 */
class FrameBench : public QObject
{
    Q_OBJECT

public:
    /** @brief What main() configures the demo model with. */
    static constexpr double TokensPerSecond = 200.0;
    static constexpr qsizetype ReplyChars = 100'000;

    FrameBench(App *app, QString outPath, QObject *parent = nullptr);

    /** @brief Starts the timer and, once the window has settled, sends the prompt. */
    void start();

private:
    void tick();
    /** @brief The reply's length so far, or -1 while there is no reply. */
    qsizetype replyChars(bool *live) const;
    void write();
    /** @brief The code highlighter's CPU ms per KB over the run (null: it coloured nothing). */
    QJsonValue highlightMsPerKb() const;

    struct Sample
    {
        double lateMs = 0;
        qsizetype chars = 0; ///< reply characters when it fired; -1 after the reply completed
    };

    App *m_app;
    QString m_outPath;
    QTimer m_ticker;
    QElapsedTimer m_clock;
    qint64 m_lastNs = -1;
    bool m_sent = false;
    bool m_started = false; ///< the first token arrived
    qint64 m_doneNs = -1;   ///< when the reply completed
    qsizetype m_finalChars = 0;
    qint64 m_firstTokenNs = 0;
    QList<Sample> m_samples;
};

} // namespace arbor::app
