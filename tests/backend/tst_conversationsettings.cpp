// Per-conversation model parameters (system prompt, temperature, max tokens): stored through
// ChatService, validated, and sent to the vendor by the real core::Backend (fake vendor server).
#include "chat/chatevents.h"
#include "chat/chatservice.h"
#include "core/backend.h"
#include "llm/providerfactory.h"
#include "llm/providerregistry.h"
#include "store/conversationqueries.h"
#include "store/messagequeries.h"
#include "store/sql.h"
#include "store/store.h"
#include "support/fakevendorserver.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace arbor;
using testsupport::FakeVendorServer;

class TestConversationSettings : public QObject
{
    Q_OBJECT

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<FakeVendorServer> m_server;
    std::unique_ptr<core::Backend> m_backend;

    chat::SendResult send(const QString &conversationId, const QString &text)
    {
        chat::SendRequest request;
        request.conversationId = conversationId;
        request.text = text;
        request.modelKey = QStringLiteral("test-openai/model-x");
        return m_backend->chat().send(request).result();
    }

    bool ended(const QString &messageId)
    {
        const auto m =
            m_backend->store()
                .read([messageId](QSqlDatabase &db) { return store::messages::get(db, messageId); })
                .result();
        return m && !domain::isLive(m->status);
    }

