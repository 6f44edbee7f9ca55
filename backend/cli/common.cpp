#include "common.h"

#include "commands.h"

#include "core/backend.h"
#include "core/readonlybackend.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QPointer>
#include <QSocketNotifier>
#include <QTextStream>

#include <cmath>
#include <cstdio>

#ifdef Q_OS_UNIX
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <ctime>
#endif
#ifdef Q_OS_WIN
#include <io.h>
#include <windows.h>
#endif

namespace arbor::cli {

QCommandLineOption dbOption()
{
    return {QStringLiteral("db"),
            QStringLiteral("The store (default: $ARBOR_DB, else the data folder)."),
            QStringLiteral("PATH")};
}

QCommandLineOption jsonOption()
{
    return {QStringLiteral("json"), QStringLiteral("Print JSON.")};
}

QCommandLineOption helpOption()
{
    return {QStringList{QStringLiteral("h"), QStringLiteral("help")},
            QStringLiteral("Show this help.")};
}

std::optional<int> parse(QCommandLineParser &parser, const QString &command,
                         const QStringList &args)
{
    parser.setApplicationDescription(QStringLiteral("arbord %1").arg(command));
    const QCommandLineOption help = helpOption();
    parser.addOption(help);
    if (!parser.parse(QStringList{QStringLiteral("arbord %1").arg(command)} + args)) {
        err() << "arbord " << command << ": " << parser.errorText() << "\n";
        return Usage;
    }
    if (parser.isSet(help)) {
        out() << parser.helpText();
        return Ok;
    }
    return std::nullopt;
}

namespace {

template<class B>
std::optional<int> openAny(B &backend, const QString &command)
{
    try {
        backend.open();
    } catch (const std::exception &e) {
        err() << "arbord " << command << ": " << e.what() << "\n";
        return Failure;
    }
    return std::nullopt;
}

} // namespace

std::optional<int> openBackend(core::Backend &backend, const QString &command)
{
    return openAny(backend, command);
}

std::optional<int> openBackend(core::ReadOnlyBackend &backend, const QString &command)
{
    return openAny(backend, command);
}

#ifdef Q_OS_WIN
namespace {
/** @brief Kernel plus user time of GetProcessTimes/GetThreadTimes, in µs (100-ns units). */
double micros(const FILETIME &kernel, const FILETIME &user)
{
    const auto value = [](const FILETIME &t) {
        return double((quint64(t.dwHighDateTime) << 32) | t.dwLowDateTime) / 10;
    };
    return value(kernel) + value(user);
}
} // namespace

double processCpuMicros()
{
    FILETIME created, exited, kernel, user;
    if (!GetProcessTimes(GetCurrentProcess(), &created, &exited, &kernel, &user))
        return 0;
    return micros(kernel, user);
}

double threadCpuMicros()
{
    FILETIME created, exited, kernel, user;
    if (!GetThreadTimes(GetCurrentThread(), &created, &exited, &kernel, &user))
        return 0;
    return micros(kernel, user);
}

bool stderrIsTerminal()
{
    return _isatty(_fileno(stderr)) != 0;
}
#else
namespace {
double clockMicros(clockid_t clock)
{
    timespec ts{};
    clock_gettime(clock, &ts);
    return double(ts.tv_sec) * 1e6 + double(ts.tv_nsec) / 1e3;
}
} // namespace

double processCpuMicros()
{
    return clockMicros(CLOCK_PROCESS_CPUTIME_ID);
}

double threadCpuMicros()
{
    return clockMicros(CLOCK_THREAD_CPUTIME_ID);
}

bool stderrIsTerminal()
{
    return isatty(fileno(stderr)) != 0;
}
#endif

void printJson(const QJsonValue &value)
{
    const QJsonDocument doc =
        value.isArray() ? QJsonDocument(value.toArray()) : QJsonDocument(value.toObject());
    out() << doc.toJson(QJsonDocument::Indented);
    out().flush();
}

std::optional<qint64> wholeNumber(const QString &text, qint64 min, qint64 max)
{
    bool ok = false;
    const qint64 v = text.trimmed().toLongLong(&ok);
    if (!ok || v < min || v > max)
        return std::nullopt;
    return v;
}

std::optional<double> decimalNumber(const QString &text, double min, double max)
{
    bool ok = false;
    const double v = text.trimmed().toDouble(&ok);
    if (!ok || !std::isfinite(v) || v < min || v > max)
        return std::nullopt;
    return v;
}

std::optional<qint64> wholeOption(const QCommandLineParser &parser,
                                  const QCommandLineOption &option, qint64 min, qint64 max,
                                  const QString &command)
{
    if (const auto v = wholeNumber(parser.value(option), min, max))
        return v;
    err() << "arbord " << command << ": --" << option.names().constLast()
          << " takes a whole number from " << min << " to " << max << " (not “"
          << parser.value(option) << "”)\n";
    return std::nullopt;
}

std::optional<double> decimalOption(const QCommandLineParser &parser,
                                    const QCommandLineOption &option, double min, double max,
                                    const QString &command)
{
    if (const auto v = decimalNumber(parser.value(option), min, max))
        return v;
    err() << "arbord " << command << ": --" << option.names().constLast() << " takes a number from "
          << QString::number(min) << " to " << QString::number(max, 'g', 12) << " (not “"
          << parser.value(option) << "”)\n";
    return std::nullopt;
}

#ifdef Q_OS_UNIX
namespace {
int g_signalFd[2] = {-1, -1};

void onSignal(int)
{
    const char c = 1;
    [[maybe_unused]] const auto n = ::write(g_signalFd[1], &c, 1);
}
} // namespace
#endif

void onInterrupt(QObject *context, std::function<void()> handler)
{
#ifdef Q_OS_UNIX
    // The handler may only write a byte; the notifier runs the real work on the main thread.
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, g_signalFd) != 0)
        return;
    auto *notifier = new QSocketNotifier(g_signalFd[0], QSocketNotifier::Read, context);
    QObject::connect(notifier, &QSocketNotifier::activated, context,
                     [handler = std::move(handler)] {
                         char c;
                         [[maybe_unused]] const auto n = ::read(g_signalFd[0], &c, 1);
                         handler();
                     });
    std::signal(SIGINT, onSignal);
    std::signal(SIGTERM, onSignal);
