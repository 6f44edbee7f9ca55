#pragma once

#include "support/arbordprocess.h"

#include <QEventLoop>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <memory>

namespace arbor::testsupport {

/** @brief One HTTP answer, whole. */
struct HttpAnswer
{
    int status = 0;
    QByteArray body;
    QHash<QByteArray, QByteArray> headers;
    QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
};

/** @brief One event of an SSE stream. */
struct SseEvent
{
    QByteArray event;
    QJsonObject data;
};

/**
 * @brief A real `arbord serve` on 127.0.0.1 (a free port) over a store in a temporary folder,
 * with helpers to make tokens and to talk HTTP to it.
 */
class ServeFixture
{
public:
    ServeFixture()
    {
        m_env.insert(QStringLiteral("ARBOR_DB"), m_dir.filePath(QStringLiteral("serve.db")));
    }
    ~ServeFixture() { stop(); }

    QString dbPath() const { return m_env.value(QStringLiteral("ARBOR_DB")); }
    /** @brief Sets @p name in the environment of the server and of arbord runs. */
    void setEnv(const QString &name, const QString &value) { m_env.insert(name, value); }
    /** @brief Serves the store of @p other (two servers on one store); call before start(). */
    void useStoreOf(const ServeFixture &other)
    {
        m_env.insert(QStringLiteral("ARBOR_DB"), other.dbPath());
    }
    QProcessEnvironment env() const { return m_env; }

    /** @brief Starts the server over a store whose provider "Fake" (model fake-model) is the
     *  OpenAI-compatible vendor at @p vendorBase (http://127.0.0.1:PORT); false (and a
     *  warning) when the provider cannot be added or the server does not listen. */
    bool startWithVendor(const QUrl &vendorBase)
    {
        const ArbordRun r =
            arbord({QStringLiteral("providers"), QStringLiteral("add"), QStringLiteral("Fake"),
                    QStringLiteral("--preset"), QStringLiteral("custom"),
                    QStringLiteral("--base-url"), vendorBase.toString() + QStringLiteral("/v1"),
                    QStringLiteral("--models"), QStringLiteral("fake-model")});
        if (!r.endedWith(0)) {
            qWarning("%s", qPrintable(r.describe()));
            return false;
        }
        return start();
    }

    /** @brief Starts the server; false (and a QTest warning) when it does not listen. */
    bool start(const QStringList &extra = {})
    {
        m_server = std::make_unique<QProcess>();
        m_server->setProcessEnvironment(m_env);
        m_server->start(QStringLiteral(ARBORD_PATH),
                        QStringList{QStringLiteral("serve"), QStringLiteral("--listen"),
                                    QStringLiteral("127.0.0.1:0")}
                            + extra);
        static const QRegularExpression listening(QStringLiteral("listening on (http://\\S+)"));
        const qsizetype from = m_log.size(); // the log of an earlier run stays before
        for (int i = 0; i < 200; ++i) {
            m_server->waitForReadyRead(100);
            m_log += QString::fromUtf8(m_server->readAllStandardError());
            const auto match = listening.match(m_log, from);
            if (match.hasMatch()) {
                m_base = match.captured(1);
                return true;
            }
            if (m_server->state() == QProcess::NotRunning)
                break;
        }
        qWarning() << "arbord serve did not start:" << m_log;
        return false;
    }
    /** @brief SIGTERM, then waits for the end; returns its exit code. */
    int stop()
    {
        if (!m_server || m_server->state() == QProcess::NotRunning)
            return m_server ? m_server->exitCode() : 0;
        m_server->terminate();
        if (!m_server->waitForFinished(30000))
            m_server->kill();
        m_server->waitForFinished();
        m_log += QString::fromUtf8(m_server->readAllStandardError());
        return m_server->exitCode();
    }
    /** @brief SIGKILL: the server ends at once, with nothing of its own to save. */
    void kill()
    {
        if (!m_server || m_server->state() == QProcess::NotRunning)
            return;
        m_server->kill();
        m_server->waitForFinished();
        m_log += QString::fromUtf8(m_server->readAllStandardError());
    }
    /** @brief The server's stderr so far (its request log). */
    QString log()
    {
        if (m_server)
            m_log += QString::fromUtf8(m_server->readAllStandardError());
        return m_log;
    }
    QString base() const { return m_base; }
    QString port() const { return m_base.section(QLatin1Char(':'), -1); }

