// PriceList (app/, issue 19): the price list Settings edits, over the same UsageService as
// `arbord prices`, on a real store. A bad price is refused with the reason and stores nothing;
// a saved one prices the replies that finish after it.
#include "pricelist.h"

#include "core/backend.h"
#include "usage/usageservice.h"

#include <QDate>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>

using namespace arbor;
using app::PriceList;

class TestPriceList : public QObject
{
    Q_OBJECT

    /** @brief The row of @p provider / @p model in @p prices; empty when there is none. */
    static QVariantMap find(const QVariantList &prices, const QString &provider,
                            const QString &model)
    {
        for (const QVariant &v : prices) {
            const QVariantMap m = v.toMap();
            if (m.value(QStringLiteral("provider")) == provider
                && m.value(QStringLiteral("model")) == model)
                return m;
        }
        return {};
    }

private Q_SLOTS:
    void savesEditsAndRemoves()
    {
        QTemporaryDir dir;
        core::Backend backend(
            core::BackendOptions{dir.filePath(QStringLiteral("a.db")), 0, false, 1});
        backend.open();
        PriceList list(&backend);
        QSignalSpy changed(&list, &PriceList::pricesChanged);
        list.refresh();
        QTRY_VERIFY(changed.count() >= 1);
        const qsizetype shipped = list.prices().size();
        QVERIFY2(shipped > 0, "the store ships default prices");

        // A price of one's own provider, with cached input; reasoning left as output.
        QSignalSpy saved(&list, &PriceList::saved);
        QVERIFY(list.save({{QStringLiteral("provider"), QStringLiteral("my-gateway")},
                           {QStringLiteral("model"), QStringLiteral("llama-4*")},
                           {QStringLiteral("input"), QStringLiteral("0.20")},
                           {QStringLiteral("output"), QStringLiteral("0.60")},
                           {QStringLiteral("cachedInput"), QStringLiteral("0.05")},
                           {QStringLiteral("reasoning"), QString()},
                           {QStringLiteral("currency"), QStringLiteral("eur")}}));
        QTRY_COMPARE(saved.count(), 1);
        QTRY_COMPARE(list.prices().size(), shipped + 1);
        const QVariantMap mine =
            find(list.prices(), QStringLiteral("my-gateway"), QStringLiteral("llama-4*"));
        QVERIFY(!mine.isEmpty());
        QCOMPARE(mine.value(QStringLiteral("input")).toDouble(), 0.20);
        QCOMPARE(mine.value(QStringLiteral("output")).toDouble(), 0.60);
        QCOMPARE(mine.value(QStringLiteral("cachedInput")).toDouble(), 0.05);
        QVERIFY(mine.value(QStringLiteral("reasoning")).toDouble() < 0);
        QCOMPARE(mine.value(QStringLiteral("currency")).toString(), QStringLiteral("EUR"));
        QCOMPARE(mine.value(QStringLiteral("validFrom")).toString(),
                 QDate::currentDate().toString(Qt::ISODate)); // empty date: today
        // The same list arbord prices reads.
        const QList<usage::Price> stored = backend.usage().prices().result();
        QVERIFY(std::any_of(stored.cbegin(), stored.cend(), [](const usage::Price &p) {
            return p.provider == u"my-gateway" && p.currency == u"EUR";
        }));

        list.remove(QStringLiteral("my-gateway"), QStringLiteral("llama-4*"),
                    QDate::currentDate().toString(Qt::ISODate));
        QTRY_COMPARE(saved.count(), 2);
        QTRY_COMPARE(list.prices().size(), shipped);
        QVERIFY(find(list.prices(), QStringLiteral("my-gateway"), QStringLiteral("llama-4*"))
                    .isEmpty());
    }

    void aBadPriceSaysWhyAndStoresNothing_data()
    {
        QTest::addColumn<QVariantMap>("price");
        QTest::addColumn<QString>("reason");
        const QVariantMap good{{QStringLiteral("provider"), QStringLiteral("openai")},
                               {QStringLiteral("model"), QStringLiteral("gpt-x")},
                               {QStringLiteral("input"), QStringLiteral("1")},
                               {QStringLiteral("output"), QStringLiteral("2")},
                               {QStringLiteral("currency"), QStringLiteral("USD")}};
        QVariantMap p = good;
        p.remove(QStringLiteral("provider"));
        QTest::newRow("no provider") << p << "needs a provider";
        p = good;
        p[QStringLiteral("model")] = QString();
        QTest::newRow("no model") << p << "needs a model";
        p = good;
        p[QStringLiteral("input")] = QStringLiteral("cheap");
        QTest::newRow("not a number") << p << "numbers of 0 or more";
        p = good;
        p[QStringLiteral("output")] = QStringLiteral("-3");
        QTest::newRow("negative") << p << "numbers of 0 or more";
        p = good;
        p[QStringLiteral("input")] = QString();
        QTest::newRow("no input price") << p << "numbers of 0 or more";
        p = good;
        p[QStringLiteral("validFrom")] = QStringLiteral("next tuesday");
        QTest::newRow("bad date") << p << "YYYY-MM-DD";
        p = good;
        p[QStringLiteral("currency")] = QStringLiteral("dollars");
        QTest::newRow("bad currency") << p << "three-letter code";
    }

    void aBadPriceSaysWhyAndStoresNothing()
    {
        QFETCH(QVariantMap, price);
        QFETCH(QString, reason);
        QTemporaryDir dir;
        core::Backend backend(
            core::BackendOptions{dir.filePath(QStringLiteral("a.db")), 0, false, 1});
        backend.open();
        const qsizetype before = backend.usage().prices().result().size();
        PriceList list(&backend);
        QVERIFY(!list.save(price));
        QVERIFY2(list.error().contains(reason), qPrintable(list.error()));
        QTest::qWait(100);
        QCOMPARE(backend.usage().prices().result().size(), before);
    }
};

QTEST_MAIN(TestPriceList)
#include "tst_pricelist.moc"
