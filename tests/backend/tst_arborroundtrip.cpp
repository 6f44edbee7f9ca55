// Arbor JSON round trip through the real binary (issue 18, item 4): export → import into an empty
// store → export gives the same bytes; importing the file again, or into the store it came from
// (where every id exists), adds nothing and changes nothing.
#include "support/arbordprocess.h"
#include "support/exportfixture.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using arbor::testsupport::ArbordRun;
using arbor::testsupport::ExportFixture;

class TestArborRoundTrip : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

    QString path(const QString &name) const { return m_dir.filePath(name); }

    static ArbordRun arbord(const QStringList &args)
    {
        return arbor::testsupport::runArbord(QStringLiteral(ARBORD_PATH), args);
    }

    QByteArray exportAll(const QString &db, const QString &file)
    {
        const ArbordRun r =
            arbord({QStringLiteral("export"), QStringLiteral("--all"), QStringLiteral("--format"),
                    QStringLiteral("arbor"), QStringLiteral("-o"), path(file),
                    QStringLiteral("--db"), path(db)});
        if (!r.endedWith(0))
            qWarning().noquote() << r.describe();
        QFile f(path(file));
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    }

    /** The import's JSON summary; fails the test unless it ended with exit 0. */
    QJsonObject importInto(const QString &db, const QString &file)
    {
        const ArbordRun r =
            arbord({QStringLiteral("import"), QStringLiteral("--format"), QStringLiteral("arbor"),
                    QStringLiteral("--json"), QStringLiteral("--db"), path(db), path(file)});
        [&] { QVERIFY2(r.endedWith(0), qPrintable(r.describe())); }();
        return QJsonDocument::fromJson(r.out).object();
    }

    /** The first line where @p a and @p b differ, for the failure message. */
    static QByteArray firstDifference(const QByteArray &a, const QByteArray &b)
    {
        const QList<QByteArray> la = a.split('\n');
        const QList<QByteArray> lb = b.split('\n');
        for (qsizetype i = 0; i < std::max(la.size(), lb.size()); ++i) {
            if (la.value(i) != lb.value(i))
                return "line " + QByteArray::number(i + 1) + ":\n  was: " + la.value(i)
                    + "\n  now: " + lb.value(i);
        }
        return "the same";
    }

    static qint64 added(const QJsonObject &summary)
    {
        qint64 n = 0;
        for (const QJsonValue &c : summary.value(QStringLiteral("conversations")).toArray())
            n += c.toObject().value(QStringLiteral("messages_added")).toInteger();
        return n;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        ExportFixture::build(path(QStringLiteral("source.db")));
    }

    void exportImportExportIsByteIdentical()
    {
        const QByteArray first = exportAll(QStringLiteral("source.db"), QStringLiteral("a.json"));
        QVERIFY(first.size() > 1000);
        QVERIFY(first.contains("\"format\": \"arbor\""));

        const QJsonObject summary = importInto(QStringLiteral("copy.db"), QStringLiteral("a.json"));
        QVERIFY2(summary.value(QStringLiteral("errors")).toArray().isEmpty(),
                 QJsonDocument(summary).toJson().constData());
        QVERIFY(added(summary) > 0);

        const QByteArray second = exportAll(QStringLiteral("copy.db"), QStringLiteral("b.json"));
        QVERIFY2(second == first, firstDifference(first, second).constData());
    }

    void importingAgainChangesNothing()
    {
        const QString file = QStringLiteral("c.json");
        exportAll(QStringLiteral("source.db"), file);
        // Into the copy made above, and into the store the file came from: every id exists.
        // (The first process that runs jobs on the source store also settles the fixture's
        // reply left "streaming" by no process, as interrupted: that is recovery, not the
        // import; so each store is compared between two imports.)
        for (const QString &db : {QStringLiteral("copy.db"), QStringLiteral("source.db")}) {
            QCOMPARE(added(importInto(db, file)), qint64(0));
            const QByteArray before = exportAll(db, QStringLiteral("before.json"));
            const QJsonObject summary = importInto(db, file);
            QCOMPARE(added(summary), qint64(0));
            QVERIFY(summary.value(QStringLiteral("errors")).toArray().isEmpty());
            const QByteArray after = exportAll(db, QStringLiteral("after.json"));
            QVERIFY2(after == before, firstDifference(before, after).constData());
        }
    }
};

QTEST_GUILESS_MAIN(TestArborRoundTrip)
#include "tst_arborroundtrip.moc"
