// Usage from each vendor's recorded stream, through the real composition root against the fake
// vendor server: the counts stored on the reply, its cost at the price valid when it finished,
// and the estimate when a vendor sends no usage.
#include "streamharness.h"

#include "chat/chatservice.h"
#include "core/backend.h"
#include "llm/providerregistry.h"
#include "store/messagequeries.h"
#include "store/store.h"
#include "store/usagequeries.h"
#include "usage/usageservice.h"

#include <QElapsedTimer>
#include <QTemporaryDir>

using namespace arbor;
using namespace arbor::testsupport;
using domain::Message;

class TestUsageReplies : public QObject
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

    Message reply(const QString &kind, const QString &transcript, const QByteArray &type)
    {
        m_server->enqueue(
            FakeVendorServer::stream(FakeVendorServer::transcript(transcript), type, 3, 5));
        chat::SendRequest request;
        request.text = QStringLiteral("Count the r's");
        request.modelKey = QStringLiteral("test-") + kind + QStringLiteral("/model-x");
        const QString id = m_backend->chat().send(request).result().assistant.id;
        std::optional<Message> m;
        QElapsedTimer waited;
        waited.start();
        while (!((m = stored(id)) && !domain::isLive(m->status)) && waited.elapsed() < 30000)
            QTest::qWait(10);
        return m.value_or(Message{});
    }

    std::optional<Message> stored(const QString &id)
    {
        return m_backend->store()
            .read([id](QSqlDatabase &db) { return store::messages::get(db, id); })
            .result();
    }

    void setPrice(const QString &provider, double input, double output, double cached,
                  double reasoning)
    {
        usage::Price p;
        p.provider = provider;
        p.model = QStringLiteral("model-*");
        p.validFrom = QStringLiteral("2020-01-01");
        p.input = input;
        p.output = output;
        p.cachedInput = cached;
        p.reasoning = reasoning;
        QCOMPARE(usage::UsageService::check(p), QString());
        m_backend->usage().setPrice(p).waitForFinished();
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

    void eachProtocolsUsageIsStoredExactly_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("transcript");
        QTest::addColumn<QByteArray>("type");
        QTest::addColumn<int>("input");
        QTest::addColumn<int>("output");
        QTest::addColumn<int>("cached");
        QTest::addColumn<int>("reasoning");
        const QByteArray sse("text/event-stream");
        // prompt_tokens includes the cached part; completion_tokens the reasoning.
        QTest::newRow("openai") << "openai"
                                << "openai-cached.sse" << sse << 2006 << 300 << 1920 << 64;
        QTest::newRow("openai, no details") << "openai"
                                            << "openai-text.sse" << sse << 16 << 300 << 0 << 0;
        // input_tokens + cache_creation_input_tokens + cache_read_input_tokens; thinking has
        // no count of its own.
        QTest::newRow("anthropic")
            << "anthropic"
            << "anthropic-cached.sse" << sse << 12 + 100 + 2000 << 30 << 2000 << -1;
        // candidatesTokenCount does not include thoughtsTokenCount: output is their sum.
        QTest::newRow("gemini") << "gemini"
                                << "gemini-cached.sse" << sse << 2100 << 23 + 185 << 2048 << 185;
        QTest::newRow("ollama") << "ollama"
                                << "ollama-text.ndjson" << QByteArray("application/x-ndjson") << 26
                                << 282 << -1 << -1;
    }

    void eachProtocolsUsageIsStoredExactly()
    {
        QFETCH(QString, kind);
        QFETCH(QString, transcript);
        QFETCH(QByteArray, type);
        QFETCH(int, input);
        QFETCH(int, output);
        QFETCH(int, cached);
        QFETCH(int, reasoning);
        open(kind);
        // Per million: input 3, output 15, cached 0.3, reasoning 20.
        setPrice(QStringLiteral("test-") + kind, 3, 15, 0.3, 20);
        const Message m = reply(kind, transcript, type);
        QCOMPARE(domain::toString(m.status), QStringLiteral("complete"));
        QCOMPARE(m.promptTokens, input);
        QCOMPARE(m.completionTokens, output);
        QCOMPARE(m.cachedTokens, cached);
        QCOMPARE(m.reasoningTokens, reasoning);
        QCOMPARE(m.usageEstimated, false);
        // In billionths of a dollar: tokens × price per million × 1000.
        const qint64 c = std::max(0, cached);
        const qint64 r = std::max(0, reasoning);
        const qint64 expected = (input - c) * 3000 + c * 300 + (output - r) * 15000 + r * 20000;
        QCOMPARE(m.costNanos, expected);
        QCOMPARE(m.currency, QStringLiteral("USD"));
        // The conversation's total is that reply.
        const auto totals = m_backend->usage().conversationTotals(m.conversationId).result();
        QCOMPARE(totals.size(), 1);
        QCOMPARE(totals.first().inputTokens, qint64(input));
        QCOMPARE(totals.first().outputTokens, qint64(output));
        QCOMPARE(totals.first().costNanos, expected);
    }

    void aModelWithoutAPriceHasNoCost()
    {
        open(QStringLiteral("openai"));
        const Message m = reply(QStringLiteral("openai"), QStringLiteral("openai-cached.sse"),
                                "text/event-stream");
        QCOMPARE(m.promptTokens, 2006);
        QCOMPARE(m.costNanos, qint64(-1)); // unknown, not 0
        QCOMPARE(m.currency, QString());
        const auto totals = m_backend->usage().conversationTotals(m.conversationId).result();
        QCOMPARE(totals.size(), 1);
        QCOMPARE(totals.first().currency, QString()); // the unpriced bucket
        QCOMPARE(totals.first().inputTokens, qint64(2006));
    }

    void aStreamWithoutUsageIsEstimated()
    {
        open(QStringLiteral("openai"));
        setPrice(QStringLiteral("test-openai"), 1, 2, -1, -1);
        const Message m = reply(QStringLiteral("openai"), QStringLiteral("openai-nousage.sse"),
                                "text/event-stream");
        QCOMPARE(domain::toString(m.status), QStringLiteral("complete"));
        QCOMPARE(m.content, QStringLiteral("**"));
        QCOMPARE(m.usageEstimated, true);
        // Four characters a token, rounded up: the question (13 characters) and the reply (2).
        QCOMPARE(m.promptTokens, 4);
        QCOMPARE(m.completionTokens, 1);
        QCOMPARE(m.costNanos, qint64(4 * 1000 + 1 * 2000));
        const auto totals = m_backend->usage().conversationTotals(m.conversationId).result();
        QCOMPARE(totals.size(), 1);
        QCOMPARE(totals.first().estimated, qint64(1));
    }

    void aPriceChangedLaterLeavesTheCostAsItWas()
    {
        open(QStringLiteral("ollama"));
        setPrice(QStringLiteral("test-ollama"), 1, 1, -1, -1);
        const Message m = reply(QStringLiteral("ollama"), QStringLiteral("ollama-text.ndjson"),
                                "application/x-ndjson");
        QCOMPARE(m.costNanos, qint64((26 + 282) * 1000));
        setPrice(QStringLiteral("test-ollama"), 100, 100, -1, -1);
        QCOMPARE(stored(m.id)->costNanos, qint64((26 + 282) * 1000));
    }
};

QTEST_GUILESS_MAIN(TestUsageReplies)
#include "tst_usagereplies.moc"
