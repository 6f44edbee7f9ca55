// `arbord chat`: send a message (or continue a reply) and follow the reply to its end, wherever
// it runs: this process, an `arbord worker`, another `arbord chat` or the app may claim it.
#include "commands.h"
#include "common.h"
#include "providercommands.h"

#include "chat/chatservice.h"
#include "chat/replyfollower.h"
#include "chat/replysession.h"
#include "core/backend.h"
#include "core/whenready.h"
#include "domain/continuation.h"
#include "domain/ids.h"
#include "domain/toolcall.h"
#include "jobs/jobengine.h"
#include "store/sql.h"
#include "store/store.h"
#include "tools/toolhost.h"
#include "tools/toolservice.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QSet>
#include <QTextStream>

#include <cmath>

namespace arbor::cli {

namespace {

const QString Command = QStringLiteral("chat");

/** @brief The reason of a stored error in a few words: "Rate limited by the vendor (HTTP 429):
 *  slow down" → "rate limited by the vendor". */
QString reasonOf(const QString &error)
{
    qsizetype cut = error.size();
    for (const QLatin1String separator : {QLatin1String(" (HTTP"), QLatin1String(": ")}) {
        const qsizetype at = error.indexOf(separator);
        if (at > 0)
            cut = std::min(cut, at);
    }
    QString reason = error.left(cut).trimmed();
    if (reason.isEmpty())
        return QStringLiteral("a passing error");
    reason[0] = reason[0].toLower();
    return reason;
}

/** @brief One line for a reply that waits, or "" when there is nothing to say. */
QString waitLine(const chat::ReplyWait &wait)
{
    if (wait.why == chat::ReplyWait::Why::Paused)
        return QStringLiteral("the queue “%1” is paused; the reply waits (arbord jobs resume %1)")
            .arg(wait.queue);
    const qint64 ms = wait.runAt - domain::nowMs();
    const qint64 seconds = std::max<qint64>(1, (ms + 999) / 1000);
    return QStringLiteral("%1, retrying in %2 s").arg(reasonOf(wait.lastError)).arg(seconds);
}

/** @brief The parameters given on the command line (SendRequest::settings); nullopt after a
 *  usage error was printed. */
std::optional<QJsonObject> parameters(const QCommandLineParser &parser,
                                      const QCommandLineOption &system,
                                      const QCommandLineOption &temperature,
                                      const QCommandLineOption &maxTokens,
                                      const QCommandLineOption &thinking)
{
    QJsonObject settings;
    if (parser.isSet(system)) {
        const QString text = parser.value(system);
        settings.insert(QStringLiteral("system_prompt"),
                        text.isEmpty() ? QJsonValue() : QJsonValue(text));
    }
    if (parser.isSet(temperature)) {
        if (parser.value(temperature) == u"default") {
            settings.insert(QStringLiteral("temperature"), QJsonValue());
        } else {
            const auto t = decimalOption(parser, temperature, 0, 2, Command);
            if (!t)
                return std::nullopt;
            settings.insert(QStringLiteral("temperature"), *t);
        }
    }
    if (parser.isSet(maxTokens)) {
        if (parser.value(maxTokens) == u"default") {
            settings.insert(QStringLiteral("max_tokens"), QJsonValue());
        } else {
            const auto n =
                wholeOption(parser, maxTokens, 1, chat::ChatService::MaxTokensLimit, Command);
            if (!n)
                return std::nullopt;
            settings.insert(QStringLiteral("max_tokens"), *n);
        }
    }
    if (parser.isSet(thinking)) {
        if (parser.value(thinking) == u"off") {
            settings.insert(QStringLiteral("thinking_budget"), QJsonValue());
        } else {
            const auto n = wholeOption(parser, thinking, chat::ChatService::MinThinkingBudget,
                                       chat::ChatService::MaxTokensLimit, Command);
            if (!n)
                return std::nullopt;
            settings.insert(QStringLiteral("thinking_budget"), *n);
        }
    }
    if (const QString error = chat::ChatService::validateSettings(settings); !error.isEmpty()) {
        err() << "arbord chat: " << error << "\n";
        return std::nullopt;
    }
    return settings;
}

/** @brief Prints the followed reply and ends the process when it ends. */
class ChatSession
{
public:
    ChatSession(core::Backend &backend, bool json)
        : m_backend(backend)
        , m_json(json)
        , m_app(QCoreApplication::instance())
        , m_follower(backend.chat(), backend.events(), backend.liveTexts())
    {
        auto &follower = m_follower;
        QObject::connect(&follower, &chat::ReplyFollower::textArrived, m_app,
                         [this](const QString &piece) {
                             if (m_json)
                                 return;
                             out() << piece;
                             out().flush();
                         });
        QObject::connect(&follower, &chat::ReplyFollower::waiting, m_app,
                         [](const chat::ReplyWait &wait) {
                             err() << "arbord chat: " << waitLine(wait) << "\n";
                             err().flush();
                         });
        QObject::connect(&follower, &chat::ReplyFollower::ended, m_app,
                         [this](domain::MessageStatus status, const QString &error, bool stored) {
                             ended(status, error, stored);
                         });
        QObject::connect(&follower, &chat::ReplyFollower::failed, m_app,
                         [this](const QString &error) {
                             err() << "arbord chat: " << error << "\n";
                             leave(Failure);
                         });
        // Replies of other senders that this process's engine claimed (see leave()).
        auto &engine = backend.engine();
        QObject::connect(&engine, &jobs::JobEngine::jobStarted, m_app,
                         [this](qint64 id) { m_running.insert(id); });
        QObject::connect(&engine, &jobs::JobEngine::jobFinished, m_app,
                         [this](qint64 id) { m_running.remove(id); });
    }

