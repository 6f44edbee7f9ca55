#include "toolturns.h"

#include "domain/ids.h"

namespace arbor::chat::toolturns {

using domain::ToolCall;

bool settled(const ToolCall &c)
{
    return c.status == ToolCall::Done || c.status == ToolCall::Failed
        || c.status == ToolCall::Denied || c.status == ToolCall::Interrupted;
}

qsizetype pendingFrom(const QList<ToolCall> &calls)
{
    if (calls.isEmpty() || calls.constLast().status != ToolCall::Requested)
        return -1;
    const QJsonValue round = calls.constLast().other.value(QLatin1String(RoundKey));
    qsizetype from = calls.size() - 1;
    while (from > 0 && calls.at(from - 1).status == ToolCall::Requested
           && calls.at(from - 1).other.value(QLatin1String(RoundKey)) == round)
        --from;
    return from;
}

QString interrupted(const QString &toolCalls)
{
    QList<ToolCall> calls = domain::toolcalls::parse(toolCalls);
    bool changed = false;
    for (ToolCall &c : calls) {
        if (c.status == ToolCall::Running || c.status == ToolCall::AwaitingApproval) {
            c.status = ToolCall::Interrupted;
            c.isError = true;
            c.result = QStringLiteral("Arbor stopped before this call finished.");
            c.finishedAt = domain::nowMs();
            changed = true;
        }
    }
    return changed ? domain::toolcalls::toText(calls) : QString();
}

QString keepSettled(const QString &stored, const QString &fresh)
{
    const QList<ToolCall> before = domain::toolcalls::parse(stored);
    QList<ToolCall> calls = domain::toolcalls::parse(fresh);
    bool changed = false;
    for (qsizetype i = 0; i < calls.size() && i < before.size(); ++i) {
        if (!settled(calls.at(i)) && settled(before.at(i))
            && before.at(i).name == calls.at(i).name) {
            calls[i] = before.at(i);
            changed = true;
        }
    }
    return changed ? domain::toolcalls::toText(calls) : fresh;
}

QList<llm::ChatTurn> assistantTurns(const QString &content, const QList<ToolCall> &calls,
                                    QString *tail)
{
    QList<llm::ChatTurn> turns;
    qsizetype pos = 0;
    qsizetype i = 0;
    while (i < calls.size()) {
        const int round = calls.at(i).other.value(QLatin1String(RoundKey)).toInt();
        QList<llm::ToolExchange> exchanges;
        qsizetype end = pos;
        for (;
             i < calls.size() && calls.at(i).other.value(QLatin1String(RoundKey)).toInt() == round;
             ++i) {
            const ToolCall &c = calls.at(i);
            if (!settled(c))
                continue;
            QString result = c.result;
            if (c.status == ToolCall::Interrupted && result.isEmpty())
                result = QStringLiteral("The call was interrupted before it finished.");
            exchanges.append({c.id.isEmpty() ? QStringLiteral("call_%1").arg(i) : c.id, c.name,
                              c.arguments.isEmpty() ? QStringLiteral("{}") : c.arguments, result,
                              c.isError || c.status != ToolCall::Done, int(i)});
            end = std::max(end, std::min<qsizetype>(c.at, content.size()));
        }
        if (exchanges.isEmpty())
            continue;
        llm::ChatTurn turn{QStringLiteral("assistant"), content.mid(pos, end - pos)};
        turn.toolCalls = exchanges;
        turns.append(turn);
        pos = end;
    }
    *tail = content.mid(pos);
    return turns;
}

} // namespace arbor::chat::toolturns
