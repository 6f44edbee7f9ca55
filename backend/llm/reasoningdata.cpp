#include "reasoningdata.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace arbor::llm::reasoningdata {

QJsonObject parse(const QString &text)
{
    if (text.isEmpty())
        return {};
    return QJsonDocument::fromJson(text.toUtf8()).object();
}

QString toText(const QJsonObject &state)
{
    if (state.isEmpty())
        return {};
    return QString::fromUtf8(QJsonDocument(state).toJson(QJsonDocument::Compact));
}

QJsonObject withContentBase(QJsonObject state, qsizetype base, qsizetype callBase)
{
    if (base == 0 && callBase == 0)
        return state;
    QJsonArray parts = state.value(u"parts").toArray();
    for (qsizetype i = 0; i < parts.size(); ++i) {
        QJsonObject part = parts.at(i).toObject();
        if (part.value(u"in").toString() == u"content")
            part.insert(QStringLiteral("start"), part.value(u"start").toInteger() + base);
        else if (part.value(u"type").toString() == u"function_call")
            part.insert(QStringLiteral("call"), part.value(u"call").toInteger() + callBase);
        else
            continue;
        parts.replace(i, part);
    }
    state.insert(QStringLiteral("parts"), parts);
    return state;
}

QString textOf(const QJsonObject &part, const QString &content, const QString &reasoning)
{
    const QString in = part.value(u"in").toString();
    const QString *text = in == u"content" ? &content : in == u"reasoning" ? &reasoning : nullptr;
    const qint64 start = part.value(u"start").toInteger(-1);
    const qint64 length = part.value(u"length").toInteger(-1);
    if (!text || start < 0 || length < 0 || start + length > text->size())
        return {};
    return text->sliced(start, length);
}

} // namespace arbor::llm::reasoningdata
