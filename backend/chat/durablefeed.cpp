#include "durablefeed.h"

#include "chatevents.h"
#include "replyfollower.h"

#include <QPointer>

namespace arbor::chat {

namespace {
QList<QPointer<ReplyFollower>> guarded(const QList<ReplyFollower *> &followers)
{
    QList<QPointer<ReplyFollower>> out;
    out.reserve(followers.size());
    for (ReplyFollower *f : followers)
        out.append(f);
    return out;
}
} // namespace

DurableFeed::DurableFeed(ChatEvents &events, QObject *parent)
    : QObject(parent)
{
    qRegisterMetaType<QList<CommittedText>>();
    connect(&events, &ChatEvents::textsCommitted, this, [this](const QList<CommittedText> &pieces) {
        for (const CommittedText &piece : pieces) {
            const auto it = m_followers.constFind(piece.messageId);
            if (it == m_followers.cend())
                continue;
            for (const QPointer<ReplyFollower> &f : guarded(*it)) // one may go meanwhile
                if (f)
                    f->takeCommitted(piece);
        }
    });
    connect(
        &events, &ChatEvents::messageStateChanged, this,
        [this](const QString &, const QString &id, const QString &status, const QString &error) {
            const auto it = m_followers.constFind(id);
            if (it == m_followers.cend())
                return;
            for (const QPointer<ReplyFollower> &f : guarded(*it))
                if (f)
                    f->takeState(status, error);
        });
}

void DurableFeed::add(const QString &messageId, ReplyFollower *follower)
{
    m_followers[messageId].append(follower);
}

void DurableFeed::remove(const QString &messageId, ReplyFollower *follower)
{
    auto it = m_followers.find(messageId);
    if (it == m_followers.end())
        return;
    it->removeOne(follower);
    if (it->isEmpty())
        m_followers.erase(it);
}

} // namespace arbor::chat
