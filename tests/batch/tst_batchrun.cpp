// A batch run's life in one process (issue 21): draft → running → completed with the demo model;
// pause (queued rows go back, nothing runs), resume, cancel; failed rows listed with their
// error and retried as a group against the fake vendor; export; a row opened as an ordinary
// conversation, once.
#include "batchtestsupport.h"

#include "batch/batchqueries.h"
#include "batch/batchservice.h"
#include "chat/chatreader.h"
#include "chat/chatservice.h"
#include "core/backend.h"
#include "jobs/jobengine.h"
#include "llm/providerfactory.h"
#include "llm/providerregistry.h"
#include "store/messagequeries.h"
#include "store/sql.h"

#include <QBuffer>
#include <QTest>

using namespace arbor;
using namespace arbor::testsupport;

class TestBatchRun : public QObject
{
    Q_OBJECT

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<core::Backend> m_backend;

    void open(double demoRate, int concurrency = 4)
    {
        core::BackendOptions o;
        o.dbPath = m_dir->filePath(QStringLiteral("arbor.db"));
        o.demoRate = demoRate;
        o.concurrency = concurrency;
        m_backend = std::make_unique<core::Backend>(o);
        m_backend->open();
    }

    batch::BatchService &service() { return m_backend->batch(); }

    /** @brief @p server as the OpenAI-compatible provider "fake" with model m1. */
    void addFakeProvider(const FakeVendorServer &server)
    {
        llm::ProviderConfig config;
        config.id = QStringLiteral("fake");
        config.kind = QStringLiteral("openai");
        config.name = QStringLiteral("Fake");
        QUrl base = server.baseUrl();
        base.setPath(QStringLiteral("/v1"));
        config.baseUrl = base;
        config.apiKey = QStringLiteral("sk-test");
        config.models = {QStringLiteral("m1")};
        m_backend->providers().add(llm::createProvider(config));
    }

    qint64 create(int rows, const QString &provider, const QString &model, int maxTokens = 8)
    {
        QFile input(m_dir->filePath(QStringLiteral("in-%1.csv").arg(rows)));
        input.open(QIODevice::WriteOnly);
        input.write("id,text\n");
        for (int i = 0; i < rows; ++i)
            input.write(QByteArray::number(i) + (i % 3 == 0 ? ",\"fail, please\"\n" : ",fine\n"));
        input.close();
        batch::CreateSpec spec;
        spec.name = QStringLiteral("life");
        spec.templateText = QStringLiteral("Row {{id}}: {{text}}");
        spec.systemPrompt = QStringLiteral("Be brief.");
        spec.inputPath = input.fileName();
        spec.models = {{0, provider, model}};
        spec.maxTokens = maxTokens;
        return service().create(spec).result().runId;
    }

    batch::Run run(qint64 id) { return *service().run(id).result(); }
    QString state(qint64 id) { return batch::toString(run(id).state); }
    int batchJobs()
    {
        return m_backend->store()
            .read([](QSqlDatabase &db) {
                QSqlQuery q = store::exec(
                    db, QStringLiteral("SELECT count(*) FROM jobs WHERE kind = 'batch.row'"));
                return q.next() ? q.value(0).toInt() : -1;
            })
            .result();
    }

private Q_SLOTS:
    void init() { m_dir = std::make_unique<QTemporaryDir>(); }
    void cleanup()
    {
        m_backend.reset();
        m_dir.reset();
    }

