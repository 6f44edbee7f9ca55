#include "demoprovider.h"

#include "demotext.h"

#include <QElapsedTimer>
#include <QTimer>

namespace arbor::llm {

namespace {

class DemoStream : public ChatStream
{
public:
    DemoStream(QStringList tokens, double rate, int promptTokens, QObject *parent)
        : ChatStream(parent)
        , m_tokens(std::move(tokens))
        , m_rate(rate)
        , m_promptTokens(promptTokens)
    {
        m_timer.setTimerType(Qt::PreciseTimer);
        connect(&m_timer, &QTimer::timeout, this, &DemoStream::tick);
        // Ticks at most every 10 ms; each tick sends the tokens that are due by now, so the
        // average rate is exact even when the event loop is late.
        m_timer.start(m_rate > 0 ? std::clamp(int(1000.0 / m_rate), 10, 1000) : 0);
        m_clock.start();
    }

    void cancel() override
    {
        m_timer.stop();
        m_cancelled = true;
    }

private:
    void tick()
    {
        if (m_cancelled)
            return;
        qsizetype due = m_tokens.size();
        if (m_rate > 0)
            due = std::min<qsizetype>(m_tokens.size(),
                                      qsizetype(double(m_clock.elapsed()) * m_rate / 1000.0) + 1);
        else
            due = std::min<qsizetype>(m_tokens.size(), m_next + 64);
        while (m_next < due && !m_cancelled)
            Q_EMIT delta(m_tokens.at(m_next++));
        if (m_next >= m_tokens.size() && !m_cancelled) {
            m_timer.stop();
            m_cancelled = true; // nothing more after finished
            Q_EMIT finished(ChatUsage{m_promptTokens, int(m_tokens.size())},
                            QStringLiteral("stop"));
        }
    }

    QStringList m_tokens;
    double m_rate;
    int m_promptTokens;
    qsizetype m_next = 0;
    bool m_cancelled = false;
    QTimer m_timer;
    QElapsedTimer m_clock;
};

} // namespace

DemoProvider::DemoProvider(double tokensPerSecond, qsizetype answerChars)
    : m_rate(tokensPerSecond)
    , m_answerChars(answerChars)
{
}

QList<ModelInfo> DemoProvider::models() const
{
    return {ModelInfo{QStringLiteral("demo"), QStringLiteral("Demo (offline)")}};
}

ChatStream *DemoProvider::startChat(const ChatRequest &request, QObject *parent)
{
    QString prompt;
    int promptChars = 0;
    for (const ChatTurn &t : request.turns) {
        promptChars += int(t.content.size());
        if (t.role == u"user")
            prompt = t.content;
    }
    // A regenerated reply (a later sibling) gets another text; the first reply to a prompt is
    // always the same.
    const quint64 seed = request.options.contains(QStringLiteral("seed"))
        ? request.options.value(QStringLiteral("seed")).toULongLong()
        : DemoText::seedFor(prompt) + quint64(request.variant);
    const double rate = request.options.contains(QStringLiteral("rate"))
        ? request.options.value(QStringLiteral("rate")).toDouble()
        : m_rate;
    const qsizetype chars = request.options.contains(QStringLiteral("chars"))
        ? request.options.value(QStringLiteral("chars")).toLongLong()
        : m_answerChars;
    QString answer = DemoText::answer(prompt, seed, chars);
    // Continuing a reply (the last turn is the assistant's partial text): stream the rest of
    // whichever variant it came from.
    if (!request.turns.isEmpty() && request.turns.constLast().role == u"assistant") {
        const QString &prefix = request.turns.constLast().content;
        for (quint64 variant = 0; variant < 32; ++variant) {
            const QString candidate =
                DemoText::answer(prompt, DemoText::seedFor(prompt) + variant, chars);
            if (!prefix.isEmpty() && candidate.startsWith(prefix)) {
                answer = candidate.mid(prefix.size());
                break;
            }
        }
    }
    QStringList tokens = DemoText::tokenize(answer, request.maxTokens > 0 ? request.maxTokens : -1);
    if (request.maxTokens > 0 && tokens.size() > request.maxTokens)
        tokens.resize(request.maxTokens);
    return new DemoStream(std::move(tokens), rate, std::max(1, promptChars / 4), parent);
}

} // namespace arbor::llm
