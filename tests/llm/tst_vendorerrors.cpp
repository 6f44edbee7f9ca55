// vendorerrors: classification of HTTP and in-stream errors, Retry-After and rate-limit headers.
#include "llm/vendorerrors.h"
#include "support/fakevendorserver.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

namespace ve = arbor::llm::vendorerrors;
using Kind = arbor::llm::ChatError::Kind;
using arbor::testsupport::FakeVendorServer;

class TestVendorErrors : public QObject
{
    Q_OBJECT

    const QDateTime now = QDateTime(QDate(2025, 2, 24), QTime(22, 25, 0), Qt::UTC);

private Q_SLOTS:
    void goDurations_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<qint64>("ms");
        QTest::newRow("ms") << QByteArray("12ms") << qint64(12);
        QTest::newRow("s") << QByteArray("1s") << qint64(1000);
        QTest::newRow("m s") << QByteArray("6m0s") << qint64(360000);
        QTest::newRow("fraction") << QByteArray("2m59.56s") << qint64(179560);
        QTest::newRow("h") << QByteArray("1h2m") << qint64(3720000);
        QTest::newRow("plain seconds") << QByteArray("20") << qint64(20000);
        QTest::newRow("gemini") << QByteArray("34.4s") << qint64(34400);
        QTest::newRow("junk") << QByteArray("soon") << qint64(-1);
        QTest::newRow("empty") << QByteArray() << qint64(-1);
    }
    void goDurations()
    {
        QFETCH(QByteArray, text);
        QFETCH(qint64, ms);
        QCOMPARE(ve::parseDurationMs(text), ms);
    }

    void retryAfter()
    {
        QCOMPARE(ve::retryAfterMs({{"retry-after", "20"}}, now), 20000);
        QCOMPARE(ve::retryAfterMs({{"retry-after-ms", "250"}, {"retry-after", "20"}}, now), 250);
        QCOMPARE(ve::retryAfterMs({{"retry-after", "Mon, 24 Feb 2025 22:25:30 GMT"}}, now), 30000);
        QCOMPARE(ve::retryAfterMs({}, now), -1);
    }

    void anthropicHeaders()
    {
        const auto r =
            ve::rateLimit({{"anthropic-ratelimit-requests-limit", "1000"},
                           {"anthropic-ratelimit-requests-remaining", "999"},
                           {"anthropic-ratelimit-requests-reset", "2025-02-24T22:25:32Z"},
                           {"anthropic-ratelimit-tokens-limit", "96000"},
                           {"anthropic-ratelimit-tokens-remaining", "78000"},
                           {"anthropic-ratelimit-tokens-reset", "2025-02-24T22:26:00Z"}},
                          now);
        QCOMPARE(r.limitRequests, 1000);
        QCOMPARE(r.remainingRequests, 999);
        QCOMPARE(r.resetRequestsMs, 32000);
        QCOMPARE(r.limitTokens, 96000);
        QCOMPARE(r.remainingTokens, 78000);
        QCOMPARE(r.resetTokensMs, 60000);
    }

    void geminiRetryInfoAndDailyQuota()
    {
        const QByteArray body = FakeVendorServer::transcript(QStringLiteral("gemini-429.json"));
        const auto e = ve::fromHttp(429, body, {}, now);
        QCOMPARE(e.kind, Kind::RateLimited);
        QVERIFY(e.retryable());
        QCOMPARE(e.retryAfterMs, 34400);
        QCOMPARE(e.vendorType, QStringLiteral("RESOURCE_EXHAUSTED"));
        QVERIFY(e.message.contains(u"You exceeded your current quota, please check your plan."));
        QByteArray daily = body;
        daily.replace("PerMinute", "PerDay");
        QCOMPARE(ve::fromHttp(429, daily, {}, now).kind, Kind::Quota);
    }

    void inStreamErrorsClassifyByType_data()
    {
        QTest::addColumn<QByteArray>("error");
        QTest::addColumn<int>("kind");
        QTest::newRow("anthropic overloaded")
            << QByteArray(R"({"type":"overloaded_error","message":"Overloaded"})")
            << int(Kind::Overloaded);
        QTest::newRow("anthropic rate")
            << QByteArray(R"({"type":"rate_limit_error","message":"slow"})")
            << int(Kind::RateLimited);
        QTest::newRow("openai quota") << QByteArray(
            R"({"type":"insufficient_quota","code":"insufficient_quota","message":"q"})")
                                      << int(Kind::Quota);
        QTest::newRow("gemini unavailable")
            << QByteArray(R"({"code":503,"message":"m","status":"UNAVAILABLE"})")
            << int(Kind::Overloaded);
        QTest::newRow("unknown") << QByteArray(R"({"message":"odd"})") << int(Kind::Server);
    }
    void inStreamErrorsClassifyByType()
    {
        QFETCH(QByteArray, error);
        QFETCH(int, kind);
        const auto e = ve::fromVendor(200, QJsonDocument::fromJson(error).object());
        QCOMPARE(int(e.kind), kind);
    }

    void anExhaustedWindowIsNotARetryAfter()
    {
        // The reset of a window is when it is full again, not when the next request fits: it
        // is reported for the queue to pace by, never turned into a wait for the retry.
        const auto e = ve::fromHttp(
            429,
            R"({"error":{"message":"slow down","type":"tokens","param":null,"code":"rate_limit_exceeded"}})",
            {{"x-ratelimit-remaining-requests", "5"},
             {"x-ratelimit-reset-requests", "1s"},
             {"x-ratelimit-remaining-tokens", "0"},
             {"x-ratelimit-reset-tokens", "2m59.56s"}},
            now);
        QCOMPARE(e.kind, Kind::RateLimited);
        QCOMPARE(e.retryAfterMs, -1);
        QCOMPARE(e.rateLimit.remainingTokens, 0);
        QCOMPARE(e.rateLimit.resetTokensMs, 179560);
        QCOMPARE(e.rateLimit.remainingRequests, 5);
        QCOMPARE(e.rateLimit.resetRequestsMs, 1000);
    }

    void plainStringErrors()
    {
        const auto e = ve::fromHttp(404, R"({"error":"model 'llama9' not found"})", {}, now);
        QCOMPARE(e.kind, Kind::NotFound);
        QVERIFY(e.message.contains(u"model 'llama9' not found"));
        const auto gateway = ve::fromHttp(502, "Bad Gateway", {}, now);
        QCOMPARE(gateway.kind, Kind::Server);
        QVERIFY(gateway.message.contains(u"Bad Gateway"));
    }

    void anthropic529()
    {
        const auto e = ve::fromHttp(
            529,
            R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"},"request_id":"req_1"})",
            {{"retry-after", "3"}}, now);
        QCOMPARE(e.kind, Kind::Overloaded);
        QVERIFY(e.retryable());
        QCOMPARE(e.retryAfterMs, 3000);
        QCOMPARE(e.vendorType, QStringLiteral("overloaded_error"));
    }
};

QTEST_GUILESS_MAIN(TestVendorErrors)
#include "tst_vendorerrors.moc"
