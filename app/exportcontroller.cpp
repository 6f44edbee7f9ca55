#include "exportcontroller.h"

#include "async.h"

#include "core/backend.h"
#include "export/exportservice.h"

#include <QCoreApplication>
#include <QDir>
#include <QPointer>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QtConcurrent/QtConcurrentRun>

namespace arbor::app {

ExportController::ExportController(core::Backend *backend, QObject *parent)
    : QObject(parent)
    , m_backend(backend)
{
}

ExportController::~ExportController()
{
    shutdown();
}

void ExportController::shutdown()
{
    // The worker reads through the backend: stop it and wait (it looks at the flag before each
    // slice of messages, so this is short).
    if (m_cancel)
        m_cancel->store(true);
    try {
        m_running.waitForFinished();
    } catch (...) {
        // How it ended was (or will not be) reported: only the wait matters here.
    }
}

QStringList ExportController::formatNames() const
{
    return {tr("Arbor JSON (every branch, for Arbor)"), tr("Markdown, current branch"),
            tr("Markdown, every branch"), tr("Open WebUI JSON (every branch)")};
}

QString ExportController::nameFilter(int format) const
{
    return format == MarkdownCurrent || format == MarkdownAll ? tr("Markdown (*.md)")
                                                              : tr("JSON (*.json)");
}

QString ExportController::suffix(int format) const
{
    return format == MarkdownCurrent || format == MarkdownAll ? QStringLiteral("md")
                                                              : QStringLiteral("json");
}

QString ExportController::suggestedName(const QString &title, int format) const
{
    if (title.isEmpty())
        return QStringLiteral("arbor-conversations.") + suffix(format);
    QString base = title.trimmed();
    // Characters that no file system takes, and control characters, become "-".
    base.replace(QRegularExpression(QStringLiteral("[\\\\/:*?\"<>|\\x00-\\x1f]+")),
                 QStringLiteral("-"));
    base = base.left(80).trimmed();
    if (base.isEmpty() || base.startsWith(QLatin1Char('.')))
        base = QStringLiteral("conversation");
    return base + QLatin1Char('.') + suffix(format);
}

QUrl ExportController::suggestedFile(const QString &title, int format) const
{
    QString folder = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    if (folder.isEmpty() || !QDir(folder).exists())
        folder = QDir::homePath();
    return QUrl::fromLocalFile(QDir(folder).filePath(suggestedName(title, format)));
}

void ExportController::exportConversation(const QString &id, const QUrl &file, int format)
{
    start(false, {id}, file, format);
}

void ExportController::exportAll(const QUrl &file, int format)
{
    start(true, {}, file, format);
}

void ExportController::cancel()
{
    if (m_cancel)
        m_cancel->store(true);
}

void ExportController::start(bool all, const QStringList &ids, const QUrl &file, int format)
{
    if (m_busy)
        return;
    if (!m_backend) {
        end(tr("Cannot export: the store is not open."), true);
        return;
    }
    const QString path = file.isLocalFile() ? file.toLocalFile() : file.toString();
    exports::ExportOptions options;
    options.format = format == OpenWebUi                     ? exports::Format::OpenWebUi
        : format == MarkdownCurrent || format == MarkdownAll ? exports::Format::Markdown
                                                             : exports::Format::Arbor;
    options.allBranches = format == MarkdownAll;
    const exports::ExportSelection selection{all, ids};

    m_busy = true;
    m_failed = false;
    m_progress = 0;
    m_message.clear();
    m_cancel = std::make_shared<std::atomic_bool>(false);
    Q_EMIT stateChanged();
    Q_EMIT progressChanged();

    // Progress comes from the worker: a step per thousandth at most, applied here.
    QPointer<ExportController> self(this);
    auto lastStep = std::make_shared<int>(-1);
    const exports::ExportService::ProgressFn progress =
        [self, lastStep](const exports::ExportProgress &p) {
            const int step = p.conversationsTotal > 0
                ? int(qint64(p.conversationsDone) * 1000 / p.conversationsTotal)
                : 1000;
            if (step == *lastStep)
                return;
            *lastStep = step;
            QMetaObject::invokeMethod(
                QCoreApplication::instance(),
                [self, step] {
                    if (!self || !self->m_busy)
                        return;
                    self->m_progress = step / 1000.0;
                    Q_EMIT self->progressChanged();
                },
                Qt::QueuedConnection);
        };
    exports::ExportService *service = &m_backend->exports();
    const std::shared_ptr<std::atomic_bool> cancelFlag = m_cancel;
    QFuture<exports::ExportResult> future =
        QtConcurrent::run([service, selection, options, path, progress, cancelFlag] {
            return service->writeFile(selection, options, path, progress, cancelFlag.get());
        });
    m_running = QFuture<void>(future);
    whenDone(
        this, future,
        [this, all, path](const exports::ExportResult &r) {
            m_progress = 1;
            Q_EMIT progressChanged();
            QString text;
            if (!all)
                text = tr("Exported the conversation to %1.").arg(path);
            else if (r.conversations == 1)
                text = tr("Exported 1 conversation to %1.").arg(path);
            else
                text = tr("Exported %1 conversations to %2.").arg(r.conversations).arg(path);
            end(text, false);
        },
        [this](const QString &error) {
            if (m_cancel && m_cancel->load())
                end(tr("Export cancelled; no file was written."), true);
            else
                end(tr("Could not export: %1").arg(error), true);
        });
}

void ExportController::end(const QString &message, bool failed)
{
    m_busy = false;
    m_failed = failed;
    m_message = message;
    Q_EMIT stateChanged();
    Q_EMIT finished();
}

} // namespace arbor::app
