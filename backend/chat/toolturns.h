#pragma once

#include "domain/toolcall.h"
#include "llm/provider.h"

namespace arbor::chat::toolturns {

/** @brief The key of a call's tool round in its stored entry (ToolCall::other): a reply that
 *  runs tools is text, calls and results, then more text and calls, in rounds 0, 1, ... */
inline constexpr auto RoundKey = "round";
/** @brief The key of the MCP content blocks of a call's result (images are shown from them). */
inline constexpr auto ContentKey = "content";
/** @brief The key of the server that ran a call. */
inline constexpr auto ServerKey = "server";

/** @brief True for a call that has an outcome to send back (done, failed, denied,
 *  interrupted). */
bool settled(const domain::ToolCall &call);

/** @brief Where the calls of a reply's last round begin when none of them ran (all requested:
 *  the reply stopped at the limit on rounds, domain::ToolRoundLimit); -1 when there are none. */
qsizetype pendingFrom(const QList<domain::ToolCall> &calls);

/** @brief @p toolCalls with every call that was running or waiting for approval marked
 *  interrupted (its process is gone); null when none was. */
QString interrupted(const QString &toolCalls);

/**
 * @brief @p fresh (a reply's calls as it knows them) over @p stored (as in the store): a call
 * settled in the store (its tool job wrote the outcome) but not yet in @p fresh keeps the
 * stored outcome, so a reply that writes its calls never undoes the end of a call's job.
 */
QString keepSettled(const QString &stored, const QString &fresh);

/**
 * @brief An assistant message with tools as the turns a vendor needs: per round whose calls
 * have outcomes, the text before them with those calls and their results; @p tail gets the text
 * after the last such round (the whole text when there is none). Calls without an outcome (a
 * reply made without tools) are left out, their text kept.
 */
QList<llm::ChatTurn> assistantTurns(const QString &content, const QList<domain::ToolCall> &calls,
                                    QString *tail);

} // namespace arbor::chat::toolturns
