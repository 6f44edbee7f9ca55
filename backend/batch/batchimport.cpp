#include "batchimport.h"

#include "batchqueries.h"
#include "batchtemplate.h"

#include "domain/ids.h"
#include "store/sql.h"
#include "store/store.h"

#include <QFile>
#include <QFileInfo>
#include <QFuture>

namespace arbor::batch {

using store::StoreError;

CreateResult importRun(store::Store &store, const CreateSpec &spec,
                       const std::function<void(const ImportProgress &)> &progress,
                       const std::function<void(const BadRow &)> &badRow)
{
    if (spec.templateText.trimmed().isEmpty())
        throw StoreError(QStringLiteral("The template is empty."));
    if (spec.models.isEmpty())
        throw StoreError(QStringLiteral("A run needs at least one model (provider/model)."));
    for (qsizetype i = 0; i < spec.models.size(); ++i)
        for (qsizetype j = 0; j < i; ++j)
            if (spec.models[i].key() == spec.models[j].key())
                throw StoreError(
                    QStringLiteral("The model %1 is named twice.").arg(spec.models[i].key()));
    QFile file(spec.inputPath);
    if (!file.open(QIODevice::ReadOnly))
        throw StoreError(
            QStringLiteral("Cannot read %1: %2").arg(spec.inputPath, file.errorString()));
    const auto format = spec.format.value_or(InputReader::formatFor(spec.inputPath));
    auto reader = InputReader::create(format, &file);
    QString error;
    if (!reader->readHeader(error))
        throw StoreError(QStringLiteral("%1: %2").arg(spec.inputPath, error));
    const BatchTemplate prompt(spec.templateText);
    if (const QStringList missing = prompt.missingFrom(reader->columns()); !missing.isEmpty())
        throw StoreError(
            QStringLiteral("The template uses %1 but %2 has no such column (its columns: %3). "
                           "Nothing was imported.")
                .arg(QStringLiteral("{{") + missing.join(QStringLiteral("}}, {{"))
                         + QStringLiteral("}}"),
                     spec.inputPath, reader->columns().join(QStringLiteral(", "))));
    reader->requireColumns(prompt.variables());

    Run run;
    run.name = spec.name.isEmpty() ? QFileInfo(spec.inputPath).completeBaseName() : spec.name;
    run.templateText = spec.templateText;
    run.systemPrompt = spec.systemPrompt;
    run.columns = reader->columns();
    run.models = spec.models;
    run.maxConcurrency = spec.maxConcurrency;
    run.maxTokens = spec.maxTokens;
    const qint64 runId =
        store
            .write([run](QSqlDatabase &db) { return queries::createRun(db, run, domain::nowMs()); })
            .result();

    ImportProgress p;
    p.bytesTotal = file.size();
    QFuture<void> pending; // the batch being committed while the next one is parsed
    auto waitPending = [&pending] {
        if (pending.isValid())
            pending.waitForFinished(); // rethrows a failed write
    };
    auto abandon = [&](const QString &why) {
        try {
            waitPending();
        } catch (...) {
        }
        store.write([runId](QSqlDatabase &db) { queries::deleteRun(db, runId); }).waitForFinished();
        throw StoreError(why);
    };

    QList<queries::NewRow> rows;
    rows.reserve(ImportBatchRows);
    QList<BadRow> bad;
    qint64 rowNo = 0;
    InputRecord record;
    auto flush = [&] {
        waitPending();
        pending = store.write([runId, first = rowNo - rows.size(), rows = std::move(rows),
                               bad = std::move(bad)](QSqlDatabase &db) {
            queries::insertRows(db, runId, first, rows);
            queries::insertBadRows(db, runId, bad);
        });
        rows = {};
        rows.reserve(ImportBatchRows);
        bad = {};
        p.bytesRead = reader->bytesRead();
        if (progress)
            progress(p);
    };
    try {
        while (reader->next(record)) {
            if (!record.error.isEmpty()) {
                const BadRow b{record.line, record.error};
                ++p.badRows;
                if (badRow)
                    badRow(b);
                if (spec.stopOnBadRow)
                    abandon(QStringLiteral("Line %1: %2. The import stopped there; nothing was "
                                           "kept.")
                                .arg(b.line)
                                .arg(b.reason));
                if (p.badRows <= KeptBadRows)
                    bad.append(b);
                continue;
            }
            rows.append({record.line, std::move(record.input)});
            ++rowNo;
            ++p.rows;
            if (rows.size() >= ImportBatchRows)
                flush();
        }
        flush();
        waitPending();
    } catch (const StoreError &) {
        throw;
    } catch (const std::exception &e) {
        abandon(QStringLiteral("The import failed: %1").arg(QString::fromUtf8(e.what())));
    }
    if (file.error() != QFileDevice::NoError)
        abandon(QStringLiteral("Reading %1 failed: %2").arg(spec.inputPath, file.errorString()));
    if (p.rows == 0)
        abandon(QStringLiteral("%1 holds no good row; no run was created.").arg(spec.inputPath));
    store
        .write([runId, columns = reader->columns(), p](QSqlDatabase &db) {
            queries::finishImport(db, runId, columns, p.rows, p.badRows);
        })
        .waitForFinished();
    return {runId, p.rows, p.badRows};
}

} // namespace arbor::batch
