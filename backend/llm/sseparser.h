#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>

namespace arbor::llm {

/** @brief One server-sent event: its name (may be empty) and its data lines joined by '\n'. */
struct SseEvent
{
    QByteArray event;
    QByteArray data;
    friend bool operator==(const SseEvent &, const SseEvent &) = default;
};

/**
 * @brief Incremental, byte-level SSE decoder (WHATWG event-stream rules). Reads may end
 * anywhere: inside a UTF-8 sequence, between CR and LF, inside a field name. Lines end in LF,
 * CRLF or CR; several data lines join with '\n'; comments (":…") are skipped; "id"/"retry" are
 * ignored. Lines that are not SSE fields at all (some vendors send a raw JSON error body
 * instead of events) are kept in rawText() so the caller can read them.
 */
class SseParser
{
public:
    /** @brief Decodes @p bytes; returns the events they completed, in order. */
    QList<SseEvent> feed(QByteArrayView bytes);
    /** @brief At the end of the body: a last line without terminator and a pending event
     *  without its blank line still count (returns them). */
    QList<SseEvent> finish();
    /** @brief Lines that were not SSE fields, joined by '\n'. */
    const QByteArray &rawText() const { return m_raw; }
    /** @brief Whether any line was SSE framing (a comment, or a data, event, id or retry
     *  field): the body is a stream, even before an event with data completes. */
    bool sawFraming() const { return m_framed; }

private:
    void takeLine(QByteArrayView line, QList<SseEvent> &out);
    void dispatch(QList<SseEvent> &out);

    QByteArray m_line;     ///< bytes of the unfinished line
    bool m_skipLf = false; ///< the last byte was a CR: a following LF belongs to it
    QByteArray m_event;
    QByteArray m_data;
    bool m_hasData = false;
    bool m_framed = false;
    QByteArray m_raw;
};

} // namespace arbor::llm
