// Compare, fuse and model sets (issue 20) through the real core::Backend: one user message
// answered by several models at once (each reply its own job, all streaming together), the
// first token's time kept, per-column parameters sent, a fused reply that records its sources,
// model sets that survive a restart. Vendors are a real HTTP server speaking each wire format.
#include "chat/chatevents.h"
#include "chat/chatservice.h"
#include "core/backend.h"
#include "domain/message.h"
#include "jobs/adminqueries.h"
#include "jobs/jobqueries.h"
#include "jobs/jobsservice.h"
#include "store/messagequeries.h"
#include "store/sql.h"
#include "store/store.h"
#include "support/fakevendorserver.h"
#include "support/vendorbackend.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTest>

#include <limits>

using namespace arbor;
using domain::MessageStatus;
using testsupport::FakeVendorServer;

namespace {

/** @brief Where each protocol's request goes (FakeVendorServer::enqueueFor). */
QByteArray routeOf(const QString &kind)
{
    if (kind == u"openai")
        return "/v1/chat/completions";
    if (kind == u"anthropic")
        return "/v1/messages";
    if (kind == u"gemini")
        return "streamGenerateContent";
    return "/api/chat";
}

chat::CompareModel model(const QString &provider, const QString &id, double temperature = -1)
{
    chat::CompareModel m{provider, id, {}};
    if (temperature >= 0)
        m.parameters.insert(QStringLiteral("temperature"), temperature);
    return m;
}

} // namespace

