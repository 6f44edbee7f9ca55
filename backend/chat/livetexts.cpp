#include "livetexts.h"

namespace arbor::chat {

void LiveTexts::begin(const QString &messageId, const QString &initial,
                      const QString &initialReasoning)
{
    QMutexLocker lock(&m_mutex);
    m_texts.insert(messageId, initial);
    m_reasoning.insert(messageId, initialReasoning);
}

qsizetype LiveTexts::appendTo(QHash<QString, QString> &texts, const QString &messageId,
                              const QString &text)
{
    QMutexLocker lock(&m_mutex);
    QString &t = texts[messageId];
    const qsizetype before = t.size();
    t.append(text);
    return before;
}

std::optional<QString> LiveTexts::find(const QHash<QString, QString> &texts,
                                       const QString &messageId) const
{
    QMutexLocker lock(&m_mutex);
    const auto it = texts.constFind(messageId);
    if (it == texts.constEnd())
        return std::nullopt;
    return *it;
}

qsizetype LiveTexts::append(const QString &messageId, const QString &text)
{
    return appendTo(m_texts, messageId, text);
}

std::optional<QString> LiveTexts::text(const QString &messageId) const
{
    return find(m_texts, messageId);
}

qsizetype LiveTexts::appendReasoning(const QString &messageId, const QString &text)
{
    return appendTo(m_reasoning, messageId, text);
}

std::optional<QString> LiveTexts::reasoning(const QString &messageId) const
{
    return find(m_reasoning, messageId);
}

void LiveTexts::setToolCalls(const QString &messageId, const QString &toolCalls)
{
    QMutexLocker lock(&m_mutex);
    m_toolCalls.insert(messageId, toolCalls);
}

std::optional<QString> LiveTexts::toolCalls(const QString &messageId) const
{
    return find(m_toolCalls, messageId);
}

void LiveTexts::end(const QString &messageId)
{
    QMutexLocker lock(&m_mutex);
    m_texts.remove(messageId);
    m_reasoning.remove(messageId);
    m_toolCalls.remove(messageId);
}

} // namespace arbor::chat
