#pragma once

#include <QString>

namespace arbor::sync {

/** @brief A workspace the connected person belongs to. */
struct Workspace
{
    QString id;
    QString name;
    QString role;    ///< admin, member or viewer
    QString channel; ///< the person's private wake-up channel (empty when read from the store)

    bool operator==(const Workspace &) const = default;
};

/** @brief Who is where in a workspace, as the team server last heard. */
struct PresenceEntry
{
    QString workspaceId;
    QString user;
    QString conversationId; ///< empty when in no conversation of that workspace
    bool typing = false;
    bool online = false; ///< said so within the last 30 seconds
};

} // namespace arbor::sync
