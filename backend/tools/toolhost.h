#pragma once

#include "toolservice.h"

#include "llm/provider.h"

#include <QFuture>
#include <QHash>
#include <QObject>
#include <QPointer>

#include <functional>

namespace arbor::jobs {
class JobEngine;
}

namespace arbor::tools {

class McpCall;
class McpClient;
struct McpTool;

/** @brief What to do with a call whose policy is "ask". */
enum class AskMode {
    Ask,            ///< wait for the user (the app): the call waits as awaiting_approval
    ApproveAll,     ///< `arbord chat --tools … --approve-all`: run it
    DenyUnapproved, ///< `--deny-unapproved`: deny it (the model gets a tool error)
    NoFlag,         ///< `arbord chat --tools` with neither: deny it, saying how to allow it
};

/** @brief The live state of one server in this process. */
struct ServerStatus
{
    enum class State { Starting, Ready, Failed };
    QString name;
    State state = State::Starting;
    int toolCount = 0;
    QString error;      ///< Failed: why
    QString stderrTail; ///< Failed: the server's last stderr lines
};

/** @brief Where a tool the model named lives, and what may happen when it is called. */
struct ToolRoute
{
    QString server;
    QString tool;
    Policy policy = Policy::Ask;
    bool found = false;
};

/**
 * @brief The MCP servers this process runs tools on: it connects the servers a reply asks for
 * (once; they stay up for the next replies), offers their tools to the model, routes a call to
 * its server with its policy. Only a process that can ask the user (the app, or the
 * `arbord chat --tools` that sent the message) has one; `arbord worker` has none and never
 * claims a reply with tools (job kind "chat.tools"). Lives on the thread that runs jobs.
 */
class ToolHost : public QObject
{
    Q_OBJECT

public:
    /// How long a tool call may run before it is cancelled.
    static constexpr int DefaultCallTimeoutMs = 120000;

    explicit ToolHost(ToolService &service, QObject *parent = nullptr);
    ~ToolHost() override;

    AskMode askMode() const { return m_askMode; }
    void setAskMode(AskMode mode) { m_askMode = mode; }
    int callTimeoutMs() const { return m_callTimeoutMs; }
    void setCallTimeoutMs(int ms) { m_callTimeoutMs = ms; }

    /** @brief The engine that runs this process's tool calls as jobs (kind "tool.call"). */
    void setEngine(jobs::JobEngine *engine) { m_engine = engine; }
    /** @brief The worker id calls of this process are pinned to ("" without an engine). */
    QString workerId() const;
    /** @brief Enqueues call @p index of message @p messageId as a job of its own, pinned to
     *  this process (jobs::pinnedQueue); resolves with the job's id. The call's entry must be
     *  stored as running first: the job reads it (its payload carries ids only). */
    QFuture<qint64> enqueueCall(const QString &messageId, int index);
    /** @brief Asks the job of a call to stop (it ends as interrupted). */
    void cancelCall(qint64 jobId);
    /** @brief Told by a call's job once its end is stored: @p call is its entry now. */
    void noteCallEnded(const QString &messageId, int index, const QJsonObject &call)
    {
        Q_EMIT callEnded(messageId, index, call);
    }

    /** @brief Connects the servers named (those not yet up), reads their tools' policies; the
     *  future finishes when each is ready or failed. */
    QFuture<void> ensure(const QStringList &servers);
    /** @brief The tools of @p servers that are ready, for the model (a name two servers offer
     *  goes to the first). Tools whose policy is deny are left out. */
    QList<llm::ToolSpec> specs(const QStringList &servers) const;
    /** @brief Which server of @p servers offers @p tool, and its policy. */
    ToolRoute route(const QStringList &servers, const QString &tool) const;
    /** @brief Runs @p route with @p arguments on its server (the call belongs to the host). */
    McpCall *call(const ToolRoute &route, const QJsonObject &arguments);
    /** @brief Why servers of @p servers failed ("name: reason"; "" when none did). */
    QString failures(const QStringList &servers) const;

    QList<ServerStatus> statuses() const;
    /** @brief Remembers "always allow" for a tool (stored, and in effect at once). */
    void allowAlways(const QString &server, const QString &tool);
    /** @brief Forgets the connection to @p server (its settings changed). */
    void drop(const QString &server);
    /** @brief The user's answer to call @p index of message @p messageId, which waits for
     *  approval: run it (and with @p always, allow its tool from now on) or deny it. */
    void decide(const QString &messageId, int index, bool allow, bool always);

Q_SIGNALS:
    void statusChanged(const QString &server);
    void decided(const QString &messageId, int index, bool allow, bool always);
    /** @brief The job of call @p index of @p messageId ended; @p call is its stored entry. */
    void callEnded(const QString &messageId, int index, const QJsonObject &call);

private:
    struct Server
    {
        QPointer<McpClient> client;
        ServerStatus status;
        QHash<QString, Policy> policies;
        QList<std::function<void()>> waiting; ///< told when it is ready or failed
    };
    void connectServer(const QString &name);
    void settle(const QString &name);
    const McpTool *toolOf(const QString &server, const QString &tool) const;

    ToolService &m_service;
    jobs::JobEngine *m_engine = nullptr;
    AskMode m_askMode = AskMode::Ask;
    int m_callTimeoutMs = DefaultCallTimeoutMs;
    QHash<QString, Server> m_servers;
};

} // namespace arbor::tools
