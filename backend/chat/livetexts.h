#pragma once

#include <QHash>
#include <QMutex>
#include <QString>

#include <optional>

namespace arbor::chat {

/**
 * @brief The full text, reasoning and tool calls of messages streaming in this process, ahead of
 * the store (which catches up in batches). A view that loads a streaming message takes its text
 * (and reasoning, and calls) from here, then applies only deltas past that length, so no piece is
 * lost or doubled. Thread-safe.
 */
class LiveTexts
{
public:
    void begin(const QString &messageId, const QString &initial = {},
               const QString &initialReasoning = {});
    /** @brief Appends and returns the length before the append. */
    qsizetype append(const QString &messageId, const QString &text);
    std::optional<QString> text(const QString &messageId) const;
    /** @brief Appends reasoning and returns its length before the append. */
    qsizetype appendReasoning(const QString &messageId, const QString &text);
    std::optional<QString> reasoning(const QString &messageId) const;
    /** @brief The tool calls of a streaming message so far (JSON, domain/toolcall.h). */
    void setToolCalls(const QString &messageId, const QString &toolCalls);
    std::optional<QString> toolCalls(const QString &messageId) const;
    void end(const QString &messageId);

private:
    /** @brief Appends under the lock; the length of @p texts' entry before. */
    qsizetype appendTo(QHash<QString, QString> &texts, const QString &messageId,
                       const QString &text);
    std::optional<QString> find(const QHash<QString, QString> &texts,
                                const QString &messageId) const;

    mutable QMutex m_mutex;
    QHash<QString, QString> m_texts;
    QHash<QString, QString> m_reasoning;
    QHash<QString, QString> m_toolCalls;
};

} // namespace arbor::chat
