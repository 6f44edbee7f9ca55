#include "livetexts.h"

namespace arbor::chat {

void LiveTexts::begin(const QString &messageId, const QString &initial,
                      const QString &initialReasoning)
{
    QMutexLocker lock(&m_mutex);
    m_texts.insert(messageId, initial);
    m_reasoning.insert(messageId, initialReasoning);
}

qsizetype LiveTexts::append(const QString &messageId, const QString &text)
{
    QMutexLocker lock(&m_mutex);
    QString &t = m_texts[messageId];
    const qsizetype before = t.size();
    t.append(text);
    return before;
}

std::optional<QString> LiveTexts::text(const QString &messageId) const
{
    QMutexLocker lock(&m_mutex);
    const auto it = m_texts.constFind(messageId);
    if (it == m_texts.constEnd())
        return std::nullopt;
    return *it;
}

qsizetype LiveTexts::appendReasoning(const QString &messageId, const QString &text)
{
    QMutexLocker lock(&m_mutex);
    QString &t = m_reasoning[messageId];
    const qsizetype before = t.size();
    t.append(text);
    return before;
}

std::optional<QString> LiveTexts::reasoning(const QString &messageId) const
{
    QMutexLocker lock(&m_mutex);
    const auto it = m_reasoning.constFind(messageId);
    if (it == m_reasoning.constEnd())
        return std::nullopt;
    return *it;
}

void LiveTexts::end(const QString &messageId)
{
    QMutexLocker lock(&m_mutex);
    m_texts.remove(messageId);
    m_reasoning.remove(messageId);
}

} // namespace arbor::chat
