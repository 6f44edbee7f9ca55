#pragma once

#include <QFuture>
#include <QFutureWatcher>
#include <QObject>
#include <QString>
#include <QUnhandledException>

#include <exception>
#include <type_traits>
#include <utility>

namespace arbor::app {

/** @brief The text of an exception for people ("an unexpected error" when it has none). */
inline QString describe(const std::exception_ptr &exception)
{
    try {
        if (exception)
            std::rethrow_exception(exception);
    } catch (const std::exception &e) {
        return QString::fromUtf8(e.what());
    } catch (...) {
    }
    return QStringLiteral("an unexpected error");
}

/**
 * @brief The one way the app waits for the backend (STYLE rule 18): runs @p onValue with the
 * result of @p future, or @p onError with a sentence for people, on @p context's thread, and
 * never when @p context is gone.
 *
 * Always later, never inside this call: Qt 6.4 runs QFuture::then() at once on a future that
 * has already finished, so code after the call would run after the continuation. Here the
 * caller can set its state after calling, as it reads. An exception of any type becomes the
 * error text (std::exception::what()); nothing escapes into the event loop.
 *
 *   whenDone(this, backend.chat().rename(id, title),
 *            [this] { refresh(); },
 *            [this](const QString &error) { setError(tr("Cannot rename: %1").arg(error)); });
 *
 * For QFuture<void>, @p onValue takes no argument; otherwise it takes the value.
 */
template<typename T, typename OnValue, typename OnError>
void whenDone(QObject *context, QFuture<T> future, OnValue &&onValue, OnError &&onError)
{
    // A watcher owned by the context: it reports through the context's event loop (also for a
    // future that is already done), and dies with the context, which then hears nothing.
    auto *watcher = new QFutureWatcher<T>(context);
    QObject::connect(watcher, &QFutureWatcherBase::finished, watcher,
                     [watcher, onValue = std::forward<OnValue>(onValue),
                      onError = std::forward<OnError>(onError)]() mutable {
                         watcher->deleteLater();
                         QFuture<T> done = watcher->future();
                         QString error;
                         try {
                             if constexpr (std::is_void_v<T>) {
                                 done.waitForFinished(); // rethrows the backend's exception
                             } else {
                                 T value = done.result();
                                 onValue(std::move(value));
                                 return;
                             }
                         } catch (const QUnhandledException &e) {
                             // QtConcurrent wraps exceptions that are not QException: say the
                             // original's.
                             error = describe(e.exception());
                         } catch (...) {
                             error = describe(std::current_exception());
                         }
                         if (error.isEmpty()) {
                             if constexpr (std::is_void_v<T>)
                                 onValue();
                         } else {
                             onError(error);
                         }
                     });
    watcher->setFuture(std::move(future));
}

/** @brief whenDone() that only reports errors (to @p onError) and ignores the value. */
template<typename T, typename OnError>
void whenFailed(QObject *context, QFuture<T> future, OnError &&onError)
{
    if constexpr (std::is_void_v<T>)
        whenDone(
            context, std::move(future), [] {}, std::forward<OnError>(onError));
    else
        whenDone(
            context, std::move(future), [](T) {}, std::forward<OnError>(onError));
}

} // namespace arbor::app
