#include "costs.h"

#include "usageservice.h"

#include "store/usagequeries.h"

#include <algorithm>

namespace arbor::usage {

void Costs::add(qint64 cost, const QString &currency)
{
    if (currency.isEmpty())
        unpriced = true;
    else
        nanos[currency] += cost;
}

void Costs::add(const QList<store::usage::Totals> &totals)
{
    for (const store::usage::Totals &t : totals)
        add(t.costNanos, t.currency);
}

QStringList Costs::currencies() const
{
    QStringList out = nanos.keys();
    std::stable_sort(out.begin(), out.end(), [this](const QString &a, const QString &b) {
        return nanos.value(a) > nanos.value(b);
    });
    return out;
}

QString Costs::text() const
{
    return text(&costText);
}

QString Costs::text(QString (*format)(qint64, const QString &)) const
{
    QStringList parts;
    for (const QString &currency : currencies())
        parts << format(nanos.value(currency), currency);
    if (unpriced || parts.isEmpty())
        parts << QStringLiteral("—");
    return parts.join(QStringLiteral(" + "));
}

} // namespace arbor::usage
