#include "codehighlighter.h"

#include <QCryptographicHash>
#include <QLoggingCategory>
#include <QMetaObject>
#include <QPromise>
#include <QQmlEngine>
#include <QThread>

#include <algorithm>
#include <memory>

Q_LOGGING_CATEGORY(lcHighlightStats, "arbor.app.highlight.stats", QtInfoMsg)

namespace arbor::app {

namespace {

QFuture<HighlightResult> ready(HighlightResult result)
{
    return QtFuture::makeReadyFuture(std::move(result));
}

qsizetype costOf(const HighlightResult &result)
{
    // Characters, roughly: the code and about eight per span.
    return std::max<qsizetype>(1, result.code.size() + result.spans.size() * 8);
}

} // namespace

CodeHighlighter *CodeHighlighter::create(QQmlEngine *qmlEngine, QJSEngine *jsEngine)
{
    Q_ASSERT(QThread::currentThread() == qmlEngine->thread());
    Q_ASSERT(jsEngine == qmlEngine);
    return new CodeHighlighter(nullptr);
}

CodeHighlighter::CodeHighlighter(QObject *parent)
    : QObject(parent)
    , m_cache(DefaultCacheCapacity)
    , m_engine(std::make_unique<HighlightEngine>())
{
    // The QJSEngine belongs to the thread that makes it: one thread, never retired.
    m_worker.setMaxThreadCount(1);
    m_worker.setExpiryTimeout(-1);
    m_worker.setStackSize(8 * 1024 * 1024); // V4 and its regular expressions recurse
    m_worker.setObjectName(QStringLiteral("CodeHighlighter"));
    m_clock.start();
}

CodeHighlighter::~CodeHighlighter()
{
    m_stopping = true;
    m_engine->interrupt();
    // The engine goes on the thread that made its QJSEngine, after the queued blocks (which
    // see m_stopping and finish at once, as Failed).
    m_worker.start([this] { m_engine.reset(); });
    m_worker.waitForDone();
}

QString CodeHighlighter::normalizedLanguage(const QString &language)
{
    const QString trimmed = language.trimmed();
    qsizetype end = 0;
    while (end < trimmed.size() && !trimmed[end].isSpace() && trimmed[end] != u'{'
           && trimmed[end] != u',')
        ++end;
    return trimmed.first(end).toLower();
}

QFuture<HighlightResult> CodeHighlighter::highlight(const QString &code, const QString &language)
{
    const QString name = normalizedLanguage(language);
    if (code.size() > maxCodeLength()) {
        HighlightResult result;
        result.code = code;
        result.outcome = HighlightOutcome::TooLarge;
        return ready(std::move(result));
    }
    QByteArray key = name.toUtf8();
    key += '\n';
    key += QCryptographicHash::hash(QByteArrayView(reinterpret_cast<const char *>(code.utf16()),
                                                   code.size() * qsizetype(sizeof(char16_t))),
                                    QCryptographicHash::Sha256);

    QMutexLocker lock(&m_mutex);
    if (const HighlightResult *cached = m_cache.object(key)) {
        HighlightResult result = *cached;
        result.elapsedMs = 0.0;
        result.cpuMs = 0.0;
        return ready(std::move(result));
    }
    if (const auto running = m_running.constFind(key); running != m_running.cend())
        return *running;
    // A promise, not QtConcurrent::run(): waiting on a QtConcurrent future that has not
    // started runs its task in the waiting thread, and the QJSEngine must stay on the worker.
    auto promise = std::make_shared<QPromise<HighlightResult>>();
    QFuture<HighlightResult> future = promise->future();
    promise->start();
    m_worker.start([this, promise, key, code, name, queuedAt = m_clock.nsecsElapsed()] {
        promise->addResult(run(key, code, name, double(m_clock.nsecsElapsed() - queuedAt) / 1e6));
        promise->finish();
    });
    m_running.insert(key, future);
    return future;
}

HighlightResult CodeHighlighter::run(const QByteArray &key, const QString &code,
                                     const QString &language, double queuedMs)
{
    HighlightResult result;
    double loadMs = -1.0; // the library loaded for this block
    if (m_stopping) {
        result.code = code;
        result.outcome = HighlightOutcome::Failed;
        result.error = QStringLiteral("the highlighter is shutting down");
    } else {
        // The load (the first block only) is timed apart: highlight() would not count it.
        const bool firstLoad = m_engine->loadMs() < 0;
        m_engine->load();
        if (firstLoad)
            loadMs = m_engine->loadMs();
        result = m_engine->highlight(code, language, timeLimit());
    }

    QMutexLocker lock(&m_mutex);
    m_running.remove(key);
    if (loadMs >= 0)
        m_stats.loadMs = loadMs;
    if (result.outcome == HighlightOutcome::Highlighted
        || result.outcome == HighlightOutcome::UnknownLanguage)
        m_cache.insert(key, new HighlightResult(result), costOf(result));
    if (result.outcome == HighlightOutcome::Highlighted) {
        // Waiting covers the queue and, for the first block, the library's load.
        const double waited = queuedMs + std::max(loadMs, 0.0);
        qCDebug(lcHighlightStats, "%lld characters of %s: %.2f ms (CPU %.2f), waited %.1f ms",
                qlonglong(code.size()), qPrintable(result.language), result.elapsedMs, result.cpuMs,
                waited);
        m_stats.cpuMs += result.cpuMs;
        m_stats.wallMs += result.elapsedMs;
        m_stats.characters += code.size();
        m_stats.queuedMsTotal += waited;
        m_stats.queuedMsMax = std::max(m_stats.queuedMsMax, waited);
        ++m_stats.blocks;
        lock.unlock();
        // Announced on the GUI thread: QML bindings must not hear it on the worker.
        QMetaObject::invokeMethod(this, &CodeHighlighter::statsChanged, Qt::QueuedConnection);
    }
    return result;
}

CodeHighlighter::Limits CodeHighlighter::timeLimit() const
{
    QMutexLocker lock(&m_mutex);
    return m_limits;
}

void CodeHighlighter::setTimeLimit(std::chrono::milliseconds base, std::chrono::milliseconds perKb)
{
    QMutexLocker lock(&m_mutex);
    m_limits = {base, perKb};
}

qsizetype CodeHighlighter::maxCodeLength() const
{
    QMutexLocker lock(&m_mutex);
    return m_maxCodeLength;
}

void CodeHighlighter::setMaxCodeLength(qsizetype characters)
{
    QMutexLocker lock(&m_mutex);
    m_maxCodeLength = characters;
}

qsizetype CodeHighlighter::cacheCapacity() const
{
    QMutexLocker lock(&m_mutex);
    return m_cache.maxCost();
}

void CodeHighlighter::setCacheCapacity(qsizetype characters)
{
    QMutexLocker lock(&m_mutex);
    m_cache.setMaxCost(characters);
}

CodeHighlighter::Stats CodeHighlighter::stats() const
{
    QMutexLocker lock(&m_mutex);
    return m_stats;
}

double CodeHighlighter::msPerKb() const
{
    QMutexLocker lock(&m_mutex);
    return m_stats.characters > 0 ? m_stats.cpuMs * 1024.0 / double(m_stats.characters) : 0.0;
}

int CodeHighlighter::highlightedBlocks() const
{
    QMutexLocker lock(&m_mutex);
    return m_stats.blocks;
}

void CodeHighlighter::resetStats()
{
    {
        QMutexLocker lock(&m_mutex);
        const double loadMs = m_stats.loadMs;
        m_stats = Stats{};
        m_stats.loadMs = loadMs;
    }
    Q_EMIT statsChanged();
}

} // namespace arbor::app
