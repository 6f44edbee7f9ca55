// MessagePolicy (app/): which actions a message of the thread allows in each state, the table
// behind ThreadModel's can… roles and the checks in ChatController (STYLE rule 16).
#include "messagepolicy.h"

#include <QTest>

#include <optional>

using arbor::app::MessagePolicy;
using arbor::domain::Message;
using arbor::domain::MessageStatus;
using arbor::jobs::ErrorKind;
namespace MessageAction = arbor::app::MessageAction;

Q_DECLARE_METATYPE(MessageStatus)
Q_DECLARE_METATYPE(std::optional<ErrorKind>)

namespace {

Message message(const QString &role, MessageStatus status, const QString &content,
                const QString &error = {})
{
    Message m;
    m.id = QStringLiteral("m1");
    m.role = role;
    m.status = status;
    m.content = content;
    m.error = error;
    return m;
}

/** @brief What every message allows, whatever its state. */
constexpr MessageAction::Actions Always = MessageAction::Copy | MessageAction::CopyPlainText
    | MessageAction::Label | MessageAction::Fork | MessageAction::Delete;

} // namespace

class TestMessagePolicy : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void actions_data()
    {
        QTest::addColumn<QString>("role");
        QTest::addColumn<MessageStatus>("status");
        QTest::addColumn<QString>("content");
        QTest::addColumn<std::optional<ErrorKind>>("lastFailure");
        QTest::addColumn<int>("expected");

        const QString user = QStringLiteral("user");
        const QString assistant = QStringLiteral("assistant");
        const QString text = QStringLiteral("Some text");
        const std::optional<ErrorKind> unknown;
        using namespace MessageAction;

        QTest::newRow("user message")
            << user << MessageStatus::Complete << text << unknown << int(Always | Edit);
        QTest::newRow("system prompt") << QStringLiteral("system") << MessageStatus::Complete
                                       << text << unknown << int(Always);
        // Nothing that makes a new branch beside a reply that is still being written.
        QTest::newRow("queued reply")
            << assistant << MessageStatus::Queued << QString() << unknown << int(Always);
        QTest::newRow("streaming reply")
            << assistant << MessageStatus::Streaming << text << unknown << int(Always);
        QTest::newRow("complete reply")
            << assistant << MessageStatus::Complete << text << unknown << int(Always | Regenerate);
        // Stopped early with some text: it can be carried on; with none there is nothing to carry.
        QTest::newRow("stopped reply") << assistant << MessageStatus::Cancelled << text << unknown
                                       << int(Always | Regenerate | Continue);
        QTest::newRow("stopped before any text")
            << assistant << MessageStatus::Cancelled << QString() << unknown
            << int(Always | Regenerate);
        QTest::newRow("interrupted reply") << assistant << MessageStatus::Interrupted << text
                                           << unknown << int(Always | Regenerate | Continue);
        // A failure: retry; Settings only when they can fix it (or nobody knows).
        QTest::newRow("failed, kind unknown")
            << assistant << MessageStatus::Error << QString() << unknown
            << int(Always | Regenerate | Retry | OpenSettings);
        QTest::newRow("failed with text, key refused")
            << assistant << MessageStatus::Error << text << std::optional(ErrorKind::Auth)
            << int(Always | Regenerate | Continue | Retry | OpenSettings);
        QTest::newRow("failed, network")
            << assistant << MessageStatus::Error << QString() << std::optional(ErrorKind::Network)
            << int(Always | Regenerate | Retry);
        // The kind of a past failure does not matter once the reply completed.
        QTest::newRow("complete after a failure")
            << assistant << MessageStatus::Complete << text << std::optional(ErrorKind::Auth)
            << int(Always | Regenerate);
    }

    void actions()
    {
        QFETCH(QString, role);
        QFETCH(MessageStatus, status);
        QFETCH(QString, content);
        QFETCH(std::optional<ErrorKind>, lastFailure);
        QFETCH(int, expected);
        const Message m = message(role, status, content);
        QCOMPARE(int(MessagePolicy::allowed(m, lastFailure)), expected);
        // allows() answers the same, action by action.
        for (int bit = MessageAction::Copy; bit <= MessageAction::CopyPlainText; bit <<= 1) {
            const auto action = MessageAction::Action(bit);
            QCOMPARE(MessagePolicy::allows(m, action, lastFailure), (expected & bit) != 0);
        }
    }

    void retryingIsAQueuedReplyWithAnError()
    {
        const QString assistant = QStringLiteral("assistant");
        const QString refused = QStringLiteral("Connection refused");
        QVERIFY(MessagePolicy::isRetrying(message(assistant, MessageStatus::Queued, {}, refused)));
        QVERIFY(!MessagePolicy::isRetrying(message(assistant, MessageStatus::Queued, {})));
        QVERIFY(!MessagePolicy::isRetrying(message(assistant, MessageStatus::Error, {}, refused)));
        QVERIFY(!MessagePolicy::isRetrying(
            message(QStringLiteral("user"), MessageStatus::Queued, {}, refused)));
    }

    void settingsFixKeysModelsAndQuotasOnly()
    {
        for (ErrorKind kind : {ErrorKind::Auth, ErrorKind::NotFound, ErrorKind::BadRequest,
                               ErrorKind::Quota, ErrorKind::Other, ErrorKind::None})
            QVERIFY2(MessagePolicy::fixedInSettings(kind), qPrintable(arbor::jobs::toString(kind)));
        for (ErrorKind kind :
             {ErrorKind::RateLimited, ErrorKind::Network, ErrorKind::Server, ErrorKind::Overloaded,
              ErrorKind::Interrupted, ErrorKind::Protocol, ErrorKind::WorkerLost})
            QVERIFY2(!MessagePolicy::fixedInSettings(kind),
                     qPrintable(arbor::jobs::toString(kind)));
        QVERIFY(MessagePolicy::fixedInSettings(std::nullopt)); // unknown: offered
    }
};

QTEST_GUILESS_MAIN(TestMessagePolicy)
#include "tst_messagepolicy.moc"
