#include "batchexport.h"

#include "batchinput.h"
#include "batchqueries.h"

#include "store/sql.h"
#include "store/store.h"

#include <QFuture>
#include <QIODevice>

#include <rapidjson/document.h>
#include <sqlite3.h>

namespace arbor::batch {

namespace {

void csvField(QByteArray &out, const char *data, qsizetype size)
{
    bool quote = false;
    for (qsizetype i = 0; i < size && !quote; ++i) {
        const char c = data[i];
        quote = c == ',' || c == '"' || c == '\n' || c == '\r';
    }
    if (!quote) {
        out.append(data, size);
        return;
    }
    out.append('"');
    qsizetype start = 0;
    for (qsizetype i = 0; i < size; ++i)
        if (data[i] == '"') {
            out.append(data + start, i + 1 - start);
            out.append('"');
            start = i + 1;
        }
    out.append(data + start, size - start);
    out.append('"');
}

void csvField(QByteArray &out, const QByteArray &value)
{
    csvField(out, value.constData(), value.size());
}

QByteArray costText(qint64 nanos)
{
    QByteArray s = QByteArray::number(double(nanos) / 1e9, 'f', 9);
    while (s.endsWith('0'))
        s.chop(1);
    if (s.endsWith('.'))
        s.chop(1);
    return s;
}

struct PageResult
{
    QByteArray bytes;
    qint64 rows = 0;
};

/** @brief One result's columns as read. */
struct Cell
{
    QByteArray status, text, error, currency;
    qint64 in = -1, out = -1, cost = -1;
};

QByteArray columnBytes(sqlite3_stmt *st, int i)
{
    const auto *p = reinterpret_cast<const char *>(sqlite3_column_text(st, i));
    return p ? QByteArray(p, sqlite3_column_bytes(st, i)) : QByteArray();
}

qint64 columnCount(sqlite3_stmt *st, int i)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, i);
}

void jsonNumberOrNull(QByteArray &out, qint64 v)
{
    if (v < 0)
        out.append("null");
    else
        out.append(QByteArray::number(v));
}

/** @brief Encodes one input row with its cells. */
void encodeRow(QByteArray &out, ExportFormat format, const QList<QByteArray> &columnKeys,
               const QList<QByteArray> &modelKeys, const QByteArray &input,
               const QList<Cell> &cells)
{
    rapidjson::Document doc;
    doc.Parse(input.constData(), size_t(input.size()));
    const bool ok = !doc.HasParseError() && doc.IsArray();
    const rapidjson::SizeType n = ok ? doc.Size() : 0;
    if (format == ExportFormat::Csv) {
        for (qsizetype c = 0; c < columnKeys.size(); ++c) {
            if (c)
                out.append(',');
            if (rapidjson::SizeType(c) < n && doc[rapidjson::SizeType(c)].IsString())
                csvField(out, doc[rapidjson::SizeType(c)].GetString(),
                         doc[rapidjson::SizeType(c)].GetStringLength());
        }
        for (const Cell &cell : cells) {
            out.append(',');
            csvField(out, cell.text);
            out.append(',');
            out.append(cell.status);
            out.append(',');
            if (cell.in >= 0)
                out.append(QByteArray::number(cell.in));
            out.append(',');
            if (cell.out >= 0)
                out.append(QByteArray::number(cell.out));
            out.append(',');
            if (cell.cost >= 0)
                out.append(costText(cell.cost));
            out.append(',');
            csvField(out, cell.error);
        }
        out.append("\r\n");
        return;
    }
    out.append('{');
    bool first = true;
    for (qsizetype c = 0; c < columnKeys.size(); ++c) {
        if (!first)
            out.append(',');
        first = false;
        out.append(columnKeys.at(c));
        out.append(':');
        if (rapidjson::SizeType(c) < n && doc[rapidjson::SizeType(c)].IsString())
            appendJsonString(out, doc[rapidjson::SizeType(c)].GetString(),
                             doc[rapidjson::SizeType(c)].GetStringLength());
        else
            out.append("null");
    }
    for (qsizetype m = 0; m < cells.size(); ++m) {
        const Cell &cell = cells.at(m);
        if (!first)
            out.append(',');
        first = false;
        out.append(modelKeys.at(m));
        out.append(":{\"text\":");
        if (cell.status == "done")
            appendJsonString(out, cell.text.constData(), cell.text.size());
        else
            out.append("null");
        out.append(",\"status\":");
        if (cell.status.isEmpty())
            out.append("\"pending\"");
        else
            appendJsonString(out, cell.status.constData(), cell.status.size());
        out.append(",\"input_tokens\":");
        jsonNumberOrNull(out, cell.in);
        out.append(",\"output_tokens\":");
        jsonNumberOrNull(out, cell.out);
        out.append(",\"cost\":");
        if (cell.cost >= 0)
            out.append(costText(cell.cost));
        else
            out.append("null");
        out.append(",\"currency\":");
        if (cell.cost >= 0)
            appendJsonString(out, cell.currency.constData(), cell.currency.size());
        else
            out.append("null");
        out.append(",\"error\":");
        if (cell.error.isEmpty())
            out.append("null");
        else
            appendJsonString(out, cell.error.constData(), cell.error.size());
        out.append('}');
    }
    out.append("}\n");
}

