#include "batchruns.h"

#include "async.h"

#include "batch/batchinput.h"
#include "batch/batchmonitor.h"
#include "batch/batchservice.h"
#include "core/backend.h"
#include "usage/usageservice.h"

#include <QDateTime>
#include <QPointer>
#include <QUrl>

namespace arbor::app {

BatchRuns::BatchRuns(core::Backend *backend, ErrorController *errors, QObject *parent)
    : QObject(parent)
    , m_backend(backend)
    , m_errors(errors)
    , m_runs(new RunListModel(this))
{
    if (!m_backend)
        return;
    batch::BatchMonitor &monitor = m_backend->batch().monitor();
    connect(&monitor, &batch::BatchMonitor::runsRead, this, [this](const QList<batch::Run> &runs) {
        const QStringList modelsBefore = models();
        const batch::Run *before = m_runs->find(m_selected);
        const qint64 finishedBefore = before ? before->done + before->failed : -1;
        m_runs->setRuns(runs, QDateTime::currentMSecsSinceEpoch());
        if (models() != modelsBefore)
            Q_EMIT selectionChanged();
        // The selected run's rows follow its results (also the last ones, when it completes).
        if (const batch::Run *r = m_runs->find(m_selected);
            r && r->done + r->failed != finishedBefore)
            reloadRows();
    });
    monitor.start();
}

void BatchRuns::setSelectedRun(int id)
{
    if (id == m_selected)
        return;
    m_selected = id;
    m_runs->setSelectedId(id);
    Q_EMIT selectionChanged();
    reloadRows();
}

QStringList BatchRuns::models() const
{
    QStringList out;
    if (const batch::Run *r = m_runs->find(m_selected))
        for (const auto &m : r->models)
            out.append(m.key());
    return out;
}

QStringList BatchRuns::columns() const
{
    const batch::Run *r = m_runs->find(m_selected);
    return r ? r->columns : QStringList();
}

void BatchRuns::setFilter(int filter)
{
    if (filter == m_filter)
        return;
    m_filter = filter;
    reloadRows();
}

void BatchRuns::setSearch(const QString &search)
{
    if (search == m_search)
        return;
    m_search = search;
    reloadRows();
}

void BatchRuns::reloadRows()
{
    if (!m_backend || m_selected <= 0) {
        m_rows.clear();
        Q_EMIT rowsChanged();
        return;
    }
    const qint64 id = m_selected;
    const quint64 generation = ++m_rowsGeneration;
    whenDone(
        this, m_backend->batch().rows(id, 0, PageRows, m_filter, m_search),
        [this, id, generation](const QList<batch::RowView> &rows) {
            // Readers answer in any order: only the latest request's answer counts.
            if (id != m_selected || generation != m_rowsGeneration)
                return;
            const QStringList names = models();
            const QStringList columnNames = columns();
            QVariantList out;
            for (const batch::RowView &row : rows) {
                QVariantList results;
                for (qsizetype m = 0; m < row.results.size(); ++m) {
                    const batch::RowResult &r = row.results.at(m);
                    results.append(QVariantMap{
                        {QStringLiteral("model"), names.value(m)},
                        {QStringLiteral("status"), r.status.isEmpty() ? tr("pending") : r.status},
                        {QStringLiteral("failed"), r.status == u"failed"},
                        {QStringLiteral("text"), r.text},
                        {QStringLiteral("error"), r.error},
                        {QStringLiteral("tokens"),
                         r.outputTokens >= 0 ? tr("%1 in · %2 out")
                                                   .arg(usage::tokenText(r.inputTokens),
                                                        usage::tokenText(r.outputTokens))
                                             : QString()},
                        {QStringLiteral("cost"),
                         r.costNanos >= 0 ? usage::costText(r.costNanos, r.currency)
                                          : QStringLiteral("—")},
                        {QStringLiteral("canOpen"), r.status == u"done" || r.status == u"failed"},
                    });
                }
                QVariantList input;
                QStringList fields; // "column: value", for the row's detail
                const QList<QString> values = batch::decodeInput(row.input);
                for (qsizetype c = 0; c < values.size(); ++c) {
                    input.append(values.at(c));
                    fields.append(columnNames.value(c) + QStringLiteral(": ") + values.at(c));
                }
                out.append(QVariantMap{{QStringLiteral("rowNo"), row.rowNo},
                                       {QStringLiteral("line"), row.line},
                                       {QStringLiteral("input"), input},
                                       {QStringLiteral("fields"), fields},
                                       {QStringLiteral("results"), results}});
            }
            m_rows = out;
            Q_EMIT rowsChanged();
        },
        [this](const QString &why) { Q_EMIT actionFailed(why); });
}

void BatchRuns::act(qint64 id, QFuture<batch::Run> future)
{
    Q_UNUSED(id);
    whenDone(
        this, std::move(future),
        [this](const batch::Run &) { m_backend->batch().monitor().refresh(); },
        [this](const QString &why) { Q_EMIT actionFailed(why); });
}

void BatchRuns::start(int id)
{
    if (m_backend)
        act(id, m_backend->batch().start(id));
}

void BatchRuns::pause(int id)
{
    if (m_backend)
        act(id, m_backend->batch().pause(id));
}

void BatchRuns::resume(int id)
{
    if (m_backend)
        act(id, m_backend->batch().resume(id));
}

void BatchRuns::cancel(int id)
{
    if (m_backend)
        act(id, m_backend->batch().cancel(id));
}

void BatchRuns::retryFailed(int id)
{
    if (m_backend)
        act(id, m_backend->batch().retryFailed(id));
}

void BatchRuns::create(const QString &name, const QString &templateText, const QString &inputPath,
                       const QString &models, const QString &systemPrompt)
{
    if (!m_backend)
        return;
    batch::CreateSpec spec;
    spec.name = name.trimmed();
    spec.templateText = templateText;
    spec.systemPrompt = systemPrompt.trimmed();
    const QUrl url(inputPath.trimmed());
    spec.inputPath = url.isLocalFile() ? url.toLocalFile() : inputPath.trimmed();
    batch::BatchService &service = m_backend->batch();
    whenDone(
        this, service.providerIds(),
        [this, spec, models](const QStringList &known) mutable {
            for (const QString &key : models.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
                QString error;
                const auto model = batch::BatchService::parseModel(key.trimmed(), known, error);
                if (!model) {
                    Q_EMIT actionFailed(error);
                    return;
                }
                spec.models.append(*model);
            }
            m_importText = tr("Importing…");
            Q_EMIT importTextChanged();
            QPointer<BatchRuns> self(this);
            auto progress = [self](const batch::ImportProgress &p) {
                const QString text =
                    tr("Imported %1 rows (%2 %)")
                        .arg(usage::countText(p.rows))
                        .arg(p.bytesTotal > 0 ? 100 * p.bytesRead / p.bytesTotal : 100);
                QMetaObject::invokeMethod(self, [self, text] {
                    if (self && !self->m_importText.isEmpty()) {
                        self->m_importText = text;
                        Q_EMIT self->importTextChanged();
                    }
                });
            };
            whenDone(
                this, m_backend->batch().create(spec, progress),
                [this](const batch::CreateResult &r) {
                    m_importText.clear();
                    Q_EMIT importTextChanged();
                    Q_EMIT created(int(r.runId));
                    setSelectedRun(int(r.runId));
                    start(int(r.runId));
                },
                [this](const QString &why) {
                    m_importText.clear();
                    Q_EMIT importTextChanged();
                    Q_EMIT actionFailed(why);
                });
        },
        [this](const QString &why) { Q_EMIT actionFailed(why); });
}

void BatchRuns::openRow(int rowNo, int modelIdx)
{
    if (!m_backend || m_selected <= 0)
        return;
    whenDone(
        this, m_backend->batch().openAsConversation(m_selected, rowNo, modelIdx),
        [this](const QString &conversationId) { Q_EMIT openConversation(conversationId); },
        [this](const QString &why) { Q_EMIT actionFailed(why); });
}

} // namespace arbor::app
