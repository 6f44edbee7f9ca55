#pragma once

#include "remotequeries.h"

#include <QList>
#include <QString>

namespace arbor::sync {

/** @brief A teammate as the window shows them. */
struct Teammate
{
    QString user;
    QString initials;    ///< "alice" → "A", "bob.smith" → "BS"
    bool here = false;   ///< has the open conversation in front of them
    bool typing = false; ///< typing in it

    bool operator==(const Teammate &) const = default;
};

/** @brief Who of the team is where, from this person's point of view. */
struct PresenceView
{
    QList<Teammate> here;   ///< in the open conversation
    QList<Teammate> online; ///< online in the workspace shown
    QString typingText;     ///< "alice is typing…"; "" when nobody is

    bool operator==(const PresenceView &) const = default;
};

/** @brief The initials of a role name, for an avatar ("?" when it has none). */
QString initialsOf(const QString &user);

/**
 * @brief What @p entries (the server's presence rows) mean for @p self: teammates in
 * @p conversationId (of workspace @p conversationWorkspace; "" = none open or personal), and
 * teammates online in @p workspaceShown ("" = Personal: nobody). Offline rows and the person's
 * own rows (other devices) are left out; each teammate appears once.
 */
PresenceView presenceView(const QList<PresenceEntry> &entries, const QString &self,
                          const QString &conversationId, const QString &conversationWorkspace,
                          const QString &workspaceShown);

} // namespace arbor::sync
