#pragma once

#include "provider.h"
#include "sseparser.h"

#include <QNetworkRequest>
#include <QPointer>
#include <QTimer>
#include <QUrl>

#include <functional>

class QNetworkReply;

namespace arbor::llm {

/**
 * @brief One Open Responses stream from an `arbord serve`, resumed when the connection drops.
 *
 * The response is created with `background: true`, so the server keeps writing it when this
 * client is gone. A delta's sequence number is 3 + the offset where its text ends (the server's
 * numbering, backend/serve/responsestream.h), so after a drop the stream reopens with
 * `GET /v1/responses/{id}?stream=true&starting_after=N` and takes only text past what it has:
 * none lost, none twice. Up to MaxResumes reopenings, with growing pauses; a refusal (401,
 * 404, ...) ends it.
 */
class ArborServerStream : public ChatStream
{
    Q_OBJECT

public:
    static constexpr int MaxResumes = 20;

    using RequestMaker = std::function<QNetworkRequest(const QUrl &)>;
    /** @brief @p responsesUrl: ".../v1/responses"; @p body: the create request. */
    ArborServerStream(RequestMaker makeRequest, QUrl responsesUrl, QByteArray body,
                      QObject *parent = nullptr);
    ~ArborServerStream() override;

    void start();
    void cancel() override;
    /** @brief Times the stream was reopened after a drop. */
    int resumes() const { return m_resumes; }

private:
    void open(QNetworkReply *reply);
    void onReadyRead();
    void onFinished();
    void take(const SseEvent &event);
    void dropped(const QString &why);
    void fail(const ChatError &error);
    void finish(const ChatUsage &usage, const QString &reason);
    QUrl resumeUrl() const;

    RequestMaker m_makeRequest;
    QUrl m_url;
    QByteArray m_body;
    QPointer<QNetworkReply> m_reply;
    SseParser m_parser;
    QString m_id;           ///< the response id, once created
    qint64 m_lastSeq = -1;  ///< the last sequence number taken
    qint64 m_textBase = 3;  ///< sequence number of the text's content_part.added
    qsizetype m_length = 0; ///< text given so far (UTF-16 units)
    int m_resumes = 0;
    int m_failedTries = 0; ///< reopenings in a row that brought nothing
    bool m_done = false;
    QTimer m_retry;
};

} // namespace arbor::llm
