#include "importcontroller.h"

#include "async.h"

#include "core/backend.h"
#include "import/importservice.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>

namespace arbor::app {

ImportController::ImportController(core::Backend *backend, QObject *parent)
    : QObject(parent)
    , m_backend(backend)
{
    if (!m_backend)
        return;
    imports::ImportService *imports = &m_backend->imports();
    // Both come from the import's worker thread: queued to this one.
    connect(imports, &imports::ImportService::progress, this,
            [this](const QString &runId, qint64 done, qint64 total) {
                if (runId != m_runId)
                    return;
                m_done = done;
                m_total = total;
                Q_EMIT changed();
            });
    connect(imports, &imports::ImportService::finished, this,
            [this](const QString &runId) { onFinished(runId); });
}

bool ImportController::start(const QUrl &file)
{
    if (!m_backend || running())
        return false;
    const QString path = file.isLocalFile() ? file.toLocalFile() : file.toString();
    m_runId = QStringLiteral("starting");
    m_fileName = QFileInfo(path).fileName();
    m_done = 0;
    m_total = -1;
    m_summary.clear();
    m_details.clear();
    m_failed = false;
    Q_EMIT changed();
    whenDone(
        this, m_backend->imports().start(path),
        [this](const QString &runId) {
            m_runId = runId;
            Q_EMIT changed();
            // A small file may be done before its id was known here.
            whenDone(
                this, m_backend->imports().summary(runId),
                [this, runId](const imports::Summary &s) {
                    if (s.run.state != u"queued" && s.run.state != u"running")
                        onFinished(runId);
                },
                [](const QString &) {});
        },
        [this](const QString &error) {
            m_summary = tr("The import could not start: %1").arg(error);
            m_failed = true;
            Q_EMIT changed();
        });
    return true;
}

void ImportController::onFinished(const QString &runId)
{
    if (runId != m_runId || !m_summary.isEmpty())
        return;
    whenDone(
        this, m_backend->imports().summary(runId),
        [this, runId](const imports::Summary &s) {
            if (runId != m_runId || !m_summary.isEmpty())
                return;
            m_summary = imports::describe(s);
            m_failed = imports::hasErrors(s);
            const QJsonObject json = imports::toJson(s);
            for (const auto &v : json.value(u"skipped").toArray()) {
                const QJsonObject o = v.toObject();
                m_details << tr("Skipped “%1”: %2")
                                 .arg(o.value(u"title").toString(), o.value(u"reason").toString());
            }
            for (const auto &v : json.value(u"errors").toArray()) {
                const QJsonObject o = v.toObject();
                m_details << tr("Error in %1: %2")
                                 .arg(o.value(u"where").toString(), o.value(u"message").toString());
            }
            constexpr qsizetype Shown = 5;
            if (m_details.size() > Shown) {
                const qsizetype more = m_details.size() - Shown;
                m_details.resize(Shown);
                m_details << tr("… and %n more (arbord import --json lists them all)", nullptr,
                                int(more));
            }
            Q_EMIT changed();
            Q_EMIT finished();
        },
        [this](const QString &error) {
            m_summary = error;
            m_failed = true;
            Q_EMIT changed();
            Q_EMIT finished();
        });
}

void ImportController::dismiss()
{
    if (running())
        return;
    m_runId.clear();
    m_summary.clear();
    m_details.clear();
    Q_EMIT changed();
}

} // namespace arbor::app