    /** @brief `arbord serve token add NAME ARGS...`: the secret. */
    QString addToken(const QString &name, const QStringList &args = {})
    {
        const ArbordRun run =
            runArbord(QStringLiteral(ARBORD_PATH),
                      QStringList{QStringLiteral("serve"), QStringLiteral("token"),
                                  QStringLiteral("add"), name}
                          + args,
                      m_env);
        if (!run.endedWith(0))
            qWarning() << run.describe();
        return QString::fromUtf8(run.out).trimmed();
    }
    ArbordRun arbord(const QStringList &args)
    {
        return runArbord(QStringLiteral(ARBORD_PATH), args, m_env);
    }

    HttpAnswer request(const QByteArray &method, const QString &path, const QString &token,
                       const QByteArray &body = {})
    {
        QNetworkRequest r(QUrl(m_base + path));
        if (!token.isEmpty())
            r.setRawHeader("Authorization", "Bearer " + token.toUtf8());
        r.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("application/json"));
        QNetworkReply *reply = m_net.sendCustomRequest(r, method, body);
        QSignalSpy done(reply, &QNetworkReply::finished);
        done.wait(60000);
        HttpAnswer a;
        a.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        a.body = reply->readAll();
        for (const auto &pair : reply->rawHeaderPairs())
            a.headers.insert(pair.first.toLower(), pair.second);
        reply->deleteLater();
        return a;
    }
    HttpAnswer post(const QString &path, const QString &token, const QJsonObject &body)
    {
        return request("POST", path, token, QJsonDocument(body).toJson(QJsonDocument::Compact));
    }

    /** @brief Starts an SSE request; events arrive through readEvents(). */
    QNetworkReply *openStream(const QByteArray &method, const QString &path, const QString &token,
                              const QByteArray &body = {})
    {
        QNetworkRequest r(QUrl(m_base + path));
        r.setRawHeader("Authorization", "Bearer " + token.toUtf8());
        r.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("application/json"));
        return m_net.sendCustomRequest(r, method, body);
    }
    /** @brief Reads events of @p reply until @p until says stop or the stream ends. */
    static QList<SseEvent> readEvents(QNetworkReply *reply,
                                      const std::function<bool(const SseEvent &)> &until)
    {
        QList<SseEvent> events;
        QByteArray buffer;
        QElapsedTimer clock;
        clock.start();
        while (clock.elapsed() < 60000) {
            buffer += reply->readAll();
            qsizetype end;
            while ((end = buffer.indexOf("\n\n")) >= 0) {
                SseEvent e;
                for (const QByteArray &line : buffer.left(end).split('\n')) {
                    if (line.startsWith("event: "))
                        e.event = line.mid(7);
                    else if (line.startsWith("data: "))
                        e.data = QJsonDocument::fromJson(line.mid(6)).object();
                }
                buffer.remove(0, end + 2);
                events.append(e);
                if (until(e))
                    return events;
            }
            if (reply->isFinished() && reply->bytesAvailable() == 0)
                break;
            QSignalSpy more(reply, &QNetworkReply::readyRead);
            if (!reply->isFinished())
                more.wait(200);
        }
        return events;
    }

    /** @brief Runs the OpenAI SDK script in @p mode; its JSON output. */
    QJsonObject sdk(const QString &token, const QStringList &args)
    {
        QProcess node;
        QProcessEnvironment e = QProcessEnvironment::systemEnvironment();
        e.insert(QStringLiteral("ARBOR_SERVE_URL"), m_base + QStringLiteral("/v1"));
        e.insert(QStringLiteral("ARBOR_SERVE_TOKEN"), token);
        e.insert(QStringLiteral("NODE_PATH"), QStringLiteral(ARBOR_NODE_MODULES));
        node.setProcessEnvironment(e);
        node.start(QStringLiteral("node"), QStringList{QStringLiteral(ARBOR_SERVE_SCRIPT)} + args);
        QSignalSpy finished(&node, &QProcess::finished);
        if (!finished.wait(60000)) {
            node.kill();
            node.waitForFinished();
        }
        const QByteArray out = node.readAllStandardOutput();
        if (node.exitCode() != 0)
            qWarning() << "node failed:" << node.readAllStandardError();
        return QJsonDocument::fromJson(out).object();
    }

private:
    QTemporaryDir m_dir;
    QProcessEnvironment m_env = QProcessEnvironment::systemEnvironment();
    std::unique_ptr<QProcess> m_server;
    QString m_log;
    QString m_base;
    QNetworkAccessManager m_net;
};

} // namespace arbor::testsupport
