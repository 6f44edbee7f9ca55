#pragma once

#include "formatwriter.h"
#include "jsonwriter.h"

namespace arbor::domain {
struct Message;
}

namespace arbor::exports {

/** @brief Arbor JSON, version 1 (docs/arbor-json.md): whole trees, byte for byte as the spec
 *  says, so that export → import → export gives the same file. */
class ArborJsonWriter : public FormatWriter
{
public:
    explicit ArborJsonWriter(OutputSink &sink);

    void begin() override;
    qint64 conversation(const Outline &outline, ExportReader &reader) override;
    void end() override;

private:
    void message(const domain::Message &m);
    void usage(const domain::Message &m);
    void blocks(const domain::Message &m);

    JsonWriter m_json;
};

} // namespace arbor::exports
