#pragma once

#include "chat/chatservice.h"
#include "store/servequeries.h"

#include <QFuture>
#include <QHash>
#include <QJsonObject>
#include <QObject>

#include <functional>

namespace arbor::core {
class Backend;
}

namespace arbor::serve {

/** @brief What a Chat Completions or Responses request asks for, checked. */
struct Submission
{
    QString modelKey; ///< "provider/model"
    QList<store::serve::Turn> history;
    QString text;           ///< the new user message
    QJsonObject settings;   ///< system_prompt, temperature, max_tokens (as ChatService takes them)
    QString conversationId; ///< metadata.arbor_conversation_id
    QString parentId;       ///< previous_response_id
    bool stream = false;
    bool background = false;
    bool includeUsage = false; ///< chat completions: stream_options.include_usage
    /// The client's function tools and tool_choice, as the reply's job options carry them
    /// (chat/clienttools.h); empty: none.
    QJsonObject options;
    /// What a response object repeats of the request (responseecho.h); also in options.
    QJsonObject echo;
    /// The input ends with tool outputs, not a user message: the reply goes under the reply
    /// that made the calls (no user message; text is empty).
    bool continuation = false;
    /// Outputs for calls that are not in the resent history: calls of previous_response_id
    /// (call id -> output).
    QHash<QString, QString> outputs;
    QString error; ///< non-empty: the request is refused with 400 and this
};

/** @brief Reads a Chat Completions body (model, messages, stream, metadata, parameters). */
Submission fromChatCompletions(const QJsonObject &body);
/** @brief Reads an Open Responses body (model, input, instructions, previous_response_id,
 *  stream, background, metadata, parameters). */
Submission fromResponses(const QJsonObject &body);

/** @brief Stores the history and the new message, queues the reply as a durable job and tags
 *  it with @p tokenId, then calls @p done on @p context's thread with what was stored, or with
 *  a user-facing error. */
void submit(core::Backend &backend, const Submission &s, const QString &tokenId, QObject *context,
            std::function<void(const chat::SendResult &, const QString &)> done,
            std::function<void(const QString &conversationId)> placed = {});

} // namespace arbor::serve
