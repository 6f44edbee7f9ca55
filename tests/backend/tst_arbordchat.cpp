// `arbord chat`, the real binary, with real processes around it: the reply it sends may run in
// an `arbord worker` (any engine claims any due job), and the sender follows it through the store
// and stops it there; parameters and Continue as the app has them; one line per event on stderr;
// numbers checked. Vendors are a FakeVendorServer on 127.0.0.1.
#include "chat/chatservice.h"
#include "store/sql.h"
#include "support/arbordfixture.h"
#include "support/dbconnection.h"
#include "support/fakevendorserver.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <sys/types.h>

#include <csignal>

using arbor::testsupport::ArbordRun;
using arbor::testsupport::DbConnection;
using arbor::testsupport::FakeVendorServer;

namespace {

/** @brief An arbord that runs while the test goes on; its output is gathered as it comes. */
class Running
{
public:
    Running(const QStringList &args, const QProcessEnvironment &env)
    {
        m_process.setProcessEnvironment(env);
        QObject::connect(&m_process, &QProcess::readyReadStandardOutput,
                         [this] { m_out += m_process.readAllStandardOutput(); });
        QObject::connect(&m_process, &QProcess::readyReadStandardError,
                         [this] { m_err += QString::fromUtf8(m_process.readAllStandardError()); });
        m_process.start(QStringLiteral(ARBORD_PATH), args);
        m_process.waitForStarted();
        m_process.closeWriteChannel();
    }
    ~Running()
    {
        if (m_process.state() != QProcess::NotRunning) {
            ::kill(pid_t(m_process.processId()), SIGCONT);
            m_process.kill();
            m_process.waitForFinished();
        }
    }
    Running(const Running &) = delete;
    Running &operator=(const Running &) = delete;

    qint64 pid() const { return m_process.processId(); }
    void signal(int sig) const { ::kill(pid_t(m_process.processId()), sig); }
    const QByteArray &out() const { return m_out; }
    const QString &err() const { return m_err; }
    bool running() const { return m_process.state() == QProcess::Running; }
    /** @brief Waits for the end (half a minute at most: longer means a hang), serving this
     *  thread's events meanwhile (a FakeVendorServer of the test). */
    bool finish()
    {
        if (m_process.state() != QProcess::NotRunning) {
            QSignalSpy finished(&m_process, &QProcess::finished);
            if (!finished.wait(30000))
                return false;
        }
        m_out += m_process.readAllStandardOutput();
        m_err += QString::fromUtf8(m_process.readAllStandardError());
        return true;
    }
    int exitCode() const
    {
        return m_process.exitStatus() == QProcess::NormalExit ? m_process.exitCode() : -1;
    }

private:
    QProcess m_process;
    QByteArray m_out;
    QString m_err;
};

/** @brief An OpenAI-compatible streamed reply of @p pieces. */
QByteArray sse(const QStringList &pieces)
{
    QByteArray body;
    for (const QString &p : pieces) {
        const QJsonObject chunk{
            {QStringLiteral("choices"),
             QJsonArray{QJsonObject{
                 {QStringLiteral("index"), 0},
                 {QStringLiteral("delta"), QJsonObject{{QStringLiteral("content"), p}}}}}}};
        body += "data: " + QJsonDocument(chunk).toJson(QJsonDocument::Compact) + "\n\n";
    }
    body += R"(data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]})"
            "\n\ndata: [DONE]\n\n";
    return body;
}

} // namespace

