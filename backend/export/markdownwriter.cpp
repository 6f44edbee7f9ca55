#include "markdownwriter.h"

#include "exportreader.h"
#include "messageparts.h"
#include "outputsink.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>

namespace arbor::exports {

namespace {

QString roleName(const QString &role)
{
    if (role == u"user")
        return QStringLiteral("User");
    if (role == u"assistant")
        return QStringLiteral("Assistant");
    if (role == u"system")
        return QStringLiteral("System");
    return role;
}

QString oneLine(QString text)
{
    text.replace(QLatin1Char('\r'), QLatin1Char(' '));
    text.replace(QLatin1Char('\n'), QLatin1Char(' '));
    return text.trimmed();
}

QString utcTime(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC)
               .toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"))
        + QStringLiteral(" UTC");
}

/** @brief "850 ms", "4.2 s", "12 s", "3 min 5 s". */
QString duration(qint64 ms)
{
    if (ms < 1000)
        return QStringLiteral("%1 ms").arg(ms);
    if (ms < 10'000)
        return QStringLiteral("%1 s").arg(double(ms) / 1000, 0, 'f', 1);
    const qint64 s = (ms + 500) / 1000;
    if (s < 60)
        return QStringLiteral("%1 s").arg(s);
    return QStringLiteral("%1 min %2 s").arg(s / 60).arg(s % 60);
}

/** @brief A code fence longer than any run of backticks in @p text. */
QString fenceFor(QStringView text)
{
    qsizetype longest = 0, run = 0;
    for (const QChar c : text) {
        run = c == u'`' ? run + 1 : 0;
        longest = std::max(longest, run);
    }
    return QString(std::max<qsizetype>(3, longest + 1), QLatin1Char('`'));
}

/** @brief Lines of @p text each after "> " (a quote). */
QString quoted(QStringView text)
{
    QString out;
    for (const QStringView line : text.split(u'\n'))
        out += (line.isEmpty() ? QStringLiteral(">") : QStringLiteral("> ") + line.toString())
            + QLatin1Char('\n');
    return out;
}

QString toolCall(const domain::ToolCall &call)
{
    QString out = QStringLiteral("**Tool call** `%1`").arg(call.name);
    if (!call.id.isEmpty())
        out += QStringLiteral(" (id `%1`)").arg(call.id);
    out += QStringLiteral(":\n\n");
    QJsonParseError error{};
    const QJsonDocument arguments = QJsonDocument::fromJson(call.arguments.toUtf8(), &error);
    const QString body = error.error == QJsonParseError::NoError && !arguments.isNull()
        ? QString::fromUtf8(arguments.toJson(QJsonDocument::Indented)).trimmed()
        : call.arguments;
    const QString fence = fenceFor(body);
    out += fence + QStringLiteral("json\n") + body + QLatin1Char('\n') + fence;
    if (!call.result.isEmpty()) {
        out += QStringLiteral("\n\n")
            + (call.isError ? QStringLiteral("Error:\n\n") : QStringLiteral("Result:\n\n"));
        const QString resultFence = fenceFor(call.result);
        out += resultFence + QLatin1Char('\n') + call.result + QLatin1Char('\n') + resultFence;
    }
    return out;
}

} // namespace

MarkdownWriter::MarkdownWriter(OutputSink &sink, Branches branches)
    : m_sink(sink)
    , m_branches(branches)
{
}

void MarkdownWriter::block(QStringView text)
{
    while (text.endsWith(u'\n'))
        text.chop(1);
    if (!m_first)
        m_sink.write('\n');
    m_first = false;
    m_sink.write(text);
    m_sink.write('\n');
}

qint64 MarkdownWriter::conversation(const Outline &o, ExportReader &reader)
{
    const QString title = oneLine(o.conversation.title);
    block(QStringLiteral("# ")
          + (title.isEmpty() ? QStringLiteral("Untitled conversation") : title));
    const QString system =
        settingsObject(o.conversation.settings).value(u"system_prompt").toString();
    if (!system.isEmpty())
        block(quoted(QStringLiteral("**System prompt:** ") + system));
    const QStringList &ids = m_branches == Branches::All ? o.order : o.currentPath;
    if (ids.isEmpty()) {
        block(u"*No messages.*");
        return 0;
    }
    const QSet<QString> current(o.currentPath.cbegin(), o.currentPath.cend());
    QHash<QString, int> forkNumbers; // the number of each message with several children
    int number = 0;
    reader.forEach(ids, [&](const domain::Message &m) {
        ++number;
        if (m_branches == Branches::All) {
            const QStringList siblings = o.children.value(m.parentId);
            if (siblings.size() > 1) {
                const QString from = m.parentId.isEmpty()
                    ? QStringLiteral("the start")
                    : QStringLiteral("message %1").arg(forkNumbers.value(m.parentId));
                block(QStringLiteral("## Branch %1 of %2 from %3%4")
                          .arg(siblings.indexOf(m.id) + 1)
                          .arg(siblings.size())
                          .arg(from,
                               current.contains(m.id) ? QStringLiteral(" (current)") : QString()));
            }
            if (o.children.value(m.id).size() > 1)
                forkNumbers.insert(m.id, number);
        }
        message(m, m_branches == Branches::All ? number : 0);
    });
    return number;
}

void MarkdownWriter::message(const domain::Message &m, int number)
{
    QString heading = number > 0 ? QStringLiteral("### %1. ").arg(number) : QStringLiteral("## ");
    heading += roleName(m.role);
    if (m.role == u"assistant") {
        const QString model = m.model.isEmpty() ? m.author : m.model;
        if (!model.isEmpty())
            heading += QStringLiteral(" · ") + oneLine(model);
    }
    heading += QStringLiteral(" · ") + utcTime(m.createdAt);
    block(heading);
    if (!m.label.isEmpty())
        block(QStringLiteral("*Label: %1*").arg(oneLine(m.label)));
    if (!m.reasoning.isEmpty()) {
        const QString summary = m.reasoningMs >= 0
            ? QStringLiteral("Thinking (%1)").arg(duration(m.reasoningMs))
            : QStringLiteral("Thinking");
        block(QStringLiteral("<details>\n<summary>%1</summary>\n\n%2\n\n</details>")
                  .arg(summary, m.reasoning.trimmed()));
    }
    for (const ContentPart &part : contentParts(m)) {
        if (part.call)
            block(toolCall(*part.call));
        else if (!part.text.trimmed().isEmpty())
            block(part.text);
    }
    switch (exportedStatus(m.status)) {
    case domain::MessageStatus::Complete:
        break;
    case domain::MessageStatus::Error:
        block(quoted(QStringLiteral("**Error:** ")
                     + (m.error.isEmpty() ? QStringLiteral("the reply failed") : m.error)));
        break;
    default:
        block(QStringLiteral("*(%1)*").arg(domain::toString(exportedStatus(m.status))));
        break;
    }
}

} // namespace arbor::exports
