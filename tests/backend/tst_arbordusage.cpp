// Costs in more than one currency (issue 19): summed per currency, never into one number and
// never shown as "—" for the mix; "—" only for replies with no price. usage::Costs as the window
// and arbord write it, and `arbord usage` through the real binary (text and --json).
#include "domain/message.h"
#include "store/conversationqueries.h"
#include "store/messagequeries.h"
#include "store/sql.h"
#include "store/usagequeries.h"
#include "support/arbordprocess.h"
#include "support/dbconnection.h"
#include "usage/costs.h"

#include <QDateTime>
#include <QTemporaryDir>
#include <QTest>

using namespace arbor;
using testsupport::ArbordRun;
using testsupport::DbConnection;

class TestArbordUsage : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString dbPath() const { return m_dir.filePath(QStringLiteral("arbor.db")); }

    ArbordRun arbord(const QStringList &args) const
    {
        return testsupport::runArbord(QStringLiteral(ARBORD_PATH),
                                      QStringList{QStringLiteral("usage")} + args
                                          + QStringList{QStringLiteral("--db"), dbPath()});
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        DbConnection c(dbPath(), DbConnection::Mode::Migrated);
        domain::Conversation conv;
        conv.id = QStringLiteral("c1");
        conv.title = QStringLiteral("Mixed");
        conv.createdAt = conv.updatedAt = 1;
        store::conversations::insert(c.db(), conv);
        // Three replies on one local day, under one question: $1.20, €0.30, and one unpriced.
        const qint64 noon = QDateTime(QDate(2026, 3, 4), QTime(12, 0)).toMSecsSinceEpoch();
        domain::Message q;
        q.id = QStringLiteral("q");
        q.conversationId = conv.id;
        q.role = QStringLiteral("user");
        q.status = domain::MessageStatus::Complete;
        q.createdAt = noon;
        store::messages::insert(c.db(), q);
        const struct
        {
            const char *id;
            const char *currency;
            qint64 cost;
        } replies[] = {{"a", "USD", 1'200'000'000}, {"b", "EUR", 300'000'000}, {"c", "", -1}};
        for (const auto &r : replies) {
            store::exec(
                c.db(),
                QStringLiteral("INSERT INTO messages (id, conversation_id, parent_id, role,"
                               " provider, model, status, prompt_tokens, completion_tokens,"
                               " cost_nanos, currency, created_at, finished_at) VALUES (?, 'c1',"
                               " 'q', 'assistant', 'p', 'm', 'complete', 100, 10, ?, ?, ?, ?)"),
                {QString::fromLatin1(r.id), r.cost < 0 ? QVariant() : QVariant(r.cost),
                 *r.currency ? QVariant(QString::fromLatin1(r.currency)) : QVariant(), noon, noon});
        }
        store::exec(
            c.db(),
            QStringLiteral("UPDATE conversations SET current_leaf_id = 'a' WHERE id = 'c1'"));
    }

    void costsAreSummedPerCurrency()
    {
        usage::Costs costs;
        QCOMPARE(costs.text(), QStringLiteral("—")); // nothing known
        costs.add(1'200'000'000, QStringLiteral("USD"));
        QCOMPARE(costs.text(), QStringLiteral("$1.20"));
        costs.add(300'000'000, QStringLiteral("EUR"));
        costs.add(100'000'000, QStringLiteral("USD"));
        // Largest first, each in its own currency.
        QCOMPARE(costs.text(), QStringLiteral("$1.30 + €0.3000"));
        QCOMPARE(costs.currencies(), (QStringList{QStringLiteral("USD"), QStringLiteral("EUR")}));
        costs.add(0, QString());
        QCOMPARE(costs.text(), QStringLiteral("$1.30 + €0.3000 + —"));
        usage::Costs unknown;
        unknown.add(0, QString());
        QCOMPARE(unknown.text(), QStringLiteral("—"));
        QVERIFY(!unknown.priced());
        // The kept totals of the conversation, as the header reads them.
        DbConnection c(dbPath(), DbConnection::Mode::ReadOnly);
        usage::Costs conversation;
        conversation.add(store::usage::conversationTotals(c.db(), QStringLiteral("c1")));
        QCOMPARE(conversation.text(), QStringLiteral("$1.20 + €0.3000 + —"));
        usage::Costs branch; // q → a: dollars only
        branch.add(store::usage::pathTotals(c.db(), QStringLiteral("c1")));
        QCOMPARE(branch.text(), QStringLiteral("$1.20"));
    }

    void arbordUsageWritesEachCurrency()
    {
        ArbordRun r = arbord({QStringLiteral("--by"), QStringLiteral("day,conversation")});
        QVERIFY2(r.endedWith(0), qPrintable(r.describe()));
        const QStringList lines =
            QString::fromUtf8(r.out).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 1); // one group, whatever its currencies
        QVERIFY2(lines.first().startsWith(QStringLiteral("2026-03-04  c1  “Mixed”  3 replies")),
                 qPrintable(lines.first()));
        QVERIFY2(lines.first().endsWith(QStringLiteral("1.2000 USD + 0.3000 EUR + —")),
                 qPrintable(lines.first()));
        // JSON keeps a row per currency, each with its own currency (null cost: no price).
        r = arbord(
            {QStringLiteral("--by"), QStringLiteral("conversation"), QStringLiteral("--json")});
        QVERIFY2(r.endedWith(0), qPrintable(r.describe()));
        QStringList seen;
        for (const QJsonValue &v : r.array()) {
            const QJsonObject o = v.toObject();
            QCOMPARE(o.value(QStringLiteral("input_tokens")).toInt(), 100);
            seen << o.value(QStringLiteral("currency")).toString() + QLatin1Char('=')
                    + (o.value(QStringLiteral("cost")).isNull()
                           ? QStringLiteral("null")
                           : QString::number(o.value(QStringLiteral("cost")).toDouble()));
        }
        seen.sort();
        QCOMPARE(seen,
                 (QStringList{QStringLiteral("=null"), QStringLiteral("EUR=0.3"),
                              QStringLiteral("USD=1.2")}));
    }
};

QTEST_GUILESS_MAIN(TestArbordUsage)
#include "tst_arbordusage.moc"
