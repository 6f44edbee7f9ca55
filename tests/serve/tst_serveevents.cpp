// arbord serve over WebSocket: the live events stream resumed by event id and filtered per
// token, and Open Responses' WebSocket mode.
#include "servefixture.h"

#include <QJsonArray>
#include <QWebSocket>
#include <QtTest>

using namespace arbor::testsupport;

namespace {

/** @brief A WebSocket client that keeps what it receives. */
struct Client
{
    QWebSocket socket;
    QList<QJsonObject> messages;

    Client()
    {
        QObject::connect(&socket, &QWebSocket::textMessageReceived, &socket,
                         [this](const QString &m) {
                             messages.append(QJsonDocument::fromJson(m.toUtf8()).object());
                         });
    }
    bool open(const QString &url, const QString &token)
    {
        QNetworkRequest r{QUrl(url)};
        if (!token.isEmpty())
            r.setRawHeader("Authorization", "Bearer " + token.toUtf8());
        QSignalSpy connected(&socket, &QWebSocket::connected);
        QSignalSpy closed(&socket, &QWebSocket::disconnected);
        socket.open(r);
        return connected.wait(10000) || (connected.size() == 1);
    }
    bool has(const std::function<bool(const QJsonObject &)> &match) const
    {
        return std::any_of(messages.begin(), messages.end(), match);
    }
};

QString field(const QJsonObject &e, const char *key)
{
    return e[QLatin1String(key)].toString();
}

QString ws(const ServeFixture &f, const QString &path)
{
    return QString(f.base()).replace(QStringLiteral("http://"), QStringLiteral("ws://")) + path;
}

} // namespace

