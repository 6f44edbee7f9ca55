#pragma once

#include "core/whenready.h"

#include <QEventLoop>
#include <QFuture>
#include <QString>
#include <QStringList>

#include <optional>

namespace arbor::core {
class Backend;
}

namespace arbor::cli {

/** @brief `arbord providers list|add|remove|models|discover|default`. */
int runProviders(const QStringList &args);

/**
 * @brief For `arbord chat`: waits until the configured providers are registered, then turns
 * @p provider (an id or a name) and @p model (empty: the default model of that provider, else
 * its first) into a registered model. Returns an error for a person, or nothing.
 */
std::optional<QString> resolveChatModel(core::Backend &backend, QString &provider, QString &model);

/** @brief Runs the event loop until the configured providers are registered (Backend::open()
 *  started loading them; keys come from the keychain). */
void awaitProviders(core::Backend &backend);

/** @brief Runs the event loop until @p future finishes (keychain jobs need it), then returns it. */
template<class T>
QFuture<T> awaitFuture(QFuture<T> future)
{
    if (!future.isFinished()) {
        QEventLoop loop;
        core::whenReady(&loop, future, [&loop](QFuture<T>) { loop.quit(); });
        loop.exec(); // whenReady reports through this loop, also when finished meanwhile
    }
    return future;
}

} // namespace arbor::cli
