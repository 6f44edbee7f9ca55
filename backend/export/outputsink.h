#pragma once

#include <QByteArray>
#include <QString>

#include <stdexcept>

class QIODevice;

namespace arbor::exports {

/** @brief An export that could not be written or read; what() is fit for a person. */
class ExportError : public std::runtime_error
{
public:
    enum class Kind {
        Other,
        Write,        ///< the output refused a write (a full disk, no permission)
        ClosedOutput, ///< the reader of the output went away (`arbord export | head`)
        Cancelled,    ///< the caller asked to stop
        UnknownId,    ///< a conversation to export does not exist
    };
    explicit ExportError(const QString &message, Kind kind = Kind::Other)
        : std::runtime_error(message.toStdString())
        , m_kind(kind)
    {
    }
    QString message() const { return QString::fromStdString(what()); }
    Kind kind() const { return m_kind; }

private:
    Kind m_kind;
};

/**
 * @brief Bytes on their way to a QIODevice, written in blocks of a few hundred KiB: an export
 * holds at most one block, whatever its size. A failed write throws ExportError (ClosedOutput
 * when the reader of a pipe went away).
 */
class OutputSink
{
public:
    explicit OutputSink(QIODevice &device);
    ~OutputSink();
    OutputSink(const OutputSink &) = delete;
    OutputSink &operator=(const OutputSink &) = delete;

    void write(const char *data, qsizetype size)
    {
        m_buffer.append(data, size);
        if (m_buffer.size() >= FlushAt)
            flush();
    }
    void write(const QByteArray &bytes) { write(bytes.constData(), bytes.size()); }
    void write(char c)
    {
        m_buffer.append(c);
        if (m_buffer.size() >= FlushAt)
            flush();
    }
    /** @brief Text as UTF-8. */
    void write(QStringView text);
    template<qsizetype N>
    void write(const char (&literal)[N])
    {
        write(literal, N - 1);
    }

    /** @brief Hands the buffered bytes to the device. */
    void flush();
    /** @brief Bytes written so far (buffered ones included). */
    qint64 bytes() const { return m_written + m_buffer.size(); }

private:
    static constexpr qsizetype FlushAt = 256 * 1024;
    QIODevice &m_device;
    QByteArray m_buffer;
    qint64 m_written = 0;
};

} // namespace arbor::exports
