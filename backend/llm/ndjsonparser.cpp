#include "ndjsonparser.h"

namespace arbor::llm {

QList<QByteArray> NdjsonParser::feed(QByteArrayView bytes)
{
    QList<QByteArray> out;
    qsizetype from = 0;
    while (from < bytes.size()) {
        const qsizetype nl = bytes.indexOf('\n', from);
        if (nl < 0) {
            m_line.append(bytes.sliced(from));
            break;
        }
        if (m_line.isEmpty()) {
            take(bytes.sliced(from, nl - from), out);
        } else {
            m_line.append(bytes.sliced(from, nl - from));
            take(m_line, out);
            m_line.clear();
        }
        from = nl + 1;
    }
    return out;
}

QList<QByteArray> NdjsonParser::finish()
{
    QList<QByteArray> out;
    if (!m_line.isEmpty())
        take(std::exchange(m_line, {}), out);
    return out;
}

void NdjsonParser::take(QByteArrayView line, QList<QByteArray> &out)
{
    line = line.trimmed();
    if (!line.isEmpty())
        out.append(line.toByteArray());
}

} // namespace arbor::llm
