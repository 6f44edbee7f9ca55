#include "teampresence.h"

#include <QRegularExpression>
#include <QSet>
#include <QStringList>

namespace arbor::sync {

QString initialsOf(const QString &user)
{
    static const QRegularExpression separators(QStringLiteral("[ ._@-]+"));
    const QStringList parts = user.split(separators, Qt::SkipEmptyParts);
    QString out;
    for (const QString &part : parts) {
        out += part.front().toUpper();
        if (out.size() == 2)
            break;
    }
    return out.isEmpty() ? QStringLiteral("?") : out;
}

PresenceView presenceView(const QList<PresenceEntry> &entries, const QString &self,
                          const QString &conversationId, const QString &conversationWorkspace,
                          const QString &workspaceShown)
{
    PresenceView view;
    QStringList typing;
    QSet<QString> seenHere;
    QSet<QString> seenOnline;
    for (const PresenceEntry &p : entries) {
        if (!p.online || p.user == self)
            continue;
        const bool inConversation = !conversationId.isEmpty() && p.conversationId == conversationId
            && (conversationWorkspace.isEmpty() || p.workspaceId == conversationWorkspace);
        if (inConversation && !seenHere.contains(p.user)) {
            seenHere.insert(p.user);
            view.here.append({p.user, initialsOf(p.user), true, p.typing});
            if (p.typing)
                typing.append(p.user);
        }
        if (!workspaceShown.isEmpty() && p.workspaceId == workspaceShown
            && !seenOnline.contains(p.user)) {
            seenOnline.insert(p.user);
            view.online.append(
                {p.user, initialsOf(p.user), inConversation, inConversation && p.typing});
        }
    }
    if (typing.size() == 1)
        view.typingText = QStringLiteral("%1 is typing…").arg(typing.first());
    else if (typing.size() == 2)
        view.typingText = QStringLiteral("%1 and %2 are typing…").arg(typing.at(0), typing.at(1));
    else if (typing.size() > 2)
        view.typingText = QStringLiteral("%1, %2 and %3 more are typing…")
                              .arg(typing.at(0), typing.at(1))
                              .arg(typing.size() - 2);
    return view;
}

} // namespace arbor::sync