class TestCompare
    : public QObject
    , private testsupport::VendorBackendFixture
{
    Q_OBJECT

    QList<domain::Message> children(const QString &parentId)
    {
        return m_backend->store()
            .read([parentId](QSqlDatabase &db) { return store::messages::children(db, parentId); })
            .result();
    }

    bool allEnded(const QList<domain::Message> &replies)
    {
        for (const domain::Message &m : replies) {
            if (!ended(m.id))
                return false;
        }
        return true;
    }

    chat::CompareResult compare(const QList<chat::CompareModel> &models,
                                const QString &text = QStringLiteral("Which sort is best?"),
                                const QJsonObject &options = {})
    {
        chat::CompareRequest r;
        r.text = text;
        r.models = models;
        r.options = options;
        return m_backend->chat().compare(r).result();
    }

    /** @brief A compare of two test-openai/m1 columns, t=0.25 with max_tokens 300 and t=1.5,
     *  each cut mid-stream after the first text of @p sse (each keeps some and can be
     *  continued). */
    chat::CompareResult compareTwoCutColumns(const QByteArray &sse)
    {
        for (int i = 0; i < 2; ++i) {
            FakeVendorServer::Response cut = FakeVendorServer::stream(
                sse.left(sse.indexOf("\n\n", sse.indexOf(R"("delta":{"content")")) + 2),
                "text/event-stream");
            cut.disconnectMidBody = true;
            m_server->enqueue(cut);
        }
        chat::CompareModel low = model(QStringLiteral("test-openai"), QStringLiteral("m1"), 0.25);
        low.parameters.insert(QStringLiteral("max_tokens"), 300);
        return compare({low, model(QStringLiteral("test-openai"), QStringLiteral("m1"), 1.5)});
    }

private Q_SLOTS:
    void init() { setUpVendors(QStringLiteral("m1"), 8); }
    void cleanup() { tearDownVendors(); }

    void specsParse()
    {
        const auto specs = chat::compare::parseSpecs(
            QStringLiteral("openai-work/gpt-4.1:temperature=0.2, ollama/llama3:8b,"
                           "or/meta/llama-3:max_tokens=100:temperature=1"));
        QCOMPARE(specs.size(), 3);
        QCOMPARE(specs.at(0).provider, QStringLiteral("openai-work"));
        QCOMPARE(specs.at(0).model, QStringLiteral("gpt-4.1"));
        QCOMPARE(specs.at(0).parameters.value(u"temperature").toDouble(), 0.2);
        QCOMPARE(specs.at(1).model, QStringLiteral("llama3:8b")); // ':' without '=' is the id
        QVERIFY(specs.at(1).parameters.isEmpty());
        QCOMPARE(specs.at(2).provider, QStringLiteral("or")); // split at the first '/'
        QCOMPARE(specs.at(2).model, QStringLiteral("meta/llama-3"));
        QCOMPARE(specs.at(2).parameters.value(u"max_tokens").toDouble(), 100.0);
        QCOMPARE(specs.at(2).spec(),
                 QStringLiteral("or/meta/llama-3:temperature=1:max_tokens=100"));
        QVERIFY_THROWS_EXCEPTION(store::StoreError, chat::compare::parseSpec(QStringLiteral("x")));
        QVERIFY_THROWS_EXCEPTION(store::StoreError,
                                 chat::compare::parseSpec(QStringLiteral("a/b:top_k=3")));
        QVERIFY(!chat::compare::validate({model(QStringLiteral("a"), QStringLiteral("b"))})
                     .isEmpty()); // one model is not a compare
        QVERIFY(!chat::compare::validate({model(QStringLiteral("a"), QStringLiteral("b"), 3.0),
                                          model(QStringLiteral("a"), QStringLiteral("c"))})
                     .isEmpty()); // temperature out of range
    }

    void demoColumnsStreamAtOnceAsSiblings()
    {
        QSignalSpy created(&m_backend->events(), &chat::ChatEvents::messageCreated);
        const auto r = compare({model(QStringLiteral("demo"), QStringLiteral("demo")),
                                model(QStringLiteral("demo"), QStringLiteral("demo"), 0.2),
                                model(QStringLiteral("demo"), QStringLiteral("demo"), 1.4)},
                               QStringLiteral("Explain B-trees"),
                               {{QStringLiteral("rate"), 100}, {QStringLiteral("chars"), 2000}});
        QCOMPARE(r.replies.size(), 3);
        QCOMPARE(created.size(), 4);
        QTRY_VERIFY_WITH_TIMEOUT(allEnded(r.replies), 30000);
        const QList<domain::Message> stored = children(r.user.id);
        QCOMPARE(stored.size(), 3);
        QSet<QString> texts;
        for (qsizetype i = 0; i < stored.size(); ++i) {
            const domain::Message &m = stored.at(i);
            QCOMPARE(m.id, r.replies.at(i).id); // columns in the order of the models
            QCOMPARE(domain::toString(m.status), domain::toString(MessageStatus::Complete));
            QVERIFY(!m.content.isEmpty());
            texts.insert(m.content);
            // The first token's time is kept; TTFT and tokens/s follow from it.
            QVERIFY(m.firstTokenAt >= m.createdAt);
            QVERIFY(m.firstTokenAt <= m.finishedAt);
            QVERIFY(chat::compare::ttftMs(m) >= 0);
            QVERIFY(chat::compare::tokensPerSecond(m) > 0);
        }
        QCOMPARE(texts.size(), 3); // each sibling its own text
        // The first column is the visible path; the user message has three replies.
        const auto path = m_backend->chat().visiblePath(r.conversationId).result();
        QCOMPARE(path.constLast().id, r.replies.at(0).id);
        QCOMPARE(path.constLast().siblingCount, 3);
        // Each reply ran as its own job, and all three ran at once.
        const int jobs = m_backend->store()
                             .read([&](QSqlDatabase &db) {
                                 int n = 0;
                                 for (const auto &m : r.replies)
                                     n += int(jobs::queries::forSubject(db, m.id).size());
                                 return n;
                             })
                             .result();
        QCOMPARE(jobs, 3);
        qint64 lastFirst = 0, firstEnd = std::numeric_limits<qint64>::max();
        for (const domain::Message &m : stored) {
            lastFirst = std::max(lastFirst, m.firstTokenAt);
            firstEnd = std::min(firstEnd, m.finishedAt);
        }
        QVERIFY2(lastFirst <= firstEnd, "a column began only after another had finished");
    }

    void columnParametersReachTheVendor()
    {
        for (int i = 0; i < 2; ++i)
            m_server->enqueue(FakeVendorServer::stream(
                FakeVendorServer::transcript(QStringLiteral("openai-text.sse")),
                "text/event-stream"));
        const auto r = compare({model(QStringLiteral("test-openai"), QStringLiteral("m1"), 0.25),
                                model(QStringLiteral("test-openai"), QStringLiteral("m1"), 1.5)});
        QTRY_VERIFY_WITH_TIMEOUT(allEnded(r.replies), 30000);
        QCOMPARE(m_server->requests().size(), 2);
        QSet<double> temperatures;
        for (const auto &req : m_server->requests())
            temperatures.insert(
                QJsonDocument::fromJson(req.body).object().value(u"temperature").toDouble(-1));
        QCOMPARE(temperatures, (QSet<double>{0.25, 1.5}));
        // Regenerating a column keeps its parameters.
        m_server->enqueue(FakeVendorServer::stream(
            FakeVendorServer::transcript(QStringLiteral("openai-text.sse")), "text/event-stream"));
        const auto again = m_backend->chat().regenerate(r.replies.at(1).id).result();
        QTRY_VERIFY_WITH_TIMEOUT(ended(again.assistant.id), 30000);
        QCOMPARE(QJsonDocument::fromJson(m_server->requests().at(2).body)
                     .object()
                     .value(u"temperature")
                     .toDouble(),
                 1.5);
    }

    void aColumnContinuedOrRetriedKeepsItsOwnParameters()
    {
        // Both columns are cut mid-stream: each keeps some text and can be continued.
        const QByteArray sse = FakeVendorServer::transcript(QStringLiteral("openai-text.sse"));
        const auto r = compareTwoCutColumns(sse);
        QTRY_VERIFY_WITH_TIMEOUT(allEnded(r.replies), 30000);
        const auto bodyOf = [&](qsizetype i) {
            return QJsonDocument::fromJson(m_server->requests().at(i).body).object();
        };
        QCOMPARE(m_server->requests().size(), 2);
        const QList<double> sent{bodyOf(0).value(u"temperature").toDouble(),
                                 bodyOf(1).value(u"temperature").toDouble()};
        QCOMPARE(QSet<double>(sent.begin(), sent.end()), (QSet<double>{0.25, 1.5}));

        // The conversation's own temperature differs from both columns'.
        m_backend->chat()
            .setConversationSettings(r.conversationId, {{QStringLiteral("temperature"), 0.7}})
            .waitForFinished();
        const QList<std::pair<QString, double>> columns{{r.replies.at(0).id, 0.25},
                                                        {r.replies.at(1).id, 1.5}};
        for (const auto &[id, temperature] : columns) {
            QVERIFY2(!stored(id)->content.isEmpty(), "the cut column kept its text");
            // Continue: the new sibling asks with the column's parameters.
            m_server->enqueue(FakeVendorServer::stream(sse, "text/event-stream"));
            const auto continued = m_backend->chat().continueReply(id).result();
            QTRY_VERIFY_WITH_TIMEOUT(ended(continued.assistant.id), 30000);
            QCOMPARE(bodyOf(m_server->requests().size() - 1).value(u"temperature").toDouble(),
                     temperature);
            QVERIFY(stored(continued.assistant.id)->content.startsWith(stored(id)->content));
            // Retry (a regenerate) of the continuation: still the column's parameters.
            m_server->enqueue(FakeVendorServer::stream(sse, "text/event-stream"));
            const auto retried = m_backend->chat().regenerate(continued.assistant.id).result();
            QTRY_VERIFY_WITH_TIMEOUT(ended(retried.assistant.id), 30000);
            const QJsonObject body = bodyOf(m_server->requests().size() - 1);
            QCOMPARE(body.value(u"temperature").toDouble(), temperature);
            if (temperature == 0.25)
                QVERIFY2(body.value(u"max_tokens").toInt() == 300
                             || body.value(u"max_completion_tokens").toInt() == 300,
                         qPrintable(body.keys().join(u',')));
        }
        // An ordinary reply in the same conversation uses the conversation's temperature.
        m_server->enqueue(FakeVendorServer::stream(sse, "text/event-stream"));
        chat::SendRequest next;
        next.conversationId = r.conversationId;
        next.text = QStringLiteral("And now?");
        next.modelKey = QStringLiteral("test-openai/m1");
        const auto plain = m_backend->chat().send(next).result();
        QTRY_VERIFY_WITH_TIMEOUT(ended(plain.assistant.id), 30000);
        QCOMPARE(bodyOf(m_server->requests().size() - 1).value(u"temperature").toDouble(), 0.7);
    }

    void aColumnsParametersOutliveItsJob()
    {
        // Both columns are cut mid-stream, and their job rows are then deleted (as the jobs
        // dashboard's discard or a prune does): the parameters are kept on the replies.
        const QByteArray sse = FakeVendorServer::transcript(QStringLiteral("openai-text.sse"));
        const auto r = compareTwoCutColumns(sse);
        QCOMPARE(r.replies.at(0).params,
                 QStringLiteral(R"({"max_tokens":300,"temperature":0.25})"));
        QTRY_VERIFY_WITH_TIMEOUT(allEnded(r.replies), 30000);
        m_backend->chat()
            .setConversationSettings(r.conversationId, {{QStringLiteral("temperature"), 0.7}})
            .waitForFinished();
        for (qsizetype i = 0; i < r.replies.size(); ++i) {
            const qint64 job = r.jobIds.at(i);
            QVERIFY(m_backend->store()
                        .write([job](QSqlDatabase &db) { return jobs::admin::discard(db, job); })
                        .result());
        }
        const QString low0 = r.replies.at(0).id;
        const QString high = r.replies.at(1).id;
        QVERIFY(m_backend->store()
                    .read([low0, high](QSqlDatabase &db) {
                        return jobs::queries::forSubject(db, low0).isEmpty()
                            && jobs::queries::forSubject(db, high).isEmpty();
                    })
                    .result());
        QCOMPARE(stored(low0)->params, QStringLiteral(R"({"max_tokens":300,"temperature":0.25})"));
        QCOMPARE(stored(high)->params, QStringLiteral(R"({"temperature":1.5})"));
        const auto lastBody = [&] {
            return QJsonDocument::fromJson(m_server->requests().constLast().body).object();
        };

        // Continue the first: its temperature and token limit, not the conversation's 0.7.
        QVERIFY(!stored(low0)->content.isEmpty());
        m_server->enqueue(FakeVendorServer::stream(sse, "text/event-stream"));
        const auto continued = m_backend->chat().continueReply(low0).result();
        QCOMPARE(continued.assistant.params, stored(low0)->params);
        QTRY_VERIFY_WITH_TIMEOUT(ended(continued.assistant.id), 30000);
        QJsonObject body = lastBody();
        QCOMPARE(body.value(u"temperature").toDouble(), 0.25);
        QVERIFY2(body.value(u"max_tokens").toInt() == 300
                     || body.value(u"max_completion_tokens").toInt() == 300,
                 qPrintable(body.keys().join(u',')));

        // Retry (a regenerate) the second: its temperature, read from the message (its new job
        // carries no parameters of its own).
        m_server->enqueue(FakeVendorServer::stream(sse, "text/event-stream"));
        const auto retried = m_backend->chat().regenerate(high).result();
        QTRY_VERIFY_WITH_TIMEOUT(ended(retried.assistant.id), 30000);
        QCOMPARE(lastBody().value(u"temperature").toDouble(), 1.5);
        QCOMPARE(stored(retried.assistant.id)->params, QStringLiteral(R"({"temperature":1.5})"));
        const QList<jobs::Job> job = m_backend->store()
                                         .read([id = retried.assistant.id](QSqlDatabase &db) {
                                             return jobs::queries::forSubject(db, id);
                                         })
                                         .result();
        QCOMPARE(job.size(), 1);
        QVERIFY(!job.constFirst().payload.contains(u"parameters"));
        QVERIFY(stored(r.user.id)->params.isEmpty()); // a message of the user's has none
    }

    void fourVendorsAtOnceEachEndInTheirOwnState()
    {
        // The texts each transcript gives alone.
        QHash<QString, QString> alone;
        const QHash<QString, QString> transcripts{
            {QStringLiteral("anthropic"), QStringLiteral("anthropic-text.sse")},
            {QStringLiteral("gemini"), QStringLiteral("gemini-text.sse")},
            {QStringLiteral("ollama"), QStringLiteral("ollama-text.ndjson")}};
        for (auto it = transcripts.begin(); it != transcripts.end(); ++it) {
            m_server->enqueue(FakeVendorServer::stream(FakeVendorServer::transcript(it.value()),
                                                       contentType(it.value())));
            const auto r = send(it.key(), QStringLiteral("alone"));
            QTRY_VERIFY_WITH_TIMEOUT(ended(r.assistant.id), 30000);
            QCOMPARE(domain::toString(stored(r.assistant.id)->status),
                     domain::toString(MessageStatus::Complete));
            alone.insert(it.key(), stored(r.assistant.id)->content);
            QVERIFY(!alone.value(it.key()).isEmpty());
        }
        const int before = int(m_server->requests().size());

        // OpenAI is rate limited on every attempt; Ollama's stream is cut mid-way; Anthropic and
        // Gemini stream in pieces, interleaved with the others.
        for (int i = 0; i < 3; ++i)
            m_server->enqueueFor(
                routeOf(QStringLiteral("openai")),
                FakeVendorServer::json(
                    429,
                    R"({"error":{"message":"Rate limit reached for requests","type":"requests","code":"rate_limit_exceeded"}})",
                    {{"retry-after", "1"}}));
        for (const QString &kind : {QStringLiteral("anthropic"), QStringLiteral("gemini")}) {
            const QString t = transcripts.value(kind);
            m_server->enqueueFor(
                routeOf(kind),
                FakeVendorServer::stream(FakeVendorServer::transcript(t), contentType(t), 12, 15));
        }
        const QByteArray ollama =
            FakeVendorServer::transcript(transcripts.value(QStringLiteral("ollama")));
        FakeVendorServer::Response cut = FakeVendorServer::stream(
            ollama.left(ollama.indexOf('\n') + 1), "application/x-ndjson", 4, 15);
        cut.disconnectMidBody = true;
        m_server->enqueueFor(routeOf(QStringLiteral("ollama")), cut);

        const auto r = compare({model(QStringLiteral("test-openai"), QStringLiteral("m1")),
                                model(QStringLiteral("test-anthropic"), QStringLiteral("m1")),
                                model(QStringLiteral("test-gemini"), QStringLiteral("m1")),
                                model(QStringLiteral("test-ollama"), QStringLiteral("m1"))});
        QTRY_VERIFY_WITH_TIMEOUT(allEnded(r.replies), 60000);
        const QList<domain::Message> got = children(r.user.id);
        QCOMPARE(got.size(), 4);

        // OpenAI: retried, then its error state, with no text.
        QCOMPARE(got.at(0).provider, QStringLiteral("test-openai"));
        QCOMPARE(domain::toString(got.at(0).status), domain::toString(MessageStatus::Error));
        QVERIFY(got.at(0).content.isEmpty());
        QVERIFY2(got.at(0).error.contains(u"429") || got.at(0).error.contains(u"ate limit"),
                 qPrintable(got.at(0).error));
        const auto requestsTo = [&](const QString &kind) {
            int n = 0;
            for (const auto &req : m_server->requests().mid(before))
                n += req.target.contains(routeOf(kind)) ? 1 : 0;
            return n;
        };
        QCOMPARE(requestsTo(QStringLiteral("openai")), 3); // two retries
        QCOMPARE(requestsTo(QStringLiteral("ollama")), 1); // with text: not redone
        // Anthropic and Gemini: complete, exactly the text each gives alone.
        QCOMPARE(domain::toString(got.at(1).status), domain::toString(MessageStatus::Complete));
        QCOMPARE(got.at(1).content, alone.value(QStringLiteral("anthropic")));
        QCOMPARE(domain::toString(got.at(2).status), domain::toString(MessageStatus::Complete));
        QCOMPARE(got.at(2).content, alone.value(QStringLiteral("gemini")));
        // Ollama: cut mid-stream, it keeps the text that arrived (a prefix of its own text,
        // nothing of the others) and is not redone.
        QVERIFY2(got.at(3).status == MessageStatus::Error
                     || got.at(3).status == MessageStatus::Interrupted,
                 qPrintable(domain::toString(got.at(3).status)));
        QVERIFY(!got.at(3).content.isEmpty());
        QVERIFY(got.at(3).content.size() < alone.value(QStringLiteral("ollama")).size());
        QVERIFY2(alone.value(QStringLiteral("ollama")).startsWith(got.at(3).content),
                 qPrintable(got.at(3).content));
        // Each column's first token is its own.
        for (int i = 1; i < 4; ++i)
            QVERIFY(got.at(i).firstTokenAt > 0);
        QCOMPARE(got.at(0).firstTokenAt, qint64(0));
    }

    void fuseWritesOneAnswerFromTheChosenReplies()
    {
        const auto r = compare({model(QStringLiteral("demo"), QStringLiteral("demo")),
                                model(QStringLiteral("demo"), QStringLiteral("demo")),
                                model(QStringLiteral("demo"), QStringLiteral("demo"))},
                               QStringLiteral("Name a sorting algorithm"));
        QTRY_VERIFY_WITH_TIMEOUT(allEnded(r.replies), 30000);
        const QList<domain::Message> replies = children(r.user.id);
        m_server->enqueue(FakeVendorServer::stream(
            FakeVendorServer::transcript(QStringLiteral("openai-text.sse")), "text/event-stream"));
        chat::FuseRequest f;
        f.userMessageId = r.user.id;
        f.sourceIds = {replies.at(0).id, replies.at(2).id};
        f.modelKey = QStringLiteral("test-openai/m1");
        f.promptTemplate = QStringLiteral("Q: {{question}}\n---\n{{answers}}\n---\nFuse them.");
        const auto fused = m_backend->chat().fuse(f).result();
        QTRY_VERIFY_WITH_TIMEOUT(ended(fused.assistant.id), 30000);
        const auto m = stored(fused.assistant.id);
        QCOMPARE(domain::toString(m->status), domain::toString(MessageStatus::Complete));
        QCOMPARE(m->parentId, r.user.id); // a sibling of its sources
        QCOMPARE(chat::compare::fusedFrom(*m), f.sourceIds);
        // The request: the question and the two chosen replies (not the third) in the prompt.
        const QJsonArray messages = QJsonDocument::fromJson(m_server->requests().constLast().body)
                                        .object()
                                        .value(u"messages")
                                        .toArray();
        const QString prompt = messages.last().toObject().value(u"content").toString();
        QVERIFY(prompt.startsWith(u"Q: Name a sorting algorithm\n---\nAnswer 1 ("));
        QVERIFY(prompt.contains(replies.at(0).content.trimmed()));
        QVERIFY(prompt.contains(replies.at(2).content.trimmed()));
        QVERIFY(!prompt.contains(replies.at(1).content.trimmed()));
        QVERIFY(prompt.endsWith(u"---\nFuse them."));
        // It is the visible path now; the user message has four replies.
        const auto path = m_backend->chat().visiblePath(r.conversationId).result();
        QCOMPARE(path.constLast().id, fused.assistant.id);
        QCOMPARE(path.constLast().siblingCount, 4);
        // A source that is not a reply to the message is refused.
        f.sourceIds = {r.user.id};
        QVERIFY_THROWS_EXCEPTION(store::StoreError, m_backend->chat().fuse(f).waitForFinished());
    }

    void aFusedRepliesPromptOutlivesItsJob()
    {
        // The fused reply is cut mid-stream, then its job row is discarded (the jobs dashboard's
        // action): regenerate and continue still ask with the fused prompt, kept on the message,
        // not with the bare user turn.
        const auto r = compare({model(QStringLiteral("demo"), QStringLiteral("demo")),
                                model(QStringLiteral("demo"), QStringLiteral("demo"))},
                               QStringLiteral("Name a sorting algorithm"));
        QTRY_VERIFY_WITH_TIMEOUT(allEnded(r.replies), 30000);
        const QByteArray sse = FakeVendorServer::transcript(QStringLiteral("openai-text.sse"));
        FakeVendorServer::Response cut = FakeVendorServer::stream(
            sse.left(sse.indexOf("\n\n", sse.indexOf(R"("delta":{"content")")) + 2),
            "text/event-stream");
        cut.disconnectMidBody = true;
        m_server->enqueue(cut);
        chat::FuseRequest f;
        f.userMessageId = r.user.id;
        f.sourceIds = {r.replies.at(0).id, r.replies.at(1).id};
        f.modelKey = QStringLiteral("test-openai/m1");
        f.promptTemplate = QStringLiteral("Q: {{question}}\n---\n{{answers}}\n---\nFuse them.");
        const auto fused = m_backend->chat().fuse(f).result();
        QTRY_VERIFY_WITH_TIMEOUT(ended(fused.assistant.id), 30000);
        QVERIFY(!stored(fused.assistant.id)->content.isEmpty()); // it can be continued
        const auto lastTurn = [this] {
            const QJsonArray messages =
                QJsonDocument::fromJson(m_server->requests().constLast().body)
                    .object()
                    .value(u"messages")
                    .toArray();
            return messages.last().toObject().value(u"content").toString();
        };
        const QString prompt = lastTurn();
        QVERIFY(prompt.startsWith(u"Q: Name a sorting algorithm\n---\nAnswer 1 ("));
        QCOMPARE(stored(fused.assistant.id)->request,
                 QString::fromUtf8(QJsonDocument(QJsonObject{{QStringLiteral("prompt"), prompt}})
                                       .toJson(QJsonDocument::Compact)));
        const QString id = fused.assistant.id;
        const QList<jobs::Job> job =
            m_backend->store()
                .read([id](QSqlDatabase &db) { return jobs::queries::forSubject(db, id); })
                .result();
        QCOMPARE(job.size(), 1);
        QVERIFY(m_backend->jobs().discard(job.constFirst().id).result());

        m_server->enqueue(FakeVendorServer::stream(sse, "text/event-stream"));
        const auto regenerated = m_backend->chat().regenerate(id).result();
        QTRY_VERIFY_WITH_TIMEOUT(ended(regenerated.assistant.id), 30000);
        QCOMPARE(m_server->requests().size(), 2);
        QCOMPARE(lastTurn(), prompt);
        QCOMPARE(stored(regenerated.assistant.id)->request, stored(id)->request);
        QCOMPARE(stored(regenerated.assistant.id)->fusedFrom, stored(id)->fusedFrom);

        // A continuation sends the text so far after the prompt: the prompt is the user's turn.
        m_server->enqueue(FakeVendorServer::stream(sse, "text/event-stream"));
        const auto continued = m_backend->chat().continueReply(id).result();
        QTRY_VERIFY_WITH_TIMEOUT(ended(continued.assistant.id), 30000);
        QCOMPARE(m_server->requests().size(), 3);
        QStringList userTurns;
        for (const QJsonValue &m : QJsonDocument::fromJson(m_server->requests().constLast().body)
                                       .object()
                                       .value(u"messages")
                                       .toArray()) {
            if (m.toObject().value(u"role").toString() == u"user")
                userTurns.append(m.toObject().value(u"content").toString());
        }
        QCOMPARE(userTurns, QStringList{prompt});
        QCOMPARE(stored(continued.assistant.id)->request, stored(id)->request);
    }

    void modelSetsSurviveARestart()
    {
        const QList<chat::CompareModel> models{
            model(QStringLiteral("demo"), QStringLiteral("demo"), 0.1),
            model(QStringLiteral("test-gemini"), QStringLiteral("m1")),
            model(QStringLiteral("test-ollama"), QStringLiteral("m1"), 1.2)};
        QSignalSpy changed(&m_backend->events(), &chat::ChatEvents::modelSetsChanged);
        m_backend->chat().saveModelSet(QStringLiteral("  Daily  three "), models).waitForFinished();
        m_backend->chat().saveModelSet(QStringLiteral("pair"), models.mid(0, 2)).waitForFinished();
        QCOMPARE(changed.size(), 2);
        QVERIFY_THROWS_EXCEPTION(store::StoreError,
                                 m_backend->chat()
                                     .saveModelSet(QStringLiteral("one"), models.mid(0, 1))
                                     .waitForFinished());
        const QString path = m_backend->storePath();
        m_backend.reset();
        core::Backend again({path, 0, true, 2});
        again.open();
        const QList<chat::ModelSet> sets = again.chat().modelSets().result();
        QCOMPARE(sets.size(), 2);
        QCOMPARE(sets.at(0).name, QStringLiteral("Daily three"));
        QCOMPARE(sets.at(0).models, models);
        QCOMPARE(sets.at(1).models, models.mid(0, 2));
        QVERIFY(again.chat().removeModelSet(QStringLiteral("pair")).result());
        QVERIFY(!again.chat().removeModelSet(QStringLiteral("pair")).result());
        QCOMPARE(again.chat().modelSets().result().size(), 1);
        again.close();
    }
};

QTEST_GUILESS_MAIN(TestCompare)
#include "tst_compare.moc"
