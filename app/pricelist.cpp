#include "pricelist.h"

#include "async.h"

#include "core/backend.h"
#include "usage/usageservice.h"

#include <QDate>

namespace arbor::app {

namespace {

QVariantMap toMap(const usage::Price &p)
{
    return {
        {QStringLiteral("provider"), p.provider},   {QStringLiteral("model"), p.model},
        {QStringLiteral("validFrom"), p.validFrom}, {QStringLiteral("input"), p.input},
        {QStringLiteral("output"), p.output},       {QStringLiteral("cachedInput"), p.cachedInput},
        {QStringLiteral("reasoning"), p.reasoning}, {QStringLiteral("currency"), p.currency}};
}

/** @brief A number typed in a field; -1 (as input/output) when left empty. */
double optionalNumber(const QVariant &value, bool *ok)
{
    const QString text = value.toString().trimmed();
    if (text.isEmpty() || !value.isValid()) {
        *ok = true;
        return -1;
    }
    return QLocale::c().toDouble(text, ok);
}

} // namespace

PriceList::PriceList(core::Backend *backend, QObject *parent)
    : QObject(parent)
    , m_backend(backend)
{
}

void PriceList::refresh()
{
    if (!m_backend)
        return;
    // A save or removal reads again while an older read may still run; readers answer in any
    // order, so only the latest read's answer counts.
    const quint64 generation = ++m_generation;
    whenDone(
        this, m_backend->usage().prices(),
        [this, generation](const QList<usage::Price> &prices) {
            if (generation != m_generation)
                return;
            m_prices.clear();
            for (const usage::Price &p : prices)
                m_prices.append(toMap(p));
            Q_EMIT pricesChanged();
        },
        [this, generation](const QString &why) {
            if (generation == m_generation)
                setError(tr("Cannot read the prices: %1").arg(why));
        });
}

bool PriceList::save(const QVariantMap &fields)
{
    usage::Price price;
    price.provider = fields.value(QStringLiteral("provider")).toString().trimmed();
    price.model = fields.value(QStringLiteral("model")).toString().trimmed();
    price.validFrom = fields.value(QStringLiteral("validFrom")).toString().trimmed();
    if (price.validFrom.isEmpty())
        price.validFrom = QDate::currentDate().toString(Qt::ISODate);
    price.currency = fields.value(QStringLiteral("currency"), QStringLiteral("USD"))
                         .toString()
                         .trimmed()
                         .toUpper();
    bool inputOk = false;
    bool outputOk = false;
    bool cachedOk = false;
    bool reasoningOk = false;
    price.input = optionalNumber(fields.value(QStringLiteral("input")), &inputOk);
    price.output = optionalNumber(fields.value(QStringLiteral("output")), &outputOk);
    price.cachedInput = optionalNumber(fields.value(QStringLiteral("cachedInput")), &cachedOk);
    price.reasoning = optionalNumber(fields.value(QStringLiteral("reasoning")), &reasoningOk);
    QString why;
    if (!inputOk || !outputOk || !cachedOk || !reasoningOk || price.input < 0 || price.output < 0)
        why = tr("the input and output prices are numbers of 0 or more per million tokens");
    else
        why = usage::UsageService::check(price);
    if (!why.isEmpty() || !m_backend) {
        setError(why.isEmpty() ? tr("the store is not open") : why);
        return false;
    }
    setError({});
    whenDone(
        this, m_backend->usage().setPrice(price),
        [this] {
            refresh();
            Q_EMIT saved();
        },
        [this](const QString &e) { setError(tr("Cannot save the price: %1").arg(e)); });
    return true;
}

void PriceList::remove(const QString &provider, const QString &model, const QString &validFrom)
{
    if (!m_backend)
        return;
    whenDone(
        this, m_backend->usage().removePrices(provider, model, validFrom),
        [this](int) {
            refresh();
            Q_EMIT saved();
        },
        [this](const QString &e) { setError(tr("Cannot remove the price: %1").arg(e)); });
}

void PriceList::setError(const QString &error)
{
    if (error == m_error)
        return;
    m_error = error;
    Q_EMIT errorChanged();
}

} // namespace arbor::app