    /** @brief Follows the reply that @p request stored (resolving later). */
    void start(QFuture<chat::SendResult> stored)
    {
        core::whenReady(m_app, stored, [this](QFuture<chat::SendResult> f) {
            try {
                m_sent = f.result();
            } catch (const std::exception &e) {
                err() << "arbord chat: " << e.what() << "\n";
                // Queued: leave() runs from the loop that exit() ends.
                QMetaObject::invokeMethod(
                    m_app, [this] { leave(Failure); }, Qt::QueuedConnection);
                return;
            }
            m_follower.follow(m_sent.assistant.id);
            if (m_stopWanted)
                stop();
        });
    }

    /** @brief Ctrl+C: the first stops the reply wherever it runs (its text is kept); another
     *  leaves at once. */
    void interrupt()
    {
        if (m_stopWanted || m_leaving) {
            m_backend.engine().stop(); // replies run here for others end interrupted, text kept
            m_app->exit(m_leaving ? m_code : Stopped);
            return;
        }
        m_stopWanted = true;
        if (!m_sent.assistant.id.isEmpty())
            stop();
    }

private:
    void stop()
    {
        core::whenReady(m_app, m_backend.chat().stop(m_sent.assistant.id), [](QFuture<bool> f) {
            try {
                f.waitForFinished();
            } catch (const std::exception &e) {
                err() << "arbord chat: cannot stop the reply: " << e.what() << "\n";
            }
        });
    }

    void ended(domain::MessageStatus status, const QString &error, bool stored)
    {
        if (!stored) {
            report(status, error, false, {}, false);
            return;
        }
        // The tool calls the reply asked for are read from the store (they are not text).
        core::whenReady(m_app, m_backend.chat().message(m_sent.assistant.id),
                        [this, status, error](QFuture<std::optional<domain::Message>> f) {
                            std::optional<domain::Message> m;
                            try {
                                m = f.result();
                            } catch (...) {
                                report(status, error, true, {}, false);
                                return;
                            }
                            report(status, error, true,
                                   domain::toolcalls::parse(m ? m->toolCalls : QString()),
                                   m && domain::stoppedAtToolRoundLimit(*m));
                        });
    }