    void completesExportsAndOpensARow()
    {
        open(0);
        const qint64 id = create(40, QStringLiteral("demo"), QStringLiteral("demo"));
        QCOMPARE(state(id), QStringLiteral("draft"));
        QCOMPARE(batch::toString(service().start(id).result().state), QStringLiteral("running"));
        QTRY_COMPARE_WITH_TIMEOUT(state(id), QStringLiteral("completed"), 30000);
        const batch::Run r = run(id);
        QCOMPARE(r.done, 40);
        QCOMPARE(r.failed, 0);
        QCOMPARE(r.queued, 0);
        QCOMPARE(r.etaSeconds(0), 0);
        QVERIFY(r.outputTokens > 0);
        QCOMPARE(batchJobs(), 0);
        QVERIFY_THROWS_EXCEPTION(store::StoreError, service().start(id).result());

        // Export: one line per input row, input columns under their names, then the model.
        QBuffer csv;
        csv.open(QIODevice::WriteOnly);
        QCOMPARE(batch::exportRun(store::StoreReader(m_backend->store()), id,
                                  batch::ExportFormat::Csv, &csv),
                 40);
        const QList<QByteArray> lines = csv.data().split('\n');
        QCOMPARE(lines.first(),
                 QByteArray("id,text,demo/demo,demo/demo status,demo/demo "
                            "input_tokens,demo/demo output_tokens,demo/demo "
                            "cost,demo/demo error\r"));
        QVERIFY(lines.at(1).startsWith("0,\"fail, please\","));
        QVERIFY(lines.at(1).contains(",done,"));
        QBuffer jsonl;
        jsonl.open(QIODevice::WriteOnly);
        batch::exportRun(store::StoreReader(m_backend->store()), id, batch::ExportFormat::Jsonl,
                         &jsonl);
        const QList<QByteArray> objects = jsonl.data().trimmed().split('\n');
        QCOMPARE(objects.size(), 40);
        const QJsonObject third = QJsonDocument::fromJson(objects.at(2)).object();
        QCOMPARE(third.value(QStringLiteral("id")).toString(), QStringLiteral("2"));
        QCOMPARE(third.value(QStringLiteral("text")).toString(), QStringLiteral("fine"));
        const QJsonObject result = third.value(QStringLiteral("demo/demo")).toObject();
        QCOMPARE(result.value(QStringLiteral("status")).toString(), QStringLiteral("done"));
        QVERIFY(!result.value(QStringLiteral("text")).toString().isEmpty());
        QVERIFY(result.value(QStringLiteral("cost")).isNull()); // the demo has no price

        // A row becomes an ordinary conversation when opened, and only once.
        const QString conversation = service().openAsConversation(id, 2, 0).result();
        QCOMPARE(service().openAsConversation(id, 2, 0).result(), conversation);
        const QList<domain::Message> path =
            m_backend->store()
                .read([conversation](QSqlDatabase &db) {
                    return store::messages::visiblePath(db, conversation);
                })
                .result();
        QCOMPARE(path.size(), 2);
        QCOMPARE(path.at(0).content, QStringLiteral("Row 2: fine"));
        QCOMPARE(path.at(1).content, result.value(QStringLiteral("text")).toString());
        QVERIFY(path.at(1).status == domain::MessageStatus::Complete);
        QCOMPARE(path.at(1).model, QStringLiteral("demo"));
        // It can be continued like any other.
        chat::SendRequest more;
        more.conversationId = conversation;
        more.parentId = path.at(1).id;
        more.text = QStringLiteral("And then?");
        QVERIFY(!m_backend->chat().send(more).result().assistant.id.isEmpty());
    }

