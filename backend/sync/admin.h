#pragma once

#include <QList>
#include <QString>

#include <optional>

namespace arbor::sync {

class PgConnection;

/**
 * @brief Administration of a team server (`arbord admin ...`): schema, roles, workspaces and
 * members. Every operation is idempotent: running it again reports "unchanged" and succeeds.
 * Errors are PgError with a message that says plainly which privilege is missing.
 *
 * People are PostgreSQL LOGIN roles that are members of the group role arbor_user; what they
 * may see is decided by arbor.members and the row-level security policies (pgschema).
 */
class Admin
{
public:
    /** @brief The group role every Arbor person belongs to. */
    static constexpr const char *GroupRole = "arbor_user";

    enum class Outcome { Created, Changed, Unchanged };

    struct MigrateResult
    {
        int from = 0;
        int to = 0;
        QStringList applied;
        bool createdGroupRole = false;
    };
    struct WorkspaceResult
    {
        QString id;
        Outcome outcome = Outcome::Unchanged;
    };
    struct UserResult
    {
        Outcome outcome = Outcome::Unchanged;
        /** @brief Set when a password was generated for a new user (print it once). */
        QString generatedPassword;
    };
    struct WorkspaceStatus
    {
        QString id;
        QString name;
        int admins = 0;
        int members = 0;
        int viewers = 0;
    };
    struct Status
    {
        QString server; ///< host:port/dbname
        QString connectedAs;
        QString serverVersion;
        int schemaVersion = 0;
        int knownVersion = 0;
        bool groupRoleExists = false;
        int users = 0;
        QList<WorkspaceStatus> workspaces;
    };

    explicit Admin(PgConnection &conn);

    /** @brief Creates the group role, the schema, and applies every migration. */
    MigrateResult init();
    /** @brief Applies missing migrations of an initialized server. */
    MigrateResult migrate();
    WorkspaceResult addWorkspace(const QString &name);
    /** @brief Creates LOGIN role @p name in arbor_user. With no @p password one is generated.
     *  An existing role keeps its password and is only added to arbor_user if needed. */
    UserResult addUser(const QString &name, const std::optional<QString> &password);
    /** @brief @p role is admin, member or viewer; an existing membership takes the new role. */
    Outcome addMember(const QString &workspace, const QString &user, const QString &role);
    struct RemoveResult
    {
        bool removed = false;  ///< false when @p user was not a member (nothing to do)
        int sessionsEnded = 0; ///< the user's server sessions ended (pg_terminate_backend)
        QString warning;       ///< why their sessions could not be ended, if so
    };
    /** @brief Takes @p user out of @p workspace and ends their open sessions on this database,
     *  so that nothing they started (a held transaction, a LISTEN) outlives the membership;
     *  their clients reconnect without the workspace. Ending sessions needs a superuser or
     *  pg_signal_backend; without it the membership is still removed (and reads stop at once:
     *  row-level security checks membership per statement) and the result says so. */
    RemoveResult removeMember(const QString &workspace, const QString &user);
    Status status();

    /** @brief Role names Arbor accepts: 1–63 bytes, letters, digits, "_", ".", "-", "@", not
     *  starting with "pg_". */
    static bool isValidRoleName(const QString &name);

private:
    void requireSchema();
    QString workspaceId(const QString &name);
    void ensureGroupRole(MigrateResult &result);

    PgConnection &m_conn;
};

} // namespace arbor::sync
