// The content of one node of ChatGPT's conversations.json: `content.content_type` says what it
// is (text, multimodal_text, code, execution_output, tether_browsing_display, tether_quote,
// thoughts, reasoning_recap, user_editable_context, system_error, ...), `recipient` whom the
// model addressed ("all": the user; else a tool), `metadata.citations` where the answer cites.
#include "chatgptcontent.h"

#include "jsonvalue.h"

#include <QRegularExpression>
#include <QStringList>

#include <algorithm>
#include <vector>

namespace arbor::imports::chatgpt {

namespace {

using json::Value;

QString fenced(const QString &language, const QString &body)
{
    QString fence = QStringLiteral("```");
    while (body.contains(fence))
        fence += u'`';
    return fence + language + u'\n' + body
        + (body.endsWith(u'\n') ? QString() : QStringLiteral("\n")) + fence;
}

/** A part of a multimodal message: text, or a line standing for an asset the export lacks. */
QString partText(const Value &part)
{
    if (part.IsString())
        return json::text(&part);
    if (!part.IsObject())
        return {};
    const QString type = json::text(part, "content_type");
    if (type.endsWith(u"asset_pointer")) {
        QString pointer = json::text(part, "asset_pointer");
        if (const qsizetype scheme = pointer.indexOf(QStringLiteral("://")); scheme >= 0)
            pointer = pointer.mid(scheme + 3);
        const QString kind = type.startsWith(u"audio") ? QStringLiteral("audio")
            : type.startsWith(u"video")                ? QStringLiteral("video")
                                                       : QStringLiteral("image");
        return QStringLiteral("[%1: %2 (not included in the export)]")
            .arg(kind, pointer.isEmpty() ? QStringLiteral("unnamed") : pointer);
    }
    if (const QString t = json::text(part, "text"); !t.isEmpty())
        return t;
    return type.isEmpty() ? QString()
                          : QStringLiteral("[%1 (not included in the export)]").arg(type);
}

QString joinedParts(const Value &content)
{
    QStringList out;
    if (const Value *parts = json::array(content, "parts")) {
        for (const Value &p : parts->GetArray()) {
            const QString t = partText(p);
            if (!t.isEmpty())
                out << t;
        }
    }
    return out.join(u'\n');
}

QString quote(const Value &content)
{
    QString q = json::text(content, "text").trimmed();
    q.replace(u'\n', QStringLiteral("\n> "));
    QString out = QStringLiteral("> ") + q;
    const QString title = json::text(content, "title");
    const QString url = json::text(content, "url");
    if (!url.isEmpty())
        out += QStringLiteral("\n\n— [%1](%2)").arg(title.isEmpty() ? url : title, url);
    return out;
}

QString link(const Value *meta)
{
    const QString url = meta ? json::text(*meta, "url") : QString();
    if (url.isEmpty())
        return {};
    const QString title = json::text(*meta, "title");
    return QStringLiteral("[%1](%2)").arg(title.isEmpty() ? url : title, url);
}

/** UTF-16 index of code point @p cp in @p s (ChatGPT counts code points, as Python does). */
qsizetype utf16At(const QString &s, qint64 cp)
{
    qsizetype i = 0;
    for (qint64 n = 0; n < cp && i < s.size(); ++n)
        i += (s.at(i).isHighSurrogate() && i + 1 < s.size()) ? 2 : 1;
    return i;
}

} // namespace

QString withCitations(QString text, const Value *metadata)
{
    struct Span
    {
        qsizetype from;
        qsizetype to;
        QString replacement;
    };
    std::vector<Span> spans;
    if (const Value *citations = metadata ? json::array(*metadata, "citations") : nullptr) {
        for (const Value &c : citations->GetArray()) {
            const double from = json::number(c, "start_ix");
            const double to = json::number(c, "end_ix");
            if (from < 0 || to <= from)
                continue;
            const qsizetype a = utf16At(text, qint64(from));
            const qsizetype b = utf16At(text, qint64(to));
            // Only a span that is a citation mark: an index from another version of the text
            // must not cut the answer.
            if (a >= text.size() || b > text.size() || text.at(a) != QChar(0x3010)
                || text.at(b - 1) != QChar(0x3011))
                continue;
            const QString l = link(json::object(c, "metadata"));
            spans.push_back({a, b, l.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(l)});
        }
    }
    std::sort(spans.begin(), spans.end(),
              [](const Span &x, const Span &y) { return x.from > y.from; });
    qsizetype limit = text.size();
    for (const Span &s : spans) {
        if (s.to > limit)
            continue; // overlaps the one after it
        text.replace(s.from, s.to - s.from, s.replacement);
        limit = s.from;
    }
    // Newer exports: `content_references` give each mark's text and what stands for it.
    if (const Value *refs = metadata ? json::array(*metadata, "content_references") : nullptr) {
        for (const Value &r : refs->GetArray()) {
            const QString matched = json::text(r, "matched_text");
            if (matched.isEmpty())
                continue;
            QString alt = json::text(r, "alt");
            if (alt.isEmpty()) {
                QStringList links;
                if (const Value *items = json::array(r, "items")) {
                    for (const Value &item : items->GetArray()) {
                        if (const QString l = link(&item); !l.isEmpty())
                            links << l;
                    }
                }
                if (!links.isEmpty())
                    alt = QStringLiteral(" (%1)").arg(links.join(QStringLiteral(", ")));
            }
            text.replace(matched, alt);
        }
    }
    // Marks nothing explains point at search results the export does not show.
    static const QRegularExpression mark(
        QStringLiteral("\u3010\\d+(?::\\d+)?\u2020[^\u3010\u3011\\n]*\u3011"));
    text.remove(mark);
    return text;
}

Parsed parseMessage(const Value &message, const QString &role)
{
    Parsed p;
    const Value *content = json::object(message, "content");
    const QString type = content ? json::text(*content, "content_type") : QString();
    const Value *metadata = json::object(message, "metadata");
    if (type == u"user_editable_context" || type == u"model_editable_context") {
        p.kind = Kind::Hidden;
        return p;
    }
    if (type == u"thoughts") {
        QStringList parts;
        if (const Value *thoughts = json::array(*content, "thoughts")) {
            for (const Value &t : thoughts->GetArray()) {
                const QString summary = json::text(t, "summary");
                const QString body = json::text(t, "content");
                if (!summary.isEmpty() && !body.isEmpty())
                    parts << QStringLiteral("**%1**\n\n%2").arg(summary, body);
                else if (!summary.isEmpty() || !body.isEmpty())
                    parts << summary + body;
            }
        }
        p.kind = Kind::Thoughts;
        p.reasoning = parts.join(QStringLiteral("\n\n"));
        return p;
    }
    if (type == u"reasoning_recap") {
        p.kind = Kind::Recap;
        p.content = json::text(*content, "content");
        return p;
    }
    QString text;
    if (!content) {
        text.clear();
    } else if (type.isEmpty() || type == u"text" || type == u"multimodal_text") {
        text = joinedParts(*content);
    } else if (type == u"code") {
        text = json::text(*content, "text");
    } else if (type == u"execution_output") {
        text = json::text(*content, "text");
    } else if (type == u"tether_quote") {
        text = quote(*content);
    } else if (type == u"tether_browsing_display") {
        QStringList parts;
        if (const QString s = json::text(*content, "summary"); !s.isEmpty())
            parts << s;
        if (const QString r = json::text(*content, "result"); !r.isEmpty())
            parts << r;
        text = parts.join(QStringLiteral("\n\n"));
    } else if (const QString t = json::text(*content, "text"); !t.isEmpty()) {
        text = t; // system_error and other kinds that carry text
    } else if (json::array(*content, "parts")) {
        text = joinedParts(*content);
    } else {
        text = QStringLiteral("[%1: not supported by this version of Arbor]").arg(type);
    }

    const QString recipient = json::text(message, "recipient");
    if (role == u"tool") {
        p.kind = Kind::Output;
        p.output = text;
        // Shown on its own (no call above it): code output as code, the rest as it is.
        p.content = type == u"execution_output" ? fenced(QString(), text) : text;
        return p;
    }
    if (role == u"assistant" && !recipient.isEmpty() && recipient != u"all") {
        p.kind = Kind::Call;
        p.callName = recipient;
        const QByteArray utf8 = text.toUtf8();
        rapidjson::Document args;
        args.Parse(utf8.constData(), size_t(utf8.size()));
        if (!args.HasParseError() && args.IsObject()) {
            p.callArgs = json::compact(args);
        } else {
            rapidjson::Document o(rapidjson::kObjectType);
            rapidjson::Value v;
            v.SetString(utf8.constData(), rapidjson::SizeType(utf8.size()), o.GetAllocator());
            const rapidjson::Value::StringRefType key =
                type == u"code" ? rapidjson::StringRef("code") : rapidjson::StringRef("input");
            o.AddMember(key, v, o.GetAllocator());
            p.callArgs = json::compact(o);
        }
        const QString language = type == u"code" ? json::text(*content, "language") : QString();
        p.content = fenced(language == u"unknown" ? QString() : language, text);
        return p;
    }
    if (type == u"code") {
        const QString language = json::text(*content, "language");
        p.content = fenced(language == u"unknown" ? QString() : language, text);
    } else if (type == u"execution_output") {
        p.content = fenced(QString(), text);
    } else if (role == u"assistant") {
        p.content = withCitations(text, metadata);
    } else {
        p.content = text;
    }
    return p;
}

qint64 recapMs(const QString &text)
{
    static const QRegularExpression re(
        QStringLiteral("(?:(\\d+)\\s*m(?:in(?:ute)?s?)?\\s*)?(\\d+)\\s*s(?:ec(?:ond)?s?)?"));
    const auto m = re.match(text);
    if (!m.hasMatch())
        return -1;
    return (m.captured(1).toLongLong() * 60 + m.captured(2).toLongLong()) * 1000;
}

} // namespace arbor::imports::chatgpt
