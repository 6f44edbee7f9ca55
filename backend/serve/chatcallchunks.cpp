#include "chatcallchunks.h"

#include "chat/chatevents.h"
#include "store/servequeries.h"

#include <QJsonObject>

namespace arbor::serve {

namespace {

QString str(const char *s)
{
    return QString::fromLatin1(s);
}

QJsonObject arguments(qsizetype index, const QString &text)
{
    return {{str("index"), int(index)}, {str("function"), QJsonObject{{str("arguments"), text}}}};
}

QString whole(const QString &arguments)
{
    return arguments.trimmed().isEmpty() ? str("{}") : arguments;
}

} // namespace

QJsonArray ChatCallChunks::piece(const chat::ArgumentsPiece &p)
{
    if (m_cut)
        return {};
    const qsizetype k = p.call;
    if (k == m_sent.size()) {
        if (p.name.isEmpty())
            return {}; // begun once named
        if (p.offset > 0) {
            m_cut = true;
            return {};
        }
        m_sent.append(p.text);
        return {QJsonObject{
            {str("index"), int(k)},
            {str("id"), store::serve::callId(p.id, k)},
            {str("type"), str("function")},
            {str("function"), QJsonObject{{str("name"), p.name}, {str("arguments"), p.text}}}}};
    }
    if (k != m_sent.size() - 1 || p.offset != m_sent.at(k).size()) {
        m_cut = true; // out of order or a gap
        return {};
    }
    if (p.text.isEmpty())
        return {};
    m_sent[k] += p.text;
    return {arguments(k, p.text)};
}

QJsonArray ChatCallChunks::rest(const QList<domain::ToolCall> &calls) const
{
    QJsonArray out;
    for (qsizetype k = 0; k < calls.size(); ++k) {
        const domain::ToolCall &c = calls.at(k);
        const QString args = whole(c.arguments);
        if (k < m_sent.size()) {
            const QString &sent = m_sent.at(k);
            if (args.size() > sent.size() && args.startsWith(sent))
                out.append(arguments(k, args.mid(sent.size())));
            continue;
        }
        out.append(QJsonObject{
            {str("index"), int(k)},
            {str("id"), store::serve::callId(c.id, k)},
            {str("type"), str("function")},
            {str("function"), QJsonObject{{str("name"), c.name}, {str("arguments"), args}}}});
    }
    return out;
}

} // namespace arbor::serve
