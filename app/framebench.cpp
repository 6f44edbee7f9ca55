#include "framebench.h"

#include "app.h"
#include "chatcontroller.h"
#include "codehighlighter.h"
#include "comparecontroller.h"
#include "threadmodel.h"

#include <QCoreApplication>
#include <QFile>
#include <QGuiApplication>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QQmlEngine>
#include <QQuickWindow>

#include <algorithm>
#include <cmath>
#include <ctime>

Q_LOGGING_CATEGORY(lcFrameBench, "arbor.bench.frames", QtInfoMsg)

namespace arbor::app {

namespace {

/** @brief How long the measurement goes on after the reply completed (the last re-renders). */
constexpr qint64 SettleNs = 1'000'000'000;
/** @brief How long the window may settle before the prompt is sent. */
constexpr int WarmUpMs = 1500;

double percentile(QList<double> values, double p)
{
    if (values.isEmpty())
        return 0;
    std::sort(values.begin(), values.end());
    const auto at = qsizetype(p * double(values.size() - 1) + 0.5);
    return values.at(std::clamp<qsizetype>(at, 0, values.size() - 1));
}

double maximum(const QList<double> &values)
{
    return values.isEmpty() ? 0 : *std::max_element(values.begin(), values.end());
}

/** @brief Resident memory of this process in MB (Linux; 0 elsewhere). */
double residentMb()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').value(0).toDouble() / 1024.0;
    }
    return 0;
}

/** @brief CPU time (ms) of the calling thread, or with @p process of the whole process. */
double cpuMs(bool process)
{
    timespec ts{};
    if (clock_gettime(process ? CLOCK_PROCESS_CPUTIME_ID : CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
        return 0;
    return double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) / 1e6;
}

/** @brief The load average over the last minute (Linux; 0 elsewhere). */
double loadAverage()
{
    QFile file(QStringLiteral("/proc/loadavg"));
    return file.open(QIODevice::ReadOnly) ? file.readAll().split(' ').value(0).toDouble() : 0;
}

double round1(double v)
{
    return std::round(v * 10) / 10;
}

} // namespace

FrameBench::FrameBench(App *app, QString outPath, bool compare, QObject *parent)
    : QObject(parent)
    , m_app(app)
    , m_outPath(std::move(outPath))
    , m_compare(compare)
{
    m_ticker.setTimerType(Qt::PreciseTimer);
    m_ticker.setInterval(1);
    connect(&m_ticker, &QTimer::timeout, this, &FrameBench::tick);
}

void FrameBench::start()
{
    m_clock.start();
    m_ticker.start();
    for (QWindow *w : QGuiApplication::topLevelWindows()) {
        if (auto *quick = qobject_cast<QQuickWindow *>(w))
            connect(
                quick, &QQuickWindow::frameSwapped, this,
                [this] { m_frames.fetch_add(1, std::memory_order_relaxed); }, Qt::DirectConnection);
    }
    QTimer::singleShot(WarmUpMs, this, [this] {
        const QString prompt = QStringLiteral("Show me a long answer with code, tables and lists");
        if (m_app && m_compare) {
            QStringList specs{QStringLiteral("demo/demo")};
            for (int i = 1; i < CompareColumns; ++i)
                specs.append(QStringLiteral("demo/demo:temperature=0.%1").arg(i));
            m_app->compare()->setSelection(specs);
            m_sent = m_app->compare()->send(prompt);
        } else {
            m_sent = m_app && m_app->chat()->send(prompt);
        }
        if (!m_sent) {
            qCCritical(lcFrameBench) << "the prompt could not be sent";
            QCoreApplication::exit(1);
        }
    });
}

qsizetype FrameBench::replyChars(bool *live) const
{
    if (m_compare) {
        const CompareColumnsModel *columns = m_app->compare()->columns();
        if (columns->rowCount() < CompareColumns)
            return -1;
        qsizetype chars = 0;
        *live = false;
        for (const QString &id : columns->ids()) {
            const domain::Message *m = columns->find(id);
            chars += m->content.size();
            *live = *live || domain::isLive(m->status);
        }
        return chars;
    }
    const ThreadModel *thread = m_app->chat()->thread();
    const int rows = thread->rowCount();
    if (rows < 2)
        return -1;
    const domain::Message &reply = thread->messageAt(rows - 1);
    *live = domain::isLive(reply.status);
    return reply.role == u"assistant" ? reply.content.size() : -1;
}

void FrameBench::tick()
{
    const qint64 now = m_clock.nsecsElapsed();
    const qint64 last = std::exchange(m_lastNs, now);
    if (last < 0 || !m_sent)
        return;
    bool live = false;
    const qsizetype chars = replyChars(&live);
    if (!m_started) {
        if (chars <= 0)
            return;
        m_started = true;
        m_firstTokenNs = now;
        m_framesAtStart = m_frames.load();
        m_guiCpuAtStart = cpuMs(false);
        m_procCpuAtStart = cpuMs(true);
        return; // this tick waited for the window before the reply: not counted
    }
    const double lateMs = std::max(0.0, double(now - last) / 1e6 - 1.0);
    if (m_doneNs < 0 && !live) {
        m_doneNs = now;
        m_finalChars = chars;
        m_framesAtDone = m_frames.load();
        m_guiCpuAtDone = cpuMs(false);
        m_procCpuAtDone = cpuMs(true);
    }
    m_samples.append(Sample{lateMs, m_doneNs < 0 ? chars : -1});
    if (lateMs > 25) // QT_LOGGING_RULES=arbor.bench.frames.debug=true shows where
        qCDebug(lcFrameBench) << "late" << lateMs << "ms at" << chars << "characters";
    if (m_doneNs >= 0 && now - m_doneNs >= SettleNs) {
        m_ticker.stop();
        write();
    }
}

