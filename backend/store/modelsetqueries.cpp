#include "modelsetqueries.h"

#include "sql.h"

namespace arbor::store::modelsets {

namespace {

Row read(const QSqlQuery &q)
{
    return {q.value(0).toString(), q.value(1).toString(), q.value(2).toLongLong(),
            q.value(3).toLongLong()};
}

} // namespace

QList<Row> list(const QSqlDatabase &db)
{
    QSqlQuery q = exec(db,
                       QStringLiteral("SELECT name, models, created_at, updated_at FROM "
                                      "model_sets ORDER BY name COLLATE NOCASE, name"));
    QList<Row> rows;
    while (q.next())
        rows.append(read(q));
    return rows;
}

std::optional<Row> get(const QSqlDatabase &db, const QString &name)
{
    QSqlQuery q =
        exec(db,
             QStringLiteral(
                 "SELECT name, models, created_at, updated_at FROM model_sets WHERE name = ?"),
             {name});
    if (!q.next())
        return std::nullopt;
    return read(q);
}

void save(const QSqlDatabase &db, const QString &name, const QString &models, qint64 now)
{
    exec(db,
         QStringLiteral("INSERT INTO model_sets (name, models, created_at, updated_at) VALUES "
                        "(?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET models = excluded.models, "
                        "updated_at = excluded.updated_at"),
         {name, models, now, now});
}

bool remove(const QSqlDatabase &db, const QString &name)
{
    QSqlQuery q = exec(db, QStringLiteral("DELETE FROM model_sets WHERE name = ?"), {name});
    return q.numRowsAffected() > 0;
}

} // namespace arbor::store::modelsets
