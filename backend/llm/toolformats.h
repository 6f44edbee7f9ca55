#pragma once

#include "provider.h"

#include <QJsonArray>
#include <QJsonObject>

/**
 * Tools and tool results in each vendor's request format (reference/llm-wire-protocols.md):
 * what the model may call, and an earlier turn's calls with their results.
 */
namespace arbor::llm::toolformats {

/** @brief A call's arguments as a JSON object ({} when they are not one). */
QJsonObject argumentsObject(const ToolExchange &call);

/** @brief OpenAI Chat Completions messages: an assistant turn with calls is
 *  {"role":"assistant","content":…,"tool_calls":[{"id","type":"function","function":{"name",
 *  "arguments"}}]} followed by one {"role":"tool","tool_call_id","content"} per call. */
QJsonArray openAiMessages(const QList<ChatTurn> &turns);
/** @brief OpenAI (and Ollama) "tools": [{"type":"function","function":{"name","description",
 *  "parameters"}}]. */
QJsonArray openAiTools(const QList<ToolSpec> &tools);
/** @brief OpenAI "tool_choice" for ChatRequest::toolChoice ("auto", "none", "required" or
 *  {"type":"function","function":{"name"}}); undefined when the request sets none. */
QJsonValue openAiToolChoice(const QJsonValue &choice);
/** @brief Anthropic "tool_choice": {"type":"auto"|"any"|"none"} or {"type":"tool","name"}. */
QJsonValue anthropicToolChoice(const QJsonValue &choice);
/** @brief Gemini "toolConfig": {"functionCallingConfig":{"mode":"AUTO"|"ANY"|"NONE",
 *  "allowedFunctionNames"}}. */
QJsonValue geminiToolConfig(const QJsonValue &choice);

/** @brief Ollama /api/chat messages: calls as {"function":{"name","arguments":{…}}} (an object),
 *  results as {"role":"tool","content","tool_name"}. */
QJsonArray ollamaMessages(const QList<ChatTurn> &turns);

/** @brief Anthropic "tools": [{"name","description","input_schema"}]. */
QJsonArray anthropicTools(const QList<ToolSpec> &tools);
/** @brief The tool_use blocks of an assistant turn: {"type":"tool_use","id","name","input"}. */
QJsonArray anthropicToolUses(const ChatTurn &turn);
/** @brief The user message with a turn's tool_result blocks: {"type":"tool_result",
 *  "tool_use_id","content","is_error"}. */
QJsonObject anthropicToolResults(const ChatTurn &turn);

/** @brief Gemini "tools": [{"functionDeclarations":[{"name","description",
 *  "parametersJsonSchema"}]}]. */
QJsonArray geminiTools(const QList<ToolSpec> &tools);
/** @brief The functionCall parts of a model turn ({"functionCall":{"name","args"}}, with the
 *  thoughtSignature the vendor gave for that call, from the turn's reasoning data). */
QJsonArray geminiCallParts(const ChatTurn &turn);
/** @brief The user turn with a turn's functionResponse parts: {"functionResponse":{"name",
 *  "response":{"result"|"error": text}}}. */
QJsonObject geminiResponses(const ChatTurn &turn);

} // namespace arbor::llm::toolformats
