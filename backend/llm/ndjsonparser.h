#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>

namespace arbor::llm {

/**
 * @brief Incremental newline-delimited JSON splitter (Ollama). Returns complete, non-empty
 * lines (a CR before the LF is dropped); reads may end anywhere, also inside UTF-8 sequences.
 */
class NdjsonParser
{
public:
    QList<QByteArray> feed(QByteArrayView bytes);
    /** @brief At the end of the body: a last line without '\n' still counts. */
    QList<QByteArray> finish();

private:
    void take(QByteArrayView line, QList<QByteArray> &out);

    QByteArray m_line;
};

} // namespace arbor::llm
