#include "compare.h"

#include "chatservice.h"

#include "store/sql.h"

#include <QJsonDocument>

namespace arbor::chat {

namespace {

const QLatin1String kColumnParameters[] = {
    QLatin1String("temperature"), QLatin1String("max_tokens"), QLatin1String("thinking_budget")};

bool isColumnParameter(const QString &key)
{
    return std::find(std::begin(kColumnParameters), std::end(kColumnParameters), key)
        != std::end(kColumnParameters);
}

[[noreturn]] void bad(const QString &text)
{
    throw store::StoreError(text);
}

} // namespace

QString CompareModel::spec() const
{
    QString s = key();
    for (const QLatin1String name : kColumnParameters) {
        const QJsonValue v = parameters.value(name);
        if (v.isDouble())
            s += QLatin1Char(':') + name + QLatin1Char('=') + QString::number(v.toDouble());
    }
    return s;
}

QJsonObject CompareModel::toJson() const
{
    QJsonObject o{{QStringLiteral("provider"), provider}, {QStringLiteral("model"), model}};
    if (!parameters.isEmpty())
        o.insert(QStringLiteral("parameters"), parameters);
    return o;
}

CompareModel CompareModel::fromJson(const QJsonObject &json)
{
    return {json.value(u"provider").toString(), json.value(u"model").toString(),
            json.value(u"parameters").toObject()};
}

namespace compare {

CompareModel parseSpec(const QString &text)
{
    const QString entry = text.trimmed();
    const qsizetype slash = entry.indexOf(QLatin1Char('/'));
    if (slash <= 0 || slash == entry.size() - 1)
        bad(QStringLiteral("“%1” is not PROVIDER/MODEL.").arg(entry));
    CompareModel m;
    m.provider = entry.left(slash);
    QString rest = entry.mid(slash + 1);
    // Parameters are ":name=value" at the end; a model id may hold ':' itself (llama3:8b).
    for (;;) {
        const qsizetype colon = rest.lastIndexOf(QLatin1Char(':'));
        if (colon < 0)
            break;
        const QString part = rest.mid(colon + 1);
        const qsizetype eq = part.indexOf(QLatin1Char('='));
        if (eq < 0)
            break;
        const QString name = part.left(eq).trimmed().replace(QLatin1Char('-'), QLatin1Char('_'));
        if (!isColumnParameter(name))
            bad(QStringLiteral("“%1” is not a parameter a column can set (temperature, "
                               "max_tokens, thinking_budget).")
                    .arg(part.left(eq)));
        bool ok = false;
        const double value = part.mid(eq + 1).trimmed().toDouble(&ok);
        if (!ok)
            bad(QStringLiteral("“%1” is not a number.").arg(part.mid(eq + 1)));
        if (!m.parameters.contains(name))
            m.parameters.insert(name, value);
        rest.truncate(colon);
    }
    if (rest.isEmpty())
        bad(QStringLiteral("“%1” names no model.").arg(entry));
    m.model = rest;
    return m;
}

QList<CompareModel> parseSpecs(const QString &text)
{
    QList<CompareModel> out;
    for (const QString &part : text.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        if (!part.trimmed().isEmpty())
            out.append(parseSpec(part));
    }
    return out;
}

QJsonArray toJson(const QList<CompareModel> &models)
{
    QJsonArray a;
    for (const CompareModel &m : models)
        a.append(m.toJson());
    return a;
}

QList<CompareModel> fromJson(const QJsonArray &json)
{
    QList<CompareModel> out;
    for (const QJsonValue &v : json)
        out.append(CompareModel::fromJson(v.toObject()));
    return out;
}

QString validate(const QList<CompareModel> &models)
{
    if (models.size() < MinModels || models.size() > MaxModels)
        return QStringLiteral("Compare sends to %1 to %2 models (%3 given).")
            .arg(MinModels)
            .arg(MaxModels)
            .arg(models.size());
    for (const CompareModel &m : models) {
        if (m.provider.isEmpty() || m.model.isEmpty())
            return QStringLiteral("Each model of a compare needs a provider and a model.");
        for (auto it = m.parameters.begin(); it != m.parameters.end(); ++it) {
            if (!isColumnParameter(it.key()))
                return QStringLiteral("“%1” is not a parameter a column can set.").arg(it.key());
        }
        if (const QString e = ChatService::validateSettings(m.parameters); !e.isEmpty())
            return QStringLiteral("%1: %2").arg(m.spec(), e);
    }
    return {};
}

QString defaultFusePrompt()
{
    return QStringLiteral(
        "Several assistants answered the question below. Write the single best answer to it: "
        "keep what is correct and useful in their answers, settle where they disagree, leave "
        "out mistakes and repetition. Answer the question directly, in the language of the "
        "question, without mentioning the other answers.\n\n"
        "Question:\n{{question}}\n\n"
        "{{answers}}");
}

QString renderFusePrompt(const QString &templ, const QString &question,
                         const QList<domain::Message> &replies)
{
    QString answers;
    for (qsizetype i = 0; i < replies.size(); ++i) {
        const domain::Message &r = replies.at(i);
        answers += QStringLiteral("Answer %1 (%2):\n%3\n\n")
                       .arg(i + 1)
                       .arg(r.author.isEmpty() ? r.model : r.author, r.content.trimmed());
    }
    answers = answers.trimmed();
    QString out = templ;
    if (out.contains(u"{{question}}"))
        out.replace(QStringLiteral("{{question}}"), question);
    else
        out += QStringLiteral("\n\nQuestion:\n") + question;
    if (out.contains(u"{{answers}}"))
        out.replace(QStringLiteral("{{answers}}"), answers);
    else
        out += QStringLiteral("\n\n") + answers;
    return out;
}

QStringList fusedFrom(const domain::Message &message)
{
    QStringList ids;
    if (message.fusedFrom.isEmpty())
        return ids;
    for (const QJsonValue &v : QJsonDocument::fromJson(message.fusedFrom.toUtf8()).array())
        ids.append(v.toString());
    return ids;
}

qint64 ttftMs(const domain::Message &m)
{
    if (m.firstTokenAt <= 0 || m.createdAt <= 0)
        return -1;
    return std::max<qint64>(0, m.firstTokenAt - m.createdAt);
}

double tokensPerSecond(const domain::Message &m)
{
    if (m.firstTokenAt <= 0 || m.finishedAt <= 0 || m.completionTokens < 0)
        return -1;
    const qint64 ms = m.finishedAt - m.firstTokenAt;
    if (ms <= 0)
        return -1;
    return double(m.completionTokens) * 1000.0 / double(ms);
}

} // namespace compare

} // namespace arbor::chat
