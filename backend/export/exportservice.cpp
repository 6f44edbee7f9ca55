#include "exportservice.h"

#include "arborjsonwriter.h"
#include "exportreader.h"
#include "markdownwriter.h"
#include "openwebuiwriter.h"

#include <QFileInfo>
#include <QSaveFile>

#include <memory>

namespace arbor::exports {

std::optional<Format> formatFromName(QStringView name)
{
    if (name == u"arbor")
        return Format::Arbor;
    if (name == u"markdown")
        return Format::Markdown;
    if (name == u"openwebui")
        return Format::OpenWebUi;
    return std::nullopt;
}

ExportService::ExportService(store::StoreReader reader)
    : m_reader(reader)
{
}

ExportResult ExportService::write(const ExportSelection &selection, const ExportOptions &options,
                                  QIODevice &out, const ProgressFn &progress,
                                  const std::atomic_bool *cancel)
{
    ExportReader reader(m_reader, cancel);
    QStringList ids;
    if (selection.all) {
        ids = reader.allConversationIds();
    } else {
        ids = selection.ids;
        ids.removeDuplicates();
        const QStringList unknown = reader.unknownIds(ids);
        if (!unknown.isEmpty())
            throw ExportError(QStringLiteral("no conversation “%1”").arg(unknown.join(u"”, “")),
                              ExportError::Kind::UnknownId);
    }

    OutputSink sink(out);
    std::unique_ptr<FormatWriter> writer;
    switch (options.format) {
    case Format::Arbor:
        writer = std::make_unique<ArborJsonWriter>(sink);
        break;
    case Format::Markdown:
        writer = std::make_unique<MarkdownWriter>(sink,
                                                  options.allBranches
                                                      ? MarkdownWriter::Branches::All
                                                      : MarkdownWriter::Branches::Current);
        break;
    case Format::OpenWebUi:
        writer = std::make_unique<OpenWebUiWriter>(sink);
        break;
    }

    ExportProgress done;
    done.conversationsTotal = int(ids.size());
    if (progress)
        progress(done);
    writer->begin();
    for (const QString &id : std::as_const(ids)) {
        const std::optional<Outline> outline = reader.outline(id);
        if (!outline)
            continue; // deleted since the export began
        done.messages += writer->conversation(*outline, reader);
        ++done.conversationsDone;
        if (progress)
            progress(done);
    }
    writer->end();
    sink.flush();
    return {done.conversationsDone, done.messages, sink.bytes()};
}

ExportResult ExportService::writeFile(const ExportSelection &selection,
                                      const ExportOptions &options, const QString &path,
                                      const ProgressFn &progress, const std::atomic_bool *cancel)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        throw ExportError(QStringLiteral("cannot write %1: %2").arg(path, file.errorString()),
                          ExportError::Kind::Write);
    ExportResult result;
    try {
        result = write(selection, options, file, progress, cancel);
    } catch (const ExportError &e) {
        file.cancelWriting();
        if (e.kind() == ExportError::Kind::Write)
            throw ExportError(QStringLiteral("cannot write %1: %2").arg(path, e.message()),
                              ExportError::Kind::Write);
        throw;
    }
    // The temporary file is renamed over the target only now; a failed flush (a full disk shows
    // here when the last block was buffered) leaves no file.
    if (!file.commit())
        throw ExportError(QStringLiteral("cannot write %1: %2").arg(path, file.errorString()),
                          ExportError::Kind::Write);
    return result;
}

} // namespace arbor::exports
