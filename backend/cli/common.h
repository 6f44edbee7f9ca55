#pragma once

#include <QCommandLineOption>
#include <QJsonValue>
#include <QStringList>

#include <functional>
#include <optional>

class QCommandLineParser;
class QObject;

namespace arbor::core {
class Backend;
class ReadOnlyBackend;
} // namespace arbor::core

namespace arbor::cli {

/** @brief --db PATH, --json and -h/--help, as every command spells them. */
QCommandLineOption dbOption();
QCommandLineOption jsonOption();
QCommandLineOption helpOption();

/** @brief Parses @p args for `arbord COMMAND` (adding --help); returns an exit code when the
 *  command must not run (a usage error, or the help was printed). */
std::optional<int> parse(QCommandLineParser &parser, const QString &command,
                         const QStringList &args);

/** @brief Opens @p backend; on failure prints one line for `arbord COMMAND` and returns the
 *  exit code. */
std::optional<int> openBackend(core::Backend &backend, const QString &command);
std::optional<int> openBackend(core::ReadOnlyBackend &backend, const QString &command);

/** @brief CPU time of the whole process (every thread: the store writer's work counts too), in
 *  µs, for benchmarks. */
double processCpuMicros();

/** @brief CPU time of the calling thread, in µs, for benchmarks. */
double threadCpuMicros();

/** @brief Whether stderr is a terminal (progress lines redraw in place only there). */
bool stderrIsTerminal();

/** @brief Prints @p value (an object or array) as indented JSON on stdout. */
void printJson(const QJsonValue &value);

/** @brief @p text as a whole number from @p min to @p max, or nullopt. */
std::optional<qint64> wholeNumber(const QString &text, qint64 min, qint64 max);
/** @brief @p text as a finite number from @p min to @p max ("inf" and "nan" are not), or nullopt.
 */
std::optional<double> decimalNumber(const QString &text, double min, double max);

/**
 * @brief The value of @p option as a whole number from @p min to @p max (its default when not
 * given). Otherwise prints "arbord COMMAND: --NAME takes a whole number from MIN to MAX" and
 * returns nullopt: the caller exits with Usage.
 */
std::optional<qint64> wholeOption(const QCommandLineParser &parser,
                                  const QCommandLineOption &option, qint64 min, qint64 max,
                                  const QString &command);
/** @brief As wholeOption(), for a decimal number (finite). */
std::optional<double> decimalOption(const QCommandLineParser &parser,
                                    const QCommandLineOption &option, double min, double max,
                                    const QString &command);

/**
 * @brief Runs @p handler on the main thread for each SIGINT or SIGTERM (Ctrl+C, kill) from now
 * on, instead of the default of ending the process at once. Unix only; elsewhere the default
 * stays. Call once per process.
 */
void onInterrupt(QObject *context, std::function<void()> handler);

/**
 * @brief Sets what arbord logs: without --verbose (taken out of @p args) only the lines that
 * commands print themselves reach stderr; with it, the components' log (arbor.jobs,
 * arbor.llm.http, ...) too. QT_LOGGING_RULES still wins, for developers.
 */
void setUpLogging(QStringList &args);

/** @brief Resident memory of this process in MB, for the benchmarks: the peak so far (VmHWM)
 *  and now (VmRSS), from /proc/self/status; -1 where it cannot be read (not Linux). */
struct ProcessMemory
{
    double peakMb = -1;
    double currentMb = -1;
};
ProcessMemory processMemory();

} // namespace arbor::cli
