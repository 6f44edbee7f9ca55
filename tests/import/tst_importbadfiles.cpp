// Bad and hostile files (issue 18, item 3): a clear error naming the file and the place, no
// crash, the failed conversation not half-imported, the rest imported; a stopped run resumes.
#include "importfixture.h"

#include <QFile>
#include <QJsonArray>
#include <QTest>

#include <zip.h>

using namespace arbor;
using namespace arbor::testsupport;

namespace {

QByteArray fixture(const QString &name)
{
    QFile f(QStringLiteral(ARBOR_IMPORT_DATA "/") + name);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

QString writeFile(ImportFixture &f, const QString &name, const QByteArray &bytes)
{
    const QString path = f.dir.filePath(name);
    QFile out(path);
    if (out.open(QIODevice::WriteOnly))
        out.write(bytes);
    return path;
}

/** A zip archive with @p entries (name, bytes), written with libzip. */
QString writeZip(ImportFixture &f, const QString &name,
                 const QList<std::pair<QByteArray, QByteArray>> &entries)
{
    const QString path = f.dir.filePath(name);
    int code = 0;
    zip_t *z = zip_open(QFile::encodeName(path).constData(), ZIP_CREATE | ZIP_TRUNCATE, &code);
    for (const auto &[entry, bytes] : entries) {
        auto *copy = new QByteArray(bytes); // kept until zip_close has written it
        zip_source_t *src = zip_source_buffer(z, copy->constData(), zip_uint64_t(copy->size()), 0);
        zip_file_add(z, entry.constData(), src, ZIP_FL_ENC_UTF_8);
        QObject::connect(qApp, &QObject::destroyed, [copy] { delete copy; });
    }
    zip_close(z);
    return path;
}

/** One ChatGPT conversation of two nodes whose user text is @p text. */
QByteArray chatGpt(const QByteArray &id, const QByteArray &text,
                   const QByteArray &parentOfA = "null", const QByteArray &parentOfB = "\"a\"")
{
    return "{\"id\":\"" + id
        + "\",\"title\":\"T\",\"create_time\":1700000000,\"mapping\":{"
          "\"a\":{\"id\":\"a\",\"parent\":"
        + parentOfA
        + ",\"children\":[\"b\"],\"message\":"
          "{\"id\":\"a\",\"author\":{\"role\":\"user\"},\"create_time\":1700000001,\"content\":"
          "{\"content_type\":\"text\",\"parts\":[\""
        + text
        + "\"]}}},"
          "\"b\":{\"id\":\"b\",\"parent\":"
        + parentOfB
        + ",\"children\":[],\"message\":{\"id\":"
          "\"b\",\"author\":{\"role\":\"assistant\"},\"create_time\":1700000002,\"content\":"
          "{\"content_type\":\"text\",\"parts\":[\"ok\"]}}}}}";
}

} // namespace

class TestImportBadFiles : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void truncated();
    void notJson_data();
    void notJson();
    void badConversationsAmongGood_data();
    void badConversationsAmongGood();
    void failedWriteIsRolledBack();
    void zipArchives();
    void stoppedRunResumes();
};

void TestImportBadFiles::truncated()
{
    ImportFixture f;
    const QByteArray all = fixture(QStringLiteral("chatgpt/shapes.json"));
    const qsizetype third = all.indexOf("\"Fork in the middle");
    const QString path = writeFile(f, QStringLiteral("cut.json"), all.left(third + 200));
    const imports::Summary s = f.importFile(path);
    QCOMPARE(s.run.state, QStringLiteral("failed"));
    QVERIFY2(s.run.error.contains(path) && s.run.error.contains(u"byte")
                 && s.run.error.contains(u"conversation 2"),
             qPrintable(s.run.error));
    QCOMPARE(outcomes(s, QStringLiteral("imported")), 2);
    QCOMPARE(f.count(QStringLiteral("SELECT count(*) FROM conversations")), 2);
    QVERIFY(f.conversation(QStringLiteral("cg-middle")).isEmpty());
    QVERIFY(imports::hasErrors(s));
}

