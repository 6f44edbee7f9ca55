#include "arborjsonwriter.h"

#include "exportreader.h"
#include "messageparts.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace arbor::exports {

namespace {

/** @brief The `source` of a conversation and the `source_id` of a message: where they were
 *  imported from (docs/arbor-json.md); null for what was made here. */
struct SourceIds
{
    static void conversation(JsonWriter &json, const domain::Conversation &c)
    {
        if (c.sourceFormat.isEmpty() && c.sourceId.isEmpty()) {
            json.null();
            return;
        }
        json.beginObject();
        json.key(u"format");
        json.stringOrNull(c.sourceFormat);
        json.key(u"id");
        json.stringOrNull(c.sourceId);
        json.endObject();
    }
    static void message(JsonWriter &json, const domain::Message &m)
    {
        json.stringOrNull(m.sourceId);
    }
};

void timestamp(JsonWriter &json, qint64 ms)
{
    json.string(isoTimestamp(ms));
}

} // namespace

ArborJsonWriter::ArborJsonWriter(OutputSink &sink)
    : m_json(sink)
{
}

void ArborJsonWriter::begin()
{
    m_json.beginObject();
    m_json.key(u"format");
    m_json.string(u"arbor");
    m_json.key(u"version");
    m_json.integer(1);
    m_json.key(u"conversations");
    m_json.beginArray();
}

void ArborJsonWriter::end()
{
    m_json.endArray();
    m_json.endObject();
    m_json.finish();
}

qint64 ArborJsonWriter::conversation(const Outline &o, ExportReader &reader)
{
    const domain::Conversation &c = o.conversation;
    m_json.beginObject();
    m_json.key(u"id");
    m_json.string(c.id);
    m_json.key(u"title");
    m_json.string(c.title);
    m_json.key(u"created_at");
    timestamp(m_json, c.createdAt);
    m_json.key(u"updated_at");
    timestamp(m_json, c.updatedAt);
    m_json.key(u"current_leaf_id");
    m_json.stringOrNull(o.currentLeaf);
    m_json.key(u"settings");
    m_json.value(settingsObject(c.settings));
    m_json.key(u"source");
    SourceIds::conversation(m_json, c);
    m_json.key(u"messages");
    m_json.beginArray();
    qint64 written = 0;
    reader.forEach(o.order, [&](const domain::Message &m) {
        message(m);
        ++written;
    });
    m_json.endArray();
    m_json.endObject();
    return written;
}

void ArborJsonWriter::message(const domain::Message &m)
{
    m_json.beginObject();
    m_json.key(u"id");
    m_json.string(m.id);
    m_json.key(u"parent_id");
    m_json.stringOrNull(m.parentId);
    m_json.key(u"role");
    m_json.string(m.role);
    m_json.key(u"author");
    m_json.string(m.author);
    m_json.key(u"provider");
    m_json.string(m.provider);
    m_json.key(u"model");
    m_json.string(m.model);
    m_json.key(u"params");
    if (const QJsonDocument params = QJsonDocument::fromJson(m.params.toUtf8()); params.isObject())
        m_json.value(params.object());
    else
        m_json.null();
    m_json.key(u"request");
    if (const QJsonDocument request = QJsonDocument::fromJson(m.request.toUtf8());
        request.isObject())
        m_json.value(request.object());
    else
        m_json.null();
    m_json.key(u"status");
    m_json.string(domain::toString(exportedStatus(m.status)));
    m_json.key(u"error");
    m_json.string(m.error);
    m_json.key(u"finish_reason");
    m_json.string(m.finishReason);
    m_json.key(u"created_at");
    timestamp(m_json, m.createdAt);
    m_json.key(u"finished_at");
    if (m.finishedAt > 0)
        timestamp(m_json, m.finishedAt);
    else
        m_json.null();
    m_json.key(u"label");
    m_json.stringOrNull(m.label);
    m_json.key(u"source_id");
    SourceIds::message(m_json, m);
    m_json.key(u"blocks");
    blocks(m);
    m_json.key(u"reasoning_data");
    if (m.reasoningData.isEmpty()) {
        m_json.null();
    } else {
        const QJsonDocument data = QJsonDocument::fromJson(m.reasoningData.toUtf8());
        if (data.isObject())
            m_json.value(data.object());
        else if (data.isArray())
            m_json.value(data.array());
        else
            m_json.null();
    }
    m_json.key(u"usage");
    usage(m);
    m_json.endObject();
}

void ArborJsonWriter::blocks(const domain::Message &m)
{
    m_json.beginArray();
    if (!m.reasoning.isEmpty()) {
        m_json.beginObject();
        m_json.key(u"type");
        m_json.string(u"thinking");
        m_json.key(u"text");
        m_json.string(m.reasoning);
        m_json.key(u"ms");
        m_json.integerOrNull(m.reasoningMs);
        m_json.endObject();
    }
    for (const ContentPart &part : contentParts(m)) {
        m_json.beginObject();
        m_json.key(u"type");
        if (!part.call) {
            m_json.string(u"markdown");
            m_json.key(u"text");
            m_json.string(part.text);
            m_json.endObject();
            continue;
        }
        // The stored entry (domain/toolcall.h), its known keys first in a fixed order, then
        // any others it carries, sorted.
        const domain::ToolCall &call = *part.call;
        m_json.string(u"tool_call");
        m_json.key(u"id");
        m_json.string(call.id);
        m_json.key(u"name");
        m_json.string(call.name);
        m_json.key(u"arguments");
        m_json.string(call.arguments);
        m_json.key(u"at");
        m_json.integer(call.at);
        m_json.key(u"status");
        m_json.string(call.status);
        if (!call.result.isEmpty()) {
            m_json.key(u"result");
            m_json.string(call.result);
        }
        if (call.isError) {
            m_json.key(u"is_error");
            m_json.boolean(true);
        }
        if (call.startedAt > 0) {
            m_json.key(u"started_at");
            m_json.integer(call.startedAt);
        }
        if (call.finishedAt > 0) {
            m_json.key(u"finished_at");
            m_json.integer(call.finishedAt);
        }
        for (auto it = call.other.constBegin(); it != call.other.constEnd(); ++it) {
            if (it.key() == u"type")
                continue; // the block's own key
            m_json.key(it.key());
            m_json.value(it.value());
        }
        m_json.endObject();
    }
    m_json.endArray();
}

void ArborJsonWriter::usage(const domain::Message &m)
{
    if (m.promptTokens < 0 && m.completionTokens < 0 && m.cachedTokens < 0
        && m.reasoningTokens < 0) {
        m_json.null();
        return;
    }
    m_json.beginObject();
    m_json.key(u"prompt_tokens");
    m_json.integerOrNull(m.promptTokens);
    m_json.key(u"completion_tokens");
    m_json.integerOrNull(m.completionTokens);
    m_json.key(u"cached_tokens");
    m_json.integerOrNull(m.cachedTokens);
    m_json.key(u"reasoning_tokens");
    m_json.integerOrNull(m.reasoningTokens);
    m_json.key(u"estimated");
    m_json.boolean(m.usageEstimated);
    m_json.key(u"cost_nanos");
    m_json.integerOrNull(m.costNanos);
    m_json.key(u"currency");
    m_json.stringOrNull(m.currency);
    m_json.endObject();
}

} // namespace arbor::exports
