#pragma once

#include <QList>
#include <QSqlDatabase>
#include <QString>

#include <optional>

namespace arbor::store::modelsets {

/** @brief A stored model set: its name and its models as JSON text (chat/compare.h reads it). */
struct Row
{
    QString name;
    QString models; ///< JSON array of {"provider", "model", "parameters"}
    qint64 createdAt = 0;
    qint64 updatedAt = 0;
};

/** @brief Every model set, by name (case-insensitive). */
QList<Row> list(const QSqlDatabase &db);
std::optional<Row> get(const QSqlDatabase &db, const QString &name);
/** @brief Creates or replaces the set @p name. */
void save(const QSqlDatabase &db, const QString &name, const QString &models, qint64 now);
/** @brief Removes the set @p name; false when there was none. */
bool remove(const QSqlDatabase &db, const QString &name);

} // namespace arbor::store::modelsets
