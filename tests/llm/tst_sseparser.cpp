// SseParser and NdjsonParser: framing rules and "same events however the bytes are cut".
#include "llm/ndjsonparser.h"
#include "llm/sseparser.h"
#include "support/fakevendorserver.h"

#include <QRandomGenerator>
#include <QTest>

using arbor::llm::NdjsonParser;
using arbor::llm::SseEvent;
using arbor::llm::SseParser;
using arbor::testsupport::FakeVendorServer;

namespace {

QList<SseEvent> parseCut(const QByteArray &bytes, const QList<qsizetype> &cuts)
{
    SseParser p;
    QList<SseEvent> out;
    qsizetype from = 0;
    for (qsizetype cut : cuts) {
        out += p.feed(QByteArrayView(bytes).sliced(from, cut - from));
        from = cut;
    }
    out += p.feed(QByteArrayView(bytes).sliced(from));
    out += p.finish();
    return out;
}

QList<qsizetype> randomCuts(QRandomGenerator &rng, qsizetype size)
{
    QList<qsizetype> cuts;
    const int n = rng.bounded(1, 40);
    for (int i = 0; i < n; ++i)
        cuts.append(rng.bounded(qint64(size + 1)));
    std::sort(cuts.begin(), cuts.end());
    return cuts;
}

QList<qsizetype> everyByte(qsizetype size)
{
    QList<qsizetype> cuts;
    for (qsizetype i = 1; i < size; ++i)
        cuts.append(i);
    return cuts;
}

} // namespace

class TestSseParser : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void lineEndingsAndMultiLineData_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::newRow("LF") << QByteArray("event: a\ndata: x\ndata: y\n\ndata: z\n\n");
        QTest::newRow("CRLF") << QByteArray(
            "event: a\r\ndata: x\r\ndata: y\r\n\r\ndata: z\r\n\r\n");
        QTest::newRow("CR") << QByteArray("event: a\rdata: x\rdata: y\r\rdata: z\r\r");
        QTest::newRow("mixed, comments, id, retry")
            << QByteArray(": keep-alive\r\nevent: a\nid: 7\rretry: 10\r\ndata: x\ndata: y\r\n\n: "
                          "OPENROUTER PROCESSING\n\ndata: z\r\r");
        QTest::newRow("no space after colon")
            << QByteArray("event:a\ndata:x\ndata:y\n\ndata:z\n\n");
    }

    void lineEndingsAndMultiLineData()
    {
        QFETCH(QByteArray, bytes);
        const QList<SseEvent> expected = {{"a", "x\ny"}, {"", "z"}};
        QCOMPARE(parseCut(bytes, {}), expected);
        QCOMPARE(parseCut(bytes, everyByte(bytes.size())), expected);
    }

    void onlyOneLeadingSpaceIsStripped()
    {
        QCOMPARE(parseCut("data:  two\n\n", {}), (QList<SseEvent>{{"", " two"}}));
    }

    void eventWithoutDataIsNotDispatched()
    {
        QCOMPARE(parseCut("event: ping\n\ndata: x\n\n", {}), (QList<SseEvent>{{"", "x"}}));
    }

    void crAtTheEndOfAReadBeforeLf()
    {
        SseParser p;
        QVERIFY(p.feed("data: a\r").isEmpty());
        // The LF of the CRLF arrives in the next read: it must not count as an empty line.
        QVERIFY(p.feed("\n").isEmpty());
        QCOMPARE(p.feed("\r\n"), (QList<SseEvent>{{"", "a"}}));
    }

    void rawLinesAreKept()
    {
        SseParser p;
        p.feed("data: {}\r\n\r\n{\r\n  \"error\": {\r\n    \"code\": 503\r\n  }\r\n}\r\n");
        p.finish();
        QCOMPARE(p.rawText(), QByteArray("{\n  \"error\": {\n    \"code\": 503\n  }\n}"));
    }

    void everyTranscriptParsesTheSameHoweverCut_data()
    {
        QTest::addColumn<QString>("name");
        for (const char *n : {"openai-text.sse", "openai-utf8-cr.sse", "openai-error.sse",
                              "anthropic-text.sse", "anthropic-overloaded.sse", "gemini-text.sse",
                              "gemini-utf8.sse", "gemini-raw-error.sse"})
            QTest::newRow(n) << QString::fromLatin1(n);
    }

    void everyTranscriptParsesTheSameHoweverCut()
    {
        QFETCH(QString, name);
        const QByteArray bytes = FakeVendorServer::transcript(name);
        const QList<SseEvent> whole = parseCut(bytes, {});
        QVERIFY(!whole.isEmpty());
        QCOMPARE(parseCut(bytes, everyByte(bytes.size())), whole);
        QRandomGenerator rng(0xA4B04 + quint32(qHash(name)));
        for (int round = 0; round < 300; ++round) {
            const QList<qsizetype> cuts = randomCuts(rng, bytes.size());
            const QList<SseEvent> got = parseCut(bytes, cuts);
            if (got != whole)
                QFAIL(qPrintable(QStringLiteral("round %1 differs").arg(round)));
        }
    }

    void ndjsonSplitsLinesHoweverCut()
    {
        const QByteArray bytes = FakeVendorServer::transcript(QStringLiteral("ollama-text.ndjson"))
            + "{\"x\":1}\r\n\n{\"y\":2}";
        auto parse = [&](const QList<qsizetype> &cuts) {
            NdjsonParser p;
            QList<QByteArray> out;
            qsizetype from = 0;
            for (qsizetype cut : cuts) {
                out += p.feed(QByteArrayView(bytes).sliced(from, cut - from));
                from = cut;
            }
            out += p.feed(QByteArrayView(bytes).sliced(from));
            out += p.finish();
            return out;
        };
        const QList<QByteArray> whole = parse({});
        QCOMPARE(whole.size(), 5);
        QCOMPARE(whole.at(3), QByteArray("{\"x\":1}"));
        QCOMPARE(whole.at(4), QByteArray("{\"y\":2}"));
        QCOMPARE(parse(everyByte(bytes.size())), whole);
        QRandomGenerator rng(42);
        for (int round = 0; round < 300; ++round)
            QCOMPARE(parse(randomCuts(rng, bytes.size())), whole);
    }
};

QTEST_GUILESS_MAIN(TestSseParser)
#include "tst_sseparser.moc"
