#pragma once

#include <QMetaType>
#include <QString>

namespace arbor::domain {

/** @brief Lifecycle of a message. Finished states (all but Queued/Streaming) are immutable. */
enum class MessageStatus { Queued, Streaming, Complete, Cancelled, Error, Interrupted };

QString toString(MessageStatus status);
/** @brief Parses a stored status; unknown text maps to Error so a bad row is visible, not lost. */
MessageStatus messageStatusFromString(const QString &text);
/** @brief True while text may still arrive (queued or streaming). */
bool isLive(MessageStatus status);

/** @brief The character U+0000 becomes in stored and shared text. PostgreSQL's text cannot hold
 *  U+0000 (and a model may emit it); the local store writes this instead, so the local copy, what
 *  is pushed and what teammates pull are the same text. */
inline constexpr char16_t NulReplacement = u'\uFFFD';
/** @brief @p text with every U+0000 replaced by NulReplacement. */
QString withoutNul(QString text);
/** @brief JSON text with every U+0000 inside its strings (written \u0000) replaced the same way.
 *  Text that is not JSON is returned as it is. */
QString withoutNulInJson(const QString &json);

/** @brief One node of a conversation tree, as stored. */
struct Message
{
    QString id;
    QString conversationId;
    QString parentId; ///< empty for a root
    QString role;     ///< "system", "user" or "assistant"
    QString author;   ///< display name: "You" or the model's display name
    QString provider;
    QString model;
    QString content;
    MessageStatus status = MessageStatus::Complete;
    QString error;
    QString finishReason;
    int promptTokens = -1;       ///< all input, cached included; -1 unknown
    int completionTokens = -1;   ///< all output, reasoning included; -1 unknown
    int cachedTokens = -1;       ///< the part of promptTokens read from the vendor's cache
    int reasoningTokens = -1;    ///< the part of completionTokens spent reasoning
    bool usageEstimated = false; ///< the vendor reported no usage: the counts are Arbor's guess
    qint64 costNanos = -1;       ///< cost in billionths of currency; -1: no price known
    QString currency;            ///< of costNanos ("USD"); empty when no price
    qint64 createdAt = 0;
    qint64 finishedAt = 0;
    QString label;           ///< the user's bookmark, empty when none
    QString reasoning;       ///< the model's reasoning ("thinking"), apart from the answer
    qint64 reasoningMs = -1; ///< how long it reasoned; -1 unknown (or no reasoning)
    QString reasoningData;   ///< JSON to send back with it (llm/reasoningdata.h); "" when none
    /// The tools the reply asked to call: JSON text of messages.tool_calls (domain/toolcall.h
    /// reads it); "" when none.
    QString toolCalls;
    qint64 firstTokenAt = 0; ///< when its first token (text or reasoning) arrived; 0 unknown
    /// A fused reply: JSON array of the ids of the replies it was written from; "" otherwise.
    QString fusedFrom;
    /// The parameters this reply alone was asked with over its conversation's (a compare
    /// column's {"temperature": 1.5}): JSON object text of messages.params; "" when none.
    QString params;
    /// What else this reply was asked with (messages.request): JSON object text, "" when
    /// nothing: {"tools": [the tool servers it was offered], "prompt": a fused reply's rendered
    /// prompt, which stands in for the user's last turn}. Regenerate, retry and continue read it.
    QString request;
    QString sourceId;     ///< its node's id in the export it was imported from ("" when made here)
    int siblingIndex = 0; ///< position among the non-deleted children of its parent
    int siblingCount = 1;
};

/** @brief A conversation: a tree of messages and the leaf that ends its visible path. */
struct Conversation
{
    QString id;
    QString title;
    QString currentLeafId;
    QString settings; ///< JSON object: system prompt, model, parameters
    qint64 createdAt = 0;
    qint64 updatedAt = 0;
    QString workspaceId;  ///< the team workspace it is shared in; empty: personal (read only here)
    QString sourceFormat; ///< imported from: chatgpt, claude, ... ("" when made here)
    QString sourceId;     ///< its id in the export it was imported from ("" when made here)
};

} // namespace arbor::domain

Q_DECLARE_METATYPE(arbor::domain::Message)
Q_DECLARE_METATYPE(arbor::domain::Conversation)
