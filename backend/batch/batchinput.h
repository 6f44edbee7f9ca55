#pragma once

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

#include <memory>

class QIODevice;

namespace arbor::batch {

/** @brief One input row as read: where it starts, its values as a JSON array of strings in the
 *  reader's column order (what batch_rows.input holds), or why it is bad. */
struct InputRecord
{
    qint64 line = 0;  ///< 1-based line where the row starts in the file
    QByteArray input; ///< JSON array text (empty when bad)
    QString error;    ///< non-empty: a bad row (the reason, for people)
};

/**
 * @brief Streams rows from a CSV (RFC 4180, a header row) or JSONL file in chunks of 1 MiB: the
 * file is never loaded whole. Bad rows (wrong column count, invalid UTF-8, a quoted field left
 * open, a line that is not a JSON object) come back with their line and reason; the reader
 * goes on after them. Not thread-safe.
 */
class InputReader
{
public:
    enum class Format { Csv, Jsonl };
    /** @brief Csv or Jsonl from @p path's suffix (.jsonl, .ndjson, .json are JSONL). */
    static Format formatFor(const QString &path);
    static std::unique_ptr<InputReader> create(Format format, QIODevice *device);
    virtual ~InputReader() = default;

    /** @brief Reads what names the columns (the CSV header; the first JSONL object's keys);
     *  false with @p error when there is none or it is bad. */
    virtual bool readHeader(QString &error) = 0;
    /** @brief The next row; false at the end of the file. */
    virtual bool next(InputRecord &out) = 0;
    /** @brief The column names so far (JSONL: keys in order of first appearance). */
    const QStringList &columns() const { return m_columns; }
    /** @brief Bytes consumed so far (for progress). */
    qint64 bytesRead() const { return m_consumed; }
    /** @brief Columns every row must have (a JSONL row without one is bad); indexes. */
    void requireColumns(const QStringList &names);

protected:
    explicit InputReader(QIODevice *device);
    /** @brief Refills the buffer from the device; false at the end. */
    bool fill();

    QIODevice *m_device;
    QByteArray m_buffer;
    qsizetype m_pos = 0;
    qint64 m_consumed = 0;
    qint64 m_line = 1; ///< the line m_pos is on
    QStringList m_columns;
    QStringList m_required;
};

/** @brief Whether @p size bytes at @p data are valid UTF-8 (no overlongs, no surrogates). */
bool isValidUtf8(const char *data, qsizetype size);
/** @brief Appends @p size bytes as a JSON string (quoted, escaped) to @p out. */
void appendJsonString(QByteArray &out, const char *data, qsizetype size);
/** @brief The strings of a JSON array of strings (batch_rows.input); other values as their JSON
 *  text. Empty on malformed input. */
QList<QString> decodeInput(const QByteArray &json);

} // namespace arbor::batch
