#include "mcptransport.h"

namespace arbor::tools {

void McpTransport::keepStderr(const QByteArray &bytes)
{
    m_stderrTail += bytes;
    if (m_stderrTail.size() > StderrTailBytes)
        m_stderrTail = m_stderrTail.right(StderrTailBytes);
}

} // namespace arbor::tools