    void pauseResumeCancel()
    {
        open(400, 2); // 8 tokens at 400/s: 20 ms a row, two at once
        const qint64 id = create(300, QStringLiteral("demo"), QStringLiteral("demo"));
        service().start(id).waitForFinished();
        QTRY_VERIFY_WITH_TIMEOUT(run(id).done >= 10, 30000);
        QCOMPARE(batch::toString(service().pause(id).result().state), QStringLiteral("paused"));
        // Rows that were only queued go back; the two running end and are kept.
        QTRY_COMPARE_WITH_TIMEOUT(run(id).queued, 0, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(batchJobs(), 0, 10000);
        const qint64 atPause = run(id).done;
        QTest::qWait(300);
        QCOMPARE(run(id).done, atPause);
        QVERIFY(atPause < 300);
        QVERIFY_THROWS_EXCEPTION(store::StoreError, service().pause(id).result());

        QCOMPARE(batch::toString(service().resume(id).result().state), QStringLiteral("running"));
        QTRY_VERIFY_WITH_TIMEOUT(run(id).done >= atPause + 10, 30000);
        const batch::Run cancelled = service().cancel(id).result();
        QCOMPARE(batch::toString(cancelled.state), QStringLiteral("cancelled"));
        QTRY_COMPARE_WITH_TIMEOUT(run(id).queued, 0, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(batchJobs(), 0, 10000);
        const batch::Run after = run(id);
        QVERIFY(after.done < 300);
        QVERIFY(after.finishedAt > 0);
        QVERIFY_THROWS_EXCEPTION(store::StoreError, service().resume(id).result());
        // Every result is its row's only one.
        const int distinct =
            m_backend->store()
                .read([id](QSqlDatabase &db) {
                    QSqlQuery q = store::exec(db,
                                              QStringLiteral("SELECT count(DISTINCT row_no) FROM "
                                                             "batch_results WHERE run_id = ?"),
                                              {id});
                    return q.next() ? q.value(0).toInt() : -1;
                })
                .result();
        QCOMPARE(distinct, int(after.done));
    }

    /** Interactive chat always goes first: a batch run saturates provider "fake" (concurrency
     *  2, every batch reply held for 10 s by the fake vendor); a chat sent then reaches the
     *  vendor while the batch's first request is still unanswered — it took the slot the batch
     *  leaves free, instead of waiting for a batch job to end. Measured on the vendor's log. */
    void chatGoesFirstWhileABatchSaturatesTheProvider()
    {
        open(0);
        FakeVendorServer server;
        server.setResponder([](const FakeVendorServer::Request &request) {
            FakeVendorServer::Response r = echoReply(request);
            if (!request.body.contains("chat goes first"))
                r.body.first().delayMs = 10000;
            return r;
        });
        int batchAnswered = 0;
        int answeredBeforeChat = -1;
        int batchRequestsBeforeChat = -1;
        connect(&server, &FakeVendorServer::responseDone, this, [&] {
            if (answeredBeforeChat < 0)
                ++batchAnswered;
        });
        connect(&server, &FakeVendorServer::requestReceived, this, [&] {
            const QList<FakeVendorServer::Request> log = server.requests();
            if (answeredBeforeChat < 0 && log.last().body.contains("chat goes first")) {
                answeredBeforeChat = batchAnswered;
                batchRequestsBeforeChat = int(log.size()) - 1;
            }
        });
        addFakeProvider(server);
        m_backend->engine().setQueueLimits(QStringLiteral("fake"), 2, 0, 0).waitForFinished();
        const auto limited = [this] {
            const QList<jobs::QueueLimitState> states = m_backend->engine().queueStates().result();
            for (const jobs::QueueLimitState &q : states)
                if (q.name == QStringLiteral("fake") && q.concurrency == 2)
                    return true;
            return false;
        };
        QTRY_VERIFY_WITH_TIMEOUT(limited(), 10000);

        const qint64 id = create(6, QStringLiteral("fake"), QStringLiteral("m1"));
        service().start(id).waitForFinished();
        QTRY_COMPARE_WITH_TIMEOUT(server.requests().size(), 1, 30000);
        chat::SendRequest chat;
        chat.text = QStringLiteral("chat goes first");
        chat.modelKey = QStringLiteral("fake/m1");
        const chat::SendResult sent = m_backend->chat().send(chat).result();
        QTRY_VERIFY_WITH_TIMEOUT(answeredBeforeChat >= 0, 30000);
        QCOMPARE(answeredBeforeChat, 0);      // no batch job had to end first
        QCOMPARE(batchRequestsBeforeChat, 1); // the batch kept the last slot free
        QTRY_VERIFY_WITH_TIMEOUT(m_backend->chat().message(sent.assistant.id).result()->status
                                     == domain::MessageStatus::Complete,
                                 30000);
        service().cancel(id).waitForFinished();
    }

    void failedRowsAreListedAndRetriedAsAGroup()
    {
        open(0);
        FakeVendorServer server;
        bool refuse = true;
        server.setResponder([&refuse](const FakeVendorServer::Request &request) {
            if (refuse && request.body.contains("fail, please"))
                return FakeVendorServer::json(
                    400, R"({"error":{"message":"this row is refused","type":"invalid_request"}})");
            return echoReply(request);
        });
        addFakeProvider(server);

        const qint64 id = create(30, QStringLiteral("fake"), QStringLiteral("m1"));
        service().start(id).waitForFinished();
        QTRY_COMPARE_WITH_TIMEOUT(state(id), QStringLiteral("completed"), 30000);
        QCOMPARE(run(id).failed, 10); // rows 0, 3, 6, ...
        QCOMPARE(run(id).done, 20);
        const QList<batch::RowView> failed = service().rows(id, 0, 100, 1).result();
        QCOMPARE(failed.size(), 10);
        QCOMPARE(failed.at(1).rowNo, 3);
        QCOMPARE(failed.at(1).line, 5);
        QCOMPARE(failed.at(1).results.at(0).status, QStringLiteral("failed"));
        QVERIFY2(failed.at(1).results.at(0).error.contains(QStringLiteral("this row is refused")),
                 qPrintable(failed.at(1).results.at(0).error));
        QCOMPARE(service().rows(id, 0, 100, 0, QStringLiteral("FAIL, PLEASE")).result().size(), 10);

        refuse = false;
        const batch::Run retried = service().retryFailed(id).result();
        QCOMPARE(retried.failed, 0);
        QCOMPARE(batch::toString(retried.state), QStringLiteral("running"));
        QTRY_COMPARE_WITH_TIMEOUT(state(id), QStringLiteral("completed"), 30000);
        QCOMPARE(run(id).done, 30);
        const QList<batch::RowView> rows = service().rows(id, 0, 100).result();
        QCOMPARE(rows.size(), 30);
        QCOMPARE(rows.at(3).results.at(0).text, QStringLiteral("m1|Row 3: fail, please"));
        QCOMPARE(rows.at(3).results.at(0).inputTokens, 7);
        QCOMPARE(server.requests().size(), 40);
    }
};

QTEST_GUILESS_MAIN(TestBatchRun)
#include "tst_batchrun.moc"
