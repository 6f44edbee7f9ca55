// DemoProvider / DemoText: deterministic Markdown for a seed, streamed token by token.
#include "llm/demoprovider.h"
#include "llm/demotext.h"

#include <QRegularExpression>
#include <QSet>
#include <QSignalSpy>
#include <QTest>

using arbor::llm::ChatRequest;
using arbor::llm::ChatStream;
using arbor::llm::ChatUsage;
using arbor::llm::DemoProvider;
using arbor::llm::DemoText;

namespace {

ChatRequest requestFor(const QString &prompt)
{
    ChatRequest r;
    r.model = QStringLiteral("demo");
    r.turns = {{QStringLiteral("system"), QStringLiteral("Be brief.")},
               {QStringLiteral("user"), QStringLiteral("An earlier question")},
               {QStringLiteral("assistant"), QStringLiteral("An earlier answer")},
               {QStringLiteral("user"), prompt}};
    return r;
}

QString joined(const QSignalSpy &spy)
{
    QString out;
    for (const QList<QVariant> &args : spy)
        out += args.at(0).toString();
    return out;
}

} // namespace

class TestDemoProvider : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { qRegisterMetaType<ChatUsage>(); }

    void sameSeedSameText()
    {
        const QString prompt = QStringLiteral("How do branches work?");
        QCOMPARE(DemoText::answer(prompt, 42), DemoText::answer(prompt, 42));
        QCOMPARE(DemoText::seedFor(prompt), DemoText::seedFor(prompt));
        QVERIFY(DemoText::answer(prompt, 42).contains(prompt)); // it names the topic
    }

    void differentSeedsDiffer()
    {
        const QString prompt = QStringLiteral("How do branches work?");
        QSet<QString> texts;
        for (quint64 seed = 1; seed <= 8; ++seed)
            texts.insert(DemoText::answer(prompt, seed));
        QVERIFY2(texts.size() >= 7, qPrintable(QString::number(texts.size())));
        QVERIFY(DemoText::seedFor(QStringLiteral("a")) != DemoText::seedFor(QStringLiteral("b")));
    }

    void textHasEveryMarkdownBlock_data()
    {
        QTest::addColumn<quint64>("seed");
        for (quint64 seed : {0ull, 1ull, 7ull, 12345ull, 0xFFFFFFFFFFFFFFFFull})
            QTest::addRow("seed %llu", seed) << seed;
    }

    void textHasEveryMarkdownBlock()
    {
        QFETCH(quint64, seed);
        const QString text = DemoText::answer(QStringLiteral("Show me everything"), seed);
        const QStringList blocks = text.split(QStringLiteral("\n\n"));
        bool paragraph = false;
        for (const QString &b : blocks) {
            if (b.size() > 80 && !b.startsWith(QLatin1Char('-')) && !b.startsWith(QLatin1Char('|'))
                && !b.startsWith(QLatin1String("```")) && !b.contains(QLatin1Char('\n')))
                paragraph = true;
        }
        QVERIFY2(paragraph, qPrintable(text));
        const QRegularExpression list(QStringLiteral("^[-*] \\S"),
                                      QRegularExpression::MultilineOption);
        QVERIFY2(list.match(text).hasMatch(), qPrintable(text));
        const QRegularExpression fence(QStringLiteral("^```\\w*\\n[\\s\\S]+?\\n```$"),
                                       QRegularExpression::MultilineOption);
        QVERIFY2(fence.match(text).hasMatch(), qPrintable(text));
        QVERIFY2(text.contains(QLatin1String("\n|---")), qPrintable(text));
    }

    void longAnswerGrowsBySections()
    {
        const QString prompt = QStringLiteral("A long one");
        const QString shortAnswer = DemoText::answer(prompt, 5);
        const QString text = DemoText::answer(prompt, 5, 100'000);
        QVERIFY(text.size() >= 100'000);
        QVERIFY(text.size() < 102'000);
        QVERIFY(text.startsWith(shortAnswer));
        QCOMPARE(text, DemoText::answer(prompt, 5, 100'000));
        QVERIFY(text.count(QLatin1String("\n```")) > 100); // code, tables, lists throughout
        QVERIFY(text.count(QLatin1String("\n|:---|")) > 50);
        QVERIFY(text.count(QLatin1String("\n  - nested")) > 50);
    }

    void tokenizeIsLossless()
    {
        const QString text = DemoText::answer(QStringLiteral("emoji 🌳 and ünïcode"), 3);
        const QStringList tokens = DemoText::tokenize(text);
        QVERIFY(tokens.size() > 50);
        QCOMPARE(tokens.join(QString()), text);
        for (const QString &t : tokens) {
            QVERIFY(!t.isEmpty());
            QVERIFY(!t.back().isHighSurrogate()); // never splits a surrogate pair
        }
    }

    void streamsTheDeterministicTextThenFinishes()
    {
        const QString prompt = QStringLiteral("Stream me something");
        const QString expected = DemoText::answer(prompt, DemoText::seedFor(prompt));
        DemoProvider provider(5000);
        QObject owner;
        ChatStream *stream = provider.startChat(requestFor(prompt), &owner);
        QCOMPARE(stream->parent(), &owner);
        QSignalSpy deltas(stream, &ChatStream::delta);
        QSignalSpy finished(stream, &ChatStream::finished);
        QSignalSpy failed(stream, &ChatStream::failed);
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 30000);
        QCOMPARE(joined(deltas), expected);
        QCOMPARE(deltas.size(), DemoText::tokenize(expected).size());
        const auto usage = finished.at(0).at(0).value<ChatUsage>();
        QCOMPARE(usage.completionTokens, int(DemoText::tokenize(expected).size()));
        QVERIFY(usage.promptTokens > 0);
        QCOMPARE(finished.at(0).at(1).toString(), QStringLiteral("stop"));
        QCOMPARE(failed.size(), 0);
    }

    void seedAndRateOptionsAreHonoured()
    {
        const QString prompt = QStringLiteral("Seeded");
        ChatRequest r = requestFor(prompt);
        r.options = {{QStringLiteral("seed"), 99}, {QStringLiteral("rate"), 0}};
        DemoProvider provider(
            0.001); // the per-request rate wins; at this rate the test would time out
        QObject owner;
        ChatStream *stream = provider.startChat(r, &owner);
        QSignalSpy deltas(stream, &ChatStream::delta);
        QSignalSpy finished(stream, &ChatStream::finished);
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 30000);
        QCOMPARE(joined(deltas), DemoText::answer(prompt, 99));
    }

    void maxTokensTruncates()
    {
        const QString prompt = QStringLiteral("Short please");
        ChatRequest r = requestFor(prompt);
        r.maxTokens = 5;
        r.options = {{QStringLiteral("rate"), 0}};
        DemoProvider provider;
        QObject owner;
        ChatStream *stream = provider.startChat(r, &owner);
        QSignalSpy deltas(stream, &ChatStream::delta);
        QSignalSpy finished(stream, &ChatStream::finished);
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 30000);
        QCOMPARE(deltas.size(), 5);
        QCOMPARE(joined(deltas),
                 DemoText::tokenize(DemoText::answer(prompt, DemoText::seedFor(prompt)))
                     .mid(0, 5)
                     .join(QString()));
    }

    void cancelStopsDeltas()
    {
        // Two identical streams at the same rate; one is cancelled after its first delta. The
        // other one keeps going: once it has sent several more, the cancelled one must not have
        // sent anything since (and never finishes).
        const QString prompt = QStringLiteral("Cancel me");
        DemoProvider provider(200);
        QObject owner;
        ChatStream *cancelled = provider.startChat(requestFor(prompt), &owner);
        ChatStream *reference = provider.startChat(requestFor(prompt), &owner);
        QSignalSpy cancelledDeltas(cancelled, &ChatStream::delta);
        QSignalSpy cancelledFinished(cancelled, &ChatStream::finished);
        QSignalSpy referenceDeltas(reference, &ChatStream::delta);
        QSignalSpy referenceFinished(reference, &ChatStream::finished);
        QTRY_VERIFY_WITH_TIMEOUT(cancelledDeltas.size() >= 1, 30000);
        cancelled->cancel();
        const qsizetype atCancel = cancelledDeltas.size();
        const qsizetype referenceAtCancel = referenceDeltas.size();
        QTRY_VERIFY_WITH_TIMEOUT(referenceDeltas.size() >= referenceAtCancel + 20, 30000);
        QCOMPARE(cancelledDeltas.size(), atCancel);
        QTRY_COMPARE_WITH_TIMEOUT(referenceFinished.size(), 1, 60000);
        QCOMPARE(cancelledDeltas.size(), atCancel);
        QCOMPARE(cancelledFinished.size(), 0);
    }

    void describesItselfAsDemo()
    {
        DemoProvider provider;
        QVERIFY(provider.isDemo());
        QCOMPARE(provider.id(), QStringLiteral("demo"));
        QCOMPARE(provider.models().size(), 1);
        QCOMPARE(provider.models().at(0).id, QStringLiteral("demo"));
    }
};

QTEST_GUILESS_MAIN(TestDemoProvider)
#include "tst_demoprovider.moc"
