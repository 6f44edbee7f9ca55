#pragma once

#include "domain/toolcall.h"

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QStringList>

namespace arbor::tools {
class ToolHost;
class McpCall;
} // namespace arbor::tools

namespace arbor::chat {

/**
 * @brief Runs the calls one reply made in one round (@p from .. end of @p calls), each by its
 * policy: allowed ones at once and in parallel, asked ones after the user's answer (or as the
 * process's AskMode says), denied ones not at all (the model gets a tool error). Nothing reaches
 * a server before its call is allowed. An allowed call is marked running, stored (changed()),
 * then runs as a job of its own (kind "tool.call", ToolCallJobHandler) pinned to this process;
 * its outcome comes back from the job (ToolHost::callEnded). Updates the calls in place and says
 * so (changed()); finished() once every call has an outcome.
 */
class ToolRound : public QObject
{
    Q_OBJECT

public:
    ToolRound(tools::ToolHost &host, QStringList servers, QString messageId,
              QList<domain::ToolCall> &calls, qsizetype from, QObject *parent);
    void start();
    /** @brief Stops what runs or waits: the calls end as interrupted (with @p note). */
    void stop(const QString &note);
    bool isFinished() const { return m_left == 0; }

Q_SIGNALS:
    void changed();
    void finished();

private:
    /** @brief Marks the call running; its job is enqueued by enqueueMarked() once stored. */
    void run(qsizetype index, const QString &server);
    /** @brief Enqueues the jobs of the calls run() marked (after changed() stored them). */
    void enqueueMarked();
    void onCallEnded(const QString &messageId, int index, const QJsonObject &entry);
    void settle(qsizetype index, const QString &status, const QString &result, bool isError);
    void onDecided(const QString &messageId, int index, bool allow, bool always);

    tools::ToolHost &m_host;
    QStringList m_servers;
    QString m_messageId;
    QList<domain::ToolCall> &m_calls;
    qsizetype m_from;
    int m_left = 0;
    QList<qsizetype> m_marked;       ///< running, job not yet enqueued
    QHash<qsizetype, qint64> m_jobs; ///< call index → its job, while it runs
    bool m_stopped = false;
};

} // namespace arbor::chat
