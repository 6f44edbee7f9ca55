#pragma once

#include "domain/message.h"
#include "llm/provider.h"

#include <QObject>
#include <QTimer>

namespace arbor::store {
class Store;
}
namespace arbor::jobs {
class JobRun;
enum class CancelReason;
} // namespace arbor::jobs

namespace arbor::chat {

class ChatEvents;
class LiveTexts;

/** @brief One streaming reply inside a running chat job: stream → live text, events, chunks. */
class ReplySession : public QObject
{
    Q_OBJECT

public:
    ReplySession(jobs::JobRun *run, domain::Message message, store::Store &store,
                 ChatEvents &events, LiveTexts &live);
    /** @brief Marks the message streaming and starts @p stream (taking ownership). */
    void begin(llm::ChatStream *stream);
    /** @brief Ends the reply with @p error (also used before any stream exists). */
    void fail(const llm::ChatError &error);

private:
    void onDelta(const QString &text);
    void onFinished(const llm::ChatUsage &usage, const QString &finishReason);
    void onCancel(jobs::CancelReason reason);
    void flush();
    void announce(const QString &status, const QString &error);

    jobs::JobRun *m_run;
    domain::Message m_message;
    store::Store &m_store;
    ChatEvents &m_events;
    LiveTexts &m_live;
    llm::ChatStream *m_stream = nullptr;
    QTimer m_flushTimer;
    QString m_pending;
    int m_seq = 0;
    qsizetype m_received = 0;
};

} // namespace arbor::chat
