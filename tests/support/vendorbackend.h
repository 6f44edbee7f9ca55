#pragma once

#include "chat/chatservice.h"
#include "core/backend.h"
#include "llm/providerfactory.h"
#include "llm/providerregistry.h"
#include "store/messagequeries.h"
#include "store/store.h"
#include "support/fakevendorserver.h"

#include <QJsonObject>
#include <QTemporaryDir>

#include <memory>
#include <optional>

namespace arbor::testsupport {

/**
 * @brief For tests that stream a vendor transcript through the real backend: a core::Backend on
 * a temporary store with one provider of each wire protocol ("test-openai", "test-anthropic",
 * "test-gemini", "test-ollama", each offering one model), all pointing at one FakeVendorServer.
 * A test class inherits it next to QObject, calls setUpVendors() in init() and tearDownVendors()
 * in cleanup().
 */
class VendorBackendFixture
{
protected:
    /** @brief A fresh store, server and backend whose providers offer @p model; the engine
     *  runs @p concurrency jobs at once; with @p runTools, the backend runs replies with tools
     *  (BackendOptions::runTools). */
    void setUpVendors(const QString &model, int concurrency = 2, bool runTools = false)
    {
        m_model = model;
        m_dir = std::make_unique<QTemporaryDir>();
        m_server = std::make_unique<FakeVendorServer>();
        core::BackendOptions options{m_dir->filePath(QStringLiteral("arbor.db")), 0, true,
                                     concurrency};
        options.runTools = runTools;
        m_backend = std::make_unique<core::Backend>(options);
        m_backend->open();
        addProvider(QStringLiteral("openai"), QStringLiteral("/v1"));
        addProvider(QStringLiteral("anthropic"), {});
        addProvider(QStringLiteral("gemini"), {});
        addProvider(QStringLiteral("ollama"), {});
    }

    void tearDownVendors()
    {
        m_backend.reset();
        m_server.reset();
        m_dir.reset();
    }

    /** @brief The content type a recorded transcript is served with. */
    static QByteArray contentType(const QString &transcript)
    {
        return transcript.endsWith(u".ndjson") ? "application/x-ndjson" : "text/event-stream";
    }

    /** @brief Sends @p text to the model of protocol @p kind (a new conversation unless
     *  @p conversationId), with conversation @p settings. */
    chat::SendResult send(const QString &kind, const QString &conversationId, const QString &text,
                          const QJsonObject &settings = {})
    {
        chat::SendRequest request;
        request.conversationId = conversationId;
        request.text = text;
        request.modelKey = QStringLiteral("test-%1/%2").arg(kind, m_model);
        request.settings = settings;
        return m_backend->chat().send(request).result();
    }

    /** @brief Sends @p text in a new conversation. */
    chat::SendResult send(const QString &kind, const QString &text) { return send(kind, {}, text); }

    std::optional<domain::Message> stored(const QString &messageId)
    {
        return m_backend->store()
            .read([messageId](QSqlDatabase &db) { return store::messages::get(db, messageId); })
            .result();
    }

    /** @brief The message is stored and no longer streaming. */
    bool ended(const QString &messageId)
    {
        const auto m = stored(messageId);
        return m && !domain::isLive(m->status);
    }

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<FakeVendorServer> m_server;
    std::unique_ptr<core::Backend> m_backend;

private:
    void addProvider(const QString &kind, const QString &path)
    {
        llm::ProviderConfig config;
        config.id = QStringLiteral("test-") + kind;
        config.kind = kind;
        config.name = QStringLiteral("Test ") + kind;
        QUrl base = m_server->baseUrl();
        base.setPath(path);
        config.baseUrl = base;
        config.apiKey = kind == u"ollama" ? QString() : QStringLiteral("sk-test-key");
        config.models = {m_model};
        m_backend->providers().add(llm::createProvider(config));
    }

    QString m_model;
};

} // namespace arbor::testsupport
