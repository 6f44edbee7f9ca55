#pragma once
// Shared by the provider tests: run a real stream against the fake vendor server and collect
// everything it emitted.

#include "llm/providerfactory.h"
#include "support/fakevendorserver.h"

#include <QDeadlineTimer>
#include <QEventLoop>
#include <QFuture>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>
#include <QTimer>

namespace arbor::testsupport {

struct StreamOutcome
{
    QStringList deltas;
    QString reasoning;
    QJsonObject reasoningState;
    int reasoningStateCount = 0;
    QList<llm::ToolCall> toolCalls; ///< ChatStream::toolCall, by index
    bool toolCallsBeforeEnd = true; ///< no call was announced after finished()/failed()
    int finishedCount = 0;
    int failedCount = 0;
    llm::ChatUsage usage;
    QString finishReason;
    llm::ChatError error;
    QString text() const { return deltas.join(QString()); }
};

/** @brief Waits (bounded, as a failure guard) until @p stream ends, then a little longer so a
 *  second end signal would be seen. */
inline StreamOutcome runStream(llm::ChatStream *stream)
{
    StreamOutcome out;
    QEventLoop loop;
    QObject::connect(stream, &llm::ChatStream::delta, &loop,
                     [&](const QString &t) { out.deltas.append(t); });
    QObject::connect(stream, &llm::ChatStream::reasoning, &loop,
                     [&](const QString &t) { out.reasoning += t; });
    QObject::connect(stream, &llm::ChatStream::reasoningState, &loop,
                     [&](const QJsonObject &state) {
                         ++out.reasoningStateCount;
                         out.reasoningState = state;
                     });
    QObject::connect(stream, &llm::ChatStream::toolCall, &loop,
                     [&](int index, const llm::ToolCall &call) {
                         if (out.finishedCount + out.failedCount > 0)
                             out.toolCallsBeforeEnd = false;
                         if (index >= out.toolCalls.size())
                             out.toolCalls.resize(index + 1);
                         out.toolCalls[index] = call;
                     });
    QObject::connect(stream, &llm::ChatStream::finished, &loop,
                     [&](const llm::ChatUsage &u, const QString &reason) {
                         ++out.finishedCount;
                         out.usage = u;
                         out.finishReason = reason;
                         loop.quit();
                     });
    QObject::connect(stream, &llm::ChatStream::failed, &loop, [&](const llm::ChatError &e) {
        ++out.failedCount;
        out.error = e;
        loop.quit();
    });
    QTimer::singleShot(20000, &loop, &QEventLoop::quit);
    loop.exec();
    QTest::qWait(50);
    return out;
}

inline llm::ProviderConfig configFor(const QString &kind, const QUrl &base)
{
    llm::ProviderConfig c;
    c.id = QStringLiteral("test-") + kind;
    c.kind = kind;
    c.name = QStringLiteral("Test ") + kind;
    c.baseUrl = base;
    c.apiKey = QStringLiteral("sk-test-key");
    return c;
}

inline llm::ChatRequest sampleRequest(const QString &model)
{
    llm::ChatRequest r;
    r.model = model;
    r.turns = {{QStringLiteral("system"), QStringLiteral("Be brief.")},
               {QStringLiteral("user"), QStringLiteral("How many r in strawberry?")}};
    r.temperature = 0.25;
    r.maxTokens = 123;
    return r;
}

inline QJsonObject bodyOf(const FakeVendorServer::Request &r)
{
    return QJsonDocument::fromJson(r.body).object();
}

/** @brief The listing's result, or nullopt if it never finished (bounded wait). */
inline std::optional<llm::ModelList> waitFor(QFuture<llm::ModelList> future)
{
    QDeadlineTimer deadline(20000);
    while (!future.isFinished() && !deadline.hasExpired())
        QTest::qWait(5);
    if (!future.isFinished())
        return std::nullopt;
    return future.result();
}

/** @brief Serves @p body (cut into @p pieces, a few ms apart) from a fresh fake server to a
 *  provider made by @p makeProvider(server), and collects the stream's outcome. */
template<typename MakeProvider>
StreamOutcome streamBody(MakeProvider makeProvider, const QByteArray &body,
                         const QByteArray &contentType, int pieces = 7)
{
    FakeVendorServer server;
    server.enqueue(FakeVendorServer::stream(body, contentType, pieces, 2));
    auto p = makeProvider(server);
    QObject owner;
    return runStream(p->startChat(sampleRequest(QStringLiteral("m")), &owner));
}

/** @brief @p transcript with its one occurrence of @p from replaced by @p to (test input). */
inline QByteArray withReplaced(const QString &transcript, const QByteArray &from,
                               const QByteArray &to)
{
    QByteArray bytes = FakeVendorServer::transcript(transcript);
    if (bytes.count(from) != 1)
        qFatal("transcript %s does not contain %s exactly once", qPrintable(transcript),
               from.constData());
    return bytes.replace(from, to);
}

/** @brief Streams whose first piece arrives at once and whose rest would take a minute. */
inline FakeVendorServer::Response stalled(const QByteArray &first, const QByteArray &contentType)
{
    FakeVendorServer::Response r = FakeVendorServer::stream(first, contentType);
    r.body.append({QByteArrayLiteral("data: {}\n\n"), 60000});
    return r;
}

} // namespace arbor::testsupport
