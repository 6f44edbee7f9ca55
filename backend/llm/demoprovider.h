#pragma once

#include "provider.h"

namespace arbor::llm {

/**
 * @brief The offline demo model: deterministic Markdown for a seed, streamed at a set rate.
 * Options: "seed" (default: derived from the last user turn), "rate" (tokens/s; 0 = as fast
 * as possible), "chars" (the reply grows to at least this many characters; default
 * answerChars()).
 */
class DemoProvider : public Provider
{
public:
    explicit DemoProvider(double tokensPerSecond = 50.0, qsizetype answerChars = 0);

    QString id() const override { return QStringLiteral("demo"); }
    QString displayName() const override { return QStringLiteral("Demo (offline)"); }
    QList<ModelInfo> models() const override;
    bool isDemo() const override { return true; }
    ChatStream *startChat(const ChatRequest &request, QObject *parent) override;

    double rate() const { return m_rate; }
    void setRate(double tokensPerSecond) { m_rate = tokensPerSecond; }
    /** @brief Replies are at least this long (0: the short demo answer). */
    qsizetype answerChars() const { return m_answerChars; }

private:
    double m_rate;
    qsizetype m_answerChars;
};

} // namespace arbor::llm
