#pragma once

#include "jobs/jobhandler.h"

namespace arbor::store {
class Store;
}
namespace arbor::tools {
class ToolHost;
}

namespace arbor::chat {

/**
 * @brief Job kind "tool.call": runs one tool call of a reply on its MCP server, with the host's
 * timeout. Payload (ids only): {"message_id", "call": the call's index in the message's
 * tool_calls}; the tool, its server and its arguments are read from the stored entry, which the
 * reply marked running before it enqueued the job. The outcome is stored on the entry in the
 * job's end transaction, then the host is told (ToolHost::callEnded) and the reply waiting for
 * it goes on. Its jobs are pinned to the process that runs the reply (jobs::pinnedQueue) and
 * registered only where a ToolHost is: never in `arbord worker`.
 */
class ToolCallJobHandler : public jobs::JobHandler
{
public:
    static constexpr auto Kind = "tool.call";

    ToolCallJobHandler(store::Store &store, tools::ToolHost &host);

    QString kind() const override { return QString::fromLatin1(Kind); }
    void start(jobs::JobRun *run) override;
    /** @brief A call whose process died is interrupted (the server may have acted on it: it
     *  is never run again); the reply can be continued, and the model is told. */
    Recovery recover(const QSqlDatabase &db, const jobs::Job &job, bool canRetry) override
    {
        return recoverCall(db, job, canRetry);
    }
    /** @brief recover(), also for a process that does not run tool calls. */
    static Recovery recoverCall(const QSqlDatabase &db, const jobs::Job &job, bool canRetry);

private:
    store::Store &m_store;
    tools::ToolHost &m_host;
};

} // namespace arbor::chat
