#pragma once

#include <QHash>
#include <QList>
#include <QObject>

namespace arbor::chat {

class ChatEvents;
class ReplyFollower;

/**
 * @brief Hands committed text and ends of replies to the followers of each reply: one
 * connection to ChatEvents for the thread it lives on, and a list of followers per message,
 * so a piece costs a hash lookup and its own followers' work, never a call per follower of
 * every reply (hundreds of streams each hearing every other stream's deltas).
 */
class DurableFeed : public QObject
{
    Q_OBJECT

public:
    explicit DurableFeed(ChatEvents &events, QObject *parent = nullptr);

    void add(const QString &messageId, ReplyFollower *follower);
    void remove(const QString &messageId, ReplyFollower *follower);
    /** @brief Messages followed now (for tests and benchmarks). */
    qsizetype followed() const { return m_followers.size(); }

private:
    QHash<QString, QList<ReplyFollower *>> m_followers;
};

} // namespace arbor::chat
