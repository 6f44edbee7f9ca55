#pragma once

#include "domain/message.h"
#include "domain/toolcall.h"

#include <QList>
#include <QString>

#include <stdexcept>

namespace arbor::imports {

/** @brief The export formats Arbor reads. */
enum class Format { Auto, ChatGpt, Claude, OpenWebUi, LibreChat, Arbor };

/** @brief "chatgpt", "claude", "openwebui", "librechat", "arbor" ("auto" for Auto). */
QString toString(Format format);
/** @brief The format named @p text (as toString() writes it); Auto, with @p ok false, when the
 *  name is unknown. */
Format formatFromString(const QString &text, bool *ok = nullptr);

/** @brief One node of an imported tree, in no store's terms yet: ids are the file's. */
struct ImportedNode
{
    QString sourceId;       ///< the node's id in the file (Arbor: also its id in the store)
    QString parentSourceId; ///< "" for a root
    QString role;           ///< system, user or assistant
    QString author;
    QString provider;
    QString model;
    QString params;        ///< JSON object text of the reply's own parameters (Arbor only)
    QString request;       ///< JSON object text of what else it was asked with (Arbor only)
    qint64 createdAt = 0;  ///< ms since the epoch
    qint64 finishedAt = 0; ///< 0: not known
    domain::MessageStatus status = domain::MessageStatus::Complete;
    QString error;
    QString finishReason;
    QString content;   ///< Markdown
    QString reasoning; ///< the model's thinking, apart from the answer
    qint64 reasoningMs = -1;
    QString reasoningData; ///< JSON text (Arbor only)
    QList<domain::ToolCall> toolCalls;
    QString label;         ///< Arbor only
    QString arborSourceId; ///< Arbor: the node's own source_id ("" none)
    int promptTokens = -1;
    int completionTokens = -1;
    int cachedTokens = -1;
    int reasoningTokens = -1;
    bool usageEstimated = false;
    qint64 costNanos = -1;
    QString currency;
};

/** @brief One conversation read from a file, with every node of every branch. */
struct ImportedConversation
{
    Format format = Format::ChatGpt;
    QString sourceId; ///< the conversation's id in the file (Arbor: its id in the store)
    QString title;
    qint64 createdAt = 0;
    qint64 updatedAt = 0;
    QString currentSourceNode; ///< the node that ends the visible path ("": the latest leaf)
    QString settings = QStringLiteral("{}");
    QString arborSourceFormat; ///< Arbor: the conversation's own "source" ("" none)
    QString arborSourceId;
    QList<ImportedNode> nodes;
};

/** @brief A file or a conversation Arbor cannot read; what() names the place. */
class ImportError : public std::runtime_error
{
public:
    explicit ImportError(const QString &message)
        : std::runtime_error(message.toStdString())
    {
    }
    QString message() const { return QString::fromStdString(what()); }
};

/**
 * @brief Checks and orders @p conversation's nodes: every parent exists in the file (else the
 * node's place is named), no parent chain is a cycle, no id repeats; parents come before their
 * children. A current node that is not a node is dropped (the latest leaf then ends the path).
 * Throws ImportError.
 */
void normalize(ImportedConversation &conversation);

} // namespace arbor::imports
