#include "admin.h"

#include "pgconnection.h"
#include "pgschema.h"

#include <QRandomGenerator>
#include <QRegularExpression>

#include <functional>

namespace arbor::sync {

namespace {

const QString Group = QString::fromLatin1(Admin::GroupRole);

/** @brief Runs @p f; a privilege error becomes a sentence that says who lacks what. */
template<typename F>
auto explained(PgConnection &conn, const QString &action, const QString &needed, F &&f)
    -> decltype(f())
{
    try {
        return f();
    } catch (const PgError &e) {
        if (!e.isPrivilegeError())
            throw;
        throw PgError(QStringLiteral("role “%1” lacks a privilege to %2: %3. %4")
                          .arg(conn.user(), action, e.message(), needed),
                      e.sqlState());
    }
}

QString ownerNeeded()
{
    return QStringLiteral("Run it as the owner of schema arbor (the role that ran “arbord admin "
                          "init”) or a superuser.");
}

QString generatePassword()
{
    static const char Alphabet[] = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    constexpr int AlphabetSize = sizeof(Alphabet) - 1;
    QString password;
    auto *rng = QRandomGenerator::system();
    for (int i = 0; i < 24; ++i) // 24 of 57 symbols: about 140 bits
        password += QLatin1Char(Alphabet[rng->bounded(AlphabetSize)]);
    return password;
}

} // namespace

Admin::Admin(PgConnection &conn)
    : m_conn(conn)
{
}

bool Admin::isValidRoleName(const QString &name)
{
    static const QRegularExpression Pattern(QStringLiteral("^[A-Za-z0-9_.@-]+$"));
    return !name.isEmpty() && name.toUtf8().size() <= 63 && !name.startsWith(QLatin1String("pg_"))
        && name != Group && Pattern.match(name).hasMatch();
}

void Admin::ensureGroupRole(MigrateResult &result)
{
    if (m_conn.scalar(QStringLiteral("SELECT count(*) FROM pg_roles WHERE rolname = $1"), {Group})
        != u"0")
        return;
    const PgResult me = m_conn.exec(QStringLiteral(
        "SELECT rolsuper, rolcreaterole FROM pg_roles WHERE rolname = current_user"));
    if (me.rows() == 0 || (me.text(0, 0) != u"t" && me.text(0, 1) != u"t"))
        throw PgError(
            QStringLiteral(
                "role “%1” may not create roles, and “arbord admin init” must create the group "
                "role %2 "
                "once. Connect as a superuser or a role with CREATEROLE (for example --dsn "
                "\"user=postgres ...\").")
                .arg(m_conn.user(), Group),
            "42501");
    try {
        m_conn.execScript(
            QStringLiteral("CREATE ROLE %1 NOLOGIN").arg(m_conn.quoteIdentifier(Group)));
        result.createdGroupRole = true;
    } catch (const PgError &e) {
        if (e.sqlState() != "42710") // duplicate_object: a concurrent init made it
            throw;
    }
}

Admin::MigrateResult Admin::init()
{
    MigrateResult result;
    ensureGroupRole(result);
    const bool schemaExists =
        m_conn.scalar(QStringLiteral("SELECT count(*) FROM pg_namespace WHERE nspname = 'arbor'"))
        != u"0";
    if (!schemaExists
        && m_conn.scalar(
               QStringLiteral("SELECT has_database_privilege(current_database(), 'CREATE')"))
            != u"t")
        throw PgError(
            QStringLiteral(
                "role “%1” may not create a schema in database “%2”. Connect as the database "
                "owner or a superuser, or GRANT CREATE ON DATABASE to this role.")
                .arg(m_conn.user(), m_conn.scalar(QStringLiteral("SELECT current_database()"))),
            "42501");
    explained(m_conn, QStringLiteral("create the Arbor schema"), ownerNeeded(), [&] {
        PgSchema::createSchema(m_conn);
        const PgSchema::Result migrated = PgSchema::migrate(m_conn);
        result.from = migrated.from;
        result.to = migrated.to;
        result.applied = migrated.applied;
    });
    return result;
}

void Admin::requireSchema()
{
    if (PgSchema::currentVersion(m_conn) == 0)
        throw PgError(QStringLiteral("%1 has no Arbor schema yet: run “arbord admin init” first.")
                          .arg(m_conn.describe()));
}

Admin::MigrateResult Admin::migrate()
{
    requireSchema();
    MigrateResult result;
    explained(m_conn, QStringLiteral("migrate the Arbor schema"), ownerNeeded(), [&] {
        const PgSchema::Result migrated = PgSchema::migrate(m_conn);
        result.from = migrated.from;
        result.to = migrated.to;
        result.applied = migrated.applied;
    });
    return result;
}

Admin::WorkspaceResult Admin::addWorkspace(const QString &name)
{
    if (name.trimmed().isEmpty())
        throw PgError(QStringLiteral("a workspace needs a name"));
    requireSchema();
    return explained(m_conn, QStringLiteral("add workspaces"), ownerNeeded(), [&] {
        WorkspaceResult result;
        const PgResult inserted =
            m_conn.exec(QStringLiteral("INSERT INTO arbor.workspaces (name) VALUES ($1) ON "
                                       "CONFLICT (name) DO NOTHING RETURNING id"),
                        {name});
        if (inserted.rows() > 0) {
            result.id = inserted.text(0, 0);
            result.outcome = Outcome::Created;
        } else {
            result.id = workspaceId(name);
        }
        return result;
    });
}

QString Admin::workspaceId(const QString &name)
{
    const QString id =
        m_conn.scalar(QStringLiteral("SELECT id FROM arbor.workspaces WHERE name = $1"), {name});
    if (id.isNull())
        throw PgError(
            QStringLiteral(
                "there is no workspace “%1” (create it with “arbord admin workspace add %1”)")
                .arg(name));
    return id;
}

Admin::UserResult Admin::addUser(const QString &name, const std::optional<QString> &password)
{
    if (!isValidRoleName(name))
        throw PgError(
            QStringLiteral(
                "“%1” is not a usable user name: use 1–63 letters, digits, “_”, “.”, “-” or “@”, "
                "not starting with “pg_”")
                .arg(name));
    if (password && password->isEmpty())
        throw PgError(QStringLiteral("the password for “%1” is empty").arg(name));
    requireSchema();
    const QString needed =
        QStringLiteral("Creating users needs a superuser or a role with CREATEROLE (and the ADMIN "
                       "option on %1 when it did not create it).")
            .arg(Group);
    return explained(m_conn, QStringLiteral("create users"), needed, [&] {
        UserResult result;
        const QString role = m_conn.quoteIdentifier(name);
        const bool exists =
            m_conn.scalar(QStringLiteral("SELECT count(*) FROM pg_roles WHERE rolname = $1"),
                          {name})
            != u"0";
        if (!exists) {
            const QString secret = password ? *password : generatePassword();
            // The server gets a SCRAM verifier, never the password itself (nor its logs).
            const QString verifier = m_conn.encryptPassword(name, secret);
            try {
                m_conn.execScript(QStringLiteral("CREATE ROLE %1 LOGIN PASSWORD %2 IN ROLE %3")
                                      .arg(role, QStringLiteral("'%1'").arg(verifier),
                                           m_conn.quoteIdentifier(Group)));
                result.outcome = Outcome::Created;
                if (!password)
                    result.generatedPassword = secret;
                return result;
            } catch (const PgError &e) {
                if (e.sqlState() != "42710") // made by a concurrent run: fall through as "exists"
                    throw;
            }
        }
        if (m_conn.scalar(QStringLiteral("SELECT pg_has_role($1, $2, 'MEMBER')"), {name, Group})
            != u"t") {
            m_conn.execScript(
                QStringLiteral("GRANT %1 TO %2").arg(m_conn.quoteIdentifier(Group), role));
            result.outcome = Outcome::Changed;
        }
        return result;
    });
}

Admin::Outcome Admin::addMember(const QString &workspace, const QString &user, const QString &role)
{
    if (role != u"admin" && role != u"member" && role != u"viewer")
        throw PgError(QStringLiteral("unknown role “%1”: use admin, member or viewer").arg(role));
    requireSchema();
    return explained(m_conn, QStringLiteral("change workspace members"), ownerNeeded(), [&] {
        const QString id = workspaceId(workspace);
        if (m_conn.scalar(QStringLiteral("SELECT count(*) FROM pg_roles WHERE rolname = $1"),
                          {user})
            == u"0")
            throw PgError(
                QStringLiteral("there is no user “%1” (create it with “arbord admin user add %1”)")
                    .arg(user));
        if (m_conn.scalar(QStringLiteral("SELECT pg_has_role($1, $2, 'MEMBER')"), {user, Group})
            != u"t")
            throw PgError(
                QStringLiteral(
                    "“%1” is not an Arbor user (not in role %2): run “arbord admin user add %1”")
                    .arg(user, Group));
        const PgResult upserted = m_conn.exec(
            QStringLiteral(
                "INSERT INTO arbor.members (workspace_id, role_name, role) VALUES ($1, $2, $3) "
                "ON CONFLICT (workspace_id, role_name) DO UPDATE SET role = EXCLUDED.role "
                "  WHERE arbor.members.role IS DISTINCT FROM EXCLUDED.role "
                "RETURNING (xmax = 0)"),
            {id, user, role});
        if (upserted.rows() == 0)
            return Outcome::Unchanged;
        return upserted.text(0, 0) == u"t" ? Outcome::Created : Outcome::Changed;
    });
}

Admin::RemoveResult Admin::removeMember(const QString &workspace, const QString &user)
{
    requireSchema();
    RemoveResult result;
    result.removed =
        explained(m_conn, QStringLiteral("change workspace members"), ownerNeeded(), [&] {
            const QString id = workspaceId(workspace);
            return m_conn
                       .exec(QStringLiteral("DELETE FROM arbor.members WHERE workspace_id = $1 "
                                            "AND role_name = $2"),
                             {id, user})
                       .affected()
                > 0;
        });
    if (!result.removed)
        return result;
    const PgResult sessions =
        m_conn.exec(QStringLiteral("SELECT pid FROM pg_stat_activity WHERE usename = $1 "
                                   "AND datname = current_database() AND pid <> pg_backend_pid()"),
                    {user});
    for (int i = 0; i < sessions.rows(); ++i) {
        try {
            if (m_conn.scalar(QStringLiteral("SELECT pg_terminate_backend($1::integer)"),
                              {sessions.text(i, 0)})
                == u"t")
                ++result.sessionsEnded;
        } catch (const PgError &e) {
            if (!e.isPrivilegeError())
                throw;
            result.warning =
                QStringLiteral("could not end %1 open session(s) of “%2”: %3. Their reads stop "
                               "now; a transaction they hold open ends when they disconnect. "
                               "Ending sessions needs a superuser or a role granted "
                               "pg_signal_backend.")
                    .arg(sessions.rows())
                    .arg(user, e.message());
            break;
        }
    }
    return result;
}

Admin::Status Admin::status()
{
    Status s;
    s.server = m_conn.describe();
    s.connectedAs = m_conn.user();
    s.serverVersion = m_conn.scalar(QStringLiteral("SHOW server_version"));
    s.knownVersion = PgSchema::latestVersion();
    s.groupRoleExists =
        m_conn.scalar(QStringLiteral("SELECT count(*) FROM pg_roles WHERE rolname = $1"), {Group})
        != u"0";
    if (s.groupRoleExists)
        s.users = m_conn
                      .scalar(QStringLiteral("SELECT count(*) FROM pg_auth_members am JOIN "
                                             "pg_roles g ON g.oid = am.roleid "
                                             "JOIN pg_roles r ON r.oid = am.member WHERE g.rolname "
                                             "= $1 AND r.rolcanlogin"),
                              {Group})
                      .toInt();
    return explained(m_conn, QStringLiteral("read the Arbor schema"), ownerNeeded(), [&] {
        s.schemaVersion = PgSchema::currentVersion(m_conn);
        if (s.schemaVersion == 0)
            return s;
        const PgResult rows = m_conn.exec(QStringLiteral(
            "SELECT w.id, w.name, count(*) FILTER (WHERE m.role = 'admin'), count(*) FILTER (WHERE "
            "m.role = 'member'), "
            "       count(*) FILTER (WHERE m.role = 'viewer') "
            "FROM arbor.workspaces w LEFT JOIN arbor.members m ON m.workspace_id = w.id "
            "GROUP BY w.id, w.name ORDER BY w.name"));
        for (int i = 0; i < rows.rows(); ++i)
            s.workspaces.append(
                {rows.text(i, 0), rows.text(i, 1), static_cast<int>(rows.toInt(i, 2)),
                 static_cast<int>(rows.toInt(i, 3)), static_cast<int>(rows.toInt(i, 4))});
        return s;
    });
}

} // namespace arbor::sync
