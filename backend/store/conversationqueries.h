#pragma once

#include "domain/message.h"

#include <QJsonObject>
#include <QList>
#include <QSqlDatabase>

#include <optional>

namespace arbor::store::conversations {

using domain::Conversation;

/** @brief Conversations that are not deleted, most recently updated first. */
QList<Conversation> list(const QSqlDatabase &db, int limit = -1);
std::optional<Conversation> get(const QSqlDatabase &db, const QString &id);

void insert(const QSqlDatabase &db, const Conversation &conversation);
/** @brief Throws StoreError when @p id is shared in a workspace where this person is a viewer
 *  (the role this store last synced with): the server refuses every write of a viewer, so a
 *  local one would stay on this device for good. */
void requireWritable(const QSqlDatabase &db, const QString &id);
// rename(), remove() and setSettings() throw StoreError, changing nothing, on a teammate's shared
// conversation unless this person is an admin of its workspace (the server's rule).
/** @brief Throws StoreError if no such (non-deleted) conversation exists. */
void rename(const QSqlDatabase &db, const QString &id, const QString &title);
/** @brief Tombstones the conversation (deleted_at); its rows stay until purged. */
void remove(const QSqlDatabase &db, const QString &id);
/** @brief Undoes remove(): the conversation and its rows are shown again. */
void restore(const QSqlDatabase &db, const QString &id);
/** @brief Marks the conversation as changed now (orders the list). */
void touch(const QSqlDatabase &db, const QString &id);
void setCurrentLeaf(const QSqlDatabase &db, const QString &id, const QString &leafId);
/** @brief Replaces the settings JSON object (system prompt, temperature, ...). Throws StoreError if
 * no such (non-deleted) conversation exists. */
void setSettings(const QSqlDatabase &db, const QString &id, const QJsonObject &settings);

} // namespace arbor::store::conversations
