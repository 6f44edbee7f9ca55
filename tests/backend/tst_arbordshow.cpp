// `arbord show` of very deep and very long conversations, the real binary: the tree's
// indentation is bounded (depth as a number past a level), and a long path is read and printed
// in slices, so what arbord holds in memory does not grow with the conversation.
#include "domain/ids.h"
#include "store/conversationqueries.h"
#include "store/messagequeries.h"
#include "store/sql.h"
#include "support/arbordprocess.h"
#include "support/dbconnection.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <sys/resource.h>

using arbor::testsupport::ArbordRun;
using arbor::testsupport::DbConnection;

namespace {

/** @brief Writes a conversation that is one chain of @p count messages, each with @p content
 *  (user and assistant in turn), with the last one as its visible leaf; returns its id. */
QString writeChain(const QString &path, int count, const QString &content)
{
    using namespace arbor;
    DbConnection c(path, DbConnection::Mode::Migrated);
    c.exec(QStringLiteral("BEGIN"));
    domain::Conversation conversation;
    conversation.id = domain::newId();
    conversation.title = QStringLiteral("A long one");
    conversation.createdAt = conversation.updatedAt = 1;
    store::conversations::insert(c.db(), conversation);
    QString parent;
    for (int i = 0; i < count; ++i) {
        domain::Message m;
        m.id = domain::newId();
        m.conversationId = conversation.id;
        m.parentId = parent;
        m.role = i % 2 == 0 ? QStringLiteral("user") : QStringLiteral("assistant");
        m.author = i % 2 == 0 ? QStringLiteral("You") : QStringLiteral("Demo");
        m.content = QStringLiteral("%1 %2").arg(i).arg(content);
        m.createdAt = 10 + i;
        store::messages::insert(c.db(), m);
        parent = m.id;
    }
    store::conversations::setCurrentLeaf(c.db(), conversation.id, parent);
    c.exec(QStringLiteral("COMMIT"));
    return conversation.id;
}

/** @brief The largest resident size, in KiB, of the children this process has waited for. */
long childrenPeakKiB()
{
    rusage usage{};
    getrusage(RUSAGE_CHILDREN, &usage);
    return usage.ru_maxrss;
}

} // namespace

class TestArbordShow : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    QString dbPath() const { return m_dir->filePath(QStringLiteral("arbor.db")); }

    ArbordRun arbord(const QStringList &args) const
    {
        return arbor::testsupport::runArbord(QStringLiteral(ARBORD_PATH),
                                             args + QStringList{QStringLiteral("--db"), dbPath()});
    }

    /** @brief Runs arbord with stdout into @p file; the exit code (-1 when it crashed or hung). */
    int arbordToFile(const QStringList &args, const QString &file) const
    {
        QProcess p;
        p.setStandardOutputFile(file);
        p.start(QStringLiteral(ARBORD_PATH), args + QStringList{QStringLiteral("--db"), dbPath()});
        if (!p.waitForFinished(120000)) {
            p.kill();
            p.waitForFinished();
            return -1;
        }
        return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    }

