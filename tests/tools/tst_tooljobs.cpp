// Each tool call is a durable job of its own (kind "tool.call", ids only), run by the real
// arbord: `arbord chat --tools` killed with SIGKILL while the everything server's long-running
// operation runs leaves the call interrupted, and the reply can be continued (the model is told
// the call was interrupted) with the same tools and this run's approval flags; a call still
// queued when its process was killed is settled too; `arbord worker` never claims a tool job.
#include "mcpservers.h"

#include "jobs/jobqueries.h"
#include "jobs/pinned.h"
#include "store/sql.h"
#include "store/store.h"
#include "support/arbordfixture.h"
#include "support/dbconnection.h"
#include "support/fakevendorserver.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>

#include <csignal>

using arbor::testsupport::ArbordRun;
using arbor::testsupport::DbConnection;
using arbor::testsupport::FakeVendorServer;
using namespace arbor;
using namespace arbor::testing;

class TestToolJobs
    : public QObject
    , private arbor::testsupport::ArbordFixture
{
    Q_OBJECT

    /** @brief The fake vendor as provider "Fake" and the everything server as "everything". */
    bool addVendorAndEverything(const FakeVendorServer &vendor) const
    {
        if (!addFakeVendor(vendor))
            return false;
        const ArbordRun r = arbord(
            {"tools", "add", "everything", "--command", everythingServer(), "--arg", "stdio"});
        if (!r.endedWith(0))
            qWarning("%s", qPrintable(r.describe()));
        return r.endedWith(0);
    }

    /** @brief Starts `arbord chat` of @p text with the fake model and the everything server, to
     *  be killed by the test. */
    bool startChat(QProcess &p, const QString &text) const
    {
        p.setProcessEnvironment(env());
        p.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        p.start(QStringLiteral(ARBORD_PATH),
                {"chat", "--provider", "Fake", "--model", "fake-model", "--tools", "everything",
                 "--db", dbPath(), text});
        return p.waitForStarted();
    }

    /** @brief An OpenAI-compatible stream: some text, then a call of @p tool. */
    static QByteArray textThenAsk(const QString &text, const QString &tool,
                                  const QString &arguments)
    {
        const QJsonObject say{
            {"choices",
             QJsonArray{QJsonObject{{"index", 0}, {"delta", QJsonObject{{"content", text}}}}}}};
        const QJsonObject call{{"index", 0},
                               {"id", "call_long"},
                               {"type", "function"},
                               {"function", QJsonObject{{"name", tool}, {"arguments", arguments}}}};
        const QJsonObject ask{
            {"choices",
             QJsonArray{QJsonObject{{"index", 0},
                                    {"delta", QJsonObject{{"tool_calls", QJsonArray{call}}}},
                                    {"finish_reason", "tool_calls"}}}}};
        return "data: " + QJsonDocument(say).toJson(QJsonDocument::Compact) + "\n\ndata: "
            + QJsonDocument(ask).toJson(QJsonDocument::Compact) + "\n\ndata: [DONE]\n\n";
    }

private Q_SLOTS:
    void init() { QVERIFY(newStore()); }

    void killedMidCallIsInterruptedAndTheReplyContinues()
    {
        FakeVendorServer vendor;
        QVERIFY(addVendorAndEverything(vendor));

        // A call of the server's long-running operation (read-only: allowed without asking).
        vendor.enqueue(FakeVendorServer::stream(textThenAsk("Starting the long one. ",
                                                            "trigger-long-running-operation",
                                                            "{\"duration\":20,\"steps\":20}"),
                                                "text/event-stream"));
        QProcess p;
        QVERIFY(startChat(p, QStringLiteral("Run the long one.")));
        {
            DbConnection c(dbPath(), DbConnection::Mode::ReadOnly);
            // The call runs as its own job, and its entry says so.
            QTRY_VERIFY_WITH_TIMEOUT(
                c.scalar(QStringLiteral("SELECT count(*) FROM jobs WHERE kind = 'tool.call' AND "
                                        "state = 'running'"))
                        .toInt()
                    == 1,
                60000);
            const QJsonObject payload =
                QJsonDocument::fromJson(
                    c.scalar(QStringLiteral("SELECT payload FROM jobs WHERE kind = 'tool.call'"))
                        .toByteArray())
                    .object();
            QCOMPARE(payload.keys(), (QStringList{"call", "message_id"})); // ids only
            QCOMPARE(payload.value("call").toInt(), 0);
            const QJsonObject entry =
                QJsonDocument::fromJson(
                    c.scalar(QStringLiteral("SELECT tool_calls FROM messages WHERE role = "
                                            "'assistant'"))
                        .toByteArray())
                    .array()
                    .first()
                    .toObject();
            QCOMPARE(entry.value("status").toString(), QStringLiteral("running"));
            QCOMPARE(entry.value("name").toString(),
                     QStringLiteral("trigger-long-running-operation"));
        }
        QCOMPARE(::kill(pid_t(p.processId()), SIGKILL), 0);
        QVERIFY(p.waitForFinished(30000));
        QCOMPARE(p.exitStatus(), QProcess::CrashExit);

        QString replyId;
        {
            DbConnection c(dbPath(), DbConnection::Mode::ReadOnly);
            replyId = c.scalar(QStringLiteral("SELECT id FROM messages WHERE role = 'assistant'"))
                          .toString();
        }
        // The next process settles what the killed one left, and continues the reply with the
        // same tools, and the approval flags given to it: echo asks now, --approve-all runs it.
        ArbordRun r = arbord({"tools", "policy", "everything", "echo", "ask"});
        QVERIFY2(r.endedWith(0), qPrintable(r.describe()));
        const qsizetype before = vendor.requests().size();
        vendor.enqueue(FakeVendorServer::stream(
            textThenAsk("Once more. ", "echo", "{\"message\":\"again\"}"), "text/event-stream"));
        vendor.enqueue(FakeVendorServer::stream(
            FakeVendorServer::transcript(QStringLiteral("openai-text.sse")), "text/event-stream"));
        r = arbord({"chat", "--continue", replyId, "--approve-all", "--json"});
        QVERIFY2(r.endedWith(0), qPrintable(r.describe()));
        QCOMPARE(r.object().value("status").toString(), QStringLiteral("complete"));
        QCOMPARE(vendor.requests().size(), before + 2);
        QStringList offered;
        for (const QJsonValue &t : QJsonDocument::fromJson(vendor.requests().at(before).body)
                                       .object()
                                       .value("tools")
                                       .toArray())
            offered.append(t.toObject().value("function").toObject().value("name").toString());
        QVERIFY2(offered.contains("echo") && offered.contains("trigger-long-running-operation"),
                 qPrintable(offered.join(',')));
        const QJsonArray continued = r.object().value("tool_calls").toArray();
        QCOMPARE(continued.size(), 2); // the interrupted call it carries, and the new one
        QCOMPARE(continued.at(1).toObject().value("name").toString(), QStringLiteral("echo"));
        QCOMPARE(continued.at(1).toObject().value("status").toString(), QStringLiteral("done"));
        QCOMPARE(continued.at(1).toObject().value("result").toString(),
                 QStringLiteral("Echo: again"));

        DbConnection c(dbPath(), DbConnection::Mode::ReadOnly);
        QCOMPARE(c.scalar(QStringLiteral("SELECT status FROM messages WHERE id = ?"), {replyId})
                     .toString(),
                 QStringLiteral("interrupted"));
        const QJsonObject call =
            QJsonDocument::fromJson(
                c.scalar(QStringLiteral("SELECT tool_calls FROM messages WHERE id = ?"), {replyId})
                    .toByteArray())
                .array()
                .first()
                .toObject();
        QCOMPARE(call.value("status").toString(), QStringLiteral("interrupted"));
        QCOMPARE(call.value("result").toString(),
                 QStringLiteral("Arbor stopped before this call finished."));
        QCOMPARE(c.scalar(QStringLiteral("SELECT count(*) FROM jobs WHERE kind = 'tool.call' AND "
                                         "state IN ('queued', 'running')"))
                     .toInt(),
                 0);
        // The continuation told the model what became of the call, in OpenAI's format.
        const QJsonArray messages = QJsonDocument::fromJson(vendor.requests().at(before).body)
                                        .object()
                                        .value("messages")
                                        .toArray();
        bool toldTheModel = false;
        for (const QJsonValue &m : messages) {
            const QJsonObject o = m.toObject();
            if (o.value("role") == QLatin1String("tool")) {
                QCOMPARE(o.value("tool_call_id").toString(), QStringLiteral("call_long"));
                QCOMPARE(o.value("content").toString(),
                         QStringLiteral("Arbor stopped before this call finished."));
                toldTheModel = true;
            }
        }
        QVERIFY2(toldTheModel, vendor.requests().last().body.constData());
    }

    void queuedCallOfAKilledProcessIsSettled()
    {
        FakeVendorServer vendor;
        QVERIFY(addVendorAndEverything(vendor));
        // One call more than the slots of a process's tool calls: the last one waits, queued.
        const int slots = jobs::PinnedSlots;
        QJsonArray calls;
        for (int i = 0; i <= slots; ++i)
            calls.append(
                QJsonObject{{"index", i},
                            {"id", QStringLiteral("call_%1").arg(i)},
                            {"type", "function"},
                            {"function",
                             QJsonObject{{"name", "trigger-long-running-operation"},
                                         {"arguments", "{\"duration\":30,\"steps\":30}"}}}});
        const QJsonObject say{
            {"choices",
             QJsonArray{QJsonObject{{"index", 0}, {"delta", QJsonObject{{"content", "Many. "}}}}}}};
        const QJsonObject ask{{"choices",
                               QJsonArray{QJsonObject{{"index", 0},
                                                      {"delta", QJsonObject{{"tool_calls", calls}}},
                                                      {"finish_reason", "tool_calls"}}}}};
        vendor.enqueue(FakeVendorServer::stream(
            "data: " + QJsonDocument(say).toJson(QJsonDocument::Compact) + "\n\ndata: "
                + QJsonDocument(ask).toJson(QJsonDocument::Compact) + "\n\ndata: [DONE]\n\n",
            "text/event-stream"));
        QProcess p;
        QVERIFY(startChat(p, QStringLiteral("Run many.")));
        {
            DbConnection c(dbPath(), DbConnection::Mode::ReadOnly);
            const QString running = QStringLiteral(
                "SELECT count(*) FROM jobs WHERE kind = 'tool.call' AND state = 'running'");
            QTRY_COMPARE_WITH_TIMEOUT(c.scalar(running).toInt(), slots, 60000);
            QCOMPARE(c.scalar(QStringLiteral("SELECT count(*) FROM jobs WHERE kind = 'tool.call' "
                                             "AND state = 'queued' AND attempts = 0"))
                         .toInt(),
                     1);
        }
        QCOMPARE(::kill(pid_t(p.processId()), SIGKILL), 0);
        QVERIFY(p.waitForFinished(30000));

        // The next process settles every call, the queued one too, and the reply can go on.
        QString replyId;
        {
            DbConnection c(dbPath(), DbConnection::Mode::ReadOnly);
            replyId = c.scalar(QStringLiteral("SELECT id FROM messages WHERE role = 'assistant'"))
                          .toString();
        }
        vendor.enqueue(FakeVendorServer::stream(
            FakeVendorServer::transcript(QStringLiteral("openai-text.sse")), "text/event-stream"));
        ArbordRun r = arbord({"chat", "--continue", replyId, "--json"});
        QVERIFY2(r.endedWith(0), qPrintable(r.describe()));
        QCOMPARE(r.object().value("status").toString(), QStringLiteral("complete"));
        DbConnection c(dbPath(), DbConnection::Mode::ReadOnly);
        QCOMPARE(c.scalar(QStringLiteral("SELECT count(*) FROM jobs WHERE kind = 'tool.call' AND "
                                         "state IN ('queued', 'running')"))
                     .toInt(),
                 0);
        QCOMPARE(c.scalar(QStringLiteral("SELECT count(*) FROM jobs WHERE kind = 'tool.call' AND "
                                         "state = 'cancelled' AND attempts = 0 AND last_error_kind "
                                         "= 'worker_lost'"))
                     .toInt(),
                 1);
        const QJsonArray entries =
            QJsonDocument::fromJson(
                c.scalar(QStringLiteral("SELECT tool_calls FROM messages WHERE id = ?"), {replyId})
                    .toByteArray())
                .array();
        QCOMPARE(entries.size(), slots + 1);
        for (const QJsonValue &e : entries)
            QCOMPARE(e.toObject().value("status").toString(), QStringLiteral("interrupted"));
    }

    void workerNeverClaimsToolJobs()
    {
        {
            store::Store store(dbPath(), 1);
            store.open();
            store
                .write([](QSqlDatabase &db) {
                    store::exec(
                        db, QStringLiteral("CREATE TABLE test_effects (job_id INTEGER NOT NULL)"));
                    const qint64 now = QDateTime::currentMSecsSinceEpoch();
                    for (const QString &kind :
                         {QStringLiteral("tool.call"), QStringLiteral("chat.tools")}) {
                        jobs::JobSpec s;
                        s.kind = kind;
                        s.priority = jobs::Priority::Interactive + 1;
                        s.payload = {{QStringLiteral("message_id"), QStringLiteral("m")}};
                        jobs::queries::insert(db, s, now);
                    }
                    // A pinned job of another worker, of a kind the worker runs.
                    jobs::JobSpec pinned;
                    pinned.kind = QStringLiteral("test.effect");
                    pinned.queue = jobs::pinnedQueue(QStringLiteral("another-process"));
                    pinned.priority = jobs::Priority::Interactive + 1;
                    jobs::queries::insert(db, pinned, now);
                    // Proof that the worker claims what it may: a job it runs.
                    jobs::JobSpec effect;
                    effect.kind = QStringLiteral("test.effect");
                    jobs::queries::insert(db, effect, now);
                })
                .waitForFinished();
        }
        QProcess worker;
        QProcessEnvironment e = env();
        e.insert(QStringLiteral("ARBOR_TEST_JOB_KINDS"), QStringLiteral("1"));
        worker.setProcessEnvironment(e);
        worker.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        worker.start(QStringLiteral(ARBORD_PATH), {"worker", "--db", dbPath()});
        QVERIFY(worker.waitForStarted());
        {
            DbConnection c(dbPath(), DbConnection::Mode::ReadOnly);
            QTRY_COMPARE_WITH_TIMEOUT(
                c.scalar(QStringLiteral("SELECT count(*) FROM test_effects")).toInt(), 1, 30000);
        }
        QCOMPARE(::kill(pid_t(worker.processId()), SIGTERM), 0);
        QVERIFY(worker.waitForFinished(30000));
        QCOMPARE(worker.exitStatus(), QProcess::NormalExit);
        DbConnection c(dbPath(), DbConnection::Mode::ReadOnly);
        // The claim that took the lower-priority effect passed over all three.
        QCOMPARE(c.scalar(QStringLiteral("SELECT count(*) FROM jobs WHERE state = 'queued' AND "
                                         "attempts = 0 AND started_at IS NULL"))
                     .toInt(),
                 3);
        QCOMPARE(c.scalar(QStringLiteral("SELECT count(*) FROM jobs WHERE state = 'done'")).toInt(),
                 1);
    }
};

QTEST_GUILESS_MAIN(TestToolJobs)
#include "tst_tooljobs.moc"