void TestImportBadFiles::notJson_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("words");
    QTest::newRow("text") << QByteArray("hello, not json") << "not valid JSON at byte 0";
    QTest::newRow("empty") << QByteArray() << "empty";
    QTest::newRow("scalar") << QByteArray("42") << "single JSON value";
    QTest::newRow("unknown keys") << QByteArray("[{\"foo\": 1}]") << "not an export Arbor knows";
    QTest::newRow("arbor from the future")
        << QByteArray("{\"format\":\"arbor\",\"version\":2,\"conversations\":[]}") << "version 2";
    QTest::newRow("other format") << QByteArray("{\"format\":\"other\",\"conversations\":[]}")
                                  << "not an Arbor export";
    QTest::newRow("deep nesting of the file")
        << QByteArray(200000, '[') << "nesting deeper than 100000 levels";
}

void TestImportBadFiles::notJson()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, words);
    ImportFixture f;
    const QString path = writeFile(f, QStringLiteral("bad.json"), bytes);
    const imports::Summary s = f.importFile(path);
    QVERIFY2(imports::hasErrors(s), qPrintable(imports::describe(s)));
    QVERIFY2(s.run.error.contains(path) && s.run.error.contains(words), qPrintable(s.run.error));
    QCOMPARE(f.count(QStringLiteral("SELECT count(*) FROM conversations")), 0);
}

void TestImportBadFiles::badConversationsAmongGood_data()
{
    QTest::addColumn<QByteArray>("bad");
    QTest::addColumn<QString>("words");
    QTest::newRow("cycle") << chatGpt("bad", "x", "\"b\"") << "cycle";
    QTest::newRow("missing parent")
        << chatGpt("bad", "x", "null", "\"zz\"") << "parent “zz” that is not in the conversation";
    QTest::newRow("huge string") << chatGpt("bad", QByteArray(5000, 'x'))
                                 << "a string of 5000 bytes at byte";
    QTest::newRow("deep nesting") << QByteArray(
        "{\"id\":\"bad\",\"mapping\":{},\"x\":" + QByteArray(60, '[') + QByteArray(60, ']') + "}")
                                  << "nesting deeper than 50 levels";
    QTest::newRow("wrong type") << QByteArray("{\"id\":\"bad\",\"mapping\":[1,2]}")
                                << "no “mapping” object";
    QTest::newRow("unknown role") << QByteArray(
        chatGpt("bad", "x").replace("\"user\"", "\"alien\""))
                                  << "unknown author role";
}

void TestImportBadFiles::badConversationsAmongGood()
{
    QFETCH(QByteArray, bad);
    QFETCH(QString, words);
    ImportFixture f;
    const QString path =
        writeFile(f, QStringLiteral("mixed.json"),
                  "[" + chatGpt("good1", "one") + "," + bad + "," + chatGpt("good2", "two") + "]");
    imports::ImportLimits limits;
    limits.stream.maxString = 1000;
    limits.stream.maxDepth = 50;
    const imports::Summary s = f.importFile(path, imports::Format::Auto, limits);
    QCOMPARE(s.run.state, QStringLiteral("done"));
    QCOMPARE(outcomes(s, QStringLiteral("imported")), 2);
    QCOMPARE(outcomes(s, QStringLiteral("error")), 1);
    const auto &error = s.results.at(1);
    QVERIFY2(error.place.contains(path) && error.place.contains(u"conversation 1 at byte"),
             qPrintable(error.place));
    QVERIFY2(error.reason.contains(words), qPrintable(error.reason));
    QCOMPARE(f.count(QStringLiteral("SELECT count(*) FROM conversations")), 2);
    QCOMPARE(f.count(QStringLiteral("SELECT count(*) FROM messages")), 4);
    QVERIFY(imports::hasErrors(s));
    QCOMPARE(imports::toJson(s).value(u"errors").toArray().size(), 1);
}

