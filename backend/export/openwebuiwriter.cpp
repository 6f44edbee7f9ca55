#include "openwebuiwriter.h"

#include "exportreader.h"
#include "messageparts.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace arbor::exports {

namespace {

/** @brief Reasoning as Open WebUI's middleware writes it into a reply's content. */
QString reasoningDetails(const domain::Message &m)
{
    QString lines;
    for (const QStringView line : QStringView(m.reasoning).trimmed().split(u'\n'))
        lines += (line.startsWith(u'>') ? line.toString() : QStringLiteral("> ") + line.toString())
            + QLatin1Char('\n');
    const qint64 seconds = m.reasoningMs >= 0 ? (m.reasoningMs + 500) / 1000 : 0;
    return QStringLiteral("<details type=\"reasoning\" done=\"true\" duration=\"%1\">\n"
                          "<summary>Thought for %1 seconds</summary>\n%2</details>\n")
        .arg(QString::number(seconds), lines);
}

QString content(const domain::Message &m)
{
    QString out = m.reasoning.isEmpty() ? QString() : reasoningDetails(m);
    for (const ContentPart &part : contentParts(m)) {
        if (!part.call) {
            out += part.text;
            continue;
        }
        const domain::ToolCall &call = *part.call;
        QJsonParseError error{};
        const QJsonDocument arguments = QJsonDocument::fromJson(call.arguments.toUtf8(), &error);
        const QString body = error.error == QJsonParseError::NoError && !arguments.isNull()
            ? QString::fromUtf8(arguments.toJson(QJsonDocument::Indented)).trimmed()
            : call.arguments;
        if (!out.isEmpty() && !out.endsWith(u'\n'))
            out += QLatin1Char('\n');
        out += QStringLiteral("\n**Tool call** `%1`:\n\n```json\n%2\n```\n\n").arg(call.name, body);
    }
    return out;
}

} // namespace

OpenWebUiWriter::OpenWebUiWriter(OutputSink &sink)
    : m_json(sink)
{
}

void OpenWebUiWriter::begin()
{
    m_json.beginArray();
}

void OpenWebUiWriter::end()
{
    m_json.endArray();
    m_json.finish();
}

qint64 OpenWebUiWriter::conversation(const Outline &o, ExportReader &reader)
{
    const domain::Conversation &c = o.conversation;
    const QJsonObject settings = settingsObject(c.settings);
    m_json.beginObject();
    m_json.key(u"id");
    m_json.string(c.id);
    m_json.key(u"user_id");
    m_json.string(u"");
    m_json.key(u"title");
    m_json.string(c.title);
    m_json.key(u"chat");
    m_json.beginObject();
    m_json.key(u"id");
    m_json.string(c.id);
    m_json.key(u"title");
    m_json.string(c.title);
    m_json.key(u"history");
    m_json.beginObject();
    m_json.key(u"messages");
    m_json.beginObject();
    QStringList models;
    qint64 written = 0;
    reader.forEach(o.order, [&](const domain::Message &m) {
        m_json.key(m.id);
        message(m, o.children.value(m.id));
        if (m.role == u"assistant" && !m.model.isEmpty() && !models.contains(m.model))
            models.append(m.model);
        ++written;
    });
    m_json.endObject();
    m_json.key(u"currentId");
    m_json.stringOrNull(o.currentLeaf);
    m_json.endObject();
    m_json.key(u"messages");
    m_json.beginArray();
    reader.forEach(o.currentPath,
                   [&](const domain::Message &m) { message(m, o.children.value(m.id)); });
    m_json.endArray();
    m_json.key(u"models");
    m_json.beginArray();
    for (const QString &model : std::as_const(models))
        m_json.string(model);
    m_json.endArray();
    m_json.key(u"params");
    m_json.beginObject();
    if (settings.contains(u"system_prompt")) {
        m_json.key(u"system");
        m_json.value(settings.value(u"system_prompt"));
    }
    if (settings.contains(u"temperature")) {
        m_json.key(u"temperature");
        m_json.value(settings.value(u"temperature"));
    }
    if (settings.contains(u"max_tokens")) {
        m_json.key(u"max_tokens");
        m_json.value(settings.value(u"max_tokens"));
    }
    m_json.endObject();
    m_json.key(u"tags");
    m_json.beginArray();
    m_json.endArray();
    m_json.key(u"timestamp");
    m_json.integer(c.createdAt);
    m_json.key(u"files");
    m_json.beginArray();
    m_json.endArray();
    m_json.endObject(); // chat
    m_json.key(u"updated_at");
    m_json.integer(c.updatedAt / 1000);
    m_json.key(u"created_at");
    m_json.integer(c.createdAt / 1000);
    m_json.key(u"share_id");
    m_json.null();
    m_json.key(u"archived");
    m_json.boolean(false);
    m_json.key(u"pinned");
    m_json.boolean(false);
    m_json.key(u"meta");
    m_json.beginObject();
    m_json.endObject();
    m_json.key(u"folder_id");
    m_json.null();
    m_json.endObject();
    return written;
}

void OpenWebUiWriter::message(const domain::Message &m, const QStringList &children)
{
    m_json.beginObject();
    m_json.key(u"id");
    m_json.string(m.id);
    m_json.key(u"parentId");
    m_json.stringOrNull(m.parentId);
    m_json.key(u"childrenIds");
    m_json.beginArray();
    for (const QString &child : children)
        m_json.string(child);
    m_json.endArray();
    m_json.key(u"role");
    m_json.string(m.role);
    m_json.key(u"content");
    m_json.string(content(m));
    if (m.role == u"assistant") {
        m_json.key(u"model");
        m_json.string(m.model);
        m_json.key(u"modelName");
        m_json.string(m.author.isEmpty() ? m.model : m.author);
        m_json.key(u"modelIdx");
        m_json.integer(0);
    }
    m_json.key(u"timestamp");
    m_json.integer(m.createdAt / 1000);
    m_json.key(u"done");
    m_json.boolean(true);
    if (m.promptTokens >= 0 || m.completionTokens >= 0) {
        m_json.key(u"usage");
        m_json.beginObject();
        m_json.key(u"prompt_tokens");
        m_json.integer(std::max(0, m.promptTokens));
        m_json.key(u"completion_tokens");
        m_json.integer(std::max(0, m.completionTokens));
        m_json.key(u"total_tokens");
        m_json.integer(std::max(0, m.promptTokens) + std::max(0, m.completionTokens));
        m_json.endObject();
    }
    const domain::MessageStatus status = exportedStatus(m.status);
    if (status == domain::MessageStatus::Error
        || (status != domain::MessageStatus::Complete && !m.error.isEmpty())) {
        m_json.key(u"error");
        m_json.beginObject();
        m_json.key(u"content");
        m_json.string(m.error.isEmpty() ? domain::toString(status) : m.error);
        m_json.endObject();
    }
    m_json.endObject();
}

} // namespace arbor::exports
