#pragma once

#include <QCoreApplication>
#include <QFutureWatcherBase>
#include <QList>
#include <QObject>
#include <QPointer>

#include <algorithm>

namespace arbor::testsupport {

/**
 * @brief Delivers the answers that whenDone() (app/async.h) waits for on one context in the order
 * a test chooses, so that "an older read answered after a newer one" is certain, not a race.
 *
 * The store has several reader threads, so two reads asked one after the other may finish in
 * either order. whenDone() parents a QFutureWatcher to its context, and the watcher hears of the
 * answer through events posted to it, which wait until someone delivers them. Make this before
 * the requests (it remembers the watchers already there), make them without running the event
 * loop, then call deliver(): it waits until every answer is ready and delivers them one watcher
 * at a time, newest first or oldest first, in rounds until an answer asks nothing more.
 *
 * Check the controller right after deliver(), before the event loop runs again: a signal of the
 * backend queued meanwhile could make it read once more and hide what the order did.
 */
class AnswerOrder
{
public:
    enum class Order { NewestFirst, OldestFirst };

    explicit AnswerOrder(QObject *context)
        : m_context(context)
    {
        for (QFutureWatcherBase *w : watchers())
            m_seen.append(w);
    }

    /** @brief The watchers made since the last call (or construction), oldest first. */
    QList<QFutureWatcherBase *> take()
    {
        QList<QFutureWatcherBase *> out;
        for (QFutureWatcherBase *w : watchers()) {
            if (!m_seen.contains(w)) {
                m_seen.append(w);
                out.append(w);
            }
        }
        return out;
    }

    /** @brief Delivers every pending answer in @p order, round after round, and returns how
     *  many it delivered in the first round (the requests the test made). */
    qsizetype deliver(Order order)
    {
        qsizetype first = -1;
        for (QList<QFutureWatcherBase *> round = take(); !round.isEmpty(); round = take()) {
            if (first < 0)
                first = round.size();
            for (QFutureWatcherBase *w : round)
                w->waitForFinished();
            if (order == Order::NewestFirst)
                std::reverse(round.begin(), round.end());
            for (QFutureWatcherBase *w : round)
                QCoreApplication::sendPostedEvents(w, 0);
        }
        return std::max<qsizetype>(first, 0);
    }

private:
    QList<QFutureWatcherBase *> watchers() const
    {
        // Children in the order they were made.
        QList<QFutureWatcherBase *> out;
        for (QObject *child : m_context->children()) {
            if (auto *w = qobject_cast<QFutureWatcherBase *>(child))
                out.append(w);
        }
        return out;
    }

    QObject *m_context;
    QList<QPointer<QFutureWatcherBase>> m_seen;
};

} // namespace arbor::testsupport
