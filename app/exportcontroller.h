#pragma once

#include <QFuture>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QUrl>
#include <QtQml/qqml.h>

#include <atomic>
#include <memory>

namespace arbor::core {
class Backend;
}

namespace arbor::app {

/**
 * @brief Export for QML: one conversation or every one, in a format the user picks, into a file
 * the user chose. The export runs on a worker thread (it reads the store a slice at a time and
 * writes as it goes); this reports its progress and how it ended. GUI thread only.
 */
class ExportController : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("ExportController belongs to App")
    /** @brief An export is running. */
    Q_PROPERTY(bool busy READ busy NOTIFY stateChanged)
    /** @brief How far it is, 0 to 1 (conversations written of those chosen). */
    Q_PROPERTY(double progress READ progress NOTIFY progressChanged)
    /** @brief How the last export ended ("Exported 12 conversations to …", or why not). */
    Q_PROPERTY(QString message READ message NOTIFY stateChanged)
    /** @brief The last export failed (message says why). */
    Q_PROPERTY(bool failed READ failed NOTIFY stateChanged)
    /** @brief The choices of the format picker, in the order of Format. */
    Q_PROPERTY(QStringList formatNames READ formatNames CONSTANT)

public:
    /** @brief What the picker offers. */
    enum Format { ArborJson, MarkdownCurrent, MarkdownAll, OpenWebUi };
    Q_ENUM(Format)

    explicit ExportController(core::Backend *backend, QObject *parent = nullptr);
    ~ExportController() override;

    bool busy() const { return m_busy; }
    double progress() const { return m_progress; }
    QString message() const { return m_message; }
    bool failed() const { return m_failed; }
    QStringList formatNames() const;

    /** @brief The file dialog's filter for @p format ("Markdown (*.md)"). */
    Q_INVOKABLE QString nameFilter(int format) const;
    /** @brief Its file name suffix, without the dot. */
    Q_INVOKABLE QString suffix(int format) const;
    /** @brief A file name for an export of @p title ("" for every conversation). */
    Q_INVOKABLE QString suggestedName(const QString &title, int format) const;
    /** @brief That name in the user's documents folder, for the file dialog. */
    Q_INVOKABLE QUrl suggestedFile(const QString &title, int format) const;

    /** @brief Exports the conversation @p id into @p file. */
    Q_INVOKABLE void exportConversation(const QString &id, const QUrl &file, int format);
    /** @brief Exports every conversation into @p file. */
    Q_INVOKABLE void exportAll(const QUrl &file, int format);
    /** @brief Stops the running export; its file is not written. */
    Q_INVOKABLE void cancel();
    /** @brief Stops a running export and waits for its worker (before the backend closes). */
    void shutdown();

Q_SIGNALS:
    void stateChanged();
    void progressChanged();
    /** @brief An export ended (well or not); message says how. */
    void finished();

private:
    void start(bool all, const QStringList &ids, const QUrl &file, int format);
    void end(const QString &message, bool failed);

    core::Backend *m_backend; ///< null when the store could not be opened
    bool m_busy = false;
    bool m_failed = false;
    double m_progress = 0;
    QString m_message;
    std::shared_ptr<std::atomic_bool> m_cancel;
    QFuture<void> m_running;
};

} // namespace arbor::app
