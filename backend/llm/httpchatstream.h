#pragma once

#include "provider.h"
#include "streamdecoder.h"

#include <memory>

class QNetworkReply;

namespace arbor::llm {

/**
 * @brief A ChatStream over one QNetworkReply, event-driven (readyRead): body bytes go through a
 * StreamDecoder as they arrive. HTTP errors become classified ChatErrors (vendor message,
 * Retry-After, rate-limit headers); a cut connection becomes Kind::Interrupted; cancel()
 * aborts the request at once. Emits finished() or failed() exactly once (none after cancel()).
 */
class HttpChatStream : public ChatStream
{
    Q_OBJECT

public:
    HttpChatStream(QNetworkReply *reply, std::unique_ptr<StreamDecoder> decoder, QObject *parent);
    ~HttpChatStream() override;
    void cancel() override;

private:
    void onReadyRead();
    void onFinished();
    void end();
    void stopReply();

    QNetworkReply *m_reply;
    std::unique_ptr<StreamDecoder> m_decoder;
    int m_status = 0;
    QByteArray m_errorBody;
    bool m_done = false;
    bool m_gotBytes = false;
};

} // namespace arbor::llm
