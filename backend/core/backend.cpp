#include "backend.h"

#include "whenready.h"

#include "batch/batchjobhandler.h"
#include "batch/batchservice.h"
#include "chat/chatevents.h"
#include "chat/chatjobhandler.h"
#include "chat/chatservice.h"
#include "chat/livetexts.h"
#include "chat/toolcalljobhandler.h"
#include "export/exportservice.h"
#include "import/importservice.h"
#include "jobs/jobengine.h"
#include "jobs/jobsservice.h"
#include "llm/demoprovider.h"
#include "llm/providerregistry.h"
#include "providers/providerservice.h"
#include "secrets/keychainsecretstore.h"
#include "store/store.h"
#include "sync/syncservice.h"
#include "tools/toolhost.h"
#include "tools/toolservice.h"
#include "usage/usageservice.h"

#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcBackend, "arbor.core", QtInfoMsg)

namespace arbor::core {

Backend::Backend(BackendOptions options)
    : m_options(std::move(options))
    , m_store(std::make_unique<store::Store>(store::Store::resolvePath(m_options.dbPath), 2,
                                             store::Store::Access::ReadWrite))
    , m_events(std::make_unique<chat::ChatEvents>())
    , m_live(std::make_unique<chat::LiveTexts>())
    , m_providers(std::make_unique<llm::ProviderRegistry>())
{
    qRegisterMetaType<domain::Message>();
    qRegisterMetaType<domain::Conversation>();
    jobs::JobEngine::Options engineOptions;
    engineOptions.concurrency = m_options.concurrency;
    engineOptions.onlyGivenJobs = m_options.onlyGivenJobs;
    m_engine = std::make_unique<jobs::JobEngine>(*m_store, engineOptions);
    m_jobs = std::make_unique<jobs::JobsService>(*m_store, *m_engine);
    m_chat = std::make_unique<chat::ChatService>(*m_store, *m_engine, *m_providers, *m_events);
    m_providers->add(std::make_shared<llm::DemoProvider>(m_options.demoRate, m_options.demoChars));
    m_providerService = std::make_unique<providers::ProviderService>(
        *m_store, *m_providers, std::make_unique<secrets::KeychainSecretStore>(), m_jobs.get());
    m_engine->registerHandler(
        std::make_shared<chat::ChatJobHandler>(*m_store, *m_providers, *m_events, *m_live));
    m_sync = std::make_unique<sync::SyncService>(*m_store);
    m_usage = std::make_unique<usage::UsageService>(*m_store);
    m_exports = std::make_unique<exports::ExportService>(store::StoreReader(*m_store));
    m_imports = std::make_unique<imports::ImportService>(*m_store, *m_engine);
    m_engine->registerHandler(m_imports->handler());
    // An import's conversations appear in the list as it goes and when it ends.
    QObject::connect(m_imports.get(), &imports::ImportService::finished, m_events.get(),
                     [events = m_events.get()] { Q_EMIT events->conversationsChanged(); });
    m_tools = std::make_unique<tools::ToolService>(
        *m_store, std::make_unique<secrets::KeychainSecretStore>());
    if (m_options.runTools) {
        m_toolHost = std::make_unique<tools::ToolHost>(*m_tools);
        m_toolHost->moveToThread(m_engine->engineThread()); // its calls run in chat jobs
        m_engine->registerHandler(std::make_shared<chat::ChatJobHandler>(
            *m_store, *m_providers, *m_events, *m_live, m_toolHost.get()));
        // Each call runs as a job of its own, pinned to this process.
        m_toolHost->setEngine(m_engine.get());
        m_engine->registerHandler(
            std::make_shared<chat::ToolCallJobHandler>(*m_store, *m_toolHost));
    } else {
        // Not run here, but what a killed process left of them is settled here as there.
        m_engine->registerRecovery(QString::fromLatin1(chat::ChatJobHandler::ToolsKind),
                                   &chat::ChatJobHandler::recoverReply);
        m_engine->registerRecovery(QString::fromLatin1(chat::ToolCallJobHandler::Kind),
                                   &chat::ToolCallJobHandler::recoverCall);
    }
    m_batch = std::make_unique<batch::BatchService>(*m_store, *m_engine, *m_providers);
    m_engine->registerHandler(m_batch->handler());
    // Local writes to shared conversations are pushed at once (the engine also finds them in
    // the outbox, later).
    sync::SyncService *syncService = m_sync.get();
    QObject::connect(
        m_events.get(), &chat::ChatEvents::messageCreated, syncService,
        [syncService](const domain::Message &m) { syncService->noteLocalWrite(m.conversationId); });
    QObject::connect(m_events.get(), &chat::ChatEvents::messageStateChanged, syncService,
                     &sync::SyncService::noteLocalWrite);
    QObject::connect(m_events.get(), &chat::ChatEvents::pathChanged, syncService,
                     [syncService](const QString &conversationId) {
                         syncService->noteLocalWrite(conversationId);
                     });
    // Committed text (one signal per group commit, not one per token): it is in the outbox.
    QObject::connect(m_events.get(), &chat::ChatEvents::textsCommitted, syncService,
                     [syncService](const QList<chat::CommittedText> &pieces) {
                         for (const chat::CommittedText &p : pieces)
                             syncService->noteLocalDelta(p.conversationId);
                     });
    QObject::connect(m_events.get(), &chat::ChatEvents::conversationsChanged, syncService,
                     &sync::SyncService::noteConversationsChanged);
}

Backend::~Backend()
{
    close();
}

void Backend::open()
{
    if (m_open)
        return;
    m_store->open();
    m_open = true;
    if (!m_options.runJobs)
        return;
    // Whatever a killed process left behind is settled before anything new runs.
    const int recovered = m_engine->recoverOrphans();
    const int swept = m_store->write(&chat::ChatService::sweepOrphanedMessages).result();
    if (recovered + swept > 0)
        qCInfo(lcBackend) << "recovered" << recovered << "jobs and" << swept
                          << "messages from an earlier run";
    // Jobs start once the configured providers are registered with their keys (read from the
    // keychain one at a time, asynchronously); with none configured that is at once.
    QFuture<void> loaded = m_providerService->load();
    m_providersLoaded = loaded;
    if (loaded.isFinished())
        m_engine->start();
    else
        core::whenReady(m_providerService.get(), loaded, [this](QFuture<void>) {
            if (m_open)
                m_engine->start();
        });
}

void Backend::startSync()
{
    if (!m_open)
        return;
    if (!m_providersLoaded.isValid() || m_providersLoaded.isFinished()) {
        m_sync->start();
        return;
    }
    core::whenReady(m_sync.get(), m_providersLoaded, [this](QFuture<void>) {
        if (m_open)
            m_sync->start();
    });
}

void Backend::close()
{
    if (!m_open)
        return;
    m_sync->stop(); // the sync thread uses the store
    m_engine->stop();
    m_store->close();
    m_open = false;
}

const QString &Backend::storePath() const
{
    return m_store->path();
}

} // namespace arbor::core
