#pragma once

#include "domain/message.h"
#include "domain/toolcall.h"

#include <QJsonArray>
#include <QJsonObject>

/**
 * A reply's Open Responses output items, in the order a response lists and streams them: its
 * reasoning (a "reasoning" item, when it has any), its text (a "message" item, left out when the
 * reply is only tool calls), then one "function_call" item per call it made.
 */
namespace arbor::serve::outputitems {

/** @brief "in_progress" while @p m is live, "completed" when it completed, else "incomplete". */
QString itemStatus(const domain::Message &m);
/** @brief {"type":"reasoning","id":"rs_<id>","summary":[],"content":[{"type":"reasoning_text",
 *  "text"}],"status"}. */
QJsonObject reasoningItem(const domain::Message &m, const QString &reasoning, bool done);
/** @brief {"type":"message","id":<id>,"role":"assistant","content":[output_text],"status"}. */
QJsonObject messageItem(const domain::Message &m, const QString &text);
/** @brief The message item before any text: no content yet, in progress. */
QJsonObject openMessageItem(const domain::Message &m);
/** @brief {"type":"function_call","id":"fc_<id>_<index>","call_id","name","arguments",
 *  "status"}; @p done false: the item as added, arguments still empty. */
QJsonObject functionCallItem(const domain::Message &m, const domain::ToolCall &call,
                             qsizetype index, bool done = true);
/** @brief True when the response lists a message item for @p m with @p text (it has text, or
 *  it has no calls). */
bool hasMessageItem(const QString &text, const QList<domain::ToolCall> &calls);
/** @brief Every output item of @p m with @p text, in order. */
QJsonArray output(const domain::Message &m, const QString &text);

} // namespace arbor::serve::outputitems
