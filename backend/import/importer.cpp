#include "importer.h"

#include "importqueries.h"
#include "jsonvalue.h"
#include "readers.h"

#include "store/sql.h"
#include "store/store.h"

#include <QFuture>
#include <QLoggingCategory>

#include <deque>
#include <limits>

Q_LOGGING_CATEGORY(lcImport, "arbor.import")

namespace arbor::imports {

namespace {

/** Conversations written ahead of the one being parsed (the writer groups them). */
constexpr size_t InFlight = 256;

ImportedConversation convert(Format format, const rapidjson::Value &v)
{
    switch (format) {
    case Format::ChatGpt:
        return readChatGpt(v);
    case Format::Claude:
        return readClaude(v);
    case Format::OpenWebUi:
        return readOpenWebUi(v);
    case Format::LibreChat:
        return readLibreChat(v);
    case Format::Arbor:
        return readArbor(v);
    case Format::Auto:
        break;
    }
    throw ImportError(QStringLiteral("no format"));
}

/** The id an element gives itself, whatever its format (for an error's place). */
QString rawId(const rapidjson::Value &v)
{
    for (const char *key : {"conversation_id", "uuid", "conversationId", "id"}) {
        if (const QString id = json::idText(json::member(v, key)); !id.isEmpty())
            return id;
    }
    return {};
}

} // namespace

std::unique_ptr<ByteSource> openSource(const QString &path, const ZipLimits &limits)
{
    if (isZip(path))
        return openZipEntry(path, limits);
    return openFile(path);
}

Importer::Importer(store::Store &store, QString runId, ImportLimits limits)
    : m_store(store)
    , m_runId(std::move(runId))
    , m_limits(limits)
{
}

RunOutcome Importer::run(const Progress &progress, const StopCheck &stop)
{
    const QString runId = m_runId;
    auto row = m_store.read([runId](QSqlDatabase &db) { return queries::run(db, runId); }).result();
    if (!row)
        return {QStringLiteral("failed"), QStringLiteral("no import run %1").arg(runId)};
    const QString path = row->path;
    Format format = formatFromString(row->format);
    qint64 total = row->total;
    const qint64 skip = row->done;
    RunOutcome outcome{QStringLiteral("done"), {}};
    try {
        if (total < 0) {
            auto source = openSource(path, m_limits.zip);
            const StreamResult counted = ElementStream(m_limits.stream)
                                             .parse(
                                                 *source, [](const Element &) { return true; },
                                                 std::numeric_limits<qsizetype>::max());
            total = counted.elements;
        }
        QString fileError;
        // Arbor's header: its format and version come before its conversations.
        const auto header = [&](const rapidjson::Value &h) -> QString {
            const QString name = json::text(h, "format");
            if (name.isEmpty() && !json::member(h, "version"))
                return {};
            if (name != u"arbor")
                return QStringLiteral("%1: not an Arbor export (its format is “%2”)")
                    .arg(path, name);
            if (format != Format::Auto && format != Format::Arbor)
                return QStringLiteral("%1: the file is an Arbor export, not %2")
                    .arg(path, toString(format));
            const rapidjson::Value *version = json::member(h, "version");
            if (!version || !version->IsInt() || version->GetInt() < 1)
                return QStringLiteral("%1: the Arbor export has no valid “version”").arg(path);
            if (version->GetInt() > 1)
                return QStringLiteral("%1: Arbor JSON version %2 is newer than this Arbor reads "
                                      "(version 1): update Arbor")
                    .arg(path)
                    .arg(version->GetInt());
            format = Format::Arbor;
            return {};
        };
        m_store
            .write([runId, f = toString(format), total](QSqlDatabase &db) {
                queries::setRunning(db, runId, f, total);
            })
            .waitForFinished();

        std::deque<QFuture<void>> pending;
        qint64 done = skip;
        const auto settle = [&](size_t keep) {
            while (pending.size() > keep) {
                pending.front().waitForFinished(); // throws: the store failed, the run stops
                pending.pop_front();
                ++done;
                if (progress)
                    progress(done, total);
            }
        };
        const auto visit = [&](const Element &e) -> bool {
            if (stop && stop())
                return false;
            queries::Result r;
            r.seq = e.index;
            r.place = QStringLiteral("%1: conversation %2 at byte %3")
                          .arg(path)
                          .arg(e.index)
                          .arg(e.offset);
            std::optional<ImportedConversation> c;
            if (!e.problem.isEmpty()) {
                r.outcome = QStringLiteral("error");
                r.reason = e.problem;
            } else {
                r.sourceId = rawId(*e.value);
                if (!r.sourceId.isEmpty())
                    r.place += QStringLiteral(" (id %1)").arg(r.sourceId);
                if (format == Format::Auto) {
                    format = detectFormat(*e.value);
                    if (format == Format::Auto) {
                        fileError = QStringLiteral("%1: not an export Arbor knows (conversation 0 "
                                                   "has none of the keys of ChatGPT, Claude, Open "
                                                   "WebUI, LibreChat or Arbor exports)")
                                        .arg(path);
                        return false;
                    }
                    m_store.write([runId, f = toString(format), total](QSqlDatabase &db) {
                        queries::setRunning(db, runId, f, total);
                    });
                } else if (e.index == skip) {
                    const Format seen = detectFormat(*e.value);
                    if (seen != Format::Auto && seen != format) {
                        fileError = QStringLiteral("%1: the file looks like a %2 export, not %3")
                                        .arg(path, toString(seen), toString(format));
                        return false;
                    }
                }
                try {
                    c = convert(format, *e.value);
                    normalize(*c);
                    r.sourceId = c->sourceId;
                    r.title = c->title;
                    r.messages = int(c->nodes.size());
                    // An Arbor export keeps its empty conversations (a round trip gives the
                    // same file); another app's empty chat is not worth a conversation.
                    if (c->nodes.isEmpty() && format != Format::Arbor) {
                        r.outcome = QStringLiteral("skipped");
                        r.reason = QStringLiteral("no messages");
                        c.reset();
                    }
                } catch (const ImportError &error) {
                    r.outcome = QStringLiteral("error");
                    r.reason = error.message();
                    c.reset();
                }
            }
            pending.push_back(m_store.write(
                [runId, r = std::move(r), c = std::move(c)](QSqlDatabase &db) mutable {
                    if (c) {
                        store::exec(db, QStringLiteral("SAVEPOINT import_conversation"));
                        try {
                            const queries::Written w = queries::writeConversation(db, *c);
                            store::exec(db, QStringLiteral("RELEASE import_conversation"));
                            r.conversationId = w.conversationId;
                            r.added = w.added;
                            r.outcome = w.skipped.isEmpty() ? QStringLiteral("imported")
                                                            : QStringLiteral("skipped");
                            r.reason = w.skipped;
                        } catch (const std::exception &error) {
                            store::exec(db, QStringLiteral("ROLLBACK TO import_conversation"));
                            store::exec(db, QStringLiteral("RELEASE import_conversation"));
                            r.outcome = QStringLiteral("error");
                            r.reason = QString::fromUtf8(error.what());
                        }
                    }
                    queries::addResult(db, runId, r);
                }));
            settle(InFlight);
            return true;
        };
        auto source = openSource(path, m_limits.zip);
        const StreamResult result =
            ElementStream(m_limits.stream).parse(*source, visit, qsizetype(skip), header);
        settle(0);
        if (!fileError.isEmpty()) {
            outcome = {QStringLiteral("failed"), fileError};
        } else if (result.stopped) {
            outcome = {QStringLiteral("cancelled"), {}};
        } else if (!result.error.isEmpty()) {
            outcome = {QStringLiteral("failed"),
                       QStringLiteral("%1: %2 (conversation %3)")
                           .arg(path, result.error)
                           .arg(result.elements)};
        }
    } catch (const std::exception &e) {
        outcome = {QStringLiteral("failed"), QString::fromUtf8(e.what())};
    }
    if (outcome.state != u"cancelled") {
        m_store
            .write([runId, outcome](QSqlDatabase &db) {
                queries::finishRun(db, runId, outcome.state, outcome.error);
            })
            .waitForFinished();
    }
    qCInfo(lcImport) << "import" << runId << outcome.state << outcome.error;
    return outcome;
}

} // namespace arbor::imports
