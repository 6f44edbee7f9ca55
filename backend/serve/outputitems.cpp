#include "outputitems.h"

#include "store/servequeries.h"

namespace arbor::serve::outputitems {

namespace {
QString str(const char *s)
{
    return QString::fromLatin1(s);
}
} // namespace

QString itemStatus(const domain::Message &m)
{
    if (domain::isLive(m.status))
        return str("in_progress");
    return m.status == domain::MessageStatus::Complete ? str("completed") : str("incomplete");
}

QJsonObject reasoningItem(const domain::Message &m, const QString &reasoning, bool done)
{
    QJsonArray content;
    if (done)
        content.append(QJsonObject{{str("type"), str("reasoning_text")}, {str("text"), reasoning}});
    return {{str("type"), str("reasoning")},
            {str("id"), str("rs_") + m.id},
            {str("summary"), QJsonArray()},
            {str("content"), content},
            {str("status"), done ? str("completed") : str("in_progress")}};
}

QJsonObject messageItem(const domain::Message &m, const QString &text)
{
    const QJsonObject part{{str("type"), str("output_text")},
                           {str("text"), text},
                           {str("annotations"), QJsonArray()},
                           {str("logprobs"), QJsonArray()}};
    return {{str("type"), str("message")},
            {str("id"), m.id},
            {str("status"), itemStatus(m)},
            {str("role"), str("assistant")},
            {str("content"), QJsonArray{part}}};
}

QJsonObject openMessageItem(const domain::Message &m)
{
    return {{str("type"), str("message")},
            {str("id"), m.id},
            {str("status"), str("in_progress")},
            {str("role"), str("assistant")},
            {str("content"), QJsonArray()}};
}

QJsonObject functionCallItem(const domain::Message &m, const domain::ToolCall &call,
                             qsizetype index, bool done)
{
    return {{str("type"), str("function_call")},
            {str("id"), QStringLiteral("fc_%1_%2").arg(m.id).arg(index)},
            {str("call_id"), store::serve::callId(call.id, index)},
            {str("name"), call.name},
            {str("arguments"),
             done ? (call.arguments.isEmpty() ? str("{}") : call.arguments) : QString()},
            {str("status"), done ? str("completed") : str("in_progress")}};
}

bool hasMessageItem(const QString &text, const QList<domain::ToolCall> &calls)
{
    return !text.isEmpty() || calls.isEmpty();
}

QJsonArray output(const domain::Message &m, const QString &text)
{
    QJsonArray out;
    if (!m.reasoning.isEmpty())
        out.append(reasoningItem(m, m.reasoning, true));
    const QList<domain::ToolCall> calls = domain::toolcalls::parse(m.toolCalls);
    if (hasMessageItem(text, calls))
        out.append(messageItem(m, text));
    for (qsizetype i = 0; i < calls.size(); ++i)
        out.append(functionCallItem(m, calls.at(i), i));
    return out;
}

} // namespace arbor::serve::outputitems
