// jobs::queries: the durable queue — claim order, leases owned by one worker, retries,
// cancellation and the recovery of jobs whose worker process died.
#include "jobs/adminqueries.h"
#include "jobs/jobqueries.h"
#include "support/dbconnection.h"

#include <QCoreApplication>
#include <QJsonDocument>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

namespace queries = arbor::jobs::queries;
using arbor::jobs::Job;
using arbor::jobs::JobSpec;
using arbor::jobs::JobState;
using arbor::testsupport::DbConnection;

namespace {

const QString Kind = QStringLiteral("test.kind");
const QString Host = QStringLiteral("test-host");

JobSpec spec(int priority = 0, qint64 runAt = 0, int maxAttempts = 1, const QString &kind = Kind)
{
    JobSpec s;
    s.kind = kind;
    s.priority = priority;
    s.runAt = runAt;
    s.maxAttempts = maxAttempts;
    s.subjectId = QStringLiteral("subject");
    s.payload = {{QStringLiteral("n"), priority}};
    return s;
}

QList<qint64> idsOf(const QList<Job> &jobs)
{
    QList<qint64> out;
    for (const Job &j : jobs)
        out.append(j.id);
    return out;
}

/** @brief The state a query reports, as text ("none" for no state). */
QString name(std::optional<JobState> state)
{
    return state ? arbor::jobs::toString(*state) : QStringLiteral("none");
}

/** @brief A pid that existed on this host and no longer does: a finished child process. */
qint64 deadPid()
{
    QProcess p;
    p.start(QStringLiteral("true"), {});
    if (!p.waitForStarted())
        return -1;
    const qint64 pid = p.processId();
    p.waitForFinished();
    return pid;
}

/** @brief Every field of @p j, named, so that a failed comparison says which one. */
QStringList fields(const Job &j)
{
    return {QStringLiteral("id=%1").arg(j.id),
            QStringLiteral("kind=") + j.kind,
            QStringLiteral("queue=") + j.queue,
            QStringLiteral("priority=%1").arg(j.priority),
            QStringLiteral("payload=")
                + QString::fromUtf8(QJsonDocument(j.payload).toJson(QJsonDocument::Compact)),
            QStringLiteral("subjectId=") + j.subjectId,
            QStringLiteral("state=") + arbor::jobs::toString(j.state),
            QStringLiteral("attempts=%1").arg(j.attempts),
            QStringLiteral("maxAttempts=%1").arg(j.maxAttempts),
            QStringLiteral("runAt=%1").arg(j.runAt),
            QStringLiteral("leaseOwner=") + j.leaseOwner,
            QStringLiteral("lastError=") + j.lastError,
            QStringLiteral("createdAt=%1").arg(j.createdAt),
            QStringLiteral("startedAt=%1").arg(j.startedAt),
            QStringLiteral("finishedAt=%1").arg(j.finishedAt),
            QStringLiteral("tokensEstimate=%1").arg(j.tokensEstimate),
            QStringLiteral("lastErrorKind=") + arbor::jobs::toString(j.lastErrorKind)};
}

} // namespace

class TestJobQueries : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<DbConnection> m_conn;
    QSqlDatabase &db() { return m_conn->db(); }
    JobState stateOf(qint64 id) { return queries::get(db(), id)->state; }

