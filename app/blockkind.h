#pragma once

#include "render/block.h"

#include <QObject>
#include <QtQml/qqml.h>

namespace arbor::app {

/**
 * @brief render::Block::Kind for QML: `BlockKind.Paragraph`, `.Heading`, `.List`, `.Quote`,
 * `.Table`, `.Code`, `.ThematicBreak`, `.References`, `.Thinking`, `.ToolCall` (the `kind` role
 * of MessageBlocksModel, STYLE rule 16).
 *
 * HACK: a copy of the backend's enum, as MessageStatus in statetypes.h: a QML_FOREIGN of the
 * Q_GADGET render::Block makes it a value type, whose enums Qt 6.4's QML tooling does not let a
 * file name (qmllint: "Unqualified access"). from() names every backend value in a switch, so
 * a kind added there fails the build here (-Wswitch, -Werror).
 */
namespace BlockKind {
Q_NAMESPACE
QML_ELEMENT
enum Kind {
    Paragraph,
    Heading,
    List,
    Quote,
    Table,
    Code,
    ThematicBreak,
    References,
    Thinking,
    ToolCall
};
Q_ENUM_NS(Kind)

/** @brief The QML value of @p kind. */
constexpr Kind from(render::Block::Kind kind)
{
    using K = render::Block::Kind;
    switch (kind) {
    case K::Paragraph:
        return Paragraph;
    case K::Heading:
        return Heading;
    case K::List:
        return List;
    case K::Quote:
        return Quote;
    case K::Table:
        return Table;
    case K::Code:
        return Code;
    case K::ThematicBreak:
        return ThematicBreak;
    case K::References:
        return References;
    case K::Thinking:
        return Thinking;
    case K::ToolCall:
        return ToolCall;
    }
    return Paragraph; // not reached: the switch names every value
}
} // namespace BlockKind

} // namespace arbor::app
