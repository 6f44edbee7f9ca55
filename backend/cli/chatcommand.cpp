// `arbord chat`: send a message and stream the reply.
#include "commands.h"
#include "common.h"
#include "providercommands.h"

#include "chat/chatevents.h"
#include "chat/chatservice.h"
#include "core/backend.h"
#include "store/messagequeries.h"
#include "store/store.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QHash>
#include <QJsonObject>
#include <QTextStream>

namespace arbor::cli {

namespace {

/** @brief Streams one reply to stdout; deltas may arrive before the send result names it. */
struct ReplyPrinter
{
    bool json = false;
    QString assistantId;
    QHash<QString, QString> early; ///< message id → text seen before we knew the id
    qsizetype printed = 0;

    void delta(const QString &messageId, qsizetype offset, const QString &text)
    {
        if (assistantId.isEmpty()) {
            QString &buffer = early[messageId];
            if (offset + text.size() > buffer.size())
                buffer += text.mid(buffer.size() - offset);
            return;
        }
        if (messageId != assistantId)
            return;
        write(offset, text);
    }
    void write(qsizetype offset, const QString &text)
    {
        // Offsets make a duplicate or overlapping delta harmless.
        if (offset > printed || offset + text.size() <= printed)
            return;
        const QString fresh = text.mid(printed - offset);
        printed += fresh.size();
        if (!json) {
            out() << fresh;
            out().flush();
        }
    }
    void known(const QString &id)
    {
        assistantId = id;
        write(0, early.value(id));
        early.clear();
    }
};

} // namespace

int runChat(const QStringList &args)
{
    QCommandLineParser parser;
    const QCommandLineOption providerOption(QStringLiteral("provider"),
                                            QStringLiteral("Provider id (default: demo)."),
                                            QStringLiteral("ID"), QStringLiteral("demo"));
    const QCommandLineOption modelOption(
        QStringLiteral("model"), QStringLiteral("Model id (default: the provider's first)."),
        QStringLiteral("MODEL"));
    const QCommandLineOption rateOption(
        QStringLiteral("rate"),
        QStringLiteral("Demo model speed in tokens per second (0 = no delay)."),
        QStringLiteral("TOKENS_PER_S"), QStringLiteral("50"));
    const QCommandLineOption conversationOption(
        QStringLiteral("conversation"),
        QStringLiteral("Continue this conversation's current leaf."), QStringLiteral("ID"));
    const QCommandLineOption parentOption(QStringLiteral("parent"),
                                          QStringLiteral("Send under this message (a new branch)."),
                                          QStringLiteral("MESSAGE_ID"));
    const QCommandLineOption db = dbOption();
    const QCommandLineOption json = jsonOption();
    parser.addOptions(
        {db, json, providerOption, modelOption, rateOption, conversationOption, parentOption});
    parser.addPositionalArgument(QStringLiteral("TEXT"),
                                 QStringLiteral("The message ('-' reads standard input)."));
    if (const auto code = parse(parser, QStringLiteral("chat"), args))
        return *code;

    QString text = parser.positionalArguments().join(QLatin1Char(' '));
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
    const auto rate = decimalOption(parser, rateOption, 0, 1'000'000, QStringLiteral("chat"));
    if (!rate)
        return Usage;

    core::Backend backend({parser.value(db), *rate, true, 4});
    if (const auto code = openBackend(backend, QStringLiteral("chat")))
        return *code;

    QString provider = parser.value(providerOption);
    QString model = parser.value(modelOption);
    if (model.isEmpty())
        model = provider == u"demo" ? QStringLiteral("demo") : QString();
    if (const auto error = resolveChatModel(backend, provider, model)) {
        err() << "arbord chat: " << *error << "\n";
        return Failure;
    }

    ReplyPrinter printer;
    printer.json = parser.isSet(json);
    chat::SendResult sent;
    auto *app = QCoreApplication::instance();
    auto &events = backend.events();

    auto finish = [&](const QString &status, const QString &error) {
        QString content;
        try {
            const auto message = backend.store()
                                     .read([id = printer.assistantId](QSqlDatabase &d) {
                                         return store::messages::get(d, id);
                                     })
                                     .result();
            content = message ? message->content : QString();
        } catch (const std::exception &e) {
            err() << "arbord chat: " << e.what() << "\n";
        }
        if (printer.json) {
            printJson(QJsonObject{
                {QStringLiteral("conversation_id"), sent.conversationId},
                {QStringLiteral("user_message_id"), sent.user.id},
                {QStringLiteral("assistant_message_id"), sent.assistant.id},
                {QStringLiteral("status"), status},
                {QStringLiteral("content"), content},
                {QStringLiteral("error"), error.isEmpty() ? QJsonValue() : QJsonValue(error)}});
        } else {
            printer.write(0, content);
            if (printer.printed > 0 && !content.endsWith(QLatin1Char('\n')))
                out() << "\n"; // the reply's last line; nothing at all when nothing was printed
            out().flush();
        }
        if (status == u"complete")
            app->exit(Ok);
        else if (status == u"cancelled") {
            err() << "arbord chat: stopped; the partial reply is kept in message "
                  << sent.assistant.id << "\n";
            app->exit(Stopped);
        } else {
            err() << "arbord chat: the reply ended " << status
                  << (error.isEmpty() ? QString() : QStringLiteral(": ") + error) << "\n";
            app->exit(Failure);
        }
    };

    QHash<QString, std::pair<QString, QString>> earlyEnds;
    QObject::connect(&events, &chat::ChatEvents::messageDelta, app,
                     [&](const QString &, const QString &id, qsizetype offset,
                         const QString &piece) { printer.delta(id, offset, piece); });
    QObject::connect(
        &events, &chat::ChatEvents::messageStateChanged, app,
        [&](const QString &, const QString &id, const QString &status, const QString &error) {
            if (domain::isLive(domain::messageStatusFromString(status)))
                return;
            if (printer.assistantId.isEmpty())
                earlyEnds.insert(id, {status, error});
            else if (id == printer.assistantId)
                finish(status, error);
        });

    chat::SendRequest request;
    request.conversationId = parser.value(conversationOption);
    request.parentId = parser.value(parentOption);
    request.text = text;
    request.modelKey = provider + QLatin1Char('/') + model;
    backend.chat().send(request).then(app, [&](QFuture<chat::SendResult> f) {
        try {
            sent = f.result();
        } catch (const std::exception &e) {
            err() << "arbord chat: " << e.what() << "\n";
            // Queued: a send refused at once runs this inside then(), before exec() below has
            // started the loop that exit() would end.
            QMetaObject::invokeMethod(
                app, [app] { app->exit(Failure); }, Qt::QueuedConnection);
            return;
        }
        printer.known(sent.assistant.id);
        if (const auto end = earlyEnds.value(sent.assistant.id); !end.first.isEmpty())
            finish(end.first, end.second);
        earlyEnds.clear();
    });

    onInterrupt(app, [&] {
        if (printer.assistantId.isEmpty())
            app->exit(Stopped);
        else
            backend.chat().stop(printer.assistantId);
    });
    const int code = QCoreApplication::exec();
    backend.close();
    return code;
}

} // namespace arbor::cli
