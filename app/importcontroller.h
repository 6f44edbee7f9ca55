#pragma once

#include <QObject>
#include <QString>
#include <QStringList>
#include <QUrl>
#include <QtQml/qqml.h>

namespace arbor::core {
class Backend;
}

namespace arbor::app {

/**
 * @brief Imports from the window (issue 18): a file dropped on the window or chosen with Import…
 * starts an import job (imports::ImportService, as `arbord import`); the sidebar shows its
 * progress, then its summary until dismissed. GUI thread only.
 */
class ImportController : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("ImportController belongs to App")
    /** @brief An import runs (its progress is shown). */
    Q_PROPERTY(bool running READ running NOTIFY changed)
    /** @brief Something to show: a running import or the summary of the last one. */
    Q_PROPERTY(bool shown READ shown NOTIFY changed)
    /** @brief Conversations handled so far, and in the file (-1: not counted yet). */
    Q_PROPERTY(double done READ done NOTIFY changed)
    Q_PROPERTY(double total READ total NOTIFY changed)
    /** @brief The file being (or last) imported, its name only. */
    Q_PROPERTY(QString fileName READ fileName NOTIFY changed)
    /** @brief At the end: "imported N conversations (M new messages), skipped K, E errors". */
    Q_PROPERTY(QString summary READ summary NOTIFY changed)
    /** @brief At the end: a line per skipped conversation or error, with the reason (the first
     *  few, then how many more). */
    Q_PROPERTY(QStringList details READ details NOTIFY changed)
    /** @brief The import stopped on errors (some or all of the file). */
    Q_PROPERTY(bool failed READ failed NOTIFY changed)

public:
    explicit ImportController(core::Backend *backend, QObject *parent = nullptr);

    bool running() const { return !m_runId.isEmpty() && m_summary.isEmpty(); }
    bool shown() const { return !m_runId.isEmpty(); }
    double done() const { return double(m_done); }
    double total() const { return double(m_total); }
    QString fileName() const { return m_fileName; }
    QString summary() const { return m_summary; }
    QStringList details() const { return m_details; }
    bool failed() const { return m_failed; }

    /** @brief Imports @p file (a local file URL) in the background; false when one runs. */
    Q_INVOKABLE bool start(const QUrl &file);
    /** @brief Hides the summary of a finished import. */
    Q_INVOKABLE void dismiss();

Q_SIGNALS:
    void changed();
    /** @brief An import ended (the conversation list reads the store again). */
    void finished();

private:
    void onFinished(const QString &runId);

    core::Backend *m_backend; ///< null when the store could not be opened
    QString m_runId;
    QString m_fileName;
    qint64 m_done = 0;
    qint64 m_total = -1;
    QString m_summary;
    QStringList m_details;
    bool m_failed = false;
};

} // namespace arbor::app