PageResult readPage(const QSqlDatabase &db, qint64 runId, qint64 from, ExportFormat format,
                    const QList<QByteArray> &columnKeys, const QList<QByteArray> &modelKeys)
{
    PageResult page;
    store::NativeQuery q(
        db,
        QByteArrayLiteral("SELECT r.row_no, r.input, x.model_idx, x.status, x.text, x.error,"
                          " x.input_tokens, x.output_tokens, x.cost_nanos, x.currency"
                          " FROM batch_rows r LEFT JOIN batch_results x ON x.run_id ="
                          " r.run_id AND x.row_no = r.row_no"
                          " WHERE r.run_id = ? AND r.row_no >= ? AND r.row_no < ?"
                          " ORDER BY r.row_no, x.model_idx"));
    sqlite3_stmt *st = q.statement();
    sqlite3_bind_int64(st, 1, runId);
    sqlite3_bind_int64(st, 2, from);
    sqlite3_bind_int64(st, 3, from + ExportPageRows);
    page.bytes.reserve(ExportPageRows * 128);
    qint64 current = -1;
    QByteArray input;
    QList<Cell> cells(modelKeys.size());
    auto emitRow = [&] {
        if (current < 0)
            return;
        encodeRow(page.bytes, format, columnKeys, modelKeys, input, cells);
        ++page.rows;
        for (Cell &c : cells)
            c = Cell();
    };
    while (q.step()) {
        const qint64 row = sqlite3_column_int64(st, 0);
        if (row != current) {
            emitRow();
            current = row;
            input = columnBytes(st, 1);
        }
        if (sqlite3_column_type(st, 2) == SQLITE_NULL)
            continue;
        const int m = sqlite3_column_int(st, 2);
        if (m < 0 || m >= cells.size())
            continue;
        Cell &c = cells[m];
        c.status = columnBytes(st, 3);
        c.text = columnBytes(st, 4);
        c.error = columnBytes(st, 5);
        c.in = columnCount(st, 6);
        c.out = columnCount(st, 7);
        c.cost = columnCount(st, 8);
        c.currency = columnBytes(st, 9);
    }
    emitRow();
    return page;
}

} // namespace

qint64 exportRun(store::StoreReader store, qint64 runId, ExportFormat format, QIODevice *out,
                 const std::function<void(qint64, qint64)> &progress)
{
    const auto run =
        store.read([runId](QSqlDatabase &db) { return queries::get(db, runId); }).result();
    if (!run)
        throw store::StoreError(QStringLiteral("There is no batch run %1.").arg(runId));
    QList<QByteArray> columnKeys;
    QList<QByteArray> modelKeys;
    QByteArray header;
    for (const QString &c : run->columns) {
        const QByteArray utf8 = c.toUtf8();
        QByteArray key;
        appendJsonString(key, utf8.constData(), utf8.size());
        columnKeys.append(key);
        if (!header.isEmpty())
            header.append(',');
        csvField(header, utf8);
    }
    for (const RunModel &m : run->models) {
        const QByteArray name = m.key().toUtf8();
        QByteArray key;
        appendJsonString(key, name.constData(), name.size());
        modelKeys.append(key);
        for (const char *suffix :
             {"", " status", " input_tokens", " output_tokens", " cost", " error"}) {
            if (!header.isEmpty())
                header.append(',');
            csvField(header, name + suffix);
        }
    }
    auto write = [out](const QByteArray &bytes) {
        if (out->write(bytes) != bytes.size())
            throw store::StoreError(
                QStringLiteral("Writing the export failed: %1").arg(out->errorString()));
    };
    if (format == ExportFormat::Csv) {
        header.append("\r\n");
        write(header);
    }
    auto request = [&](qint64 from) {
        return store.read([=](QSqlDatabase &db) {
            return readPage(db, runId, from, format, columnKeys, modelKeys);
        });
    };
    qint64 written = 0;
    qint64 from = 0;
    QFuture<PageResult> next = request(from);
    while (from < run->rowCount) {
        const PageResult page = next.result();
        from += ExportPageRows;
        if (from < run->rowCount)
            next = request(from); // read the next page while this one is written
        write(page.bytes);
        written += page.rows;
        if (progress)
            progress(written, run->rowCount);
    }
    return written;
}

} // namespace arbor::batch
