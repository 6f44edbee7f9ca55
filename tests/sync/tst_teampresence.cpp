// presenceView() (sync/teampresence): what the server's presence rows mean for one person —
// who is in the open conversation, who is online in the workspace shown, who types.
#include "sync/teampresence.h"

#include <QTest>

using namespace arbor::sync;

class TestTeamPresence : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initials()
    {
        QCOMPARE(initialsOf(QStringLiteral("alice")), QStringLiteral("A"));
        QCOMPARE(initialsOf(QStringLiteral("bob.smith")), QStringLiteral("BS"));
        QCOMPARE(initialsOf(QStringLiteral("x-y-z")), QStringLiteral("XY"));
        QCOMPARE(initialsOf(QStringLiteral("..")), QStringLiteral("?"));
    }

    void hereOnlineAndTyping()
    {
        const QString team = QStringLiteral("w1");
        const QString lab = QStringLiteral("w2");
        const QString open = QStringLiteral("c1");
        const QList<PresenceEntry> entries{
            {team, QStringLiteral("me"), open, true, true},     // myself, other device
            {team, QStringLiteral("bob"), open, true, true},    // here, typing
            {lab, QStringLiteral("bob"), {}, false, true},      // bob again, elsewhere
            {team, QStringLiteral("carol"), open, false, true}, // here
            {team, QStringLiteral("dave"), {}, false, true},    // online only
            {team, QStringLiteral("erin"), open, true, false},  // gone
            {lab, QStringLiteral("frank"), open, true, true},   // same id, other workspace
        };
        const PresenceView v = presenceView(entries, QStringLiteral("me"), open, team, team);
        QCOMPARE(v.here.size(), 2);
        QCOMPARE(v.here.at(0).user, QStringLiteral("bob"));
        QVERIFY(v.here.at(0).typing);
        QCOMPARE(v.here.at(1).user, QStringLiteral("carol"));
        QCOMPARE(v.online.size(), 3); // bob, carol, dave: once each, in the workspace shown
        QVERIFY(v.online.at(0).here && v.online.at(0).typing);
        QVERIFY(!v.online.at(2).here);
        QCOMPARE(v.typingText, QStringLiteral("bob is typing…"));

        // Personal shown: nobody is listed online; a personal conversation has nobody in it.
        const PresenceView personal = presenceView(entries, QStringLiteral("me"), {}, {}, {});
        QVERIFY(personal.here.isEmpty() && personal.online.isEmpty());
        QCOMPARE(personal.typingText, QString());
    }

    void manyTypists()
    {
        QList<PresenceEntry> entries;
        for (const char *name : {"ann", "ben", "cid", "dan"})
            entries.append(
                {QStringLiteral("w"), QString::fromLatin1(name), QStringLiteral("c"), true, true});
        QCOMPARE(presenceView(entries, {}, QStringLiteral("c"), QStringLiteral("w"), {}).typingText,
                 QStringLiteral("ann, ben and 2 more are typing…"));
        entries.resize(2);
        QCOMPARE(presenceView(entries, {}, QStringLiteral("c"), QStringLiteral("w"), {}).typingText,
                 QStringLiteral("ann and ben are typing…"));
    }
};

QTEST_GUILESS_MAIN(TestTeamPresence)
#include "tst_teampresence.moc"
