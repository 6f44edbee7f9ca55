#include "jsonformat.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonValue>

namespace arbor::cli {

namespace {

QJsonValue orNull(const QString &s)
{
    return s.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(s);
}

QJsonValue orNull(qint64 v, qint64 none)
{
    return v == none ? QJsonValue(QJsonValue::Null) : QJsonValue(v);
}

} // namespace

QJsonObject toJson(const domain::Message &m)
{
    return {
        {QStringLiteral("id"), m.id},
        {QStringLiteral("conversation_id"), m.conversationId},
        {QStringLiteral("parent_id"), orNull(m.parentId)},
        {QStringLiteral("role"), m.role},
        {QStringLiteral("author"), m.author},
        {QStringLiteral("provider"), orNull(m.provider)},
        {QStringLiteral("model"), orNull(m.model)},
        {QStringLiteral("status"), domain::toString(m.status)},
        {QStringLiteral("content"), m.content},
        {QStringLiteral("reasoning"), orNull(m.reasoning)},
        {QStringLiteral("reasoning_ms"), orNull(m.reasoningMs, -1)},
        {QStringLiteral("reasoning_data"),
         m.reasoningData.isEmpty()
             ? QJsonValue(QJsonValue::Null)
             : QJsonValue(QJsonDocument::fromJson(m.reasoningData.toUtf8()).object())},
        {QStringLiteral("tool_calls"),
         m.toolCalls.isEmpty() ? QJsonValue(QJsonValue::Null)
                               : QJsonValue(QJsonDocument::fromJson(m.toolCalls.toUtf8()).array())},
        {QStringLiteral("error"), orNull(m.error)},
        {QStringLiteral("finish_reason"), orNull(m.finishReason)},
        {QStringLiteral("prompt_tokens"), orNull(m.promptTokens, -1)},
        {QStringLiteral("completion_tokens"), orNull(m.completionTokens, -1)},
        {QStringLiteral("cached_tokens"), orNull(m.cachedTokens, -1)},
        {QStringLiteral("reasoning_tokens"), orNull(m.reasoningTokens, -1)},
        {QStringLiteral("usage_estimated"), m.usageEstimated},
        {QStringLiteral("cost"),
         m.costNanos < 0 ? QJsonValue(QJsonValue::Null) : QJsonValue(double(m.costNanos) / 1e9)},
        {QStringLiteral("currency"), orNull(m.currency)},
        {QStringLiteral("created_at"), m.createdAt},
        {QStringLiteral("finished_at"), orNull(m.finishedAt, 0)},
        {QStringLiteral("sibling_index"), m.siblingIndex},
        {QStringLiteral("sibling_count"), m.siblingCount},
    };
}

QJsonObject toJson(const domain::Conversation &c)
{
    return {
        {QStringLiteral("id"), c.id},
        {QStringLiteral("title"), c.title},
        {QStringLiteral("current_leaf_id"), orNull(c.currentLeafId)},
        {QStringLiteral("settings"), QJsonDocument::fromJson(c.settings.toUtf8()).object()},
        {QStringLiteral("created_at"), c.createdAt},
        {QStringLiteral("updated_at"), c.updatedAt},
    };
}

} // namespace arbor::cli
