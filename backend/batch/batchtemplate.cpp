#include "batchtemplate.h"

namespace arbor::batch {

BatchTemplate::BatchTemplate(const QString &text)
{
    qsizetype at = 0;
    QString literal;
    while (at < text.size()) {
        const qsizetype open = text.indexOf(QLatin1String("{{"), at);
        if (open < 0) {
            literal += QStringView(text).mid(at);
            break;
        }
        const qsizetype close = text.indexOf(QLatin1String("}}"), open + 2);
        if (close < 0) {
            literal += QStringView(text).mid(at);
            break;
        }
        const QString name = text.mid(open + 2, close - open - 2).trimmed();
        literal += QStringView(text).mid(at, open - at);
        if (name.isEmpty()) { // "{{}}" is text
            literal += QStringView(text).mid(open, close + 2 - open);
        } else {
            if (!literal.isEmpty())
                m_parts.append({std::exchange(literal, {}), false, -1});
            m_parts.append({name, true, -1});
        }
        at = close + 2;
    }
    if (!literal.isEmpty())
        m_parts.append({literal, false, -1});
}

QStringList BatchTemplate::variables() const
{
    QStringList out;
    for (const Part &p : m_parts)
        if (p.variable && !out.contains(p.text))
            out.append(p.text);
    return out;
}

QStringList BatchTemplate::missingFrom(const QStringList &columns) const
{
    QStringList out;
    for (const QString &v : variables())
        if (!columns.contains(v))
            out.append(v);
    return out;
}

void BatchTemplate::bind(const QStringList &columns)
{
    for (Part &p : m_parts)
        if (p.variable)
            p.column = int(columns.indexOf(p.text));
}

QString BatchTemplate::render(const QList<QString> &values) const
{
    QString out;
    for (const Part &p : m_parts) {
        if (!p.variable)
            out += p.text;
        else if (p.column >= 0 && p.column < values.size())
            out += values.at(p.column);
    }
    return out;
}

} // namespace arbor::batch
