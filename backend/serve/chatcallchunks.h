#pragma once

#include "domain/toolcall.h"

#include <QJsonArray>
#include <QStringList>

namespace arbor::chat {
struct ArgumentsPiece;
}

namespace arbor::serve {

/**
 * @brief The "tool_calls" deltas of a streamed chat completion: a call's first delta (index,
 * id, type, name) when the vendor begins it, then its arguments in the pieces the vendor
 * streamed, and at the end what the stored calls add (the rest of a call, or a call that did not
 * stream, whole). A client that joins the fragments per index has each call's arguments.
 */
class ChatCallChunks
{
public:
    /** @brief The delta for @p piece; empty: nothing to send (yet). */
    QJsonArray piece(const chat::ArgumentsPiece &piece);
    /** @brief The deltas that complete the reply's stored @p calls, as one array. */
    QJsonArray rest(const QList<domain::ToolCall> &calls) const;

private:
    QStringList m_sent; ///< the arguments sent of each call begun
    bool m_cut = false; ///< a piece was missed: the rest come at the end
};

} // namespace arbor::serve
