// Batch inputs (issue 21): RFC 4180 CSV with embedded line breaks and quotes, JSONL, invalid
// UTF-8, wrong column counts, a template variable with no column; imports into a real store in
// transactions of 10,000 rows, skipping or stopping at bad rows.
#include "batch/batchimport.h"
#include "batch/batchinput.h"
#include "batch/batchqueries.h"
#include "batch/batchtemplate.h"
#include "store/sql.h"
#include "store/store.h"
#include "support/dbconnection.h"

#include <QBuffer>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace arbor;
using arbor::testsupport::DbConnection;

namespace {

struct Read
{
    QStringList columns;
    QList<batch::InputRecord> records;
    QString headerError;
};

Read readAll(const QByteArray &bytes, batch::InputReader::Format format,
             const QStringList &required = {})
{
    QBuffer buffer;
    buffer.setData(bytes);
    buffer.open(QIODevice::ReadOnly);
    auto reader = batch::InputReader::create(format, &buffer);
    Read r;
    if (!reader->readHeader(r.headerError))
        return r;
    reader->requireColumns(required);
    batch::InputRecord rec;
    while (reader->next(rec))
        r.records.append(rec);
    r.columns = reader->columns();
    return r;
}

} // namespace

class TestBatchImport : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

    QString writeFile(const QString &name, const QByteArray &bytes)
    {
        const QString path = m_dir.filePath(name);
        QFile f(path);
        f.open(QIODevice::WriteOnly);
        f.write(bytes);
        return path;
    }

    batch::CreateSpec spec(const QString &input, const QString &templ)
    {
        batch::CreateSpec s;
        s.inputPath = input;
        s.templateText = templ;
        s.models = {{0, QStringLiteral("demo"), QStringLiteral("demo")}};
        return s;
    }

