#pragma once

#include "domain/ids.h"
#include "import/importer.h"
#include "import/importqueries.h"
#include "import/importservice.h"
#include "store/messagequeries.h"
#include "store/sql.h"
#include "store/store.h"

#include <QSqlQuery>
#include <QSqlRecord>
#include <QStringList>
#include <QTemporaryDir>

#include <memory>

namespace arbor::testsupport {

/** @brief A real store in a temporary folder, and imports into it through the Importer. */
struct ImportFixture
{
    QTemporaryDir dir;
    std::unique_ptr<store::Store> store;

    ImportFixture()
    {
        store = std::make_unique<store::Store>(dir.filePath(QStringLiteral("t.db")));
        store->open();
    }

    /** @brief A new run for @p path; returns its id. */
    QString newRun(const QString &path, imports::Format format = imports::Format::Auto)
    {
        imports::queries::Run run;
        run.id = domain::newId();
        run.path = path;
        run.format = imports::toString(format);
        run.state = QStringLiteral("queued");
        run.createdAt = domain::nowMs();
        store->write([run](QSqlDatabase &db) { imports::queries::insertRun(db, run); })
            .waitForFinished();
        return run.id;
    }

    imports::Summary summary(const QString &runId)
    {
        return store
            ->read([runId](QSqlDatabase &db) {
                imports::Summary s;
                s.run = *imports::queries::run(db, runId);
                s.results = imports::queries::results(db, runId);
                return s;
            })
            .result();
    } // namespace arbor::testsupport

    imports::Summary importFile(const QString &path, imports::Format format = imports::Format::Auto,
                                const imports::ImportLimits &limits = {})
    {
        const QString runId = newRun(path, format);
        imports::Importer(*store, runId, limits).run();
        return summary(runId);
    }

    /** @brief Rows of a query (one string per row, columns joined with '|'). */
    QStringList rows(const QString &sql, const QVariantList &values = {})
    {
        return store
            ->read([sql, values](QSqlDatabase &db) {
                QSqlQuery q(db);
                q.prepare(sql);
                for (const QVariant &v : values)
                    q.addBindValue(v);
                q.exec();
                QStringList out;
                while (q.next()) {
                    QStringList cols;
                    for (int i = 0; i < q.record().count(); ++i)
                        cols << q.value(i).toString();
                    out << cols.join(u'|');
                }
                return out;
            })
            .result();
    }
    qint64 count(const QString &sql, const QVariantList &values = {})
    {
        const QStringList r = rows(sql, values);
        return r.isEmpty() ? -1 : r.first().toLongLong();
    }
    /** @brief The id of the conversation imported from @p sourceId. */
    QString conversation(const QString &sourceId)
    {
        const QStringList r =
            rows(QStringLiteral("SELECT id FROM conversations WHERE source_id = ?"), {sourceId});
        return r.isEmpty() ? QString() : r.first();
    }
    /** @brief The texts of the visible path, joined with '|'. */
    QString pathText(const QString &conversationId)
    {
        return store
            ->read([conversationId](QSqlDatabase &db) {
                QStringList out;
                for (const auto &m : store::messages::visiblePath(db, conversationId))
                    out << m.content;
                return out.join(u'|');
            })
            .result();
    }
    /** @brief The source ids of the visible path, joined with '|'. */
    QString pathSourceIds(const QString &conversationId)
    {
        return store
            ->read([conversationId](QSqlDatabase &db) {
                QStringList out;
                for (const auto &m : store::messages::visiblePath(db, conversationId))
                    out << m.sourceId;
                return out.join(u'|');
            })
            .result();
    }
    qint64 messages(const QString &conversationId)
    {
        return count(QStringLiteral("SELECT count(*) FROM messages WHERE conversation_id = ?"),
                     {conversationId});
    }
    /** @brief Nodes with more than one child (and roots beyond the first, as one more
     * point). */
    qint64 branchPoints(const QString &conversationId)
    {
        return count(QStringLiteral("SELECT count(*) FROM messages WHERE conversation_id = ? AND"
                                    " child_count > 1"),
                     {conversationId})
            + (count(QStringLiteral("SELECT count(*) FROM messages WHERE conversation_id = ? AND"
                                    " parent_id IS NULL"),
                     {conversationId})
               > 1);
    }
    /** @brief Everything the store holds about conversations and messages, for "unchanged".
     */
    QStringList dump()
    {
        return rows(QStringLiteral("SELECT * FROM conversations ORDER BY id"))
            + rows(QStringLiteral("SELECT * FROM messages ORDER BY id"))
            + rows(QStringLiteral("SELECT * FROM usage_days ORDER BY 1, 2, 3, 4"));
    }
};

inline qsizetype outcomes(const imports::Summary &s, const QString &outcome)
{
    qsizetype n = 0;
    for (const auto &r : s.results)
        n += r.outcome == outcome;
    return n;
}

} // namespace arbor::testsupport
