#pragma once

// One person's device for the team-sync tests: a real local store in a temporary folder, with
// helpers that write through the store's own query functions.

#include "domain/ids.h"
#include "domain/message.h"
#include "store/conversationqueries.h"
#include "store/messagequeries.h"
#include "store/sql.h"
#include "store/store.h"

#include <QDateTime>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>

namespace arbor::testsupport {

/** @brief One person's device: a local store in a temporary folder. */
struct Device
{
    explicit Device(const QString &name)
        : store(dir.filePath(name + QStringLiteral(".db")))
    {
        store.open();
    }

    QString newConversation(const QString &title)
    {
        domain::Conversation c;
        c.id = domain::newId();
        c.title = title;
        c.settings = QStringLiteral("{}");
        c.createdAt = c.updatedAt = QDateTime::currentMSecsSinceEpoch();
        store.write([c](QSqlDatabase &db) { store::conversations::insert(db, c); })
            .waitForFinished();
        return c.id;
    }

    QString addMessage(const QString &conversation, const QString &parent, const QString &text,
                       domain::MessageStatus status = domain::MessageStatus::Complete,
                       qint64 createdAt = 0)
    {
        domain::Message m;
        m.id = domain::newId();
        m.conversationId = conversation;
        m.parentId = parent;
        m.role = parent.isEmpty() ? QStringLiteral("user") : QStringLiteral("assistant");
        m.author = QStringLiteral("You");
        m.content = text;
        m.status = status;
        m.createdAt = createdAt > 0 ? createdAt : QDateTime::currentMSecsSinceEpoch();
        store.write([m](QSqlDatabase &db) { store::messages::insert(db, m); }).waitForFinished();
        return m.id;
    }

    QString scalar(const QString &sql, const QVariantList &values = {})
    {
        return store
            .read([sql, values](QSqlDatabase &db) {
                QSqlQuery q(db);
                q.prepare(sql);
                for (const QVariant &v : values)
                    q.addBindValue(v);
                if (!q.exec())
                    throw store::StoreError(q.lastError().text());
                return q.next() ? q.value(0).toString() : QString();
            })
            .result();
    }

    int outbox() { return scalar(QStringLiteral("SELECT count(*) FROM sync_outbox")).toInt(); }

    QTemporaryDir dir;
    store::Store store;
};

} // namespace arbor::testsupport