    /** @brief @p atRoundLimit: the reply stopped at the limit on rounds of tool calls. */
    void report(domain::MessageStatus status, const QString &error, bool stored,
                const QList<domain::ToolCall> &calls, bool atRoundLimit)
    {
        const QString notice = atRoundLimit ? chat::ReplySession::roundLimitNote() : QString();
        const QString text = m_follower.text();
        const QString statusText = domain::toString(status);
        if (m_json) {
            QJsonArray toolCalls;
            for (const domain::ToolCall &c : calls)
                toolCalls.append(domain::toolcalls::toJson(c));
            printJson(QJsonObject{
                {QStringLiteral("conversation_id"), m_sent.conversationId},
                {QStringLiteral("user_message_id"),
                 m_sent.user.id.isEmpty() ? QJsonValue() : m_sent.user.id},
                {QStringLiteral("assistant_message_id"), m_sent.assistant.id},
                {QStringLiteral("status"), statusText},
                {QStringLiteral("content"), text},
                {QStringLiteral("tool_calls"), calls.isEmpty() ? QJsonValue() : toolCalls},
                {QStringLiteral("notice"), notice.isEmpty() ? QJsonValue() : QJsonValue(notice)},
                {QStringLiteral("error"), error.isEmpty() ? QJsonValue() : QJsonValue(error)}});
        } else if (!text.isEmpty() && !text.endsWith(QLatin1Char('\n'))) {
            out() << "\n";
            out().flush();
        }
        if (!m_json && !calls.isEmpty()) {
            // Each call on stderr: what ran, what was denied, what was only asked for.
            QStringList asked;
            for (const domain::ToolCall &c : calls) {
                if (c.status == domain::ToolCall::Requested) {
                    asked.append(c.name);
                    continue;
                }
                err() << "arbord chat: tool " << c.name << ": " << c.status;
                if (c.isError && !c.result.isEmpty())
                    err() << ": " << c.result.section(QLatin1Char('\n'), 0, 0).left(300);
                err() << "\n";
            }
            if (atRoundLimit)
                err() << "arbord chat: " << notice << " (arbord chat --continue "
                      << m_sent.assistant.id << ")\n";
            else if (!asked.isEmpty())
                err() << "arbord chat: the model asked to call " << asked.join(QStringLiteral(", "))
                      << ", which did not run (give --tools SERVER to let it; arbord show --json "
                         "has the calls)\n";
        }
        if (!stored) {
            // Its end could not be written; a full disk is by far the likeliest cause.
            const QString path = m_backend.store().path();
            if (store::diskIsFull(path))
                err() << "arbord chat: " << store::diskFull(path).message() << "\n";
            else
                err()
                    << "arbord chat: the reply ended " << statusText
                    << " but the store could not record it (arbord --verbose chat ... says why)\n";
            leave(Failure);
        } else if (status == domain::MessageStatus::Complete) {
            leave(Ok);
        } else if (status == domain::MessageStatus::Cancelled) {
            err() << "arbord chat: stopped; the partial reply is kept in message "
                  << m_sent.assistant.id << "\n";
            leave(Stopped);
        } else {
            err() << "arbord chat: the reply ended " << statusText
                  << (error.isEmpty() ? QString() : QStringLiteral(": ") + error) << "\n";
            leave(Failure);
        }
    }

    /** @brief Exits with @p code once the replies this process runs for other senders have
     *  ended as they would: leaving now would cut them short. */
    void leave(int code)
    {
        err().flush();
        m_code = code;
        m_leaving = true;
        m_running.remove(m_sent.jobId);
        if (!m_running.isEmpty()) {
            err() << "arbord chat: finishing " << m_running.size()
                  << (m_running.size() == 1 ? " reply" : " replies")
                  << " that other senders queued (Ctrl+C leaves now and cuts them short)\n";
            err().flush();
        }
        core::thenReady(m_app, m_backend.engine().drain(), [this] { m_app->exit(m_code); });
    }