class TestServeEvents : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void eventsResumeAfterDisconnect()
    {
        ServeFixture f;
        const QString t = f.addToken(QStringLiteral("e"));
        // An admin token: it sees every event (job changes too), so its ids have no gaps.
        QVERIFY(f.start({QStringLiteral("--rate"), QStringLiteral("200"),
                         QStringLiteral("--admin-token"), QStringLiteral("e")}));
        {
            Client none;
            QVERIFY(!none.open(ws(f, QStringLiteral("/v1/events")), {}));
        }
        const QJsonObject ask{{QStringLiteral("model"), QStringLiteral("demo/demo")},
                              {QStringLiteral("input"), QStringLiteral("first")}};
        QString lastId;
        QString firstReply;
        {
            Client c;
            QVERIFY(c.open(ws(f, QStringLiteral("/v1/events")), t));
            firstReply = f.post(QStringLiteral("/v1/responses"), t, ask)
                             .json()[QStringLiteral("id")]
                             .toString();
            QTRY_VERIFY_WITH_TIMEOUT(c.has([&](const QJsonObject &e) {
                return field(e, "type") == u"message.changed"
                    && e[QStringLiteral("message_id")] == firstReply
                    && field(e, "status") == u"complete";
            }),
                                     20000);
            QVERIFY(c.has([&](const QJsonObject &e) {
                return field(e, "type") == u"message.delta"
                    && e[QStringLiteral("message_id")] == firstReply;
            }));
            QVERIFY(c.has([](const QJsonObject &e) { return field(e, "type") == u"job.changed"; }));
            lastId = c.messages.last()[QStringLiteral("id")].toString();
        }
        // While no client listens, a second reply streams.
        const QString secondReply = f.post(QStringLiteral("/v1/responses"), t,
                                           {{QStringLiteral("model"), QStringLiteral("demo/demo")},
                                            {QStringLiteral("input"), QStringLiteral("second")}})
                                        .json()[QStringLiteral("id")]
                                        .toString();
        const QString secondText =
            f.request("GET", QStringLiteral("/v1/responses/") + secondReply, t)
                .json()[QStringLiteral("output")][0][QStringLiteral("content")][0]
                       [QStringLiteral("text")]
                .toString();
        QVERIFY(!secondText.isEmpty());

        Client again;
        QVERIFY(again.open(ws(f, QStringLiteral("/v1/events?last_event_id=") + lastId), t));
        QTRY_VERIFY_WITH_TIMEOUT(again.has([&](const QJsonObject &e) {
            return field(e, "type") == u"message.changed"
                && e[QStringLiteral("message_id")] == secondReply
                && field(e, "status") == u"complete";
        }),
                                 20000);
        // Every event after the last one seen, in order, none twice, none missing: the deltas
        // of the second reply rebuild its text.
        const QString epoch = lastId.section(QLatin1Char('-'), 0, 0);
        qint64 expected = lastId.section(QLatin1Char('-'), 1).toLongLong() + 1;
        QString rebuilt;
        for (const QJsonObject &e : std::as_const(again.messages)) {
            QCOMPARE(e[QStringLiteral("id")].toString(),
                     epoch + QLatin1Char('-') + QString::number(expected++));
            if (field(e, "type") == u"message.delta"
                && e[QStringLiteral("message_id")] == secondReply) {
                QCOMPARE(e[QStringLiteral("offset")].toInteger(), rebuilt.size());
                rebuilt += e[QStringLiteral("delta")].toString();
            }
        }
        QCOMPARE(rebuilt, secondText);

        // An id from an earlier server process: told to resync, then live events.
        Client stale;
        QVERIFY(stale.open(ws(f, QStringLiteral("/v1/events?last_event_id=1-5")), t));
        QTRY_VERIFY(!stale.messages.isEmpty());
        QCOMPARE(stale.messages.first()[QStringLiteral("type")].toString(),
                 QStringLiteral("resync"));
    }

    void eventsOfItsOwnConversationsOnly()
    {
        ServeFixture f;
        const QString a = f.addToken(QStringLiteral("a"));
        const QString b = f.addToken(QStringLiteral("b"));
        const QString boss = f.addToken(QStringLiteral("boss"));
        QVERIFY(f.start({QStringLiteral("--rate"), QStringLiteral("300"),
                         QStringLiteral("--admin-token"), QStringLiteral("boss")}));
        Client ca;
        Client cb;
        Client admin;
        QVERIFY(ca.open(ws(f, QStringLiteral("/v1/events")), a));
        QVERIFY(cb.open(ws(f, QStringLiteral("/v1/events")), b));
        QVERIFY(admin.open(ws(f, QStringLiteral("/v1/events")), boss));
        auto ask = [&](const QString &token, const QString &input) {
            const QJsonObject r = f.post(QStringLiteral("/v1/responses"), token,
                                         {{QStringLiteral("model"), QStringLiteral("demo/demo")},
                                          {QStringLiteral("input"), input}})
                                      .json();
            return std::pair{
                r[QStringLiteral("id")].toString(),
                r[QStringLiteral("metadata")][QStringLiteral("arbor_conversation_id")].toString()};
        };
        const auto [replyA, conversationA] = ask(a, QStringLiteral("for a"));
        const auto [replyB, conversationB] = ask(b, QStringLiteral("for b"));
        QVERIFY(!conversationA.isEmpty() && !conversationB.isEmpty());
        auto completed = [](const QString &reply) {
            return [reply](const QJsonObject &e) {
                return field(e, "type") == u"message.changed"
                    && e[QStringLiteral("message_id")] == reply
                    && field(e, "status") == u"complete";
            };
        };
        // Each sees its own reply to its end; the admin sees both.
        QTRY_VERIFY_WITH_TIMEOUT(ca.has(completed(replyA)), 20000);
        QTRY_VERIFY_WITH_TIMEOUT(cb.has(completed(replyB)), 20000);
        QTRY_VERIFY_WITH_TIMEOUT(admin.has(completed(replyA)) && admin.has(completed(replyB)),
                                 20000);
        auto of = [](const QString &conversation) {
            return [conversation](const QJsonObject &e) {
                return e[QStringLiteral("conversation_id")].toString() == conversation;
            };
        };
        auto isJob = [](const QJsonObject &e) { return field(e, "type") == u"job.changed"; };
        QVERIFY(cb.has([&](const QJsonObject &e) {
            return field(e, "type") == u"message.delta"
                && e[QStringLiteral("message_id")] == replyB;
        }));
        QVERIFY(admin.has(isJob));
        // b got nothing of a's conversation (it was made and answered before b's), a nothing
        // of b's, and neither a job change, which names no conversation.
        QVERIFY(!cb.has(of(conversationA)));
        QVERIFY(!ca.has(of(conversationB)));
        QVERIFY(!cb.has(isJob) && !ca.has(isJob));
        // Nor when it resumes from the start of what is kept.
        const QString epoch =
            admin.messages.first()[QStringLiteral("id")].toString().section(QLatin1Char('-'), 0, 0);
        Client again;
        QVERIFY(again.open(
            ws(f, QStringLiteral("/v1/events?last_event_id=") + epoch + QStringLiteral("-0")), b));
        QTRY_VERIFY_WITH_TIMEOUT(again.has(completed(replyB)), 20000);
        QVERIFY(!again.has(of(conversationA)));
        QVERIFY(again.has(of(conversationB)));
    }

    void responsesOverWebSocket()
    {
        ServeFixture f;
        const QString t = f.addToken(QStringLiteral("w"));
        QVERIFY(f.start({QStringLiteral("--rate"), QStringLiteral("300")}));
        Client c;
        QVERIFY(c.open(ws(f, QStringLiteral("/v1/responses")), t));
        c.socket.sendTextMessage(QString::fromUtf8(
            QJsonDocument(QJsonObject{{QStringLiteral("type"), QStringLiteral("response.create")},
                                      {QStringLiteral("model"), QStringLiteral("demo/demo")},
                                      {QStringLiteral("input"), QStringLiteral("Over a socket")}})
                .toJson()));
        QTRY_VERIFY_WITH_TIMEOUT(
            c.has([](const QJsonObject &e) { return field(e, "type") == u"response.completed"; }),
            20000);
        QString text;
        qint64 last = -1;
        QString id;
        for (const QJsonObject &e : std::as_const(c.messages)) {
            QVERIFY(e[QStringLiteral("sequence_number")].toInteger() > last);
            last = e[QStringLiteral("sequence_number")].toInteger();
            if (field(e, "type") == u"response.created")
                id = e[QStringLiteral("response")][QStringLiteral("id")].toString();
            if (field(e, "type") == u"response.output_text.delta")
                text += e[QStringLiteral("delta")].toString();
        }
        const QJsonObject stored =
            f.request("GET", QStringLiteral("/v1/responses/") + id, t).json();
        QCOMPARE(stored[QStringLiteral("output")][0][QStringLiteral("content")][0]
                       [QStringLiteral("text")]
                           .toString(),
                 text);
        // A second message on the same socket; a bad one gets an error event.
        c.messages.clear();
        c.socket.sendTextMessage(QStringLiteral("{not json"));
        QTRY_VERIFY(c.has([](const QJsonObject &e) {
            return field(e, "type") == u"error" && e[QStringLiteral("status")].toInt() == 400;
        }));
    }

    void conversationOfAnotherServer()
    {
        // Two servers on one store: B runs a reply that A's request made; the token's events
        // stream on B shows it (B learns whose the conversation is without a restart).
        ServeFixture a;
        const QString t = a.addToken(QStringLiteral("t"));
        ServeFixture b;
        b.useStoreOf(a);
        QVERIFY(a.start());
        QVERIFY(b.start());
        Client c;
        QVERIFY(c.open(ws(b, QStringLiteral("/v1/events")), t));
        QVERIFY(a.arbord({QStringLiteral("jobs"), QStringLiteral("pause"), QStringLiteral("demo")})
                    .endedWith(0));
        const QString reply = a.post(QStringLiteral("/v1/responses"), t,
                                     {{QStringLiteral("model"), QStringLiteral("demo/demo")},
                                      {QStringLiteral("input"), QStringLiteral("made by A")},
                                      {QStringLiteral("background"), true}})
                                  .json()[QStringLiteral("id")]
                                  .toString();
        QVERIFY(!reply.isEmpty());
        QCOMPARE(a.stop(), 0); // the reply waits in the store, queued
        QVERIFY(b.arbord({QStringLiteral("jobs"), QStringLiteral("resume"), QStringLiteral("demo")})
                    .endedWith(0));
        QTRY_VERIFY_WITH_TIMEOUT(c.has([&](const QJsonObject &e) {
            return field(e, "type") == u"message.changed"
                && e[QStringLiteral("message_id")] == reply && field(e, "status") == u"complete";
        }),
                                 30000);
        QString rebuilt;
        for (const QJsonObject &e : std::as_const(c.messages))
            if (field(e, "type") == u"message.delta" && e[QStringLiteral("message_id")] == reply)
                rebuilt += e[QStringLiteral("delta")].toString();
        const QString stored = b.request("GET", QStringLiteral("/v1/responses/") + reply, t)
                                   .json()[QStringLiteral("output")][0][QStringLiteral("content")]
                                          [0][QStringLiteral("text")]
                                   .toString();
        QVERIFY(!stored.isEmpty());
        QCOMPARE(rebuilt, stored);
    }

    void nonAdminResumeAcrossGaps()
    {
        // A token that is not an admin sees rising ids with gaps (other tokens' events, job
        // changes); resuming after the last one it saw misses none of its own events.
        ServeFixture f;
        const QString one = f.addToken(QStringLiteral("one"));
        const QString two = f.addToken(QStringLiteral("two"));
        QVERIFY(f.start());
        auto ask = [&](const QString &token, const QString &input) {
            return f
                .post(QStringLiteral("/v1/responses"), token,
                      {{QStringLiteral("model"), QStringLiteral("demo/demo")},
                       {QStringLiteral("input"), input}})
                .json()[QStringLiteral("id")]
                .toString();
        };
        QString lastId;
        {
            Client c;
            QVERIFY(c.open(ws(f, QStringLiteral("/v1/events")), one));
            const QString first = ask(one, QStringLiteral("first"));
            QTRY_VERIFY_WITH_TIMEOUT(c.has([&](const QJsonObject &e) {
                return field(e, "type") == u"message.changed"
                    && e[QStringLiteral("message_id")] == first
                    && field(e, "status") == u"complete";
            }),
                                     20000);
            lastId = c.messages.last()[QStringLiteral("id")].toString();
        }
        const QString others = ask(two, QStringLiteral("not yours"));
        const QString second = ask(one, QStringLiteral("second"));
        ask(two, QStringLiteral("not yours either"));
        Client again;
        QVERIFY(again.open(ws(f, QStringLiteral("/v1/events?last_event_id=") + lastId), one));
        QTRY_VERIFY_WITH_TIMEOUT(again.has([&](const QJsonObject &e) {
            return field(e, "type") == u"message.changed"
                && e[QStringLiteral("message_id")] == second && field(e, "status") == u"complete";
        }),
                                 20000);
        qint64 previous = lastId.section(QLatin1Char('-'), 1).toLongLong();
        bool gap = false;
        bool created = false;
        QString rebuilt;
        for (const QJsonObject &e : std::as_const(again.messages)) {
            const qint64 n =
                e[QStringLiteral("id")].toString().section(QLatin1Char('-'), 1).toLongLong();
            QVERIFY(n > previous);
            gap = gap || n > previous + 1;
            previous = n;
            QVERIFY(e[QStringLiteral("message_id")].toString() != others);
            if (e[QStringLiteral("message_id")] != second)
                continue;
            created = created || field(e, "type") == u"message.created";
            if (field(e, "type") == u"message.delta") {
                QCOMPARE(e[QStringLiteral("offset")].toInteger(), rebuilt.size());
                rebuilt += e[QStringLiteral("delta")].toString();
            }
        }
        QVERIFY(gap); // the other token's events and the job changes are not this token's
        QVERIFY(created);
        const QString stored = f.request("GET", QStringLiteral("/v1/responses/") + second, one)
                                   .json()[QStringLiteral("output")][0][QStringLiteral("content")]
                                          [0][QStringLiteral("text")]
                                   .toString();
        QCOMPARE(rebuilt, stored);
    }
};

QTEST_GUILESS_MAIN(TestServeEvents)
#include "tst_serveevents.moc"