void TestImportBadFiles::failedWriteIsRolledBack()
{
    // The second message's id belongs to another conversation already: the first message,
    // written before the clash, must not stay behind.
    ImportFixture f;
    const QByteArray arbor = fixture(QStringLiteral("arbor/export.json"));
    f.importFile(writeFile(f, QStringLiteral("a.json"), arbor));
    QByteArray other = arbor;
    other.replace("019a0000-0000-7000-8000-000000000001", "019a0000-0000-7000-8000-000000000002");
    other.replace("019a0000-0000-7000-8000-0000000000a0", "019a0000-0000-7000-8000-0000000000b0");
    other.replace("\"cg-original\"", "\"cg-other\"");
    const QStringList before = f.dump();
    const imports::Summary s = f.importFile(writeFile(f, QStringLiteral("b.json"), other));
    QCOMPARE(outcomes(s, QStringLiteral("error")), 1);
    QVERIFY2(s.results.first().reason.contains(u"already belongs to conversation"),
             qPrintable(s.results.first().reason));
    QCOMPARE(f.dump(), before);
}

void TestImportBadFiles::zipArchives()
{
    ImportFixture f;
    const QByteArray json = fixture(QStringLiteral("chatgpt/shapes.json"));
    const QString good = writeZip(f, QStringLiteral("export.zip"),
                                  {{"user.json", "{}"}, {"conversations.json", json}});
    imports::Summary s = f.importFile(good);
    QVERIFY2(!imports::hasErrors(s), qPrintable(imports::describe(s)));
    QCOMPARE(outcomes(s, QStringLiteral("imported")), 4);

    const QString traversal = writeZip(f, QStringLiteral("evil.zip"),
                                       {{"../../evil.json", "[]"}, {"conversations.json", json}});
    s = f.importFile(traversal);
    QCOMPARE(s.run.state, QStringLiteral("failed"));
    QVERIFY2(s.run.error.contains(traversal) && s.run.error.contains(u"path traversal")
                 && s.run.error.contains(u"../../evil.json"),
             qPrintable(s.run.error));

    // 16 MB of blanks in a valid array compress about a thousand times.
    const QByteArray bomb = "[" + QByteArray(16 << 20, ' ') + "]";
    const QString bombZip = writeZip(f, QStringLiteral("bomb.zip"), {{"conversations.json", bomb}});
    s = f.importFile(bombZip);
    QCOMPARE(s.run.state, QStringLiteral("failed"));
    QVERIFY2(s.run.error.contains(u"zip bomb"), qPrintable(s.run.error));

    imports::ImportLimits small;
    small.zip.maxBytes = 1000;
    s = f.importFile(good, imports::Format::Auto, small);
    QCOMPARE(s.run.state, QStringLiteral("failed"));
    QVERIFY2(s.run.error.contains(u"over the limit of 1000"), qPrintable(s.run.error));

    const QString none = writeZip(f, QStringLiteral("none.zip"), {{"user.json", "{}"}});
    s = f.importFile(none);
    QVERIFY2(s.run.error.contains(u"no conversations.json"), qPrintable(s.run.error));
}

void TestImportBadFiles::stoppedRunResumes()
{
    ImportFixture f;
    const QString path = QStringLiteral(ARBOR_IMPORT_DATA "/chatgpt/shapes.json");
    const QString runId = f.newRun(path);
    int polls = 0; // the stop check is polled once before each conversation
    const imports::RunOutcome stopped =
        imports::Importer(*f.store, runId).run({}, [&] { return ++polls > 2; });
    QCOMPARE(stopped.state, QStringLiteral("cancelled"));
    const imports::Summary half = f.summary(runId);
    QCOMPARE(half.run.done, 2);
    QCOMPARE(half.run.total, 4);
    QCOMPARE(f.count(QStringLiteral("SELECT count(*) FROM conversations")), 2);

    QList<qint64> progress;
    const imports::RunOutcome resumed =
        imports::Importer(*f.store, runId).run([&](qint64 done, qint64) { progress << done; });
    QCOMPARE(resumed.state, QStringLiteral("done"));
    QCOMPARE(progress, (QList<qint64>{3, 4})); // only what was left
    const imports::Summary all = f.summary(runId);
    QCOMPARE(all.results.size(), 4);
    QCOMPARE(outcomes(all, QStringLiteral("imported")), 4);
    QCOMPARE(f.count(QStringLiteral("SELECT count(*) FROM conversations")), 4);
    QCOMPARE(f.count(QStringLiteral("SELECT count(*) FROM messages")), 13); // 3 + 4 + 3 + 3
}

QTEST_GUILESS_MAIN(TestImportBadFiles)
#include "tst_importbadfiles.moc"
