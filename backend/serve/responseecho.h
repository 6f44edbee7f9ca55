#pragma once

#include <QJsonObject>
#include <QSqlDatabase>

/**
 * What a response object repeats of its request (the Responses API echoes "tools",
 * "tool_choice", "parallel_tool_calls", "temperature", "top_p", "max_output_tokens" and more):
 * what the request set, the API's defaults otherwise. It rides in the reply's job options, so a
 * response read later (GET /v1/responses/{id}, a resumed stream) echoes the same.
 */
namespace arbor::serve::responseecho {

/** @brief The job option that holds a request's echo. */
inline constexpr auto Key = "serve_echo";

/** @brief The echoed fields that @p body (a POST /v1/responses body, checked) sets. */
QJsonObject fromRequest(const QJsonObject &body);
/** @brief @p echo over the API's defaults: every echoed field, as a response object has it. */
QJsonObject withDefaults(const QJsonObject &echo);
/** @brief The echo stored with the reply @p messageId's job; {} when it has none. */
QJsonObject ofReply(const QSqlDatabase &db, const QString &messageId);

} // namespace arbor::serve::responseecho