private Q_SLOTS:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
    }

    void treeIndentationIsBounded()
    {
        constexpr int Depth = 1000;
        const QString id = writeChain(dbPath(), Depth, QStringLiteral("text"));
        const ArbordRun r = arbord({QStringLiteral("show"), QStringLiteral("--tree"), id});
        QVERIFY2(r.endedWith(0), qPrintable(r.describe()));
        const QStringList lines =
            QString::fromUtf8(r.out).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), Depth + 1); // the title, then one line per message
        qsizetype longest = 0;
        for (const QString &line : lines)
            longest = std::max(longest, line.size());
        QVERIFY2(longest < 200, qPrintable(QStringLiteral("a line of %1 characters").arg(longest)));
        // Two spaces a level as far as level 32; deeper, the depth is written out.
        QVERIFY2(lines.at(1).startsWith(QLatin1String("* user ")), qPrintable(lines.at(1)));
        QVERIFY2(lines.at(33).startsWith(QString(64, QLatin1Char(' ')) + QStringLiteral("* user ")),
                 qPrintable(lines.at(33)));
        QVERIFY2(lines.at(34).startsWith(QString(64, QLatin1Char(' '))
                                         + QStringLiteral("[33] * assistant ")),
                 qPrintable(lines.at(34)));
        QVERIFY2(lines.constLast().startsWith(QString(64, QLatin1Char(' '))
                                              + QStringLiteral("[999] * assistant ")),
                 qPrintable(lines.constLast()));
    }

    void theReasoningIsShownApart()
    {
        const QString id = writeChain(dbPath(), 2, QStringLiteral("text"));
        const QString data = QStringLiteral(
            R"({"format":"anthropic","parts":[{"type":"thinking","in":"reasoning","start":0,"length":8,"signature":"sig"}]})");
        {
            DbConnection c(dbPath());
            c.exec(QStringLiteral("UPDATE messages SET reasoning = ?, reasoning_ms = 12400, "
                                  "reasoning_data = ? WHERE role = 'assistant'"),
                   {QStringLiteral("Line one\n\nline two"), data});
        }
        ArbordRun r = arbord({QStringLiteral("show"), id});
        QVERIFY2(r.endedWith(0), qPrintable(r.describe()));
        const QString text = QString::fromUtf8(r.out);
        QVERIFY2(text.contains(QStringLiteral("## Demo\n\nthinking (12 s):\n    Line one\n\n    "
                                              "line two\n\n1 text\n")),
                 qPrintable(text));
        QCOMPARE(text.count(QStringLiteral("thinking")), 1); // the user's message has none

        r = arbord({QStringLiteral("show"), QStringLiteral("--json"), id});
        QVERIFY2(r.endedWith(0), qPrintable(r.describe()));
        const QJsonArray messages = r.object().value(QLatin1String("messages")).toArray();
        QCOMPARE(messages.size(), 2);
        const QJsonObject reply = messages.at(1).toObject();
        QCOMPARE(reply.value(QLatin1String("reasoning")).toString(),
                 QStringLiteral("Line one\n\nline two"));
        QCOMPARE(reply.value(QLatin1String("reasoning_ms")).toInteger(), 12400);
        QCOMPARE(reply.value(QLatin1String("reasoning_data")).toObject(),
                 QJsonDocument::fromJson(data.toUtf8()).object());
        const QJsonObject question = messages.at(0).toObject();
        QVERIFY(question.value(QLatin1String("reasoning")).isNull());
        QVERIFY(question.value(QLatin1String("reasoning_ms")).isNull());
        QVERIFY(question.value(QLatin1String("reasoning_data")).isNull());
    }

    void toolCallsAreShownWhereTheyWereMade()
    {
        // "1 text" is the reply; one call after its first two characters, one at its end (with
        // a result and an id, as the tools issue will store them).
        const QString id = writeChain(dbPath(), 2, QStringLiteral("text"));
        const QString calls = QStringLiteral(
            "[{\"id\":\"call_1\",\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\":"
            "\\\"Paris\\\"}\",\"at\":2,\"status\":\"requested\"},"
            R"({"id":"","name":"get_time","arguments":"{}","at":6,"status":"done","result":"12:00"}])");
        {
            DbConnection c(dbPath());
            c.exec(QStringLiteral("UPDATE messages SET tool_calls = ? WHERE role = 'assistant'"),
                   {calls});
        }
        ArbordRun r = arbord({QStringLiteral("show"), id});
        QVERIFY2(r.endedWith(0), qPrintable(r.describe()));
        const QString text = QString::fromUtf8(r.out);
        QVERIFY2(text.contains(QStringLiteral(
                     "## Demo\n\n1 \n\ntool call get_weather (id call_1), requested:\n    {\n"
                     "        \"city\": \"Paris\"\n    }\n\ntext\n\ntool call get_time, done:\n"
                     "    {}\n  result:\n    12:00\n")),
                 qPrintable(text));
        QCOMPARE(text.count(QStringLiteral("tool call")), 2);

        r = arbord({QStringLiteral("show"), QStringLiteral("--json"), id});
        QVERIFY2(r.endedWith(0), qPrintable(r.describe()));
        const QJsonArray messages = r.object().value(QLatin1String("messages")).toArray();
        QCOMPARE(messages.size(), 2);
        QCOMPARE(messages.at(1).toObject().value(QLatin1String("tool_calls")).toArray(),
                 QJsonDocument::fromJson(calls.toUtf8()).array());
        QCOMPARE(messages.at(1).toObject().value(QLatin1String("content")).toString(),
                 QStringLiteral("1 text"));
        QVERIFY(messages.at(0).toObject().value(QLatin1String("tool_calls")).isNull());
    }

    void treeJsonHasEveryNode()
    {
        const QString id = writeChain(dbPath(), 300, QStringLiteral("text"));
        const ArbordRun r = arbord(
            {QStringLiteral("show"), QStringLiteral("--tree"), QStringLiteral("--json"), id});
        QVERIFY2(r.endedWith(0), qPrintable(r.describe()));
        QJsonParseError error;
        const QJsonObject o = QJsonDocument::fromJson(r.out, &error).object();
        QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString()));
        QCOMPARE(
            o.value(QLatin1String("conversation")).toObject().value(QLatin1String("id")).toString(),
            id);
        const QJsonArray nodes = o.value(QLatin1String("nodes")).toArray();
        QCOMPARE(nodes.size(), 300);
        for (const QJsonValue &n : nodes)
            QVERIFY(n.toObject().value(QLatin1String("current")).toBool());
        QVERIFY(nodes.at(0).toObject().value(QLatin1String("parent_id")).isNull());
    }

    void aLongPathIsPrintedInSlices_data()
    {
        QTest::addColumn<bool>("json");
        QTest::newRow("text") << false;
        QTest::newRow("json") << true;
    }

    void aLongPathIsPrintedInSlices()
    {
        QFETCH(bool, json);
        // 20,000 messages of 8 KB: 160 MB of text, twice that as QString. Printed whole from
        // memory (and as one JSON document) that is well over a gigabyte; in slices, a few MB.
        constexpr int Count = 20000;
        const QString filler(8000, QLatin1Char('x'));
        const QString id = writeChain(dbPath(), Count, filler);
        const QString file = m_dir->filePath(QStringLiteral("out.txt"));
        QStringList args{QStringLiteral("show"), id};
        if (json)
            args << QStringLiteral("--json");
        QCOMPARE(arbordToFile(args, file), 0);
        const long peakKiB = childrenPeakKiB();
        QVERIFY2(peakKiB < 200 * 1024,
                 qPrintable(QStringLiteral("arbord show peaked at %1 MiB").arg(peakKiB / 1024)));

        QFile out(file);
        QVERIFY(out.open(QIODevice::ReadOnly));
        if (!json) {
            int headings = 0;
            while (!out.atEnd()) {
                if (out.readLine().startsWith("## "))
                    ++headings;
            }
            QCOMPARE(headings, Count);
            return;
        }
        // One message a line between the header and the end: each line is JSON on its own.
        QVERIFY(out.readLine().startsWith("{\"conversation\": {"));
        QCOMPARE(out.readLine(), QByteArray("\"messages\": [\n"));
        int messages = 0;
        QString parent;
        for (QByteArray line = out.readLine(); !line.startsWith("]}"); line = out.readLine()) {
            if (line.endsWith(",\n"))
                line.chop(2);
            QJsonParseError error;
            const QJsonObject m = QJsonDocument::fromJson(line, &error).object();
            QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString()));
            QCOMPARE(m.value(QLatin1String("content")).toString(),
                     QStringLiteral("%1 %2").arg(messages).arg(filler));
            QCOMPARE(m.value(QLatin1String("parent_id")).toString(), parent);
            parent = m.value(QLatin1String("id")).toString();
            ++messages;
        }
        QCOMPARE(messages, Count);
    }
};

QTEST_GUILESS_MAIN(TestArbordShow)
#include "tst_arbordshow.moc"
