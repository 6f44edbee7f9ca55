#include "conversationlistmodel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using arbor::app::ConversationListModel;
using arbor::domain::Conversation;

namespace {

Conversation conv(const QString &id, const QString &title, qint64 updated)
{
    Conversation c;
    c.id = id;
    c.title = title;
    c.updatedAt = updated;
    return c;
}

QStringList ids(const ConversationListModel &model)
{
    QStringList out;
    for (int i = 0; i < model.rowCount(); ++i)
        out.append(model.data(model.index(i), ConversationListModel::IdRole).toString());
    return out;
}

} // namespace

class TestConversationListModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void updatesInPlaceWithoutReset()
    {
        ConversationListModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
        QSignalSpy moved(&model, &QAbstractItemModel::rowsMoved);
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);

        model.setConversations({conv("c", "C", 3), conv("b", "B", 2), conv("a", "A", 1)});
        QCOMPARE(ids(model), (QStringList{"c", "b", "a"}));

        // "a" got a new message: it moves to the top, with its new title.
        model.setConversations({conv("a", "A2", 4), conv("c", "C", 3), conv("b", "B", 2)});
        QCOMPARE(ids(model), (QStringList{"a", "c", "b"}));
        QCOMPARE(model.data(model.index(0), ConversationListModel::TitleRole).toString(),
                 QStringLiteral("A2"));
        QCOMPARE(moved.count(), 1);
        QVERIFY(changed.count() >= 1);

        // "c" was deleted, "d" is new.
        model.setConversations({conv("d", "D", 5), conv("a", "A2", 4), conv("b", "B", 2)});
        QCOMPARE(ids(model), (QStringList{"d", "a", "b"}));
        QCOMPARE(removed.count(), 1);
        QCOMPARE(resets.count(), 0);
        QCOMPARE(model.property("count").toInt(), 3);
    }

    void marksTheCurrentConversation()
    {
        ConversationListModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setConversations({conv("x", "X", 2), conv("y", "Y", 1)});
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        model.setCurrentId(QStringLiteral("y"));
        QVERIFY(!model.data(model.index(0), ConversationListModel::IsCurrentRole).toBool());
        QVERIFY(model.data(model.index(1), ConversationListModel::IsCurrentRole).toBool());
        model.setCurrentId(QStringLiteral("x"));
        QVERIFY(model.data(model.index(0), ConversationListModel::IsCurrentRole).toBool());
        QCOMPARE(changed.count(), 3);
        QCOMPARE(model.roleNames().value(ConversationListModel::IdRole),
                 QByteArray("conversationId"));
    }

    void filtersByWorkspaceAndCountsUnread()
    {
        ConversationListModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
        Conversation shared = conv("s", "Shared", 3);
        shared.workspaceId = QStringLiteral("ws");
        model.setConversations({shared, conv("p", "Personal", 2)});
        // Personal ("") by default.
        QCOMPARE(ids(model), (QStringList{"p"}));
        QVERIFY(model.find(QStringLiteral("s")));
        QCOMPARE(model.find(QStringLiteral("s"))->title, QStringLiteral("Shared"));

        model.setWorkspaceFilter(QStringLiteral("ws"));
        QCOMPARE(ids(model), (QStringList{"s"}));
        QCOMPARE(model.data(model.index(0), ConversationListModel::WorkspaceIdRole).toString(),
                 QStringLiteral("ws"));
        QCOMPARE(model.data(model.index(0), ConversationListModel::UnreadRole).toInt(), 0);

        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        model.setUnreadCounts({{QStringLiteral("s"), 3}, {QStringLiteral("elsewhere"), 1}});
        QCOMPARE(changed.count(), 1);
        QCOMPARE(changed.at(0).at(2).value<QList<int>>(),
                 QList<int>{ConversationListModel::UnreadRole});
        QCOMPARE(model.data(model.index(0), ConversationListModel::UnreadRole).toInt(), 3);

        // A teammate's new conversation arrives in the workspace shown.
        Conversation arrived = conv("n", "New from a teammate", 4);
        arrived.workspaceId = QStringLiteral("ws");
        model.setConversations({arrived, shared, conv("p", "Personal", 2)});
        QCOMPARE(ids(model), (QStringList{"n", "s"}));
        QCOMPARE(resets.count(), 0);
        QCOMPARE(model.roleNames().value(ConversationListModel::UnreadRole),
                 QByteArray("unreadCount"));
    }
};

QTEST_GUILESS_MAIN(TestConversationListModel)
#include "tst_conversationlistmodel.moc"
