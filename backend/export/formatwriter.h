#pragma once

#include <QtGlobal>

namespace arbor::exports {

struct Outline;
class ExportReader;

/** @brief One export format: writes the document's head, each conversation as it is read, and
 *  its tail. Implementations write as they go and keep nothing of a conversation after it. */
class FormatWriter
{
public:
    virtual ~FormatWriter() = default;
    virtual void begin() {}
    /** @brief Writes @p outline's conversation, reading its messages from @p reader; returns how
     *  many messages it wrote. */
    virtual qint64 conversation(const Outline &outline, ExportReader &reader) = 0;
    virtual void end() {}
};

} // namespace arbor::exports
