#include "block.h"

namespace arbor::render {

QString Block::markdown() const
{
    if (linkDefinitions.isEmpty())
        return source;
    const QLatin1StringView gap =
        source.endsWith(u'\n') ? QLatin1StringView("\n") : QLatin1StringView("\n\n");
    return source + gap + linkDefinitions;
}

Block Block::thinking(const QString &text, bool closed)
{
    Block b;
    b.kind = Kind::Thinking;
    b.source = text;
    b.closed = closed;
    return b;
}

Block Block::toolCall(const QString &name, const QString &arguments, bool closed)
{
    Block b;
    b.kind = Kind::ToolCall;
    b.toolName = name;
    b.source = arguments;
    b.closed = closed;
    return b;
}

} // namespace arbor::render
