#pragma once

#include <QString>

#include <rapidjson/document.h>

namespace arbor::imports::chatgpt {

/** @brief What a node of ChatGPT's mapping is to the turn it belongs to. */
enum class Kind {
    Plain,    ///< a message of its own (text, code shown to the user, a quote, ...)
    Thoughts, ///< a reasoning model's `thoughts`: the reasoning of the reply below it
    Recap,    ///< `reasoning_recap` ("Thought for 7 seconds"): only a duration
    Call,     ///< the model addressing a tool (`recipient` is not "all"): a tool call
    Output,   ///< a tool's answer (author role "tool"): the result of the call above it
    Hidden,   ///< the user's custom instructions and memory: not a turn
};

/** @brief One node's message, read. */
struct Parsed
{
    Kind kind = Kind::Plain;
    QString content;   ///< Markdown, for a node shown as (part of) a message
    QString reasoning; ///< Thoughts
    QString callName;  ///< Call: the tool (the recipient: python, browser, dalle.text2im, ...)
    QString callArgs;  ///< Call: JSON text of the arguments
    QString output;    ///< Output: the tool's result as text
};

/** @brief Reads the `message` object of a mapping node whose author has role @p role. */
Parsed parseMessage(const rapidjson::Value &message, const QString &role);

/** @brief "Thought for 1m 5s" / "Thought for 12 seconds" as ms; -1 when not one. */
qint64 recapMs(const QString &text);

/** @brief @p text with ChatGPT's citation marks (【3:0†source】, or the newer private-use
 *  `content_references`) replaced by Markdown links from @p metadata, or removed when the
 *  metadata names no link. */
QString withCitations(QString text, const rapidjson::Value *metadata);

} // namespace arbor::imports::chatgpt