class TestArbordChat
    : public QObject
    , private arbor::testsupport::ArbordFixture
{
    Q_OBJECT

private:
    std::unique_ptr<Running> start(const QStringList &args) const
    {
        return std::make_unique<Running>(args + QStringList{QStringLiteral("--db"), dbPath()},
                                         env());
    }

    static QStringList fakeChat(const QString &text, const QStringList &extra = {})
    {
        return QStringList{QStringLiteral("chat"), QStringLiteral("--provider"),
                           QStringLiteral("Fake"), QStringLiteral("--model"),
                           QStringLiteral("fake-model")}
        + extra + QStringList{text};
    }

    /** @brief The reply's job row: its state and the pid of the worker that holds its lease. */
    std::pair<QString, qint64> replyJob() const
    {
        try {
            DbConnection c(dbPath(), DbConnection::Mode::ReadOnly);
            QSqlQuery q = arbor::store::exec(
                c.db(),
                QStringLiteral("SELECT j.state, coalesce(w.pid, 0) FROM jobs j JOIN messages m ON "
                               "m.id = j.subject_id"
                               " LEFT JOIN workers w ON w.id = j.lease_owner"
                               " WHERE m.role = 'assistant' ORDER BY j.id DESC LIMIT 1"));
            if (q.next())
                return {q.value(0).toString(), q.value(1).toLongLong()};
        } catch (const std::exception &) {
        }
        return {};
    }

    QVariant scalar(const QString &sql, std::initializer_list<QVariant> values = {}) const
    {
        DbConnection c(dbPath(), DbConnection::Mode::ReadOnly);
        return c.scalar(sql, values);
    }

    /**
     * @brief Starts `arbord chat` for a reply that the running @p worker, not the chat, runs:
     * the demo queue is paused while the chat sends; the chat is frozen (SIGSTOP) while the queue
     * is resumed, until the worker has claimed the job; then it goes on.
     */
    void chatRunByWorker(const Running &worker, const QString &text, std::unique_ptr<Running> &chat)
    {
        QVERIFY(arbord({QStringLiteral("jobs"), QStringLiteral("pause"), QStringLiteral("demo")})
                    .endedWith(0));
        chat = start({QStringLiteral("chat"), text});
        QTRY_VERIFY_WITH_TIMEOUT(chat->err().contains(QLatin1String("paused")) || !chat->running(),
                                 30000);
        chat->signal(SIGSTOP);
        QVERIFY(arbord({QStringLiteral("jobs"), QStringLiteral("resume"), QStringLiteral("demo")})
                    .endedWith(0));
        QTRY_VERIFY_WITH_TIMEOUT(replyJob().second == worker.pid(), 30000);
        chat->signal(SIGCONT);
    }

private Q_SLOTS:
    void init() { QVERIFY(newStore()); }

    void followsAReplyThatAWorkerRuns()
    {
        Running worker({QStringLiteral("worker"), QStringLiteral("--rate"), QStringLiteral("200"),
                        QStringLiteral("--db"), dbPath()},
                       env());
        QTRY_VERIFY_WITH_TIMEOUT(worker.err().contains(QLatin1String("running jobs")), 30000);
        std::unique_ptr<Running> chat;
        chatRunByWorker(worker, QStringLiteral("Who answers me?"), chat);
        if (QTest::currentTestFailed())
            return;
        QVERIFY2(chat->finish(), "arbord chat did not end after its reply ended in the worker");
        QVERIFY2(chat->exitCode() == 0, qPrintable(chat->err()));
        const QString content = scalar(QStringLiteral("SELECT content FROM messages WHERE role = "
                                                      "'assistant' AND status = 'complete'"))
                                    .toString();
        QVERIFY(content.size() > 100);
        QCOMPARE(QString::fromUtf8(chat->out()), content + QStringLiteral("\n"));
        QCOMPARE(chat->err(),
                 QStringLiteral(
                     "arbord chat: the queue “demo” is paused; the reply waits (arbord jobs resume "
                     "demo)\n"));
        worker.signal(SIGINT);
        QVERIFY(worker.finish());
    }

    void ctrlCStopsTheReplyInTheWorker()
    {
        Running worker({QStringLiteral("worker"), QStringLiteral("--rate"), QStringLiteral("10"),
                        QStringLiteral("--db"), dbPath()},
                       env());
        QTRY_VERIFY_WITH_TIMEOUT(worker.err().contains(QLatin1String("running jobs")), 30000);
        std::unique_ptr<Running> chat;
        chatRunByWorker(worker, QStringLiteral("Take your time"), chat);
        if (QTest::currentTestFailed())
            return;
        QTRY_VERIFY_WITH_TIMEOUT(!chat->out().isEmpty(), 30000); // it streams, from the worker
        chat->signal(SIGINT);
        QVERIFY2(chat->finish(), "Ctrl+C did not end arbord chat while the worker ran its reply");
        QVERIFY2(chat->exitCode() == 3, qPrintable(chat->err()));
        const QString id =
            scalar(QStringLiteral("SELECT id FROM messages WHERE role = 'assistant'")).toString();
        QVERIFY2(
            chat->err().endsWith(
                QStringLiteral("arbord chat: stopped; the partial reply is kept in message %1\n")
                    .arg(id)),
            qPrintable(chat->err()));
        QCOMPARE(
            scalar(QStringLiteral("SELECT status FROM messages WHERE id = ?"), {id}).toString(),
            QStringLiteral("cancelled"));
        QCOMPARE(
            scalar(QStringLiteral("SELECT state FROM jobs WHERE subject_id = ?"), {id}).toString(),
            QStringLiteral("cancelled"));
        const QString kept =
            scalar(QStringLiteral("SELECT content FROM messages WHERE id = ?"), {id}).toString();
        QVERIFY(!kept.isEmpty());
        QCOMPARE(QString::fromUtf8(chat->out()).trimmed(), kept.trimmed());
        QVERIFY(worker.running()); // the worker stopped the reply, not itself
        worker.signal(SIGINT);
        QVERIFY(worker.finish());
    }

    void parametersReachTheVendorAndStay()
    {
        FakeVendorServer server;
        QVERIFY(addFakeVendor(server));
        server.enqueue(
            FakeVendorServer::stream(sse({QStringLiteral("Brief.")}), "text/event-stream"));
        ArbordRun r = arbord(fakeChat(
            QStringLiteral("Hi"),
            {QStringLiteral("--system"), QStringLiteral("Answer in one word."),
             QStringLiteral("--temperature"), QStringLiteral("0.25"),
             QStringLiteral("--max-tokens"), QStringLiteral("64"), QStringLiteral("--json")}));
        QVERIFY2(r.endedWith(0), qPrintable(r.describe()));
        const QString conversation = r.object().value(QLatin1String("conversation_id")).toString();
        QJsonObject body = QJsonDocument::fromJson(server.requests().constLast().body).object();
        QCOMPARE(body.value(QLatin1String("messages")).toArray().at(0).toObject(),
                 (QJsonObject{{QStringLiteral("role"), QStringLiteral("system")},
                              {QStringLiteral("content"), QStringLiteral("Answer in one word.")}}));
        QCOMPARE(body.value(QLatin1String("temperature")).toDouble(), 0.25);
        QCOMPARE(body.value(QLatin1String("max_tokens")).toInt(), 64);

        // On an existing conversation: only what is given changes; "default" unsets.
        server.enqueue(
            FakeVendorServer::stream(sse({QStringLiteral("Again.")}), "text/event-stream"));
        r = arbord(fakeChat(QStringLiteral("More"),
                            {QStringLiteral("--conversation"), conversation,
                             QStringLiteral("--temperature"), QStringLiteral("default")}));
        QVERIFY2(r.endedWith(0), qPrintable(r.describe()));
        body = QJsonDocument::fromJson(server.requests().constLast().body).object();
        QVERIFY(!body.contains(QLatin1String("temperature")));
        QCOMPARE(body.value(QLatin1String("max_tokens")).toInt(), 64);
        QCOMPARE(body.value(QLatin1String("messages"))
                     .toArray()
                     .at(0)
                     .toObject()
                     .value(QLatin1String("content"))
                     .toString(),
                 QStringLiteral("Answer in one word."));
        const QJsonObject stored =
            QJsonDocument::fromJson(
                scalar(QStringLiteral("SELECT settings FROM conversations WHERE id = ?"),
                       {conversation})
                    .toString()
                    .toUtf8())
                .object();
        QCOMPARE(
            stored,
            (QJsonObject{{QStringLiteral("system_prompt"), QStringLiteral("Answer in one word.")},
                         {QStringLiteral("max_tokens"), 64}}));
    }

    void badNumbersAreUsageErrors_data()
    {
        QTest::addColumn<QString>("option");
        QTest::addColumn<QString>("value");
        for (const char *v : {"inf", "1e308", "nan", "-1", "fast", "1000001"})
            QTest::addRow("--rate %s", v) << QStringLiteral("rate") << QString::fromLatin1(v);
        for (const char *v : {"2.5", "-0.1", "nan", "inf", "warm"})
            QTest::addRow("--temperature %s", v)
                << QStringLiteral("temperature") << QString::fromLatin1(v);
        for (const char *v : {"0", "1.5", "1000001", "99999999999999999999", "-3", "many"})
            QTest::addRow("--max-tokens %s", v)
                << QStringLiteral("max-tokens") << QString::fromLatin1(v);
    }

    void badNumbersAreUsageErrors()
    {
        QFETCH(QString, option);
        QFETCH(QString, value);
        const ArbordRun r = arbord(
            {QStringLiteral("chat"), QStringLiteral("--") + option, value, QStringLiteral("hi")});
        QVERIFY2(r.endedWith(2), qPrintable(r.describe()));
        QCOMPARE(r.errLines().size(), 1);
        QVERIFY2(r.err.startsWith(QStringLiteral("arbord chat: --%1 takes ").arg(option)),
                 qPrintable(r.err));
        QVERIFY(r.out.isEmpty());
        QVERIFY(!QFileInfo::exists(dbPath())); // refused before anything was opened
    }

    void continueGoesOnFromAStoppedReply()
    {
        auto chat = start({QStringLiteral("chat"), QStringLiteral("--rate"), QStringLiteral("20"),
                           QStringLiteral("Go on")});
        QTRY_VERIFY_WITH_TIMEOUT(!chat->out().isEmpty(), 30000);
        chat->signal(SIGINT);
        QVERIFY(chat->finish());
        QVERIFY2(chat->exitCode() == 3, qPrintable(chat->err()));
        const QRegularExpressionMatch kept =
            QRegularExpression(QStringLiteral("kept in message (\\S+)")).match(chat->err());
        QVERIFY2(kept.hasMatch(), qPrintable(chat->err()));
        const QString stopped = kept.captured(1);
        const QString partial =
            scalar(QStringLiteral("SELECT content FROM messages WHERE id = ?"), {stopped})
                .toString();

        ArbordRun r =
            arbord({QStringLiteral("chat"), QStringLiteral("--continue"), stopped,
                    QStringLiteral("--rate"), QStringLiteral("0"), QStringLiteral("--max-tokens"),
                    QStringLiteral("4000"), QStringLiteral("--json")});
        QVERIFY2(r.endedWith(0), qPrintable(r.describe()));
        const QJsonObject o = r.object();
        QCOMPARE(o.value(QLatin1String("status")).toString(), QStringLiteral("complete"));
        const QString continued = o.value(QLatin1String("assistant_message_id")).toString();
        QVERIFY(!continued.isEmpty() && continued != stopped);
        QVERIFY2(o.value(QLatin1String("content")).toString().startsWith(partial),
                 qPrintable(o.value(QLatin1String("content")).toString()));
        QVERIFY(o.value(QLatin1String("content")).toString().size() > partial.size());
        QVERIFY(o.value(QLatin1String("user_message_id")).isNull()); // nothing was sent
        QCOMPARE(scalar(QStringLiteral("SELECT parent_id FROM messages WHERE id = ?"), {continued}),
                 scalar(QStringLiteral("SELECT parent_id FROM messages WHERE id = ?"), {stopped}));
        QCOMPARE(scalar(QStringLiteral("SELECT status FROM messages WHERE id = ?"), {stopped})
                     .toString(),
                 QStringLiteral("cancelled"));
        QCOMPARE(
            QJsonDocument::fromJson(
                scalar(QStringLiteral("SELECT settings FROM conversations")).toString().toUtf8())
                .object()
                .value(QLatin1String("max_tokens"))
                .toInt(),
            4000);

        // A complete reply has nothing to continue; TEXT does not go with --continue.
        r = arbord({QStringLiteral("chat"), QStringLiteral("--continue"), continued});
        QVERIFY2(r.endedWith(1), qPrintable(r.describe()));
        QCOMPARE(
            r.errLines(),
            QStringList{QStringLiteral(
                "arbord chat: Only a reply that stopped early with some text, or at the limit on "
                "rounds of tool calls, can be continued.")});
        QVERIFY(r.out.isEmpty());
        r = arbord({QStringLiteral("chat"), QStringLiteral("--continue"), stopped,
                    QStringLiteral("more please")});
        QVERIFY2(r.endedWith(2), qPrintable(r.describe()));
    }

    void aThinkingBudgetIsStoredWithTheConversation()
    {
        FakeVendorServer server;
        QVERIFY(addFakeVendor(server));
        QVERIFY(arbord(fakeChat(QStringLiteral("Hi"),
                                {QStringLiteral("--thinking"), QStringLiteral("100")}))
                    .endedWith(2)); // below the smallest budget: a usage error, nothing sent
        QVERIFY(server.requests().isEmpty());
        server.enqueue(
            FakeVendorServer::stream(sse({QStringLiteral("Brief.")}), "text/event-stream"));
        ArbordRun r = arbord(fakeChat(
            QStringLiteral("Hi"),
            {QStringLiteral("--thinking"), QStringLiteral("2048"), QStringLiteral("--json")}));
        QVERIFY2(r.endedWith(0), qPrintable(r.describe()));
        const QString conversation = r.object().value(QLatin1String("conversation_id")).toString();
        const auto budget = [this, &conversation] {
            return scalar(QStringLiteral("SELECT json_extract(settings, '$.thinking_budget') FROM "
                                         "conversations WHERE id = ?"),
                          {conversation});
        };
        QCOMPARE(budget().toInt(), 2048);
        server.enqueue(
            FakeVendorServer::stream(sse({QStringLiteral("Again.")}), "text/event-stream"));
        r = arbord(fakeChat(QStringLiteral("More"),
                            {QStringLiteral("--conversation"), conversation,
                             QStringLiteral("--thinking"), QStringLiteral("off")}));
        QVERIFY2(r.endedWith(0), qPrintable(r.describe()));
        QVERIFY(budget().isNull());
    }

    void killedWhileThinkingKeepsTheReasoning()
    {
        // The reply's reasoning streams, then arbord dies before any answer: what was stored of
        // the reasoning is kept, and the reply is not sent again (as with text).
        FakeVendorServer server;
        QVERIFY(addFakeVendor(server));
        const QList<QByteArray> events =
            FakeVendorServer::transcript(QStringLiteral("openai-reasoning.sse")).split('\n');
        // role, then two reasoning pieces; then nothing for a minute
        QByteArray first;
        for (qsizetype i = 0; i < 6; ++i)
            first += events.at(i) + '\n';
        FakeVendorServer::Response stalled = FakeVendorServer::stream(first, "text/event-stream");
        stalled.body.append({QByteArrayLiteral("data: {}\n\n"), 60000});
        server.enqueue(stalled);
        auto chat = start(fakeChat(QStringLiteral("How many r?")));
        const QString thought = QStringLiteral(
            "Spell it out: s-t-r-a-w-b-e-r-r-y. One r after t, two before y — três.");
        QTRY_COMPARE_WITH_TIMEOUT(
            scalar(QStringLiteral("SELECT group_concat(text, '') FROM (SELECT text FROM "
                                  "message_reasoning_chunks ORDER BY seq)"))
                .toString(),
            thought, 30000);
        chat->signal(SIGKILL);
        QVERIFY(chat->finish());

        const QString conversation =
            scalar(QStringLiteral("SELECT conversation_id FROM messages LIMIT 1")).toString();
        ArbordRun shown = arbord({QStringLiteral("show"), QStringLiteral("--json"), conversation});
        QVERIFY2(shown.endedWith(0), qPrintable(shown.describe()));
        const QJsonObject reply =
            shown.object().value(QLatin1String("messages")).toArray().at(1).toObject();
        QCOMPARE(reply.value(QLatin1String("status")).toString(), QStringLiteral("interrupted"));
        QCOMPARE(reply.value(QLatin1String("reasoning")).toString(), thought);
        QCOMPARE(reply.value(QLatin1String("content")).toString(), QString());

        // The next process that runs jobs settles it: interrupted, reasoning folded in, no new
        // request.
        Running worker({QStringLiteral("worker"), QStringLiteral("--db"), dbPath()}, env());
        QTRY_COMPARE_WITH_TIMEOUT(
            scalar(QStringLiteral("SELECT status FROM messages WHERE role = 'assistant'"))
                .toString(),
            QStringLiteral("interrupted"), 30000);
        QCOMPARE(scalar(QStringLiteral("SELECT reasoning FROM messages WHERE role = 'assistant'"))
                     .toString(),
                 thought);
        QCOMPARE(scalar(QStringLiteral("SELECT count(*) FROM message_reasoning_chunks")).toInt(),
                 0);
        worker.signal(SIGINT);
        QVERIFY(worker.finish());
        QCOMPARE(server.requests().size(), 1);
    }

    void aRetryIsOneLineAndJobsShowsWhenItRuns()
    {
        FakeVendorServer server;
        QVERIFY(addFakeVendor(server));
        server.enqueue(FakeVendorServer::json(
            429, R"({"error":{"type":"rate_limit_error","message":"Slow down"}})",
            {{"Retry-After", "2"}}));
        server.enqueue(FakeVendorServer::stream(
            sse({QStringLiteral("Made"), QStringLiteral(" it")}), "text/event-stream"));
        auto chat = start(fakeChat(QStringLiteral("Hello?")));
        QTRY_VERIFY_WITH_TIMEOUT(
            chat->err().contains(QLatin1String("retrying")) || !chat->running(), 30000);

        const ArbordRun jobs = arbord({QStringLiteral("jobs"), QStringLiteral("--json")});
        QVERIFY2(jobs.endedWith(0), qPrintable(jobs.describe()));
        const QJsonArray waiting = jobs.object().value(QLatin1String("waiting")).toArray();
        QCOMPARE(waiting.size(), 1);
        QVERIFY(waiting.at(0).toObject().value(QLatin1String("run_at")).toDouble() > 0);
        QCOMPARE(waiting.at(0).toObject().value(QLatin1String("attempts")).toInt(), 1);
        QVERIFY(waiting.at(0)
                    .toObject()
                    .value(QLatin1String("last_error"))
                    .toString()
                    .contains(QLatin1String("Rate limited")));
        const ArbordRun text = arbord({QStringLiteral("jobs")});
        QVERIFY2(text.out.contains("next run"), qPrintable(text.describe()));

        QVERIFY(chat->finish());
        QVERIFY2(chat->exitCode() == 0, qPrintable(chat->err()));
        QCOMPARE(chat->out(), QByteArray("Made it\n"));
        const QStringList lines = chat->err().split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 1);
        QVERIFY2(
            QRegularExpression(
                QStringLiteral("^arbord chat: rate limited by the vendor, retrying in \\d+ s$"))
                .match(lines.constFirst())
                .hasMatch(),
            qPrintable(lines.constFirst()));
    }

    void aReplyThatAsksForToolsSaysSo()
    {
        // The text is the model's own; one line on stderr names the tools it asked for.
        FakeVendorServer server;
        QVERIFY(addFakeVendor(server));
        server.enqueue(FakeVendorServer::stream(
            FakeVendorServer::transcript(QStringLiteral("openai-tool-calls.sse")),
            "text/event-stream", 4));
        const ArbordRun r = arbord(fakeChat(QStringLiteral("Weather and time in Paris?")));
        QVERIFY2(r.endedWith(0), qPrintable(r.describe()));
        QCOMPARE(QString::fromUtf8(r.out), QStringLiteral("I'll check both.\n"));
        QCOMPARE(r.errLines(),
                 QStringList{QStringLiteral("arbord chat: the model asked to call get_weather, "
                                            "get_time, which did not run (give --tools SERVER to "
                                            "let it; arbord show --json has the calls)")});

        // --json has them, as stored.
        server.enqueue(FakeVendorServer::stream(
            FakeVendorServer::transcript(QStringLiteral("openai-tool-calls.sse")),
            "text/event-stream", 4));
        const ArbordRun j = arbord(fakeChat(QStringLiteral("Again?"), {QStringLiteral("--json")}));
        QVERIFY2(j.endedWith(0), qPrintable(j.describe()));
        QCOMPARE(j.object().value(QLatin1String("content")).toString(),
                 QStringLiteral("I'll check both."));
        const QJsonArray calls = j.object().value(QLatin1String("tool_calls")).toArray();
        QCOMPARE(calls.size(), 2);
        QCOMPARE(calls.at(0).toObject().value(QLatin1String("id")).toString(),
                 QStringLiteral("call_Qx3T8mWv1bLc9RkZ0aYhJ2nF"));
        QCOMPARE(calls.at(1).toObject().value(QLatin1String("name")).toString(),
                 QStringLiteral("get_time"));
        QCOMPARE(calls.at(1).toObject().value(QLatin1String("arguments")).toString(),
                 QStringLiteral("{\"zone\": \"Europe/Paris\"}"));
        QCOMPARE(calls.at(1).toObject().value(QLatin1String("at")).toInt(), 16);
    }

    void aFailedReplyIsOneLineAndNoEmptyOutput()
    {
        FakeVendorServer server;
        QVERIFY(addFakeVendor(server));
        for (int i = 0; i < 3; ++i)
            server.enqueue(FakeVendorServer::json(
                503, R"({"error":{"type":"server_error","message":"Try later"}})"));
        const ArbordRun r = arbord(fakeChat(QStringLiteral("Anyone?")));
        QVERIFY2(r.endedWith(1), qPrintable(r.describe()));
        QCOMPARE(server.requests().size(), 3);
        QVERIFY2(r.out.isEmpty(), qPrintable(r.describe())); // not even an empty line
        const QStringList lines = r.errLines();
        for (const QString &line : lines)
            QVERIFY2(line.startsWith(QLatin1String("arbord chat: ")),
                     qPrintable(r.err)); // no log lines
        QVERIFY2(
            lines.constLast().startsWith(QLatin1String("arbord chat: the reply ended error: ")),
            qPrintable(r.err));
        QVERIFY2(lines.constLast().contains(QLatin1String("Try later")), qPrintable(r.err));
    }

    void verboseShowsTheLogWithoutARetryPromiseOnTheLastAttempt()
    {
        FakeVendorServer server;
        QVERIFY(addFakeVendor(server));
        for (int i = 0; i < 3; ++i)
            server.enqueue(FakeVendorServer::json(
                503, R"({"error":{"type":"server_error","message":"Try later"}})"));
        const ArbordRun r =
            arbord(QStringList{QStringLiteral("--verbose")} + fakeChat(QStringLiteral("Anyone?")));
        QVERIFY2(r.endedWith(1), qPrintable(r.describe()));
        QCOMPARE(server.requests().size(), 3);
        const QStringList failures = r.errLines().filter(QStringLiteral("arbor.chat.reply"));
        QCOMPARE(failures.size(), 3);
        QVERIFY2(failures.at(0).endsWith(QLatin1String("(will retry)")), qPrintable(r.err));
        QVERIFY2(failures.at(1).endsWith(QLatin1String("(will retry)")), qPrintable(r.err));
        QVERIFY2(!failures.at(2).contains(QLatin1String("will retry")), qPrintable(r.err));
    }
};

QTEST_GUILESS_MAIN(TestArbordChat)
#include "tst_arbordchat.moc"
