#pragma once

#include "jobs/jobhandler.h"

namespace arbor::store {
class Store;
}
namespace arbor::llm {
class ProviderRegistry;
}
namespace arbor::tools {
class ToolHost;
}

namespace arbor::chat {

class ChatEvents;
class ChunkCommitter;
class LiveTexts;

/**
 * @brief Job kind "chat.reply": streams one assistant message. Payload: {"message_id", "options"}.
 * Text is kept live in LiveTexts, stored as chunks by a group commit across all replies every
 * few milliseconds (ChunkCommitter), and folded into the message when it ends, in the same
 * transaction as the job's end.
 */
class ChatJobHandler : public jobs::JobHandler
{
public:
    static constexpr auto Kind = "chat.reply";
    /** @brief A reply that may call tools (its options name the servers: {"tools": [...]}).
     *  Only a process with a ToolHost handles it (the app, `arbord chat --tools`): never
     *  `arbord worker`, which cannot ask the user and may not have the servers. */
    static constexpr auto ToolsKind = "chat.tools";
    /** @param host non-null: this handler runs replies with tools (kind ToolsKind). */
    ChatJobHandler(store::Store &store, llm::ProviderRegistry &providers, ChatEvents &events,
                   LiveTexts &live, tools::ToolHost *host = nullptr);

    QString kind() const override { return QString::fromLatin1(m_host ? ToolsKind : Kind); }
    void start(jobs::JobRun *run) override;
    /** @brief A reply whose process died: with text, it becomes "interrupted" (text kept) and
     *  the job is cancelled — re-running it would spend a paid call and overwrite nothing
     *  useful; the user can continue or regenerate. Without text it is simply queued again. */
    Recovery recover(const QSqlDatabase &db, const jobs::Job &job, bool canRetry) override
    {
        return recoverReply(db, job, canRetry);
    }
    /** @brief recover(), also for a process that does not run replies with tools. */
    static Recovery recoverReply(const QSqlDatabase &db, const jobs::Job &job, bool canRetry);

private:
    store::Store &m_store;
    llm::ProviderRegistry &m_providers;
    ChatEvents &m_events;
    LiveTexts &m_live;
    tools::ToolHost *m_host;
    ChunkCommitter *m_committer = nullptr; ///< made on the engine thread by the first start()
};

} // namespace arbor::chat
