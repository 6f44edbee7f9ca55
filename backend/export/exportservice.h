#pragma once

#include "outputsink.h"

#include "store/store.h"

#include <QStringList>

#include <atomic>
#include <functional>
#include <optional>

class QIODevice;

namespace arbor::exports {

/** @brief The formats conversations are exported in. */
enum class Format {
    Arbor,    ///< Arbor JSON (docs/arbor-json.md): whole trees, for import into Arbor
    Markdown, ///< for people: the visible path, or every branch
    OpenWebUi ///< Open WebUI's "Export All Chats" array, every branch
};

/** @brief "arbor", "markdown", "openwebui"; nullopt for anything else. */
std::optional<Format> formatFromName(QStringView name);

struct ExportOptions
{
    Format format = Format::Arbor;
    bool allBranches = false; ///< Markdown: every branch (the other formats always have them)
};

/** @brief Which conversations: these ids (in this order), or every one (oldest first). */
struct ExportSelection
{
    bool all = false;
    QStringList ids;
};

/** @brief How far an export is. */
struct ExportProgress
{
    int conversationsDone = 0;
    int conversationsTotal = 0;
    qint64 messages = 0;
};

/** @brief What an export wrote. */
struct ExportResult
{
    int conversations = 0;
    qint64 messages = 0;
    qint64 bytes = 0;
};

/**
 * @brief Exports conversations: reads them through the store's readers a slice at a time and
 * writes the format as it goes, so memory stays bounded by the largest conversation's ids and a
 * slice of messages, not by the store. Deleted nodes are left out; a live reply is written as
 * interrupted with its text so far. Runs on the calling thread, which waits for the readers:
 * call it from a worker or a command, never the GUI thread.
 */
class ExportService
{
public:
    using ProgressFn = std::function<void(const ExportProgress &)>;

    explicit ExportService(store::StoreReader reader);

    /** @brief Writes the export to @p out. Throws ExportError: UnknownId (before anything is
     *  written) when an id names no conversation, Write / ClosedOutput when @p out refuses,
     *  Cancelled when @p cancel becomes true; StoreError when the store fails. */
    ExportResult write(const ExportSelection &selection, const ExportOptions &options,
                       QIODevice &out, const ProgressFn &progress = {},
                       const std::atomic_bool *cancel = nullptr);

    /** @brief write() into @p path through a temporary file beside it, renamed over @p path only
     *  when everything was written: a failed or cancelled export leaves no file (and an older
     *  file of that name as it was). */
    ExportResult writeFile(const ExportSelection &selection, const ExportOptions &options,
                           const QString &path, const ProgressFn &progress = {},
                           const std::atomic_bool *cancel = nullptr);

private:
    store::StoreReader m_reader;
};

} // namespace arbor::exports
