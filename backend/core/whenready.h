#pragma once

#include <QFuture>
#include <QFutureWatcher>
#include <QObject>

#include <utility>

namespace arbor::core {

/**
 * @brief Runs @p fn(future) on @p context's thread once @p future has finished (with a value,
 * an exception or cancelled), exactly once, and never when @p context is gone.
 *
 * The backend's replacement for `future.then(context, fn)`.
 * HACK(Qt 6.4 QFutureInterfaceBase::setContinuation): a continuation attached while another
 * thread is inside reportFinished() (after the state became Finished, before it ran the
 * continuations) runs twice, the second time with the QPromise its first run moved out, and
 * crashes in QFutureInterfaceBase::reportStarted(). Futures of the store finish on its threads
 * while the engine attaches continuations, so at thousands of jobs a second this happens within
 * seconds (arbord bench batch crashed with SIGSEGV). Later Qt versions mark the continuation as
 * executed; here a QFutureWatcher owned by @p context reports through its event loop instead.
 * Always later, never inside this call, also for a future that has already finished.
 */
template<typename T, typename Fn>
void whenReady(QObject *context, QFuture<T> future, Fn &&fn)
{
    auto *watcher = new QFutureWatcher<T>(context);
    QObject::connect(watcher, &QFutureWatcherBase::finished, watcher,
                     [watcher, fn = std::forward<Fn>(fn)]() mutable {
                         watcher->deleteLater();
                         fn(watcher->future());
                     });
    watcher->setFuture(std::move(future));
}

} // namespace arbor::core
