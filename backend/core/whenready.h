#pragma once

#include <QFuture>
#include <QFutureWatcher>
#include <QObject>
#include <QPromise>
#include <QThread>

#include <exception>
#include <memory>
#include <type_traits>
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
 * Always later, never inside this call, also for a future that has already finished. The
 * context may live on another thread (as with then()): @p fn runs on the context's.
 */
template<typename T, typename Fn>
void whenReady(QObject *context, QFuture<T> future, Fn &&fn)
{
    if (context->thread() != QThread::currentThread()) {
        // A watcher lives on its context's thread: it is made there (nothing runs, and a
        // thenReady() result is cancelled, if the context is gone by then).
        QMetaObject::invokeMethod(
            context,
            [context, future = std::move(future), fn = std::forward<Fn>(fn)]() mutable {
                whenReady(context, std::move(future), std::move(fn));
            },
            Qt::QueuedConnection);
        return;
    }
    auto *watcher = new QFutureWatcher<T>(context);
    QObject::connect(watcher, &QFutureWatcherBase::finished, watcher,
                     [watcher, fn = std::forward<Fn>(fn)]() mutable {
                         watcher->deleteLater();
                         fn(watcher->future());
                     });
    watcher->setFuture(std::move(future));
}

namespace detail {

/** @brief @p fn with the future itself when it takes one, else with its value (none for void). */
template<typename T, typename Fn>
decltype(auto) invokeReady(Fn &fn, const QFuture<T> &future)
{
    if constexpr (std::is_invocable_v<Fn &, QFuture<T>>)
        return fn(future);
    else if constexpr (std::is_void_v<T>)
        return fn();
    else
        return fn(future.result());
}

template<typename T, typename Fn>
using ReadyResult = std::decay_t<decltype(invokeReady<T>(std::declval<Fn &>(),
                                                         std::declval<const QFuture<T> &>()))>;

} // namespace detail

/**
 * @brief The chaining form of whenReady(), the backend's replacement for
 * `return future.then(context, fn);`: a future of what @p fn returns, run on @p context's thread
 * once @p future has finished (same watcher, so the same guarantees: exactly once, always later).
 *
 * @p fn takes the QFuture (then it runs whatever the outcome and handles it), or the value (none
 * for QFuture<void>): then an exception of @p future passes on to the result without running
 * @p fn, and a cancelled @p future cancels the result. An exception thrown by @p fn is the
 * result's. When @p context is gone before @p future finishes, @p fn never runs and the result
 * is cancelled. Chains: thenReady(context, thenReady(context, f, g), h).
 */
template<typename T, typename Fn>
auto thenReady(QObject *context, QFuture<T> future, Fn &&fn) -> QFuture<detail::ReadyResult<T, Fn>>
{
    using R = detail::ReadyResult<T, Fn>;
    constexpr bool takesFuture = std::is_invocable_v<Fn &, QFuture<T>>;
    // Dropped with the watcher when the context dies: ~QPromise then cancels the result.
    auto promise = std::make_shared<QPromise<R>>();
    promise->start();
    QFuture<R> result = promise->future();
    whenReady(context, std::move(future),
              [promise, fn = std::forward<Fn>(fn)](QFuture<T> done) mutable {
                  try {
                      if constexpr (!takesFuture) {
                          done.waitForFinished(); // rethrows the future's exception
                          if (done.isCanceled()) {
                              promise->future().cancel();
                              promise->finish();
                              return;
                          }
                      }
                      if constexpr (std::is_void_v<R>)
                          detail::invokeReady<T>(fn, done);
                      else
                          promise->addResult(detail::invokeReady<T>(fn, done));
                  } catch (...) {
                      promise->setException(std::current_exception());
                  }
                  promise->finish();
              });
    return result;
}

} // namespace arbor::core