void FrameBench::addHighlightFigures(QJsonObject &out) const
{
    // The window's own highlighter: the code blocks of the reply went through it.
    const CodeHighlighter *highlighter = nullptr;
    if (QQmlEngine *engine = qmlEngine(m_app)) {
        const int typeId = qmlTypeId("Arbor", 1, 0, "CodeHighlighter");
        highlighter = engine->singletonInstance<CodeHighlighter *>(typeId);
    }
    const CodeHighlighter::Stats stats =
        highlighter ? highlighter->stats() : CodeHighlighter::Stats{};
    const bool any = stats.blocks > 0 && stats.characters > 0;
    const double kb = double(stats.characters) / 1024.0;
    auto figure = [any](double v) { return any ? QJsonValue(round1(v)) : QJsonValue(); };
    out.insert(QStringLiteral("highlight_ms_per_kb"), figure(any ? stats.cpuMs / kb : 0));
    out.insert(QStringLiteral("highlight_wall_ms_per_kb"), figure(any ? stats.wallMs / kb : 0));
    out.insert(QStringLiteral("highlight_ms_per_block"),
               figure(any ? stats.cpuMs / stats.blocks : 0));
    out.insert(QStringLiteral("highlight_blocks"), double(stats.blocks));
    out.insert(QStringLiteral("highlight_kb"), std::round(kb * 100) / 100);
    out.insert(QStringLiteral("highlight_load_ms"),
               stats.loadMs >= 0 ? QJsonValue(round1(stats.loadMs)) : QJsonValue());
    out.insert(QStringLiteral("highlight_queued_ms_mean"),
               figure(any ? stats.queuedMsTotal / stats.blocks : 0));
    out.insert(QStringLiteral("highlight_queued_ms_max"), figure(stats.queuedMsMax));
}

void FrameBench::write()
{
    QList<double> all;
    QList<double> start;
    QList<double> end;
    const auto startChars = qsizetype(double(m_finalChars) * 0.1);
    const auto endChars = qsizetype(double(m_finalChars) * 0.9);
    for (const Sample &s : std::as_const(m_samples)) {
        all.append(s.lateMs);
        if (s.chars >= 0 && s.chars < startChars)
            start.append(s.lateMs);
        if (s.chars < 0 || s.chars >= endChars)
            end.append(s.lateMs); // the last tenth and the second after it
    }
    QJsonObject out{
        {QStringLiteral("stall_p50_ms"), round1(percentile(all, 0.5))},
        {QStringLiteral("stall_p99_ms"), round1(percentile(all, 0.99))},
        {QStringLiteral("stall_max_ms"), round1(maximum(all))},
        {QStringLiteral("stall_p99_ms_start"), round1(percentile(start, 0.99))},
        {QStringLiteral("stall_max_ms_start"), round1(maximum(start))},
        {QStringLiteral("stall_p99_ms_end"), round1(percentile(end, 0.99))},
        {QStringLiteral("stall_max_ms_end"), round1(maximum(end))},
        {QStringLiteral("rss_mb"), round1(residentMb())},
        {QStringLiteral("reply_chars"), double(m_finalChars)},
        {QStringLiteral("reply_s"), round1(double(m_doneNs - m_firstTokenNs) / 1e9)},
        {QStringLiteral("ticks"), double(all.size())},
    };
    const double streamedS = double(m_doneNs - m_firstTokenNs) / 1e9;
    if (streamedS > 0) {
        out.insert(QStringLiteral("frames_per_s"),
                   round1(double(m_framesAtDone - m_framesAtStart) / streamedS));
        out.insert(QStringLiteral("gui_cpu_ms_per_s"),
                   round1((m_guiCpuAtDone - m_guiCpuAtStart) / streamedS));
        out.insert(QStringLiteral("process_cpu_ms_per_s"),
                   round1((m_procCpuAtDone - m_procCpuAtStart) / streamedS));
    }
    out.insert(QStringLiteral("load_1m"), loadAverage());
    if (m_compare)
        out.insert(QStringLiteral("columns"), m_app->compare()->columns()->rowCount());
    addHighlightFigures(out);
    const QByteArray json = QJsonDocument(out).toJson(QJsonDocument::Indented);
    QFile file(m_outPath);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(json) != json.size()) {
        qCCritical(lcFrameBench) << "cannot write" << m_outPath << file.errorString();
        QCoreApplication::exit(1);
        return;
    }
    fputs(json.constData(), stdout);
    QCoreApplication::exit(0);
}

} // namespace arbor::app
