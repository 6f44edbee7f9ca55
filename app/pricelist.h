#pragma once

#include <QObject>
#include <QString>
#include <QVariantList>
#include <QVariantMap>
#include <QtQml/qqml.h>

namespace arbor::core {
class Backend;
}

namespace arbor::app {

/**
 * @brief The price list in Settings: per provider (an id or a protocol kind) and model (an id or
 * a pattern), per million tokens, with the day it is valid from and its currency. Editing a
 * price changes what replies cost from then on; a stored cost is never rewritten. An adapter over
 * usage::UsageService (which `arbord prices` uses too); GUI thread only.
 */
class PriceList : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("PriceList belongs to App")
    /** @brief One map per price: provider, model, validFrom, input, output, cachedInput and
     *  reasoning (per million tokens; cachedInput/reasoning < 0: as input/output), currency. */
    Q_PROPERTY(QVariantList prices READ prices NOTIFY pricesChanged)
    /** @brief Why the last save or removal failed ("" when it did not). */
    Q_PROPERTY(QString error READ error NOTIFY errorChanged)

public:
    explicit PriceList(core::Backend *backend, QObject *parent = nullptr);

    QVariantList prices() const { return m_prices; }
    QString error() const { return m_error; }

    /** @brief Reads the list again (Settings does when it opens). */
    Q_INVOKABLE void refresh();
    /** @brief Adds or replaces the price @p price (the keys of a row of prices; an empty
     *  validFrom is today). False, with error, when it is not a price (nothing is stored). */
    Q_INVOKABLE bool save(const QVariantMap &price);
    /** @brief Removes the price of @p provider / @p model valid from @p validFrom. */
    Q_INVOKABLE void remove(const QString &provider, const QString &model,
                            const QString &validFrom);

Q_SIGNALS:
    void pricesChanged();
    void errorChanged();
    /** @brief A save or removal reached the store (the list was read again). */
    void saved();

private:
    void setError(const QString &error);

    core::Backend *m_backend; ///< null when the store could not be opened
    QVariantList m_prices;
    QString m_error;
    quint64 m_generation = 0; ///< of the latest read: an older answer is dropped
};

} // namespace arbor::app
