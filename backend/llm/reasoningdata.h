#pragma once

#include <QJsonObject>
#include <QString>

/**
 * @brief The shape of a message's reasoning_data: what a vendor gave with a reply that must be
 * sent back, unchanged and on the same pieces, when the conversation continues.
 *
 * ```
 * {"format": "anthropic" | "gemini",
 *  "parts": [
 *    {"type": "thinking", "in": "reasoning", "start": 0, "length": 120, "signature": "…"},
 *    {"type": "redacted_thinking", "data": "…"},
 *    {"type": "thought", "in": "reasoning", "start": 0, "length": 40, "signature": "…"},
 *    {"type": "text", "in": "content", "start": 57, "length": 0, "signature": "…"},
 *    {"type": "function_call", "call": 0, "signature": "…"}]}
 * ```
 *
 * Text is not copied: "start" and "length" (UTF-16 code units) address the message's
 * reasoning or content, which never change once the message is finished. Anthropic parts are
 * its thinking and redacted_thinking content blocks in their order; Gemini parts are the parts
 * of the model's turn that carried a thoughtSignature (thought parts, text parts and
 * functionCall parts), in order. A function_call part addresses the message's tool call number
 * "call" (its index in messages.tool_calls, domain/toolcall.h).
 */
namespace arbor::llm::reasoningdata {

inline constexpr auto Anthropic = QLatin1String("anthropic");
inline constexpr auto Gemini = QLatin1String("gemini");

/** @brief The stored text parsed; {} when empty or not a JSON object. */
QJsonObject parse(const QString &text);
/** @brief Compact JSON text for the store; a null QString for an empty state. */
QString toText(const QJsonObject &state);
/** @brief @p state with @p base added to the start of every part in the answer text, and
 *  @p callBase to every function_call part's call (a reply that continues a text starts its own
 *  offsets after it, and its tool calls after those it carries). */
QJsonObject withContentBase(QJsonObject state, qsizetype base, qsizetype callBase = 0);
/** @brief The text a part addresses in @p content or @p reasoning; a null QString when the
 *  part addresses none or text that is not there. */
QString textOf(const QJsonObject &part, const QString &content, const QString &reasoning);

} // namespace arbor::llm::reasoningdata