    core::Backend &m_backend;
    const bool m_json;
    QCoreApplication *m_app;
    chat::ReplyFollower m_follower;
    chat::SendResult m_sent;
    QSet<qint64> m_running;
    bool m_stopWanted = false;
    bool m_leaving = false;
    int m_code = Failure;
};

} // namespace

int runChat(const QStringList &args)
{
    QCommandLineParser parser;
    const QCommandLineOption db = dbOption();
    const QCommandLineOption json = jsonOption();
    const QCommandLineOption providerOption(QStringLiteral("provider"),
                                            QStringLiteral("Provider id or name (default: demo)."),
                                            QStringLiteral("NAME"), QStringLiteral("demo"));
    const QCommandLineOption modelOption(
        QStringLiteral("model"),
        QStringLiteral("Model id (default: the provider's default, else its first)."),
        QStringLiteral("MODEL"));
    const QCommandLineOption rateOption(
        QStringLiteral("rate"),
        QStringLiteral("Demo model speed in tokens per second (0 = no delay; default 50)."),
        QStringLiteral("TOKENS_PER_S"), QStringLiteral("50"));
    const QCommandLineOption conversationOption(
        QStringLiteral("conversation"),
        QStringLiteral("Continue this conversation's current leaf."), QStringLiteral("ID"));
    const QCommandLineOption parentOption(QStringLiteral("parent"),
                                          QStringLiteral("Send under this message (a new branch)."),
                                          QStringLiteral("MESSAGE_ID"));
    const QCommandLineOption continueOption(
        QStringLiteral("continue"),
        QStringLiteral("Continue a reply that stopped early or at the limit on rounds of tool "
                       "calls (no TEXT), as the app's Continue does; it is offered the tools the "
                       "reply was, with this run's --approve-all or --deny-unapproved."),
        QStringLiteral("MESSAGE_ID"));
    const QCommandLineOption systemOption(
        QStringLiteral("system"),
        QStringLiteral("Store this system prompt on the conversation ('' clears it)."),
        QStringLiteral("TEXT"));
    const QCommandLineOption temperatureOption(
        QStringLiteral("temperature"),
        QStringLiteral("Store this temperature (0 to 2, or 'default')."), QStringLiteral("X"));
    const QCommandLineOption maxTokensOption(
        QStringLiteral("max-tokens"),
        QStringLiteral("Store this reply length limit (1 to 1000000, or 'default')."),
        QStringLiteral("N"));
    const QCommandLineOption thinkingOption(
        QStringLiteral("thinking"),
        QStringLiteral("Store a thinking budget: the model reasons first with up to N tokens "
                       "(1024 to 1000000, or 'off')."),
        QStringLiteral("N"));
    const QCommandLineOption toolsOption(
        QStringLiteral("tools"),
        QStringLiteral("Let the model call the tools of these servers (see arbord tools)."),
        QStringLiteral("NAME[,NAME]"));
    const QCommandLineOption approveAllOption(
        QStringLiteral("approve-all"),
        QStringLiteral("Run the calls whose policy is ask without asking."));
    const QCommandLineOption denyOption(
        QStringLiteral("deny-unapproved"),
        QStringLiteral("Deny the calls whose policy is ask (the model gets a tool error)."));
    parser.addOptions({db, json, providerOption, modelOption, rateOption, conversationOption,
                       parentOption, continueOption, systemOption, temperatureOption,
                       maxTokensOption, thinkingOption, toolsOption, approveAllOption, denyOption});
    parser.addPositionalArgument(QStringLiteral("TEXT"),
                                 QStringLiteral("The message ('-' reads standard input)."));
    if (const auto code = parse(parser, Command, args))
        return *code;

    const bool continuing = parser.isSet(continueOption);
    QString text = parser.positionalArguments().join(QLatin1Char(' '));
    if (continuing) {
        for (const QCommandLineOption *other :
             {&conversationOption, &parentOption, &providerOption, &modelOption}) {
            if (parser.isSet(*other)) {
                err() << "arbord chat: --continue keeps the reply's conversation and model; leave "
                         "out --"
                      << other->names().constFirst() << "\n";
                return Usage;
            }
        }
        if (!text.isEmpty()) {
            err()
                << "arbord chat: --continue takes no TEXT (the reply goes on from its own text)\n";
            return Usage;
        }
    } else {
        if (text == u"-") {
            QFile in;
            if (!in.open(stdin, QIODevice::ReadOnly)) {
                err() << "arbord chat: cannot read standard input\n";
                return Failure;
            }
            text = QString::fromUtf8(in.readAll());
        }
        if (text.trimmed().isEmpty()) {
            err() << "arbord chat: TEXT is missing (see arbord chat --help)\n";
            return Usage;
        }
    }
    const auto rate = decimalOption(parser, rateOption, 0, 1'000'000, Command);
    if (!rate)
        return Usage;
    const auto settings =
        parameters(parser, systemOption, temperatureOption, maxTokensOption, thinkingOption);
    if (!settings)
        return Usage;

    const QStringList toolServers =
        parser.value(toolsOption).split(QLatin1Char(','), Qt::SkipEmptyParts);
    if (parser.isSet(approveAllOption) && parser.isSet(denyOption)) {
        err() << "arbord chat: give --approve-all or --deny-unapproved, not both\n";
        return Usage;
    }
    if (toolServers.isEmpty() && !continuing
        && (parser.isSet(approveAllOption) || parser.isSet(denyOption))) {
        err() << "arbord chat: --approve-all and --deny-unapproved go with --tools or "
                 "--continue\n";
        return Usage;
    }
    if (!toolServers.isEmpty() && continuing) {
        err() << "arbord chat: --continue is offered the tools its reply was; leave out --tools\n";
        return Usage;
    }
    core::BackendOptions options;
    options.dbPath = parser.value(db);
    options.demoRate = *rate;
    // A continuation is offered the tools its reply was (or --tools), with this run's flags.
    options.runTools = !toolServers.isEmpty() || continuing;
    core::Backend backend(options);
    if (tools::ToolHost *host = backend.toolHost()) {
        host->setAskMode(parser.isSet(approveAllOption) ? tools::AskMode::ApproveAll
                             : parser.isSet(denyOption) ? tools::AskMode::DenyUnapproved
                                                        : tools::AskMode::NoFlag);
    }
    if (const auto code = openBackend(backend, Command))
        return *code;
    for (const QString &name : toolServers) {
        if (!awaitFuture(backend.tools().server(name)).result()) {
            err() << "arbord chat: no tool server “" << name << "” (see arbord tools list)\n";
            return Failure;
        }
    }

    ChatSession session(backend, parser.isSet(json));
    if (continuing) {
        awaitProviders(backend); // the reply keeps its provider, which must be registered here
        session.start(backend.chat().continueReply(parser.value(continueOption), *settings));
    } else {
        QString provider = parser.value(providerOption);
        QString model = parser.value(modelOption);
        if (model.isEmpty())
            model = provider == u"demo" ? QStringLiteral("demo") : QString();
        if (const auto error = resolveChatModel(backend, provider, model)) {
            err() << "arbord chat: " << *error << "\n";
            return Failure;
        }
        chat::SendRequest request;
        request.conversationId = parser.value(conversationOption);
        request.parentId = parser.value(parentOption);
        request.text = text;
        request.modelKey = provider + QLatin1Char('/') + model;
        request.settings = *settings;
        if (!toolServers.isEmpty())
            request.options.insert(QStringLiteral("tools"),
                                   QJsonArray::fromStringList(toolServers));
        session.start(backend.chat().send(request));
    }
    onInterrupt(QCoreApplication::instance(), [&session] { session.interrupt(); });
    const int code = QCoreApplication::exec();
    backend.close();
    return code;
}

} // namespace arbor::cli
