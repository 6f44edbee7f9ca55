#pragma once

#include "domain/message.h"
#include "store/store.h"

#include <QHash>
#include <QStringList>

#include <atomic>
#include <functional>
#include <optional>

namespace arbor::exports {

/** @brief A conversation's tree without its text: what an export reads first. The ids cost a
 *  few MB for 100,000 messages; the text is read in slices (ExportReader::forEach). */
struct Outline
{
    domain::Conversation conversation;
    /** @brief Every live node, depth first: a parent before its children, children in branch
     *  order (created_at, then id), a branch's whole subtree before the next branch. */
    QStringList order;
    QHash<QString, QString> parent;       ///< node → its parent ("" for a root)
    QHash<QString, QStringList> children; ///< node → its children in branch order; "" → roots
    QString currentLeaf;                  ///< the leaf of the visible path; "" when none
    QStringList currentPath;              ///< root → currentLeaf
};

/**
 * @brief Reads what an export writes through the store's reader connections: conversation ids,
 * outlines, and messages in slices of SliceSize (the next slice is read while the caller writes
 * this one). Call from a thread that may wait (a worker, arbord's main thread), never the GUI's.
 */
class ExportReader
{
public:
    static constexpr qsizetype SliceSize = 128;

    explicit ExportReader(store::StoreReader reader, const std::atomic_bool *cancel = nullptr);

    /** @brief Every conversation that is not deleted, oldest first. */
    QStringList allConversationIds();
    /** @brief Of @p ids, those that name no conversation (or a deleted one). */
    QStringList unknownIds(const QStringList &ids);
    /** @brief The tree of @p conversationId; nullopt when it is unknown or deleted. */
    std::optional<Outline> outline(const QString &conversationId);
    /** @brief Calls @p each for the messages @p ids, in that order, reading a slice at a time.
     *  Throws ExportError (Cancelled) when asked to stop. */
    void forEach(const QStringList &ids, const std::function<void(const domain::Message &)> &each);

private:
    void checkCancel() const;

    store::StoreReader m_reader;
    const std::atomic_bool *m_cancel;
};

} // namespace arbor::exports
