#pragma once

// What the batch suites that drive the real arbord share: a store in a temporary folder, the
// fake vendor as an OpenAI-compatible provider that echoes each prompt, and arbord runs.
#include "support/arbordprocess.h"
#include "support/dbconnection.h"
#include "support/fakevendorserver.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

namespace arbor::testsupport {

/** @brief An OpenAI-compatible streamed reply whose text is "MODEL|PROMPT" (the last user
 *  message), so each result can be checked against its row. */
inline FakeVendorServer::Response echoReply(const FakeVendorServer::Request &request)
{
    const QJsonObject body = QJsonDocument::fromJson(request.body).object();
    const QJsonArray messages = body.value(QStringLiteral("messages")).toArray();
    const QString prompt = messages.isEmpty()
        ? QString()
        : messages.last().toObject().value(QStringLiteral("content")).toString();
    const QString text = body.value(QStringLiteral("model")).toString() + QLatin1Char('|') + prompt;
    const QJsonObject chunk{
        {QStringLiteral("choices"),
         QJsonArray{QJsonObject{
             {QStringLiteral("index"), 0},
             {QStringLiteral("delta"), QJsonObject{{QStringLiteral("content"), text}}}}}}};
    QByteArray sse = "data: " + QJsonDocument(chunk).toJson(QJsonDocument::Compact) + "\n\n";
    sse += R"(data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}],)"
           R"("usage":{"prompt_tokens":7,"completion_tokens":3}})"
           "\n\ndata: [DONE]\n\n";
    return FakeVendorServer::stream(sse, "text/event-stream");
}

/** @brief A temporary store, the fake vendor, and arbord against them. */
class BatchFixture
{
public:
    QTemporaryDir dir;
    FakeVendorServer server;

    QString db() const { return dir.filePath(QStringLiteral("arbor.db")); }

    /** @brief No session bus: keys are never looked for in this machine's keychain. */
    static QProcessEnvironment env() { return serverEnvironment(); }

#ifdef ARBORD_PATH
    ArbordRun arbord(const QStringList &args) const
    {
        return runArbord(QStringLiteral(ARBORD_PATH),
                         args + QStringList{QStringLiteral("--db"), db()}, env());
    }

    /** @brief Adds the fake vendor as provider "fake" with models m1 and m2, answering with
     *  echoReply(). */
    bool addFakeVendor()
    {
        server.setResponder(&echoReply);
        const ArbordRun r = arbord({QStringLiteral("providers"), QStringLiteral("add"),
                                    QStringLiteral("fake"), QStringLiteral("--preset"),
                                    QStringLiteral("custom"), QStringLiteral("--base-url"),
                                    server.baseUrl().toString() + QStringLiteral("/v1"),
                                    QStringLiteral("--models"), QStringLiteral("m1,m2")});
        if (!r.endedWith(0))
            qWarning("%s", qPrintable(r.describe()));
        return r.endedWith(0);
    }

    /** @brief A CSV of @p rows rows "id,text" (text with a comma, a quote and a line break)
     *  and the template "{{id}}: {{text}}"; creates the run and returns its id (0 on failure). */
    qint64 createRun(int rows, const QString &models, const QStringList &extra = {})
    {
        QFile input(dir.filePath(QStringLiteral("input.csv")));
        input.open(QIODevice::WriteOnly);
        input.write("id,text\n");
        for (int i = 0; i < rows; ++i)
            input.write(QByteArray::number(i) + ",\"row " + QByteArray::number(i)
                        + ", \"\"quoted\"\"\nend\"\n");
        input.close();
        QFile templ(dir.filePath(QStringLiteral("template.txt")));
        templ.open(QIODevice::WriteOnly);
        templ.write("{{id}}: {{text}}");
        templ.close();
        const ArbordRun r =
            arbord(QStringList{QStringLiteral("batch"), QStringLiteral("create"),
                               QStringLiteral("--template"), templ.fileName(),
                               QStringLiteral("--input"), input.fileName(),
                               QStringLiteral("--models"), models, QStringLiteral("--json")}
                   + extra);
        if (!r.endedWith(0)) {
            qWarning("%s", qPrintable(r.describe()));
            return 0;
        }
        return r.object().value(QStringLiteral("id")).toInteger();
    }
#endif

    QVariant scalar(const QString &sql, std::initializer_list<QVariant> values = {}) const
    {
        DbConnection c(db(), DbConnection::Mode::ReadOnly);
        return c.scalar(sql, values);
    }
};

} // namespace arbor::testsupport
