#include "outputsink.h"

#include <QIODevice>

#include <cerrno>

namespace arbor::exports {

OutputSink::OutputSink(QIODevice &device)
    : m_device(device)
{
    m_buffer.reserve(FlushAt + 4096);
}

OutputSink::~OutputSink() = default;

void OutputSink::write(QStringView text)
{
    m_buffer.append(text.toUtf8());
    if (m_buffer.size() >= FlushAt)
        flush();
}

void OutputSink::flush()
{
    qsizetype done = 0;
    while (done < m_buffer.size()) {
        errno = 0;
        const qint64 n = m_device.write(m_buffer.constData() + done, m_buffer.size() - done);
        if (n <= 0) {
            // Read errno before anything else can change it: a pipe whose reader left says EPIPE.
            const bool closed = errno == EPIPE;
            m_buffer.clear();
            if (closed)
                throw ExportError(QStringLiteral("the output was closed"),
                                  ExportError::Kind::ClosedOutput);
            throw ExportError(m_device.errorString(), ExportError::Kind::Write);
        }
        done += n;
        m_written += n;
    }
    m_buffer.clear();
}

} // namespace arbor::exports
