#pragma once

#include "provider.h"

namespace arbor::llm {

/**
 * @brief The offline demo model: deterministic Markdown for a seed, streamed at a set rate.
 * Options: "seed" (default: derived from the last user turn), "rate" (tokens/s; 0 = as fast
 * as possible).
 */
class DemoProvider : public Provider
{
public:
    explicit DemoProvider(double tokensPerSecond = 50.0);

    QString id() const override { return QStringLiteral("demo"); }
    QString displayName() const override { return QStringLiteral("Demo (offline)"); }
    QList<ModelInfo> models() const override;
    bool isDemo() const override { return true; }
    ChatStream *startChat(const ChatRequest &request, QObject *parent) override;

    double rate() const { return m_rate; }
    void setRate(double tokensPerSecond) { m_rate = tokensPerSecond; }

private:
    double m_rate;
};

} // namespace arbor::llm
