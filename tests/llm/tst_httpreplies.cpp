// Replies from HTTP vendors through the real composition root (core::Backend: store, job engine,
// ChatJobHandler/ReplySession) against the fake vendor server: what ends up stored.
#include "streamharness.h"

#include "chat/chatevents.h"
#include "chat/chatservice.h"
#include "chat/livetexts.h"
#include "core/backend.h"
#include "domain/ids.h"
#include "jobs/adminqueries.h"
#include "jobs/jobengine.h"
#include "jobs/jobqueries.h"
#include "jobs/ratelimiter.h"
#include "llm/providerregistry.h"
#include "store/conversationqueries.h"
#include "store/messagequeries.h"
#include "store/store.h"

#include <QJsonArray>
#include <QSignalSpy>
#include <QTemporaryDir>

using namespace arbor;
using namespace arbor::testsupport;
using domain::Message;

class TestHttpReplies : public QObject
{
    Q_OBJECT

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<core::Backend> m_backend;
    std::unique_ptr<FakeVendorServer> m_server;

    void open(const QString &kind)
    {
        m_backend = std::make_unique<core::Backend>(
            core::BackendOptions{m_dir->filePath(QStringLiteral("arbor.db")), 0, true, 2});
        m_backend->open();
        QUrl base = m_server->baseUrl();
        if (kind == u"openai")
            base.setPath(QStringLiteral("/v1"));
        auto config = configFor(kind, base);
        config.models = {QStringLiteral("model-x")};
        m_backend->providers().add(llm::createProvider(config));
    }

    Message send(const QString &kind, const QString &text = QStringLiteral("Hello?"))
    {
        chat::SendRequest request;
        request.text = text;
        request.modelKey = QStringLiteral("test-") + kind + QStringLiteral("/model-x");
        return m_backend->chat().send(request).result().assistant;
    }

    std::optional<Message> stored(const QString &id)
    {
        return m_backend->store()
            .read([id](QSqlDatabase &db) { return store::messages::get(db, id); })
            .result();
    }

    QString statusOf(const QString &id)
    {
        const auto m = stored(id);
        return m ? domain::toString(m->status) : QString();
    }