    /** @brief The message of the exception @p f failed with ("" if it did not fail). */
    template<typename T>
    static QString failureOf(QFuture<T> f)
    {
        try {
            f.waitForFinished();
        } catch (const store::StoreError &e) {
            return QString::fromUtf8(e.what());
        }
        return {};
    }

private Q_SLOTS:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        m_server = std::make_unique<FakeVendorServer>();
        m_backend = std::make_unique<core::Backend>(
            core::BackendOptions{m_dir->filePath(QStringLiteral("arbor.db")), 0, true, 2});
        m_backend->open();
        llm::ProviderConfig config;
        config.id = QStringLiteral("test-openai");
        config.kind = QStringLiteral("openai");
        config.name = QStringLiteral("Test openai");
        QUrl base = m_server->baseUrl();
        base.setPath(QStringLiteral("/v1"));
        config.baseUrl = base;
        config.apiKey = QStringLiteral("sk-test-key");
        config.models = {QStringLiteral("model-x")};
        m_backend->providers().add(llm::createProvider(config));
    }

    void cleanup()
    {
        m_backend.reset();
        m_server.reset();
        m_dir.reset();
    }

    void settingsAreStoredAndReadBack()
    {
        m_server->enqueue(FakeVendorServer::stream(
            FakeVendorServer::transcript(QStringLiteral("openai-text.sse")), "text/event-stream"));
        const chat::SendResult first = send({}, QStringLiteral("Hello"));
        QTRY_VERIFY_WITH_TIMEOUT(ended(first.assistant.id), 30000);
        const QString id = first.conversationId;
        QCOMPARE(m_backend->chat().conversationSettings(id).result(), QJsonObject());

        QSignalSpy changed(&m_backend->events(), &chat::ChatEvents::conversationsChanged);
        const QJsonObject settings{{QStringLiteral("system_prompt"), QStringLiteral("Be brief.")},
                                   {QStringLiteral("temperature"), 0.3},
                                   {QStringLiteral("max_tokens"), 200}};
        m_backend->chat().setConversationSettings(id, settings).waitForFinished();
        QTRY_COMPARE(changed.size(), 1);
        QCOMPARE(m_backend->chat().conversationSettings(id).result(), settings);

        // Keys left out go back to the default; keys that are not parameters are kept.
        m_backend->store()
            .write([id](QSqlDatabase &db) {
                store::exec(
                    db,
                    QStringLiteral(
                        "UPDATE conversations SET settings = json_set(settings, '$.other', 1) "
                        "WHERE id = ?"),
                    {id});
            })
            .waitForFinished();
        m_backend->chat()
            .setConversationSettings(id, {{QStringLiteral("temperature"), 1.5}})
            .waitForFinished();
        const QJsonObject expected{{QStringLiteral("temperature"), 1.5},
                                   {QStringLiteral("other"), 1}};
        QCOMPARE(m_backend->chat().conversationSettings(id).result(), expected);
    }

    void invalidValuesAreRejected_data()
    {
        QTest::addColumn<QJsonObject>("settings");
        QTest::addColumn<QString>("message");
        const QString temperature = QStringLiteral("The temperature must be between 0 and 2");
        const QString maxTokens = QStringLiteral("Max tokens must be a whole number from 1 to");
        QTest::newRow("temperature below 0")
            << QJsonObject{{QStringLiteral("temperature"), -0.1}} << temperature;
        QTest::newRow("temperature above 2")
            << QJsonObject{{QStringLiteral("temperature"), 2.01}} << temperature;
        QTest::newRow("temperature as text")
            << QJsonObject{{QStringLiteral("temperature"), QStringLiteral("hot")}} << temperature;
        QTest::newRow("max tokens 0")
            << QJsonObject{{QStringLiteral("max_tokens"), 0}} << maxTokens;
        QTest::newRow("max tokens too many")
            << QJsonObject{{QStringLiteral("max_tokens"), 1'000'001}} << maxTokens;
        QTest::newRow("max tokens fraction")
            << QJsonObject{{QStringLiteral("max_tokens"), 10.5}} << maxTokens;
        QTest::newRow("system prompt too long")
            << QJsonObject{{QStringLiteral("system_prompt"),
                            QString(chat::ChatService::MaxSystemPromptLength + 1,
                                    QLatin1Char('x'))}}
            << QStringLiteral("The system prompt has");
    }

    void invalidValuesAreRejected()
    {
        QFETCH(QJsonObject, settings);
        QFETCH(QString, message);
        m_server->enqueue(FakeVendorServer::stream(
            FakeVendorServer::transcript(QStringLiteral("openai-text.sse")), "text/event-stream"));
        const chat::SendResult first = send({}, QStringLiteral("Hello"));
        QTRY_VERIFY_WITH_TIMEOUT(ended(first.assistant.id), 30000);
        const QJsonObject valid{{QStringLiteral("temperature"), 2},
                                {QStringLiteral("max_tokens"), 1'000'000}};
        m_backend->chat().setConversationSettings(first.conversationId, valid).waitForFinished();

        const QString error =
            failureOf(m_backend->chat().setConversationSettings(first.conversationId, settings));
        QVERIFY2(error.startsWith(message), qPrintable(error));
        QCOMPARE(m_backend->chat().conversationSettings(first.conversationId).result(), valid);
    }

    void theThinkingBudgetChangesOnlyWhenNamed()
    {
        m_server->enqueue(FakeVendorServer::stream(
            FakeVendorServer::transcript(QStringLiteral("openai-text.sse")), "text/event-stream"));
        const chat::SendResult first = send({}, QStringLiteral("Hello"));
        QTRY_VERIFY_WITH_TIMEOUT(ended(first.assistant.id), 30000);
        const QString id = first.conversationId;
        m_backend->chat()
            .setConversationSettings(
                id,
                {{QStringLiteral("thinking_budget"), 4096}, {QStringLiteral("temperature"), 0.5}})
            .waitForFinished();
        QCOMPARE(m_backend->chat().conversationSettings(id).result(),
                 (QJsonObject{{QStringLiteral("thinking_budget"), 4096},
                              {QStringLiteral("temperature"), 0.5}}));
        // The Parameters dialog (which does not know it) saves: the budget stays.
        m_backend->chat()
            .setConversationSettings(id, {{QStringLiteral("max_tokens"), 9000}})
            .waitForFinished();
        QCOMPARE(m_backend->chat().conversationSettings(id).result(),
                 (QJsonObject{{QStringLiteral("thinking_budget"), 4096},
                              {QStringLiteral("max_tokens"), 9000}}));
        // Null turns it off; too small a budget is refused with a sentence.
        m_backend->chat()
            .setConversationSettings(id,
                                     {{QStringLiteral("thinking_budget"), QJsonValue()},
                                      {QStringLiteral("max_tokens"), 9000}})
            .waitForFinished();
        QCOMPARE(m_backend->chat().conversationSettings(id).result(),
                 (QJsonObject{{QStringLiteral("max_tokens"), 9000}}));
        const QString error = failureOf(m_backend->chat().setConversationSettings(
            id, {{QStringLiteral("thinking_budget"), 1000}}));
        QVERIFY2(error.startsWith(u"The thinking budget must be a whole number of tokens from"),
                 qPrintable(error));
    }

    void unknownConversationIsAnError()
    {
        const QString error = failureOf(m_backend->chat().setConversationSettings(
            QStringLiteral("nope"), {{QStringLiteral("temperature"), 1}}));
        QVERIFY2(error.contains(u"nope"), qPrintable(error));
        QVERIFY(
            !failureOf(m_backend->chat().conversationSettings(QStringLiteral("nope"))).isEmpty());
        const QString storeError = failureOf(m_backend->store().write([](QSqlDatabase &db) {
            store::conversations::setSettings(db, QStringLiteral("nope"), {});
        }));
        QVERIFY2(storeError.contains(u"nope"), qPrintable(storeError));
    }

    void settingsReachTheProvider()
    {
        for (int i = 0; i < 2; ++i) {
            m_server->enqueue(FakeVendorServer::stream(
                FakeVendorServer::transcript(QStringLiteral("openai-text.sse")),
                "text/event-stream"));
        }
        const chat::SendResult first = send({}, QStringLiteral("Hello"));
        QTRY_VERIFY_WITH_TIMEOUT(ended(first.assistant.id), 30000);
        const QJsonObject before =
            QJsonDocument::fromJson(m_server->requests().at(0).body).object();
        QVERIFY(!before.contains(u"temperature"));
        QVERIFY(!before.contains(u"max_tokens"));

        m_backend->chat()
            .setConversationSettings(
                first.conversationId,
                {{QStringLiteral("system_prompt"), QStringLiteral("Answer in French.")},
                 {QStringLiteral("temperature"), 0.7},
                 {QStringLiteral("max_tokens"), 64}})
            .waitForFinished();
        const chat::SendResult second = send(first.conversationId, QStringLiteral("And now?"));
        QTRY_VERIFY_WITH_TIMEOUT(ended(second.assistant.id), 30000);
        QCOMPARE(m_server->requests().size(), 2);
        const QJsonObject body = QJsonDocument::fromJson(m_server->requests().at(1).body).object();
        QCOMPARE(body.value(u"temperature").toDouble(), 0.7);
        QCOMPARE(body.value(u"max_tokens").toInt(), 64);
        const QJsonArray turns = body.value(u"messages").toArray();
        QCOMPARE(turns.first().toObject().value(u"role").toString(), QStringLiteral("system"));
        QCOMPARE(turns.first().toObject().value(u"content").toString(),
                 QStringLiteral("Answer in French."));
        QCOMPARE(turns.last().toObject().value(u"content").toString(), QStringLiteral("And now?"));
    }

    void settingsGoWithASend()
    {
        // As `arbord chat --system ... --temperature ...`: stored before the reply is queued, in
        // the same transaction, so the first request already has them.
        m_server->enqueue(FakeVendorServer::stream(
            FakeVendorServer::transcript(QStringLiteral("openai-text.sse")), "text/event-stream"));
        chat::SendRequest request;
        request.text = QStringLiteral("Hello");
        request.modelKey = QStringLiteral("test-openai/model-x");
        request.settings = {{QStringLiteral("system_prompt"), QStringLiteral("Be brief.")},
                            {QStringLiteral("temperature"), 0.3}};
        const chat::SendResult sent = m_backend->chat().send(request).result();
        QTRY_VERIFY_WITH_TIMEOUT(ended(sent.assistant.id), 30000);
        const QJsonObject body = QJsonDocument::fromJson(m_server->requests().at(0).body).object();
        QCOMPARE(body.value(u"temperature").toDouble(), 0.3);
        QCOMPARE(body.value(u"messages").toArray().first().toObject().value(u"content").toString(),
                 QStringLiteral("Be brief."));

        // A null goes back to the default; what is not named stays.
        request.conversationId = sent.conversationId;
        request.settings = {{QStringLiteral("temperature"), QJsonValue()},
                            {QStringLiteral("max_tokens"), 32}};
        m_server->enqueue(FakeVendorServer::stream(
            FakeVendorServer::transcript(QStringLiteral("openai-text.sse")), "text/event-stream"));
        const chat::SendResult again = m_backend->chat().send(request).result();
        QTRY_VERIFY_WITH_TIMEOUT(ended(again.assistant.id), 30000);
        QCOMPARE(m_backend->chat().conversationSettings(sent.conversationId).result(),
                 (QJsonObject{{QStringLiteral("system_prompt"), QStringLiteral("Be brief.")},
                              {QStringLiteral("max_tokens"), 32}}));
    }

    void invalidSettingsRefuseTheSend_data()
    {
        QTest::addColumn<QJsonObject>("settings");
        QTest::newRow("temperature 5") << QJsonObject{{QStringLiteral("temperature"), 5}};
        QTest::newRow("max_tokens 0") << QJsonObject{{QStringLiteral("max_tokens"), 0}};
        QTest::newRow("not a parameter")
            << QJsonObject{{QStringLiteral("model"), QStringLiteral("x")}};
    }

    void invalidSettingsRefuseTheSend()
    {
        QFETCH(QJsonObject, settings);
        chat::SendRequest request;
        request.text = QStringLiteral("Hello");
        request.modelKey = QStringLiteral("test-openai/model-x");
        request.settings = settings;
        QVERIFY(!failureOf(m_backend->chat().send(request)).isEmpty());
        QCOMPARE(m_backend->chat().conversations().result().size(), 0); // nothing stored
        QVERIFY(m_server->requests().isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestConversationSettings)
#include "tst_conversationsettings.moc"
