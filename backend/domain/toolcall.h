#pragma once

#include <QJsonObject>
#include <QList>
#include <QString>

namespace arbor::domain {

/**
 * @brief A call of a tool that a reply asked for: one entry of messages.tool_calls.
 *
 * Stored as a JSON array (local migration 0012, server migration 0006), one object per call in
 * the order the model made them:
 *
 * ```
 * [{"id": "call_abc", "name": "get_weather", "arguments": "{\"city\":\"Paris\"}", "at": 25,
 *   "status": "requested"}]
 * ```
 *
 * Written by the reply that made the calls; the tools issue (MCP) adds, on the same entries:
 * "result" (text), "is_error", "started_at" and "finished_at" (ms since the epoch) and moves
 * "status" on. Fields this version does not know are kept as they are when an entry is
 * rewritten.
 */
struct ToolCall
{
    /// What became of a call. Only Requested is written yet (Arbor runs no tools); the others
    /// are the words the tools issue stores.
    static constexpr QLatin1StringView Requested{"requested"}; ///< the model asked, nothing ran
    static constexpr QLatin1StringView AwaitingApproval{"awaiting_approval"};
    static constexpr QLatin1StringView Running{"running"};
    static constexpr QLatin1StringView Done{"done"};
    static constexpr QLatin1StringView Failed{"failed"};
    static constexpr QLatin1StringView Denied{"denied"};
    static constexpr QLatin1StringView Interrupted{"interrupted"};

    QString id;        ///< the vendor's id for it ("" when it gave none: Gemini, older Ollama)
    QString name;      ///< the tool
    QString arguments; ///< JSON text, whole, as the model wrote it (the vendor's object, compact)
    /// Where the call was made in the message's content: its length (UTF-16 code units) when
    /// the call began. Text before it is shown before the call, text after it after.
    qsizetype at = 0;
    QString status = Requested;
    QString result;         ///< what the tool returned ("" while nothing)
    bool isError = false;   ///< the result is the tool's error
    qint64 startedAt = 0;   ///< when it began to run (ms since the epoch); 0: not run
    qint64 finishedAt = 0;  ///< when it ended; 0: not ended
    QJsonObject other = {}; ///< fields of the stored entry this version does not know

    friend bool operator==(const ToolCall &, const ToolCall &) = default;
};

namespace toolcalls {

/** @brief The calls of a stored tool_calls text; {} when it is empty or not a JSON array
 *  (entries that are not objects are skipped). */
QList<ToolCall> parse(const QString &json);
/** @brief Compact JSON text for messages.tool_calls; a null QString when @p calls is empty. */
QString toText(const QList<ToolCall> &calls);
/** @brief One call as its stored JSON object. */
QJsonObject toJson(const ToolCall &call);

} // namespace toolcalls

} // namespace arbor::domain