    bool ended(const QString &id)
    {
        const auto m = stored(id);
        return m && !domain::isLive(m->status);
    }

private Q_SLOTS:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        m_server = std::make_unique<FakeVendorServer>();
    }

    void cleanup()
    {
        m_backend.reset();
        m_server.reset();
        m_dir.reset();
    }

    void usageAndFinishReasonAreStored()
    {
        m_server->enqueue(FakeVendorServer::stream(
            FakeVendorServer::transcript(QStringLiteral("openai-text.sse")), "text/event-stream", 5,
            5));
        open(QStringLiteral("openai"));
        const Message reply = send(QStringLiteral("openai"), QStringLiteral("Count the r's"));
        QTRY_VERIFY_WITH_TIMEOUT(ended(reply.id), 30000);
        const Message m = *stored(reply.id);
        QCOMPARE(domain::toString(m.status), QStringLiteral("complete"));
        QCOMPARE(m.content, QStringLiteral("**"));
        QCOMPARE(m.promptTokens, 16);
        QCOMPARE(m.completionTokens, 300);
        QCOMPARE(m.finishReason, QStringLiteral("stop"));
        const QJsonObject body = bodyOf(m_server->requests().first());
        QCOMPARE(body.value(u"model").toString(), QStringLiteral("model-x"));
        const QJsonArray messages = body.value(u"messages").toArray();
        QCOMPARE(messages.last().toObject().value(u"content").toString(),
                 QStringLiteral("Count the r's"));
    }

    jobs::QueueLimitState queueState(const QString &queue)
    {
        const auto states = m_backend->engine().queueStates().result();
        const auto it =
            std::find_if(states.cbegin(), states.cend(),
                         [&](const jobs::QueueLimitState &q) { return q.name == queue; });
        return it == states.cend() ? jobs::QueueLimitState{} : *it;
    }

    void rateLimitHeadersOfASuccessPaceTheQueue()
    {
        // The vendor answers but says no request is left of 60, all back in 30 s: the provider's
        // queue learns the window and sends one request per 500 ms; it does not stop for 30 s.
        auto response = FakeVendorServer::stream(
            FakeVendorServer::transcript(QStringLiteral("openai-text.sse")), "text/event-stream", 3,
            5);
        response.headers.append(
            qMakePair(QByteArray("x-ratelimit-limit-requests"), QByteArray("60")));
        response.headers.append(
            qMakePair(QByteArray("x-ratelimit-remaining-requests"), QByteArray("0")));
        response.headers.append(
            qMakePair(QByteArray("x-ratelimit-reset-requests"), QByteArray("30s")));
        m_server->enqueue(response);
        open(QStringLiteral("openai"));
        const Message reply = send(QStringLiteral("openai"));
        QTRY_VERIFY_WITH_TIMEOUT(ended(reply.id), 30000);
        QCOMPARE(statusOf(reply.id), QStringLiteral("complete"));
        const jobs::QueueLimitState state = queueState(QStringLiteral("test-openai"));
        const qint64 read = domain::nowMs();
        QCOMPARE(state.name, QStringLiteral("test-openai"));
        QCOMPARE(state.blockedUntil, qint64(0));
        QVERIFY2(state.vendorRequestsAvailable >= 0 && state.vendorRequestsAvailable < 60,
                 qPrintable(QString::number(state.vendorRequestsAvailable)));
        QVERIFY2(
            state.readyAt <= read + 500,
            qPrintable(QStringLiteral("ready %1 ms after the reading").arg(state.readyAt - read)));
    }

    void a429WithALongTokenWindowIsRetriedAfterItsRetryAfter()
    {
        // The shape OpenAI sends (issue 15): Retry-After 1 with an exhausted token window that
        // is full again in 6 minutes. The retry follows Retry-After, and another conversation
        // on the same provider is not held for the window.
        const QByteArray text = FakeVendorServer::transcript(QStringLiteral("openai-text.sse"));
        m_server->enqueue(FakeVendorServer::json(
            429,
            R"({"error":{"message":"Rate limit reached for gpt-4.1-nano on tokens per min (TPM). Please try again in 1s.","type":"tokens","param":null,"code":"rate_limit_exceeded"}})",
            {{"Retry-After", "1"},
             {"x-ratelimit-remaining-tokens", "0"},
             {"x-ratelimit-reset-tokens", "6m0s"}}));
        m_server->enqueue(FakeVendorServer::stream(text, "text/event-stream"));
        m_server->enqueue(FakeVendorServer::stream(text, "text/event-stream"));
        open(QStringLiteral("openai"));
        const Message first = send(QStringLiteral("openai"), QStringLiteral("first conversation"));
        auto attemptsOf = [this](const QString &id) {
            return m_backend->store()
                .read([id](QSqlDatabase &db) {
                    const auto job = jobs::queries::forSubject(db, id).first();
                    return std::make_pair(job, jobs::admin::attempts(db, job.id));
                })
                .result();
        };
        QTRY_VERIFY_WITH_TIMEOUT(!attemptsOf(first.id).second.isEmpty(), 30000);
        // The limiter's decision right after the 429: at most the Retry-After.
        const jobs::QueueLimitState state = queueState(QStringLiteral("test-openai"));
        const auto [job, attempts] = attemptsOf(first.id);
        const qint64 refusedAt = attempts.first().finishedAt;
        QCOMPARE(attempts.first().outcome, QStringLiteral("retry"));
        QVERIFY2(attempts.first().error.contains(u"HTTP 429"), qPrintable(attempts.first().error));
        QVERIFY2(
            state.blockedUntil <= refusedAt + 1000,
            qPrintable(
                QStringLiteral("held %1 ms after the 429").arg(state.blockedUntil - refusedAt)));
        QVERIFY2(
            state.readyAt <= std::max(refusedAt + 1000, domain::nowMs()),
            qPrintable(QStringLiteral("ready %1 ms after the 429").arg(state.readyAt - refusedAt)));
        // The retry is scheduled Retry-After after the refusal (backoff's first ceiling is 1 s),
        // and the store says why, for `arbord chat`, `arbord jobs` and the app.
        QCOMPARE(job.runAt - refusedAt, qint64(1000));
        QCOMPARE(jobs::toString(job.lastErrorKind), jobs::toString(jobs::ErrorKind::RateLimited));
        const auto latest = m_backend->engine().latestJobFor(first.id).result();
        QVERIFY(latest);
        QCOMPARE(latest->id, job.id);
        QCOMPARE(latest->runAt, refusedAt + 1000);
        QCOMPARE(jobs::toString(latest->lastErrorKind),
                 jobs::toString(jobs::ErrorKind::RateLimited));
        QCOMPARE(latest->maxAttempts, 3);
        // Another conversation on the provider, started now, is not held for the window.
        chat::SendRequest request;
        request.text = QStringLiteral("second conversation");
        request.modelKey = QStringLiteral("test-openai/model-x");
        const Message second = m_backend->chat().send(request).result().assistant;
        QVERIFY(second.conversationId != first.conversationId);
        QTRY_VERIFY_WITH_TIMEOUT(ended(first.id) && ended(second.id), 30000);
        QCOMPARE(statusOf(first.id), QStringLiteral("complete"));
        QCOMPARE(statusOf(second.id), QStringLiteral("complete"));
        QCOMPARE(m_server->requests().size(), 3);
        const auto [retried, retriedAttempts] = attemptsOf(first.id);
        QCOMPARE(retried.attempts, 2);
        QCOMPARE(retried.runAt - refusedAt, qint64(1000));
        QVERIFY(retried.startedAt >= refusedAt + 1000);
    }

    void conversationSettingsReachTheWire()
    {
        m_server->enqueue(FakeVendorServer::stream(
            FakeVendorServer::transcript(QStringLiteral("anthropic-text.sse")),
            "text/event-stream"));
        open(QStringLiteral("anthropic"));
        domain::Conversation conv;
        conv.id = domain::newId();
        conv.title = QStringLiteral("settings");
        conv.settings = QStringLiteral(
            R"({"system_prompt":"Answer in French.","temperature":0.7,"max_tokens":64})");
        m_backend->store()
            .write([conv](QSqlDatabase &db) { store::conversations::insert(db, conv); })
            .waitForFinished();
        chat::SendRequest request;
        request.conversationId = conv.id;
        request.text = QStringLiteral("Hello?");
        request.modelKey = QStringLiteral("test-anthropic/model-x");
        const Message reply = m_backend->chat().send(request).result().assistant;
        QTRY_VERIFY_WITH_TIMEOUT(ended(reply.id), 30000);
        QCOMPARE(statusOf(reply.id), QStringLiteral("complete"));
        const QJsonObject body = bodyOf(m_server->requests().first());
        QCOMPARE(body.value(u"system").toString(), QStringLiteral("Answer in French."));
        QCOMPARE(body.value(u"temperature").toDouble(), 0.7);
        QCOMPARE(body.value(u"max_tokens").toInt(), 64);
        QCOMPARE(body.value(u"model").toString(), QStringLiteral("model-x"));
    }

    void errorEventKeepsThePartialTextWithStatusError()
    {
        m_server->enqueue(FakeVendorServer::stream(
            FakeVendorServer::transcript(QStringLiteral("anthropic-overloaded.sse")),
            "text/event-stream", 4, 5));
        open(QStringLiteral("anthropic"));
        const Message reply = send(QStringLiteral("anthropic"));
        QTRY_VERIFY_WITH_TIMEOUT(ended(reply.id), 30000);
        const Message m = *stored(reply.id);
        QCOMPARE(domain::toString(m.status), QStringLiteral("error"));
        QCOMPARE(m.content, QStringLiteral("Hello"));
        QVERIFY2(m.error.contains(u"Overloaded"), qPrintable(m.error));
        QCOMPARE(m_server->requests().size(), 1); // text was shown: not retried from scratch
    }

    void droppedConnectionIsInterrupted()
    {
        auto r = FakeVendorServer::stream(
            FakeVendorServer::transcript(QStringLiteral("gemini-truncated.sse")),
            "text/event-stream", 2, 5);
        r.disconnectMidBody = true;
        m_server->enqueue(r);
        open(QStringLiteral("gemini"));
        const Message reply = send(QStringLiteral("gemini"));
        QTRY_VERIFY_WITH_TIMEOUT(ended(reply.id), 30000);
        const Message m = *stored(reply.id);
        QCOMPARE(domain::toString(m.status), QStringLiteral("interrupted"));
        QCOMPARE(m.content, QStringLiteral("There are **3**"));
    }

    void aWholeJsonReplyIsStoredWithItsUsage()
    {
        // A server that ignored "stream": true: its one JSON message is the reply.
        m_server->enqueue(FakeVendorServer::json(
            200, FakeVendorServer::transcript(QStringLiteral("anthropic-message.json"))));
        open(QStringLiteral("anthropic"));
        const Message reply = send(QStringLiteral("anthropic"));
        QTRY_VERIFY_WITH_TIMEOUT(ended(reply.id), 30000);
        const Message m = *stored(reply.id);
        QCOMPARE(domain::toString(m.status), QStringLiteral("complete"));
        QCOMPARE(m.content, QStringLiteral("Hello! I count **3** — «straw·berry» 🍓"));
        QCOMPARE(m.promptTokens, 12);
        QCOMPARE(m.completionTokens, 30);
        QCOMPARE(m.finishReason, QStringLiteral("stop"));
    }

    void cutBeforeAnyTextIsRetried()
    {
        // The connection drops after the headers, once after a role-only chunk and once with
        // no body at all: nothing was shown, so both are retried as a refused connection is,
        // and no note claims that received text is kept.
        const QByteArray text = FakeVendorServer::transcript(QStringLiteral("openai-text.sse"));
        auto cut =
            FakeVendorServer::stream(text.left(text.indexOf("\n\n") + 2), "text/event-stream");
        cut.disconnectMidBody = true;
        m_server->enqueue(cut);
        auto empty = FakeVendorServer::stream({}, "text/event-stream");
        empty.disconnectMidBody = true;
        m_server->enqueue(empty);
        m_server->enqueue(FakeVendorServer::stream(text, "text/event-stream", 3, 5));
        open(QStringLiteral("openai"));
        const Message reply = send(QStringLiteral("openai"));
        QTRY_VERIFY_WITH_TIMEOUT(ended(reply.id), 30000);
        QCOMPARE(statusOf(reply.id), QStringLiteral("complete"));
        QCOMPARE(stored(reply.id)->content, QStringLiteral("**"));
        QCOMPARE(m_server->requests().size(), 3);
        const QList<jobs::admin::Attempt> attempts =
            m_backend->store()
                .read([id = reply.id](QSqlDatabase &db) {
                    const auto job = jobs::queries::forSubject(db, id).first();
                    return jobs::admin::attempts(db, job.id);
                })
                .result();
        QCOMPARE(attempts.size(), 2);
        QCOMPARE(jobs::toString(m_backend->engine().latestJobFor(reply.id).result()->lastErrorKind),
                 QStringLiteral("network"));
        for (const jobs::admin::Attempt &a : attempts) {
            QCOMPARE(a.outcome, QStringLiteral("retry"));
            QVERIFY2(a.error.contains(u"before any of the reply arrived"), qPrintable(a.error));
            QVERIFY2(!a.error.contains(u"kept"), qPrintable(a.error));
        }
    }

    void rateLimitIsRetriedAfterRetryAfter()
    {
        m_server->enqueue(FakeVendorServer::json(429, R"({"error":"too many requests"})",
                                                 {{"Retry-After", "0"}}));
        m_server->enqueue(FakeVendorServer::stream(
            FakeVendorServer::transcript(QStringLiteral("ollama-text.ndjson")),
            "application/x-ndjson"));
        open(QStringLiteral("ollama"));
        const Message reply = send(QStringLiteral("ollama"));
        QTRY_VERIFY_WITH_TIMEOUT(ended(reply.id), 30000);
        QCOMPARE(statusOf(reply.id), QStringLiteral("complete"));
        QCOMPARE(stored(reply.id)->content, QStringLiteral("The sky — 青い ✨"));
        QCOMPARE(m_server->requests().size(), 2);
    }

    void badKeyIsAnErrorOnTheMessage()
    {
        m_server->enqueue(FakeVendorServer::json(
            401,
            R"({"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}})"));
        open(QStringLiteral("anthropic"));
        const Message reply = send(QStringLiteral("anthropic"));
        QTRY_VERIFY_WITH_TIMEOUT(ended(reply.id), 30000);
        const Message m = *stored(reply.id);
        QCOMPARE(domain::toString(m.status), QStringLiteral("error"));
        QVERIFY2(m.error.contains(u"invalid x-api-key"), qPrintable(m.error));
        QCOMPARE(m_server->requests().size(), 1);
    }

    void stopAbortsTheRequest()
    {
        m_server->enqueue(
            stalled(FakeVendorServer::transcript(QStringLiteral("openai-truncated.sse")),
                    "text/event-stream"));
        open(QStringLiteral("openai"));
        QSignalSpy closed(m_server.get(), &FakeVendorServer::clientClosedEarly);
        const Message reply = send(QStringLiteral("openai"));
        QTRY_COMPARE_WITH_TIMEOUT(statusOf(reply.id), QStringLiteral("streaming"), 30000);
        QTRY_VERIFY_WITH_TIMEOUT(m_backend->liveTexts().text(reply.id).value_or(QString()) == u"**",
                                 30000);
        QVERIFY(m_backend->chat().stop(reply.id).result());
        QVERIFY(closed.wait(20000));
        QTRY_VERIFY_WITH_TIMEOUT(ended(reply.id), 30000);
        QCOMPARE(statusOf(reply.id), QStringLiteral("cancelled"));
        QCOMPARE(stored(reply.id)->content, QStringLiteral("**"));
    }
};

QTEST_GUILESS_MAIN(TestHttpReplies)
#include "tst_httpreplies.moc"
