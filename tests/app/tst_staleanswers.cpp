// The app's controllers keep the newest answer (issue: the usage page's older range overwrote the
// newer one in CI). The store has two reader threads, so of two reads asked one after the other
// the older may answer last; AnswerOrder (tests/support) makes that certain: each test asks a
// view to read, changes the store through the backend's services, asks again, and delivers the
// newer answer first. The view must end on the newer state. Each fails without its generation
// counter (the older answer, delivered last, overwrote the view).
#include "app.h"
#include "chatcontroller.h"
#include "comparecolumnsmodel.h"
#include "comparecontroller.h"
#include "conversationcontroller.h"
#include "conversationlistmodel.h"
#include "pricelist.h"

#include "chat/chatevents.h"
#include "chat/chatservice.h"
#include "core/backend.h"
#include "support/answerorder.h"
#include "usage/usageservice.h"

#include <QTemporaryDir>
#include <QTest>

using namespace arbor;
using app::App;
using app::AppConfig;
using testsupport::AnswerOrder;

class TestStaleAnswers : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    int m_stores = 0;

    std::unique_ptr<App> makeApp()
    {
        const QString name = QStringLiteral("stale%1").arg(++m_stores);
        return std::make_unique<App>(AppConfig{m_dir.filePath(name + QStringLiteral(".db")), 0,
                                               m_dir.filePath(name + QStringLiteral(".ini"))});
    }

    static bool hasPrice(const QVariantList &prices, const QString &provider)
    {
        return std::any_of(prices.cbegin(), prices.cend(), [&](const QVariant &v) {
            return v.toMap().value(QStringLiteral("provider")) == provider;
        });
    }

    static QStringList setNames(const QVariantList &sets)
    {
        QStringList out;
        for (const QVariant &v : sets)
            out.append(v.toMap().value(QStringLiteral("name")).toString());
        return out;
    }

private Q_SLOTS:
    void initTestCase()
    {
        qputenv("ARBOR_DISCOVERY_PORTS", "");
        QVERIFY(m_dir.isValid());
    }

    void priceListKeepsTheNewestRead()
    {
        auto app = makeApp();
        app::PriceList *prices = app->prices();
        AnswerOrder order(prices);
        prices->refresh(); // reads the shipped prices
        usage::Price mine;
        mine.provider = QStringLiteral("my-gateway");
        mine.model = QStringLiteral("llama-4*");
        mine.validFrom = QStringLiteral("2026-01-01");
        mine.input = 0.2;
        mine.output = 0.6;
        app->backend()->usage().setPrice(mine).waitForFinished();
        prices->refresh(); // reads them with mine
        QCOMPARE(order.deliver(AnswerOrder::Order::NewestFirst), 2);
        QVERIFY(hasPrice(prices->prices(), QStringLiteral("my-gateway")));
    }

    void conversationListKeepsTheNewestRead()
    {
        auto app = makeApp();
        app::ConversationController *conversations = app->conversationController();
        QVERIFY(app->chat()->send(QStringLiteral("Tell me about oaks")));
        QTRY_VERIFY_WITH_TIMEOUT(!conversations->currentId().isEmpty() && !app->chat()->busy(),
                                 10000);
        QTRY_COMPARE(conversations->list()->rowCount(), 1);
        const QString id = conversations->currentId();

        AnswerOrder order(conversations);
        // refresh() reads on the next turn of the event loop: run just that turn.
        conversations->refresh();
        QCoreApplication::sendPostedEvents(conversations, QEvent::MetaCall);
        app->backend()->chat().remove(id).waitForFinished();
        conversations->refresh();
        QCoreApplication::sendPostedEvents(conversations, QEvent::MetaCall);
        QVERIFY(order.deliver(AnswerOrder::Order::NewestFirst) >= 2);
        QCOMPARE(conversations->list()->rowCount(), 0);
    }

    void conversationSettingsKeepTheNewestRead()
    {
        auto app = makeApp();
        app::ConversationController *conversations = app->conversationController();
        QVERIFY(app->chat()->send(QStringLiteral("Tell me about elms")));
        QTRY_VERIFY_WITH_TIMEOUT(!conversations->currentId().isEmpty() && !app->chat()->busy(),
                                 10000);
        const QString id = conversations->currentId();

        AnswerOrder order(conversations);
        conversations->loadSettings(); // no system prompt yet
        app->backend()
            ->chat()
            .setConversationSettings(
                id, QJsonObject{{QStringLiteral("system_prompt"), QStringLiteral("Be brief.")}})
            .waitForFinished();
        conversations->loadSettings();
        QCOMPARE(order.deliver(AnswerOrder::Order::NewestFirst), 2);
        QCOMPARE(conversations->settings().value(QStringLiteral("systemPrompt")).toString(),
                 QStringLiteral("Be brief."));
    }

    void compareSetsKeepTheNewestRead()
    {
        auto app = makeApp();
        app::CompareController *compare = app->compare();
        chat::ChatEvents &events = app->backend()->events();
        AnswerOrder order(compare);
        Q_EMIT events.modelSetsChanged(); // reads no set
        app->backend()
            ->chat()
            .saveModelSet(QStringLiteral("pair"),
                          {chat::CompareModel{QStringLiteral("demo"), QStringLiteral("demo"), {}},
                           chat::CompareModel{QStringLiteral("demo"), QStringLiteral("demo"),
                                              QJsonObject{{QStringLiteral("temperature"), 1}}}})
            .waitForFinished();
        Q_EMIT events.modelSetsChanged(); // reads the pair
        QVERIFY(order.deliver(AnswerOrder::Order::NewestFirst) >= 2);
        QCOMPARE(setNames(compare->modelSets()), QStringList{QStringLiteral("pair")});
    }

    void compareClosedBeforeItsOpenAnswersStaysClosed()
    {
        auto app = makeApp();
        app::CompareController *compare = app->compare();
        compare->setSelection(
            {QStringLiteral("demo/demo"), QStringLiteral("demo/demo:temperature=0.5")});
        QVERIFY(compare->send(QStringLiteral("Tell me about ashes")));
        QTRY_COMPARE_WITH_TIMEOUT(compare->columns()->rowCount(), 2, 10000);
        const QString userMessageId = compare->userMessageId();
        compare->close();
        QVERIFY(!compare->active());

        AnswerOrder order(compare);
        compare->open(userMessageId);
        compare->close(); // before open() had its answer
        QCOMPARE(order.deliver(AnswerOrder::Order::OldestFirst), 1);
        QVERIFY(!compare->active());
        QCOMPARE(compare->columns()->rowCount(), 0);
    }
};

QTEST_MAIN(TestStaleAnswers)
#include "tst_staleanswers.moc"
