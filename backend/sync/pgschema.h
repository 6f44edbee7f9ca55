#pragma once

#include <QStringList>

namespace arbor::sync {

class PgConnection;

/**
 * @brief The team server's schema: numbered migrations (resources
 * :/arbor/pgmigrations/NNNN_name.sql) applied in order, each in its own transaction, recorded in
 * arbor.schema_migrations. Concurrent runs serialize on an advisory lock.
 */
class PgSchema
{
public:
    struct Result
    {
        int from = 0;
        int to = 0;
        QStringList applied; ///< file names, in order
    };

    /** @brief Highest migration this build knows. */
    static int latestVersion();
    /** @brief Version recorded on the server; 0 when the schema was never created. */
    static int currentVersion(PgConnection &conn);
    /** @brief Creates the schema and its migrations table if missing (needs CREATE on the
     *  database). */
    static void createSchema(PgConnection &conn);
    /** @brief Applies the missing migrations, up to @p upTo (default: all; an older version
     *  lets tests build a server as an older release left it). Throws PgError when the server
     *  is newer than this build or a migration fails (that migration is rolled back). */
    static Result migrate(PgConnection &conn, int upTo = -1);

private:
    static QStringList migrationFiles();
};

} // namespace arbor::sync
