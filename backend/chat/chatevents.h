#pragma once

#include "domain/message.h"

#include <QList>
#include <QObject>

namespace arbor::chat {

/** @brief A piece of a tool call's arguments as the vendor streamed it. */
struct ArgumentsPiece
{
    int call = 0;         ///< the call's index among the message's tool calls
    QString id;           ///< the vendor's id for it, as known so far
    QString name;         ///< the tool, as known so far ("" until the vendor names it)
    qsizetype at = 0;     ///< the message text's length when the call began
    qsizetype offset = 0; ///< the arguments' length before @p text
    QString text;         ///< "" when only the call's start, name or id arrived
};

/**
 * @brief A piece of a streaming message that is now durable (committed to the store), with the
 * tool-call argument pieces that arrived before that commit (those are stored only once their
 * call is whole: ChatEvents::toolCallsChanged).
 */
struct CommittedText
{
    QString conversationId;
    QString messageId;
    qsizetype offset = 0; ///< the text's length before @p text
    QString text;
    qsizetype reasoningOffset = 0; ///< the reasoning's length before @p reasoning
    QString reasoning;
    /// The lengths of the vendor's pieces that make up @p reasoning, in order.
    QList<qsizetype> reasoningPieces = {};
    QList<ArgumentsPiece> arguments = {}; ///< in the order they arrived
};

/**
 * @brief What happened to conversations and messages, for views and scripts. Emitted from
 * whichever backend thread made the change, after it is committed (deltas: as they arrive);
 * receivers on other threads get them queued, in order.
 */
class ChatEvents : public QObject
{
    Q_OBJECT

public:
    using QObject::QObject;

Q_SIGNALS:
    /** @brief The list of conversations (titles, order, membership) changed. */
    void conversationsChanged();
    /** @brief A message was stored (a send stores the user message and a queued reply). */
    void messageCreated(const arbor::domain::Message &message);
    /** @brief Text arrived for a streaming message; @p offset is the length before it. */
    void messageDelta(const QString &conversationId, const QString &messageId, qsizetype offset,
                      const QString &text);
    /** @brief Pieces of streaming messages were committed, in the order of their offsets: a
     *  reader that must never show more than is durable (a resumable stream) follows these
     *  instead of messageDelta. One signal per group commit, whatever the number of messages. */
    void textsCommitted(const QList<arbor::chat::CommittedText> &pieces);
    /** @brief Reasoning ("thinking") arrived for a streaming message; @p offset is the length of
     *  its reasoning before it. */
    void reasoningDelta(const QString &conversationId, const QString &messageId, qsizetype offset,
                        const QString &text);
    /** @brief A streaming message stopped reasoning after @p ms (its answer began). */
    void reasoningTimed(const QString &conversationId, const QString &messageId, qint64 ms);
    /** @brief A streaming message's tool calls changed (a call became whole): @p toolCalls is
     *  all of them so far, JSON (domain/toolcall.h). */
    void toolCallsChanged(const QString &conversationId, const QString &messageId,
                          const QString &toolCalls);
    /** @brief The visible path of a conversation moved (branch switch, subtree deleted or
     *  restored, a label changed): views reload it. Rows down to @p forkId (when given) are
     *  unchanged, so a view showing it needs to reload only the rows below. */
    void pathChanged(const QString &conversationId, const QString &forkId = {});
    /** @brief The saved model sets changed (one saved or removed). */
    void modelSetsChanged();
    /** @brief A message changed state (queued, streaming, complete, cancelled, error, interrupted).
     */
    void messageStateChanged(const QString &conversationId, const QString &messageId,
                             const QString &status, const QString &error);
};

} // namespace arbor::chat

Q_DECLARE_METATYPE(arbor::chat::CommittedText)
