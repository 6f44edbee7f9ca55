#pragma once

#include <QFuture>
#include <QString>

#include <memory>

namespace arbor::store {
class Store;
}
namespace arbor::jobs {
class JobEngine;
class JobsService;
} // namespace arbor::jobs
namespace arbor::llm {
class ProviderRegistry;
class DemoProvider;
} // namespace arbor::llm
namespace arbor::providers {
class ProviderService;
}
namespace arbor::sync {
class SyncService;
}
namespace arbor::chat {
class ChatEvents;
class ChatService;
class LiveTexts;
} // namespace arbor::chat

namespace arbor::usage {
class UsageService;
}
namespace arbor::exports {
class ExportService;
}
namespace arbor::imports {
class ImportService;
}
namespace arbor::tools {
class ToolHost;
class ToolService;
} // namespace arbor::tools
namespace arbor::batch {
class BatchService;
}

namespace arbor::core {

/** @brief How to assemble a backend. */
struct BackendOptions
{
    QString dbPath;          ///< empty: $ARBOR_DB, else the platform data folder
    double demoRate = 50.0;  ///< demo model speed, tokens per second (0 = as fast as possible)
    bool runJobs = true;     ///< false: a tool that must not run replies (providers, admin)
    int concurrency = 4;     ///< jobs run at once in this process
    qsizetype demoChars = 0; ///< demo replies are at least this long (0: the short answer)
    /// This process runs replies with tools (job kind chat.tools): it has a ToolHost and can
    /// ask the user (the app, `arbord chat --tools`). Never `arbord worker`.
    bool runTools = false;
    /// Claims only the jobs given to JobEngine::claimOnly(): `arbord import` runs the import it
    /// started, not the replies and imports queued in the store by others.
    bool onlyGivenJobs = false;
};

/**
 * @brief The composition root: store, providers, job engine and the use-case services (chat,
 * jobs, providers, team sync), wired once and shared by the window, arbord and the tests. It
 * opens the store for writing (creating and migrating it); a command that only looks uses
 * ReadOnlyBackend instead. Create and destroy it on one thread (the main one).
 */
class Backend
{
public:
    explicit Backend(BackendOptions options = {});
    ~Backend();

    /** @brief Opens and migrates the store, recovers what a previous process left running,
     *  then starts the job engine (neither when not running jobs). Throws
     *  StoreError with a user-facing message. Blocks briefly (start-up only). */
    void open();
    /** @brief Stops the engine (running replies keep their text) and closes the store. */
    void close();

    store::Store &store() { return *m_store; }
    /** @brief The store's file. */
    const QString &storePath() const;
    jobs::JobEngine &engine() { return *m_engine; }
    /** @brief The job dashboard: snapshots, retry, discard, cancel, pause/resume, limits. */
    jobs::JobsService &jobs() { return *m_jobs; }
    llm::ProviderRegistry &providers() { return *m_providers; }
    /** @brief The user's configured providers (settings, keychain keys, registry updates). */
    providers::ProviderService &providerService() { return *m_providerService; }
    chat::ChatEvents &events() { return *m_events; }
    chat::LiveTexts &liveTexts() { return *m_live; }
    chat::ChatService &chat() { return *m_chat; }
    /** @brief Tokens and cost: reports from the kept totals, the price list. */
    usage::UsageService &usage() { return *m_usage; }
    /** @brief Exports (Arbor JSON, Markdown, Open WebUI) through the store's readers; its calls
     *  wait, so run them off the GUI thread. */
    exports::ExportService &exports() { return *m_exports; }
    /** @brief Imports of other apps' exports, as durable jobs with progress (issue 18). */
    imports::ImportService &imports() { return *m_imports; }
    /** @brief MCP tool servers of this device and their tools' approval policies. */
    tools::ToolService &tools() { return *m_tools; }
    /** @brief The tool servers this process runs calls on; null unless options().runTools. */
    tools::ToolHost *toolHost() { return m_toolHost.get(); }
    /** @brief Batch runs: a template over a list × models (import, start, pause, export). */
    batch::BatchService &batch() { return *m_batch; }
    /** @brief Team sync: the configured server, its password, the engine, presence, unread. */
    sync::SyncService &sync() { return *m_sync; }
    /** @brief Starts team sync with the configured server (SyncService::start()) once the
     *  providers' keys are read: the keychain asks one question at a time. */
    void startSync();
    const BackendOptions &options() const { return m_options; }

private:
    BackendOptions m_options;
    std::unique_ptr<store::Store> m_store;
    std::unique_ptr<chat::ChatEvents> m_events;
    std::unique_ptr<chat::LiveTexts> m_live;
    std::unique_ptr<llm::ProviderRegistry> m_providers;
    std::unique_ptr<providers::ProviderService> m_providerService;
    std::unique_ptr<jobs::JobEngine> m_engine;
    std::unique_ptr<jobs::JobsService> m_jobs;
    std::unique_ptr<chat::ChatService> m_chat;
    std::unique_ptr<sync::SyncService> m_sync;
    std::unique_ptr<usage::UsageService> m_usage;
    std::unique_ptr<exports::ExportService> m_exports;
    std::unique_ptr<imports::ImportService> m_imports;
    std::unique_ptr<tools::ToolService> m_tools;
    std::unique_ptr<tools::ToolHost> m_toolHost;
    std::unique_ptr<batch::BatchService> m_batch;
    QFuture<void> m_providersLoaded;
    bool m_open = false;
};

} // namespace arbor::core
