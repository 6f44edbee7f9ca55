#pragma once

#include "imported.h"

#include <QList>
#include <QSqlDatabase>
#include <QString>

#include <optional>

namespace arbor::imports::queries {

/** @brief What writing one conversation did. */
struct Written
{
    QString conversationId;
    int messages = 0; ///< nodes in the file
    int added = 0;    ///< of them, new in the store
    bool created = false;
    QString skipped; ///< why nothing was written ("" when it was)
};

/**
 * @brief Writes @p conversation (normalized: parents first) into the store, inside the caller's
 * transaction: a new conversation (a new UUIDv7 id, or the file's id for Arbor JSON) with its
 * source recorded, or the nodes a conversation imported before lacks, under their parents. A
 * node already there is never changed. The current leaf is set from the file when anything was
 * added. Throws ImportError (or StoreError) so the caller's savepoint rolls everything back.
 */
Written writeConversation(const QSqlDatabase &db, const ImportedConversation &conversation);

/** @brief One import of a file (import_runs). */
struct Run
{
    QString id;
    QString path;
    QString format;
    qint64 total = -1; ///< -1: not counted yet
    qint64 done = 0;
    QString state;
    QString error;
    qint64 createdAt = 0;
    qint64 finishedAt = 0;
};

/** @brief One conversation's line in a run's summary (import_results). */
struct Result
{
    qint64 seq = 0;
    QString outcome; ///< imported, skipped, error
    QString conversationId;
    QString sourceId;
    QString title;
    int messages = 0;
    int added = 0;
    QString place;
    QString reason;
};

void insertRun(const QSqlDatabase &db, const Run &run);
std::optional<Run> run(const QSqlDatabase &db, const QString &id);
/** @brief The runs not finished (queued or running), oldest first. */
QList<Run> unfinished(const QSqlDatabase &db);
void setRunning(const QSqlDatabase &db, const QString &id, const QString &format, qint64 total);
/** @brief Records @p result and moves the run's `done` past it. */
void addResult(const QSqlDatabase &db, const QString &runId, const Result &result);
void finishRun(const QSqlDatabase &db, const QString &id, const QString &state,
               const QString &error);
QList<Result> results(const QSqlDatabase &db, const QString &runId);

} // namespace arbor::imports::queries