private Q_SLOTS:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        m_conn = std::make_unique<DbConnection>(m_dir->filePath(QStringLiteral("arbor.db")),
                                                DbConnection::Mode::Migrated);
    }

    void cleanup()
    {
        m_conn.reset();
        m_dir.reset();
    }

    void insertStoresAQueuedJob()
    {
        const qint64 id = queries::insert(db(), spec(5, 0, 3), 1000);
        QVERIFY(id > 0);
        const Job j = *queries::get(db(), id);
        QCOMPARE(j.kind, Kind);
        QCOMPARE(arbor::jobs::toString(j.state), QStringLiteral("queued"));
        QCOMPARE(j.priority, 5);
        QCOMPARE(j.attempts, 0);
        QCOMPARE(j.maxAttempts, 3);
        QCOMPARE(j.runAt, 1000);
        QCOMPARE(j.createdAt, 1000);
        QCOMPARE(j.payload.value(QStringLiteral("n")).toInt(), 5);
        QCOMPARE(j.subjectId, QStringLiteral("subject"));
        QVERIFY(!queries::get(db(), id + 100).has_value());
        QCOMPARE(idsOf(queries::forSubject(db(), QStringLiteral("subject"))), QList<qint64>{id});
    }

    void everyFieldRoundTripsThroughEveryRead()
    {
        // Every field holds a value no other field has: a read that takes a field from another
        // column (a SELECT reordered under a positional read) fails here.
        JobSpec s;
        s.kind = Kind;
        s.queue = QStringLiteral("rt-queue");
        s.priority = 7;
        s.payload = {{QStringLiteral("rt-key"), QStringLiteral("rt-value")}};
        s.subjectId = QStringLiteral("rt-subject");
        s.maxAttempts = 9;
        s.runAt = 100;
        s.tokensEstimate = 17;
        Job want;
        want.id = queries::insert(db(), s, 50);
        want.kind = s.kind;
        want.queue = s.queue;
        want.priority = s.priority;
        want.payload = s.payload;
        want.subjectId = s.subjectId;
        want.maxAttempts = s.maxAttempts;
        want.runAt = s.runAt;
        want.createdAt = 50;
        want.tokensEstimate = s.tokensEstimate;
        want.attempts = 3;
        want.leaseOwner = QStringLiteral("rt-owner");
        want.lastError = QStringLiteral("rt-error");
        want.startedAt = 200;
        want.finishedAt = 300;
        want.lastErrorKind = arbor::jobs::ErrorKind::RateLimited;
        const auto reset = [&] {
            m_conn->exec(QStringLiteral("UPDATE jobs SET state = 'queued', attempts = 3,"
                                        " lease_owner = 'rt-owner', last_error = 'rt-error',"
                                        " started_at = 200, finished_at = 300,"
                                        " last_error_kind = 'rate_limited' WHERE id = ?"),
                         {want.id});
        };
        reset();
        QCOMPARE(fields(*queries::get(db(), want.id)), fields(want));
        QCOMPARE(fields(queries::forSubject(db(), s.subjectId).value(0)), fields(want));
        QCOMPARE(fields(*queries::latestForSubject(db(), s.subjectId)), fields(want));

        // Claimed on SQLite's C API (no capped queue) and through Qt SQL (a capped one).
        for (const bool capped : {false, true}) {
            queries::ClaimRules rules;
            if (capped)
                rules.caps.insert(s.queue, 5);
            Job claimed = want;
            claimed.state = JobState::Running;
            claimed.attempts = 4;
            claimed.leaseOwner = QStringLiteral("rt-claimer");
            claimed.startedAt = 1000;
            const QList<Job> got =
                queries::claim(db(), QStringLiteral("rt-claimer"), {Kind}, 1, 1000, rules);
            QCOMPARE(got.size(), 1);
            QCOMPARE(fields(got.first()), fields(claimed));
            // No worker holds it: an orphan, read by both orphan queries.
            QCOMPARE(fields(queries::orphaned(db(), Host, 0).value(0)), fields(claimed));
            QCOMPARE(fields(queries::takeOrphans(db(), Host, 0).value(0)), fields(claimed));
            reset();
        }

        // An attempt's record, read back by `arbord jobs show`.
        Job attempt = want;
        attempt.attempts = 2;
        queries::recordAttempt(db(), attempt, QStringLiteral("retry"), QStringLiteral("a-error"),
                               400);
        const QList<arbor::jobs::admin::Attempt> attempts =
            arbor::jobs::admin::attempts(db(), want.id);
        QCOMPARE(attempts.size(), 1);
        const arbor::jobs::admin::Attempt &a = attempts.first();
        QCOMPARE(a.attempt, 2);
        QCOMPARE(a.outcome, QStringLiteral("retry"));
        QCOMPARE(a.error, QStringLiteral("a-error"));
        QCOMPARE(a.worker, QStringLiteral("rt-owner"));
        QCOMPARE(a.startedAt, 200);
        QCOMPARE(a.finishedAt, 400);
    }

    void claimTakesHighestPriorityThenOldest()
    {
        const qint64 low = queries::insert(db(), spec(0), 100);
        const qint64 highNew = queries::insert(db(), spec(10), 300);
        const qint64 highOld = queries::insert(db(), spec(10), 200);
        const qint64 mid = queries::insert(db(), spec(5), 50);

        QCOMPARE(idsOf(queries::claim(db(), QStringLiteral("w"), {Kind}, 1, 1000)),
                 QList<qint64>{highOld});
        QCOMPARE(idsOf(queries::claim(db(), QStringLiteral("w"), {Kind}, 1, 1000)),
                 QList<qint64>{highNew});
        QCOMPARE(idsOf(queries::claim(db(), QStringLiteral("w"), {Kind}, 1, 1000)),
                 QList<qint64>{mid});
        QCOMPARE(idsOf(queries::claim(db(), QStringLiteral("w"), {Kind}, 1, 1000)),
                 QList<qint64>{low});
        QVERIFY(queries::claim(db(), QStringLiteral("w"), {Kind}, 1, 1000).isEmpty());
    }

    void claimHandsOutABatchInPriorityOrder()
    {
        const qint64 a = queries::insert(db(), spec(1), 100);
        const qint64 b = queries::insert(db(), spec(9), 100);
        const qint64 c = queries::insert(db(), spec(5), 100);
        const QList<Job> claimed = queries::claim(db(), QStringLiteral("w"), {Kind}, 10, 1000);
        QCOMPARE(idsOf(claimed), (QList<qint64>{b, c, a}));
        for (const Job &j : claimed) {
            QCOMPARE(arbor::jobs::toString(j.state), QStringLiteral("running"));
            QCOMPARE(j.attempts, 1);
            QCOMPARE(j.leaseOwner, QStringLiteral("w"));
            QCOMPARE(j.startedAt, 1000);
        }
    }

    void claimRespectsRunAtKindsAndLimit()
    {
        const qint64 later = queries::insert(db(), spec(100, 5000), 100);
        const qint64 other =
            queries::insert(db(), spec(50, 0, 1, QStringLiteral("other.kind")), 100);
        const qint64 now1 = queries::insert(db(), spec(1), 100);
        const qint64 now2 = queries::insert(db(), spec(1), 100);

        QCOMPARE(idsOf(queries::claim(db(), QStringLiteral("w"), {Kind}, 1, 1000)),
                 QList<qint64>{now1});
        QCOMPARE(idsOf(queries::claim(db(), QStringLiteral("w"), {Kind}, 5, 1000)),
                 QList<qint64>{now2});
        QVERIFY(queries::claim(db(), QStringLiteral("w"), {Kind}, 5, 4999).isEmpty());
        QCOMPARE(arbor::jobs::toString(stateOf(later)), QStringLiteral("queued"));
        QCOMPARE(idsOf(queries::claim(db(), QStringLiteral("w"), {Kind}, 5, 5000)),
                 QList<qint64>{later});
        QCOMPARE(arbor::jobs::toString(stateOf(other)), QStringLiteral("queued"));
        QVERIFY(queries::claim(db(), QStringLiteral("w"), {}, 5, 9000).isEmpty());
        QVERIFY(queries::claim(db(), QStringLiteral("w"), {QStringLiteral("other.kind")}, 0, 9000)
                    .isEmpty());
        QCOMPARE(idsOf(queries::claim(db(), QStringLiteral("w"),
                                      {Kind, QStringLiteral("other.kind")}, 5, 9000)),
                 QList<qint64>{other});
    }

    void completeIsOwnerChecked()
    {
        const qint64 id = queries::insert(db(), spec(), 100);
        QVERIFY(!queries::complete(db(), id, QStringLiteral("w1"), 900)); // not running yet
        queries::claim(db(), QStringLiteral("w1"), {Kind}, 1, 1000);
        QVERIFY(!queries::complete(db(), id, QStringLiteral("w2"), 1100));
        QCOMPARE(arbor::jobs::toString(stateOf(id)), QStringLiteral("running"));
        QCOMPARE(queries::get(db(), id)->leaseOwner, QStringLiteral("w1"));

        QVERIFY(queries::complete(db(), id, QStringLiteral("w1"), 1200));
        const Job j = *queries::get(db(), id);
        QCOMPARE(arbor::jobs::toString(j.state), QStringLiteral("done"));
        QCOMPARE(j.finishedAt, 1200);
        QCOMPARE(j.leaseOwner, QString());
        QVERIFY(!queries::complete(db(), id, QStringLiteral("w1"), 1300)); // once
    }

    void failWithRetryRequeuesKeepingAttempts()
    {
        const qint64 id = queries::insert(db(), spec(0, 0, 3), 100);
        queries::claim(db(), QStringLiteral("w"), {Kind}, 1, 1000);
        QVERIFY(
            !queries::fail(db(), id, QStringLiteral("intruder"), QStringLiteral("x"), 2000, 1000)
                 .has_value());
        QCOMPARE(arbor::jobs::toString(stateOf(id)), QStringLiteral("running"));

        QCOMPARE(name(queries::fail(db(), id, QStringLiteral("w"), QStringLiteral("HTTP 503"), 2000,
                                    1100)),
                 QStringLiteral("queued"));
        Job j = *queries::get(db(), id);
        QCOMPARE(arbor::jobs::toString(j.state), QStringLiteral("queued"));
        QCOMPARE(j.attempts, 1);
        QCOMPARE(j.runAt, 2000);
        QCOMPARE(j.lastError, QStringLiteral("HTTP 503"));
        QCOMPARE(j.leaseOwner, QString());
        QCOMPARE(j.finishedAt, 0);

        QVERIFY(
            queries::claim(db(), QStringLiteral("w"), {Kind}, 1, 1999).isEmpty()); // not due yet
        QCOMPARE(queries::claim(db(), QStringLiteral("w"), {Kind}, 1, 2000).value(0).attempts, 2);
        QCOMPARE(
            name(queries::fail(db(), id, QStringLiteral("w"), QStringLiteral("again"), 3000, 2100)),
            QStringLiteral("queued"));
        QCOMPARE(queries::claim(db(), QStringLiteral("w"), {Kind}, 1, 3000).value(0).attempts, 3);
        // The last attempt: a retry is asked for but none is left.
        QCOMPARE(
            name(queries::fail(db(), id, QStringLiteral("w"), QStringLiteral("final"), 4000, 3100)),
            QStringLiteral("failed"));
        j = *queries::get(db(), id);
        QCOMPARE(arbor::jobs::toString(j.state), QStringLiteral("failed"));
        QCOMPARE(j.attempts, 3);
        QCOMPARE(j.lastError, QStringLiteral("final"));
        QCOMPARE(j.finishedAt, 3100);
    }

    void latestForSubjectSaysWhyAndWhenAReplyRetries()
    {
        // What `arbord chat`, `arbord jobs` and the app read for "rate limited by the vendor,
        // retrying in N s": the newest job of the message, its attempts, next run and error kind.
        using arbor::jobs::ErrorKind;
        QVERIFY(!queries::latestForSubject(db(), QStringLiteral("subject")));
        const qint64 older = queries::insert(db(), spec(0, 0, 3), 100);
        QVERIFY(queries::cancelQueued(db(), older, 150));
        const qint64 id = queries::insert(db(), spec(0, 0, 3), 200);
        Job j = *queries::latestForSubject(db(), QStringLiteral("subject"));
        QCOMPARE(j.id, id);
        QCOMPARE(arbor::jobs::toString(j.lastErrorKind), arbor::jobs::toString(ErrorKind::None));
        QVERIFY(!j.waitingToRetry());

        queries::claim(db(), QStringLiteral("w"), {Kind}, 1, 1000);
        QCOMPARE(name(queries::fail(db(), id, QStringLiteral("w"),
                                    QStringLiteral("Rate limited by the vendor (HTTP 429)"), 2000,
                                    1000, ErrorKind::RateLimited)),
                 QStringLiteral("queued"));
        j = *queries::latestForSubject(db(), QStringLiteral("subject"));
        QCOMPARE(arbor::jobs::toString(j.state), QStringLiteral("queued"));
        QVERIFY(j.waitingToRetry());
        QCOMPARE(j.attempts, 1);
        QCOMPARE(j.maxAttempts, 3);
        QCOMPARE(j.runAt, 2000);
        QCOMPARE(arbor::jobs::toString(j.lastErrorKind),
                 arbor::jobs::toString(ErrorKind::RateLimited));
        QCOMPARE(j.lastError, QStringLiteral("Rate limited by the vendor (HTTP 429)"));
        QCOMPARE(arbor::jobs::describe(j.lastErrorKind),
                 QStringLiteral("rate limited by the vendor"));
        // The claim reads the kind too (SQLite's C API path).
        QCOMPARE(
            arbor::jobs::toString(
                queries::claim(db(), QStringLiteral("w"), {Kind}, 1, 2000).value(0).lastErrorKind),
            QStringLiteral("rate_limited"));
        QCOMPARE(name(queries::fail(db(), id, QStringLiteral("w"), QStringLiteral("cut"), 3000,
                                    2100, ErrorKind::Network)),
                 QStringLiteral("queued"));
        QCOMPARE(arbor::jobs::toString(
                     queries::latestForSubject(db(), QStringLiteral("subject"))->lastErrorKind),
                 QStringLiteral("network"));
        // A worker that died: the recovery says so.
        queries::claim(db(), QStringLiteral("w"), {Kind}, 1, 3000);
        queries::requeue(db(), id, QStringLiteral("worker died"), 3100);
        QCOMPARE(arbor::jobs::toString(
                     queries::latestForSubject(db(), QStringLiteral("subject"))->lastErrorKind),
                 QStringLiteral("worker_lost"));
    }

    void errorKindsRoundTrip()
    {
        using arbor::jobs::ErrorKind;
        for (ErrorKind k :
             {ErrorKind::None, ErrorKind::RateLimited, ErrorKind::Network, ErrorKind::Server,
              ErrorKind::Overloaded, ErrorKind::Interrupted, ErrorKind::Protocol, ErrorKind::Auth,
              ErrorKind::NotFound, ErrorKind::BadRequest, ErrorKind::Quota, ErrorKind::WorkerLost,
              ErrorKind::Other}) {
            QVERIFY(arbor::jobs::errorKindFromString(arbor::jobs::toString(k)) == k);
            QCOMPARE(arbor::jobs::describe(k).isEmpty(), k == ErrorKind::None);
        }
        QCOMPARE(arbor::jobs::toString(ErrorKind::RateLimited), QStringLiteral("rate_limited"));
    }

    void failWithoutRetryFails()
    {
        const qint64 id = queries::insert(db(), spec(0, 0, 5), 100);
        queries::claim(db(), QStringLiteral("w"), {Kind}, 1, 1000);
        QCOMPARE(name(queries::fail(db(), id, QStringLiteral("w"), QStringLiteral("bad request"), 0,
                                    1100)),
                 QStringLiteral("failed"));
        QCOMPARE(queries::get(db(), id)->attempts, 1);
        QVERIFY(queries::claim(db(), QStringLiteral("w"), {Kind}, 1, 99999).isEmpty());
    }

    void cancelRunningIsOwnerChecked()
    {
        const qint64 id = queries::insert(db(), spec(), 100);
        queries::claim(db(), QStringLiteral("w"), {Kind}, 1, 1000);
        QVERIFY(
            !queries::cancelRunning(db(), id, QStringLiteral("other"), QStringLiteral("no"), 1100));
        QCOMPARE(arbor::jobs::toString(stateOf(id)), QStringLiteral("running"));
        QVERIFY(queries::cancelRunning(db(), id, QStringLiteral("w"),
                                       QStringLiteral("stopped by the user"), 1100));
        const Job j = *queries::get(db(), id);
        QCOMPARE(arbor::jobs::toString(j.state), QStringLiteral("cancelled"));
        QCOMPARE(j.lastError, QStringLiteral("stopped by the user"));
        QCOMPARE(j.finishedAt, 1100);
    }

    void cancelQueuedOnlyForQueued()
    {
        const qint64 queued = queries::insert(db(), spec(), 100);
        const qint64 running = queries::insert(db(), spec(), 100);
        QVERIFY(queries::cancelQueued(db(), queued, 500));
        QCOMPARE(arbor::jobs::toString(stateOf(queued)), QStringLiteral("cancelled"));
        QVERIFY(!queries::cancelQueued(db(), queued, 600)); // already cancelled

        QCOMPARE(idsOf(queries::claim(db(), QStringLiteral("w"), {Kind}, 1, 1000)),
                 QList<qint64>{running});
        QVERIFY(!queries::cancelQueued(db(), running, 1100));
        QCOMPARE(arbor::jobs::toString(stateOf(running)), QStringLiteral("running"));
        QVERIFY(queries::complete(db(), running, QStringLiteral("w"), 1200));
        QVERIFY(!queries::cancelQueued(db(), running, 1300));
        QCOMPARE(arbor::jobs::toString(stateOf(running)), QStringLiteral("done"));
    }

    void requeueKeepsAttempts()
    {
        const qint64 id = queries::insert(db(), spec(0, 0, 2), 100);
        queries::claim(db(), QStringLiteral("w"), {Kind}, 1, 1000);
        queries::requeue(db(), id, QStringLiteral("worker died"), 1500);
        const Job j = *queries::get(db(), id);
        QCOMPARE(arbor::jobs::toString(j.state), QStringLiteral("queued"));
        QCOMPARE(j.attempts, 1);
        QCOMPARE(j.runAt, 1500);
        QCOMPARE(j.leaseOwner, QString());
        QCOMPARE(j.lastError, QStringLiteral("worker died"));
    }

    void takeOrphansFindsJobsOfDeadWorkersOnly()
    {
        const qint64 dead = deadPid();
        QVERIFY(dead > 0);
        const qint64 self = QCoreApplication::applicationPid();
        QVERIFY(dead != self);
        queries::registerWorker(db(), QStringLiteral("dead"), Host, dead, 1000);
        queries::registerWorker(db(), QStringLiteral("live"), Host, self, 1000);

        const qint64 deadJob = queries::insert(db(), spec(2), 100);
        const qint64 liveJob = queries::insert(db(), spec(1), 100);
        const qint64 queuedJob = queries::insert(db(), spec(0), 100);
        QCOMPARE(idsOf(queries::claim(db(), QStringLiteral("dead"), {Kind}, 1, 1000)),
                 QList<qint64>{deadJob});
        QCOMPARE(idsOf(queries::claim(db(), QStringLiteral("live"), {Kind}, 1, 1000)),
                 QList<qint64>{liveJob});

        const QList<Job> orphans = queries::takeOrphans(db(), Host, 0);
        QCOMPARE(idsOf(orphans), QList<qint64>{deadJob});
        QCOMPARE(orphans.at(0).leaseOwner, QStringLiteral("dead"));
        QCOMPARE(arbor::jobs::toString(orphans.at(0).state), QStringLiteral("running"));
        // The dead worker is gone; the live one stays; takeOrphans itself changes no job.
        QCOMPARE(m_conn->scalar(QStringLiteral("SELECT group_concat(id) FROM workers")).toString(),
                 QStringLiteral("live"));
        QCOMPARE(arbor::jobs::toString(stateOf(deadJob)), QStringLiteral("running"));
        QCOMPARE(arbor::jobs::toString(stateOf(liveJob)), QStringLiteral("running"));
        QCOMPARE(arbor::jobs::toString(stateOf(queuedJob)), QStringLiteral("queued"));
    }

    void takeOrphansUsesHeartbeatsForOtherHosts()
    {
        const qint64 dead = deadPid();
        QVERIFY(dead > 0);
        // On another host a pid means nothing here: only the heartbeat counts.
        queries::registerWorker(db(), QStringLiteral("remote-fresh"), QStringLiteral("elsewhere"),
                                dead, 5000);
        queries::registerWorker(db(), QStringLiteral("remote-stale"), QStringLiteral("elsewhere"),
                                dead, 1000);
        const qint64 fresh = queries::insert(db(), spec(3), 100);
        const qint64 stale = queries::insert(db(), spec(2), 100);
        queries::claim(db(), QStringLiteral("remote-fresh"), {Kind}, 1, 1000);
        queries::claim(db(), QStringLiteral("remote-stale"), {Kind}, 1, 1000);

        queries::heartbeat(db(), QStringLiteral("remote-fresh"), 6000);
        QCOMPARE(idsOf(queries::takeOrphans(db(), Host, 4000)), QList<qint64>{stale});
        QCOMPARE(arbor::jobs::toString(stateOf(fresh)), QStringLiteral("running"));
        QCOMPARE(m_conn->scalar(QStringLiteral("SELECT group_concat(id) FROM workers")).toString(),
                 QStringLiteral("remote-fresh"));
    }

    void unregisteredWorkerLeavesOrphans()
    {
        queries::registerWorker(db(), QStringLiteral("w"), Host, QCoreApplication::applicationPid(),
                                1000);
        const qint64 id = queries::insert(db(), spec(), 100);
        queries::claim(db(), QStringLiteral("w"), {Kind}, 1, 1000);
        QVERIFY(queries::takeOrphans(db(), Host, 0).isEmpty());
        queries::unregisterWorker(db(), QStringLiteral("w"));
        QCOMPARE(idsOf(queries::takeOrphans(db(), Host, 0)), QList<qint64>{id});
    }
};

QTEST_GUILESS_MAIN(TestJobQueries)
#include "tst_jobqueries.moc"
