#pragma once

#include "llm/provider.h"

#include <QJsonArray>
#include <QJsonObject>

/**
 * The tools of an API client (`arbord serve`: a request's "tools" and "tool_choice"). They ride
 * in a reply's job options and reach the vendor like MCP tools do, but Arbor never runs them: the
 * reply ends with the calls, and the client sends their outputs back (a reply under that one).
 */
namespace arbor::chat::clienttools {

/** @brief The option that holds them: [{"name","description","parameters","strict"}]. */
inline constexpr auto ToolsKey = "client_tools";
/** @brief The option that holds the choice: "auto", "none", "required" or {"name": tool}. */
inline constexpr auto ChoiceKey = "tool_choice";

/** @brief One tool as ToolsKey stores it. */
QJsonObject toJson(const llm::ToolSpec &tool);
/** @brief Moves the client's tools and choice out of @p request's options into its tools and
 *  toolChoice (the provider never sees them as options). */
void apply(llm::ChatRequest &request);

} // namespace arbor::chat::clienttools