private Q_SLOTS:
    void csvQuotesAndLineBreaks()
    {
        const Read r = readAll("\xEF\xBB\xBFid,text\r\n"
                               "1,\"a, b\"\r\n"
                               "2,\"two\nlines \"\"quoted\"\"\"\r\n"
                               "\r\n"
                               "3,plain\n"
                               "4,\"\"\n"
                               "5,\"last, no line end\"",
                               batch::InputReader::Format::Csv);
        QVERIFY2(r.headerError.isEmpty(), qPrintable(r.headerError));
        QCOMPARE(r.columns, (QStringList{QStringLiteral("id"), QStringLiteral("text")}));
        QCOMPARE(r.records.size(), 5);
        for (const auto &rec : r.records)
            QVERIFY2(rec.error.isEmpty(), qPrintable(rec.error));
        QCOMPARE(batch::decodeInput(r.records[0].input),
                 (QList<QString>{QStringLiteral("1"), QStringLiteral("a, b")}));
        QCOMPARE(batch::decodeInput(r.records[1].input).at(1),
                 QStringLiteral("two\nlines \"quoted\""));
        QCOMPARE(r.records[1].line, 3);
        QCOMPARE(r.records[2].line, 6); // after the quoted line break and a blank line
        QCOMPARE(batch::decodeInput(r.records[3].input).at(1), QString());
        QCOMPARE(batch::decodeInput(r.records[4].input).at(1), QStringLiteral("last, no line end"));
    }

    void csvBadRowsHaveTheirLines()
    {
        const Read r = readAll("id,text\n"
                               "1,ok\n"
                               "2,\"bad \xC3\x28 byte\"\n"
                               "3\n"
                               "4,too,many\n"
                               "5,\"over\"long\n"
                               "6,\xE2\x82\xAC fine\n"
                               "7,\"never closed\n"
                               "8,x\n",
                               batch::InputReader::Format::Csv);
        QCOMPARE(r.records.size(), 7);
        QVERIFY(r.records[0].error.isEmpty());
        QCOMPARE(r.records[1].line, 3);
        QVERIFY(r.records[1].error.contains(QStringLiteral("UTF-8")));
        QCOMPARE(r.records[2].line, 4);
        QVERIFY(r.records[2].error.contains(QStringLiteral("1 columns where the header has 2")));
        QCOMPARE(r.records[3].line, 5);
        QVERIFY(r.records[3].error.contains(QStringLiteral("3 columns")));
        QCOMPARE(r.records[4].line, 6);
        QVERIFY(r.records[4].error.contains(QStringLiteral("after a closing quote")));
        QVERIFY(r.records[5].error.isEmpty());
        QCOMPARE(batch::decodeInput(r.records[5].input).at(1), QStringLiteral("€ fine"));
        QCOMPARE(r.records[6].line, 8);
        QVERIFY(r.records[6].error.contains(QStringLiteral("not closed")));
    }

    void invalidUtf8Kinds()
    {
        QVERIFY(batch::isValidUtf8("plain ascii text", 16));
        QVERIFY(batch::isValidUtf8("\xF0\x9F\x98\x80", 4)); // an emoji
        QVERIFY(!batch::isValidUtf8("\xC0\xAF", 2));        // overlong
        QVERIFY(!batch::isValidUtf8("\xED\xA0\x80", 3));    // a surrogate
        QVERIFY(!batch::isValidUtf8("abc\xE2\x82", 5));     // cut off
        QVERIFY(!batch::isValidUtf8("\xFF", 1));
    }

    void jsonl()
    {
        const Read r = readAll("{\"id\": 1, \"text\": \"hi\", \"n\": 2.5}\n"
                               "\n"
                               "[1, 2]\n"
                               "{\"id\": 2}\n"
                               "{\"id\": 3, \"text\": \"x\", \"extra\": {\"a\": true}}\n"
                               "{broken\n"
                               "{\"text\": \"bad \xC3\x28\"}\n",
                               batch::InputReader::Format::Jsonl, {QStringLiteral("text")});
        QVERIFY2(r.headerError.isEmpty(), qPrintable(r.headerError));
        QCOMPARE(r.records.size(), 6);
        QVERIFY(r.records[0].error.isEmpty());
        QCOMPARE(
            batch::decodeInput(r.records[0].input),
            (QList<QString>{QStringLiteral("1"), QStringLiteral("hi"), QStringLiteral("2.5")}));
        QCOMPARE(r.records[1].line, 3);
        QVERIFY(r.records[1].error.contains(QStringLiteral("not a JSON object")));
        QCOMPARE(r.records[2].line, 4);
        QVERIFY(r.records[2].error.contains(QStringLiteral("“text”")));
        QVERIFY(r.records[3].error.isEmpty());
        QCOMPARE(batch::decodeInput(r.records[3].input).at(3), QStringLiteral("{\"a\":true}"));
        QCOMPARE(r.records[4].line, 6);
        QVERIFY(r.records[4].error.contains(QStringLiteral("not valid JSON")));
        QVERIFY(r.records[5].error.contains(QStringLiteral("UTF-8")));
        QCOMPARE(r.columns,
                 (QStringList{QStringLiteral("id"), QStringLiteral("text"), QStringLiteral("n"),
                              QStringLiteral("extra")}));
    }

    void templateRendering()
    {
        batch::BatchTemplate t(QStringLiteral("Hi {{ name }}, {{name}}: {{text}} {{}} {{open"));
        QCOMPARE(t.variables(), (QStringList{QStringLiteral("name"), QStringLiteral("text")}));
        QCOMPARE(t.missingFrom({QStringLiteral("name")}), QStringList{QStringLiteral("text")});
        t.bind({QStringLiteral("text"), QStringLiteral("name")});
        QCOMPARE(t.render({QStringLiteral("T"), QStringLiteral("N")}),
                 QStringLiteral("Hi N, N: T {{}} {{open"));
    }

    void missingColumnImportsNothing()
    {
        store::Store s(m_dir.filePath(QStringLiteral("missing.db")), 1);
        s.open();
        const QString input = writeFile(QStringLiteral("m.csv"), "id,text\n1,a\n");
        try {
            batch::importRun(s, spec(input, QStringLiteral("{{text}} by {{author}}")));
            QFAIL("a template variable with no column was accepted");
        } catch (const store::StoreError &e) {
            QVERIFY2(e.message().contains(QStringLiteral("{{author}}")), e.what());
            QVERIFY(e.message().contains(QStringLiteral("id, text")));
        }
        DbConnection c(s.path(), DbConnection::Mode::ReadOnly);
        QCOMPARE(c.scalar(QStringLiteral("SELECT count(*) FROM batch_runs")).toInt(), 0);
        QCOMPARE(c.scalar(QStringLiteral("SELECT count(*) FROM batch_rows")).toInt(), 0);
    }

    void importsInBatchesAndSkipsBadRows()
    {
        store::Store s(m_dir.filePath(QStringLiteral("big.db")), 1);
        s.open();
        QByteArray csv = "id,text\n";
        for (int i = 0; i < 25000; ++i) {
            if (i == 7 || i == 20001)
                csv += "bad row\n";
            csv += QByteArray::number(i) + ",\"row " + QByteArray::number(i) + "\nsecond line\"\n";
        }
        const QString input = writeFile(QStringLiteral("big.csv"), csv);
        QList<batch::ImportProgress> progress;
        QList<batch::BadRow> bad;
        const quint64 commitsBefore = s.writer().commits();
        const batch::CreateResult r = batch::importRun(
            s, spec(input, QStringLiteral("{{text}}")),
            [&](const batch::ImportProgress &p) { progress.append(p); },
            [&](const batch::BadRow &b) { bad.append(b); });
        QCOMPARE(r.rows, 25000);
        QCOMPARE(r.badRows, 2);
        QCOMPARE(bad.size(), 2);
        QCOMPARE(bad[0].line, 2 + 7 * 2);
        QCOMPARE(bad[1].line, 2 + 20001 * 2 + 1);
        QCOMPARE(progress.size(), 3); // 10,000 + 10,000 + 5,000
        QCOMPARE(progress.last().rows, 25000);
        QCOMPARE(progress.last().bytesRead, csv.size());
        QVERIFY(s.writer().commits() - commitsBefore >= 4);
        DbConnection c(s.path(), DbConnection::Mode::ReadOnly);
        QCOMPARE(
            c.scalar(QStringLiteral("SELECT count(*) FROM batch_rows WHERE run_id = ?"), {r.runId})
                .toInt(),
            25000);
        QCOMPARE(c.scalar(QStringLiteral("SELECT line FROM batch_rows WHERE run_id = ? AND "
                                         "row_no = 24999"),
                          {r.runId})
                     .toLongLong(),
                 2 + 24999 * 2 + 2);
        QCOMPARE(c.scalar(QStringLiteral("SELECT count(*) FROM batch_bad_rows WHERE run_id = ?"),
                          {r.runId})
                     .toInt(),
                 2);
        const auto run =
            s.read([&](QSqlDatabase &db) { return batch::queries::get(db, r.runId); }).result();
        QVERIFY(run);
        QCOMPARE(batch::toString(run->state), QStringLiteral("draft"));
        QCOMPARE(run->rowCount, 25000);
    }

    void stopAtABadRowKeepsNothing()
    {
        store::Store s(m_dir.filePath(QStringLiteral("stop.db")), 1);
        s.open();
        QByteArray csv = "id,text\n";
        for (int i = 0; i < 15000; ++i)
            csv += QByteArray::number(i) + ",ok\n";
        csv += "15000,\"\xFF\xFE\"\n";
        const QString input = writeFile(QStringLiteral("stop.csv"), csv);
        auto sp = spec(input, QStringLiteral("{{text}}"));
        sp.stopOnBadRow = true;
        try {
            batch::importRun(s, sp);
            QFAIL("the import went on after a bad row");
        } catch (const store::StoreError &e) {
            QVERIFY2(e.message().startsWith(QStringLiteral("Line 15002: ")), e.what());
            QVERIFY(e.message().contains(QStringLiteral("UTF-8")));
        }
        DbConnection c(s.path(), DbConnection::Mode::ReadOnly);
        QCOMPARE(c.scalar(QStringLiteral("SELECT count(*) FROM batch_runs")).toInt(), 0);
        QCOMPARE(c.scalar(QStringLiteral("SELECT count(*) FROM batch_rows")).toInt(), 0);
    }
};

QTEST_GUILESS_MAIN(TestBatchImport)
#include "tst_batchimport.moc"