#elif defined(Q_OS_WIN)
    // Windows calls the console handler on a thread of its own: queue the work to the main thread.
    static QPointer<QObject> s_context;
    static std::function<void()> s_handler;
    s_context = context;
    s_handler = std::move(handler);
    SetConsoleCtrlHandler(
        [](DWORD type) -> BOOL {
            if (type != CTRL_C_EVENT && type != CTRL_BREAK_EVENT && type != CTRL_CLOSE_EVENT)
                return FALSE;
            QMetaObject::invokeMethod(
                s_context.data(), [] { s_handler(); }, Qt::QueuedConnection);
            return TRUE;
        },
        TRUE);
#else
    Q_UNUSED(context);
    Q_UNUSED(handler);
#endif
}

void setUpLogging(QStringList &args)
{
    // Anywhere before a "--" (after it, "--verbose" may be the text of a message).
    bool verbose = false;
    const qsizetype end =
        args.contains(QStringLiteral("--")) ? args.indexOf(QStringLiteral("--")) : args.size();
    for (qsizetype i = end - 1; i >= 0; --i) {
        if (args.at(i) == u"--verbose") {
            args.removeAt(i);
            verbose = true;
        }
    }
    if (!verbose)
        QLoggingCategory::setFilterRules(QStringLiteral("arbor.*=false"));
}

ProcessMemory processMemory()
{
    ProcessMemory memory;
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly))
        return memory;
    for (const QByteArray &line : f.readAll().split('\n')) {
        const QList<QByteArray> parts = line.simplified().split(' ');
        if (parts.size() < 2)
            continue;
        if (parts[0] == "VmHWM:")
            memory.peakMb = parts[1].toDouble() / 1024; // kB
        else if (parts[0] == "VmRSS:")
            memory.currentMb = parts[1].toDouble() / 1024;
    }
    return memory;
}

} // namespace arbor::cli
