#pragma once

#include <QList>
#include <QMap>
#include <QString>

namespace arbor::store::usage {
struct Totals;
}

namespace arbor::usage {

/**
 * @brief What some replies cost, summed per currency: a conversation or a branch priced partly
 * in dollars and partly in euros shows "$1.20 + €0.30", never one sum across currencies and
 * never "—" for the mix. "—" stands only for replies whose price is unknown.
 */
struct Costs
{
    QMap<QString, qint64> nanos; ///< currency → billionths of it, for the priced replies
    bool unpriced = false;       ///< some replies had no price

    /** @brief Adds @p cost billionths of @p currency; an empty currency marks an unpriced part. */
    void add(qint64 cost, const QString &currency);
    /** @brief Adds the cost of each of @p totals (one per currency, "" = unpriced). */
    void add(const QList<store::usage::Totals> &totals);
    bool priced() const { return !nanos.isEmpty(); }
    /** @brief The currencies, largest amount first (ties by code). */
    QStringList currencies() const;
    /**
     * @brief For people: "$1.20 + €0.30"; "$1.20 + —" when some replies had no price; "—" when
     * none had one. @p format writes one currency's amount (usage::costText by default).
     */
    QString text() const;
    QString text(QString (*format)(qint64 nanos, const QString &currency)) const;
};

} // namespace arbor::usage
