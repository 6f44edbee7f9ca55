#pragma once

#include "mcptransport.h"

#include <QList>
#include <QMap>
#include <QPointer>
#include <QUrl>

class QNetworkReply;
class QNetworkRequest;

namespace arbor::tools {

/**
 * @brief MCP over HTTP. Streamable HTTP (spec 2025-03-26 and later): each message is a POST to
 * the endpoint, answered by a JSON body, an SSE stream of messages, or 202; the session id the
 * server gives in `Mcp-Session-Id` goes with every later request, `MCP-Protocol-Version` after
 * initialize; a GET stream carries what the server sends on its own (list_changed); DELETE
 * ends the session. When the first POST is refused (400/404/405) it falls back to the older
 * HTTP+SSE transport (2024-11-05): a GET event stream whose `endpoint` event names where to
 * POST, with every answer on that stream.
 */
class McpHttpTransport : public McpTransport
{
    Q_OBJECT

public:
    McpHttpTransport(QUrl url, QMap<QString, QString> headers, QObject *parent = nullptr);
    ~McpHttpTransport() override;

    void start() override;
    void send(const QJsonObject &message) override;
    void close() override;
    void setProtocolVersion(const QString &version) override;
    /** @brief Whether it fell back to the older HTTP+SSE transport. */
    bool legacy() const { return m_legacy; }

private:
    struct Stream;
    QNetworkReply *post(const QUrl &url, const QJsonObject &message);
    void watch(QNetworkReply *reply, bool isPost, const QJsonObject &sent);
    void takeBody(QNetworkReply *reply, Stream &stream, bool atEnd);
    void deliver(const QByteArray &json);
    void startLegacy();
    void openListenStream();
    void fail(const QString &reason);
    QNetworkRequest request(const QUrl &url) const;

    QUrl m_url;
    QMap<QString, QString> m_headers;
    QString m_sessionId;
    QString m_protocolVersion;
    bool m_legacy = false;
    bool m_triedLegacy = false;
    bool m_initialized = false; ///< the first POST was answered: no more fallback
    bool m_failed = false;
    QUrl m_legacyEndpoint; ///< where the older transport POSTs (empty until its endpoint event)
    QList<QJsonObject> m_waiting; ///< sent before the legacy endpoint was known
    QList<QPointer<QNetworkReply>> m_replies;
    QMap<QNetworkReply *, Stream *> m_streams;
};

} // namespace arbor::tools
