#pragma once

#include <QObject>
#include <QStringList>
#include <QVariantList>
#include <QtQml/qqml.h>

namespace arbor::app {

/**
 * @brief The replies a fused reply was written from, for its links in the thread: each source
 * with its place among the siblings ("reply 2", as ‹ 2 / 4 › counts) and its author, or as
 * removed. Read off the GUI thread when the reply, its sources or its number of siblings
 * change.
 */
class FusedSources : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    /** @brief The fused reply. */
    Q_PROPERTY(QString messageId READ messageId WRITE setMessageId NOTIFY inputChanged)
    /** @brief Its sources' ids (ThreadModel's fusedFrom role). */
    Q_PROPERTY(QStringList fusedFrom READ fusedFrom WRITE setFusedFrom NOTIFY inputChanged)
    /** @brief Its number of siblings: the sources are counted again when it changes. */
    Q_PROPERTY(int siblingCount READ siblingCount WRITE setSiblingCount NOTIFY inputChanged)
    /** @brief [{messageId, number (1-based among the siblings; 0: removed), author}], in the
     *  order of fusedFrom. */
    Q_PROPERTY(QVariantList sources READ sources NOTIFY sourcesChanged)

public:
    explicit FusedSources(QObject *parent = nullptr);

    QString messageId() const { return m_messageId; }
    void setMessageId(const QString &id);
    QStringList fusedFrom() const { return m_fusedFrom; }
    void setFusedFrom(const QStringList &ids);
    int siblingCount() const { return m_siblingCount; }
    void setSiblingCount(int count);
    QVariantList sources() const { return m_sources; }

Q_SIGNALS:
    void inputChanged();
    void sourcesChanged();

private:
    void reload();
    void scheduleReload();

    QString m_messageId;
    QStringList m_fusedFrom;
    int m_siblingCount = 0;
    QVariantList m_sources;
    bool m_reloadQueued = false;
    int m_generation = 0;
};

} // namespace arbor::app
