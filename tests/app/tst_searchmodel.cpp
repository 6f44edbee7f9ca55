// SearchModel (app/): the hits of a full-text search, each search replacing the last.
#include "searchmodel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using arbor::app::SearchModel;
using arbor::domain::SearchHit;

namespace {

SearchHit hit(const QString &messageId, const QString &conversationId, const QString &snippet)
{
    SearchHit h;
    h.messageId = messageId;
    h.conversationId = conversationId;
    h.conversationTitle = QStringLiteral("Title of ") + conversationId;
    h.role = QStringLiteral("user");
    h.snippet = snippet;
    return h;
}

} // namespace

class TestSearchModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void showsTheHitsOfEachSearch()
    {
        SearchModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy count(&model, &SearchModel::countChanged);
        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);

        model.setHits({hit(QStringLiteral("m1"), QStringLiteral("c1"), QStringLiteral("an oak")),
                       hit(QStringLiteral("m2"), QStringLiteral("c2"), QStringLiteral("oaks"))});
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.property("count").toInt(), 2);
        QCOMPARE(count.size(), 1);
        QCOMPARE(resets.size(), 1);
        const QModelIndex first = model.index(0);
        QCOMPARE(model.data(first, SearchModel::MessageIdRole).toString(), QStringLiteral("m1"));
        QCOMPARE(model.data(first, SearchModel::ConversationIdRole).toString(),
                 QStringLiteral("c1"));
        QCOMPARE(model.data(first, SearchModel::ConversationTitleRole).toString(),
                 QStringLiteral("Title of c1"));
        QCOMPARE(model.data(first, SearchModel::SnippetRole).toString(), QStringLiteral("an oak"));
        QCOMPARE(model.data(first, Qt::DisplayRole).toString(), QStringLiteral("an oak"));
        QCOMPARE(model.data(first, SearchModel::MessageRoleRole).toString(),
                 QStringLiteral("user"));
        // Best first: the order given is the order shown.
        QCOMPARE(model.data(model.index(1), SearchModel::MessageIdRole).toString(),
                 QStringLiteral("m2"));

        // The next search replaces the list; an empty one clears it.
        model.setHits({hit(QStringLiteral("m3"), QStringLiteral("c1"), QStringLiteral("pine"))});
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.data(model.index(0), SearchModel::MessageIdRole).toString(),
                 QStringLiteral("m3"));
        model.setHits({});
        QCOMPARE(model.rowCount(), 0);
        QCOMPARE(model.property("count").toInt(), 0);
        QCOMPARE(count.size(), 3);
        QVERIFY(!model.data(model.index(0), SearchModel::MessageIdRole).isValid());
    }

    void rolesAvoidItemProperties()
    {
        SearchModel model;
        const auto names = model.roleNames();
        QCOMPARE(names.value(SearchModel::MessageIdRole), QByteArray("messageId"));
        QCOMPARE(names.value(SearchModel::SnippetRole), QByteArray("snippet"));
        for (const char *reserved : {"id", "text", "title", "color", "width", "visible"})
            QVERIFY2(!names.values().contains(QByteArray(reserved)), reserved);
    }
};

QTEST_GUILESS_MAIN(TestSearchModel)
#include "tst_searchmodel.moc"
