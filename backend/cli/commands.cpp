#include "commands.h"

#include "jsonformat.h"
#include "providercommands.h"

#include "chat/chatevents.h"
#include "chat/chatservice.h"
#include "core/backend.h"
#include "store/conversationqueries.h"
#include "store/messagequeries.h"
#include "store/store.h"
#include "store/treequeries.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QFile>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>
#include <QTextStream>

#ifdef Q_OS_UNIX
#include <QSocketNotifier>
#include <csignal>
#include <sys/socket.h>
#include <unistd.h>
#endif

namespace arbor::cli {

namespace {

const QCommandLineOption DbOption(QStringLiteral("db"), QStringLiteral("The store (default: $ARBOR_DB, else the data folder)."),
                                  QStringLiteral("PATH"));
const QCommandLineOption JsonOption(QStringLiteral("json"), QStringLiteral("Print JSON."));
const QCommandLineOption HelpOption(QStringList{QStringLiteral("h"), QStringLiteral("help")},
                                    QStringLiteral("Show this help."));

/** @brief Parses @p args for @p command; returns an exit code when the command must not run. */
std::optional<int> parse(QCommandLineParser &parser, const QString &command, const QStringList &args)
{
    parser.setApplicationDescription(QStringLiteral("arbord %1").arg(command));
    parser.addOption(HelpOption);
    if (!parser.parse(QStringList{QStringLiteral("arbord %1").arg(command)} + args)) {
        err() << "arbord " << command << ": " << parser.errorText() << "\n";
        return Usage;
    }
    if (parser.isSet(HelpOption)) {
        out() << parser.helpText();
        return Ok;
    }
    return std::nullopt;
}

std::optional<int> openBackend(core::Backend &backend)
{
    try {
        backend.open();
    } catch (const std::exception &e) {
        err() << "arbord: " << e.what() << "\n";
        return Failure;
    }
    return std::nullopt;
}

void printJson(const QJsonValue &value)
{
    const QJsonDocument doc = value.isArray() ? QJsonDocument(value.toArray()) : QJsonDocument(value.toObject());
    out() << doc.toJson(QJsonDocument::Indented);
    out().flush();
}

#ifdef Q_OS_UNIX
int g_signalFd[2] = {-1, -1};

void onSignal(int)
{
    const char c = 1;
    [[maybe_unused]] const auto n = ::write(g_signalFd[1], &c, 1);
}

/** @brief Ctrl+C stops the reply cleanly (its text is kept) instead of killing the process. */
void onInterrupt(QObject *context, std::function<void()> handler)
{
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, g_signalFd) != 0)
        return;
    auto *notifier = new QSocketNotifier(g_signalFd[0], QSocketNotifier::Read, context);
    QObject::connect(notifier, &QSocketNotifier::activated, context, [handler = std::move(handler)] {
        char c;
        [[maybe_unused]] const auto n = ::read(g_signalFd[0], &c, 1);
        handler();
    });
    std::signal(SIGINT, onSignal);
    std::signal(SIGTERM, onSignal);
}
#endif

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

int printTree(const domain::Conversation &conversation, const QList<store::tree::TreeNode> &nodes, bool json)
{
    if (json) {
        QJsonArray array;
        for (const auto &n : nodes) {
            array.append(QJsonObject{{QStringLiteral("id"), n.id},
                                     {QStringLiteral("parent_id"), n.parentId.isEmpty() ? QJsonValue() : QJsonValue(n.parentId)},
                                     {QStringLiteral("role"), n.role},
                                     {QStringLiteral("author"), n.author},
                                     {QStringLiteral("status"), n.status},
                                     {QStringLiteral("label"), n.label.isEmpty() ? QJsonValue() : QJsonValue(n.label)},
                                     {QStringLiteral("preview"), n.preview},
                                     {QStringLiteral("created_at"), n.createdAt},
                                     {QStringLiteral("current"), false}});
        }
        // Mark the visible path.
        QSet<QString> onPath;
        QHash<QString, QString> parentOf;
        for (const auto &n : nodes)
            parentOf.insert(n.id, n.parentId);
        for (QString at = conversation.currentLeafId; !at.isEmpty(); at = parentOf.value(at))
            onPath.insert(at);
        for (qsizetype i = 0; i < array.size(); ++i) {
            QJsonObject o = array.at(i).toObject();
            o.insert(QStringLiteral("current"), onPath.contains(o.value(QStringLiteral("id")).toString()));
            array.replace(i, o);
        }
        printJson(QJsonObject{{QStringLiteral("conversation"), toJson(conversation)}, {QStringLiteral("nodes"), array}});
        return Ok;
    }
    // Children in branch order; an explicit stack, since a path can be thousands deep.
    QHash<QString, QList<const store::tree::TreeNode *>> children;
    QHash<QString, QString> parentOf;
    for (const auto &n : nodes) {
        children[n.parentId].append(&n);
        parentOf.insert(n.id, n.parentId);
    }
    QSet<QString> onPath;
    for (QString at = conversation.currentLeafId; !at.isEmpty(); at = parentOf.value(at))
        onPath.insert(at);
    out() << "# " << conversation.title << "\n";
    QList<std::pair<const store::tree::TreeNode *, int>> stack;
    const auto roots = children.value(QString());
    for (auto it = roots.crbegin(); it != roots.crend(); ++it)
        stack.append({*it, 0});
    while (!stack.isEmpty()) {
        const auto [n, depth] = stack.takeLast();
        out() << QString(depth * 2, QLatin1Char(' ')) << (onPath.contains(n->id) ? "* " : "- ") << n->role << " "
              << n->id << " [" << n->status << "]";
        if (!n->label.isEmpty())
            out() << " #" << n->label;
        out() << "  " << n->preview << "\n";
        const auto kids = children.value(n->id);
        for (auto it = kids.crbegin(); it != kids.crend(); ++it)
            stack.append({*it, depth + 1});
    }
    return Ok;
}

} // namespace

int runChat(const QStringList &args)
{
    QCommandLineParser parser;
    const QCommandLineOption providerOption(QStringLiteral("provider"), QStringLiteral("Provider id (default: demo)."),
                                            QStringLiteral("ID"), QStringLiteral("demo"));
    const QCommandLineOption modelOption(QStringLiteral("model"), QStringLiteral("Model id (default: the provider's first)."),
                                         QStringLiteral("MODEL"));
    const QCommandLineOption rateOption(QStringLiteral("rate"),
                                        QStringLiteral("Demo model speed in tokens per second (0 = no delay)."),
                                        QStringLiteral("TOKENS_PER_S"), QStringLiteral("50"));
    const QCommandLineOption conversationOption(QStringLiteral("conversation"),
                                                QStringLiteral("Continue this conversation's current leaf."),
                                                QStringLiteral("ID"));
    const QCommandLineOption parentOption(QStringLiteral("parent"),
                                          QStringLiteral("Send under this message (a new branch)."),
                                          QStringLiteral("MESSAGE_ID"));
    parser.addOptions({DbOption, JsonOption, providerOption, modelOption, rateOption, conversationOption, parentOption});
    parser.addPositionalArgument(QStringLiteral("TEXT"), QStringLiteral("The message ('-' reads standard input)."));
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
    bool rateOk = false;
    const double rate = parser.value(rateOption).toDouble(&rateOk);
    if (!rateOk || rate < 0) {
        err() << "arbord chat: --rate takes a number of tokens per second (0 or more)\n";
        return Usage;
    }

    core::Backend backend({parser.value(DbOption), rate, true, 4});
    if (const auto code = openBackend(backend))
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
    printer.json = parser.isSet(JsonOption);
    chat::SendResult sent;
    auto *app = QCoreApplication::instance();
    auto &events = backend.events();

    auto finish = [&](const QString &status, const QString &error) {
        const auto message = backend.store()
                                 .read([id = printer.assistantId](QSqlDatabase &db) { return store::messages::get(db, id); })
                                 .result();
        const QString content = message ? message->content : QString();
        if (printer.json) {
            printJson(QJsonObject{{QStringLiteral("conversation_id"), sent.conversationId},
                                  {QStringLiteral("user_message_id"), sent.user.id},
                                  {QStringLiteral("assistant_message_id"), sent.assistant.id},
                                  {QStringLiteral("status"), status},
                                  {QStringLiteral("content"), content},
                                  {QStringLiteral("error"), error.isEmpty() ? QJsonValue() : QJsonValue(error)}});
        } else {
            printer.write(0, content);
            out() << "\n";
            out().flush();
        }
        if (status == u"complete")
            app->exit(Ok);
        else if (status == u"cancelled") {
            err() << "arbord chat: stopped; the partial reply is kept in message " << sent.assistant.id << "\n";
            app->exit(Stopped);
        } else {
            err() << "arbord chat: the reply ended " << status << (error.isEmpty() ? QString() : QStringLiteral(": ") + error) << "\n";
            app->exit(Failure);
        }
    };

    QHash<QString, std::pair<QString, QString>> earlyEnds;
    QObject::connect(&events, &chat::ChatEvents::messageDelta, app,
                     [&](const QString &, const QString &id, qsizetype offset, const QString &piece) {
                         printer.delta(id, offset, piece);
                     });
    QObject::connect(&events, &chat::ChatEvents::messageStateChanged, app,
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
            QMetaObject::invokeMethod(app, [app] { app->exit(Failure); }, Qt::QueuedConnection);
            return;
        }
        printer.known(sent.assistant.id);
        if (const auto end = earlyEnds.value(sent.assistant.id); !end.first.isEmpty())
            finish(end.first, end.second);
        earlyEnds.clear();
    });

#ifdef Q_OS_UNIX
    onInterrupt(app, [&] {
        if (printer.assistantId.isEmpty())
            app->exit(Stopped);
        else
            backend.chat().stop(printer.assistantId);
    });
#endif
    const int code = QCoreApplication::exec();
    backend.close();
    return code;
}

int runList(const QStringList &args)
{
    QCommandLineParser parser;
    parser.addOptions({DbOption, JsonOption});
    if (const auto code = parse(parser, QStringLiteral("list"), args))
        return *code;
    if (!parser.positionalArguments().isEmpty()) {
        err() << "arbord list: unexpected argument “" << parser.positionalArguments().first() << "”\n";
        return Usage;
    }
    core::Backend backend({parser.value(DbOption), 0, false, 1, true});
    if (const auto code = openBackend(backend))
        return *code;
    const QList<domain::Conversation> list = backend.chat().conversations().result();
    if (parser.isSet(JsonOption)) {
        QJsonArray array;
        for (const auto &c : list)
            array.append(toJson(c));
        printJson(array);
        return Ok;
    }
    for (const auto &c : list) {
        out() << c.id << "  " << QDateTime::fromMSecsSinceEpoch(c.updatedAt).toString(QStringLiteral("yyyy-MM-dd HH:mm"))
              << "  " << c.title << "\n";
    }
    return Ok;
}

int runShow(const QStringList &args)
{
    QCommandLineParser parser;
    const QCommandLineOption treeOption(QStringLiteral("tree"), QStringLiteral("Show every branch, not only the visible path."));
    parser.addOptions({DbOption, JsonOption, treeOption});
    parser.addPositionalArgument(QStringLiteral("CONVERSATION_ID"), QStringLiteral("The conversation to show."));
    if (const auto code = parse(parser, QStringLiteral("show"), args))
        return *code;
    if (parser.positionalArguments().size() != 1) {
        err() << "arbord show: give exactly one CONVERSATION_ID (see arbord list)\n";
        return Usage;
    }
    const QString id = parser.positionalArguments().first();
    core::Backend backend({parser.value(DbOption), 0, false, 1, true});
    if (const auto code = openBackend(backend))
        return *code;
    const auto conversation
        = backend.store().read([id](QSqlDatabase &db) { return store::conversations::get(db, id); }).result();
    if (!conversation) {
        err() << "arbord show: no conversation “" << id << "” (see arbord list)\n";
        return Failure;
    }
    if (parser.isSet(treeOption))
        return printTree(*conversation, backend.chat().tree(id).result(), parser.isSet(JsonOption));
    const QList<domain::Message> path = backend.chat().visiblePath(id).result();
    if (parser.isSet(JsonOption)) {
        QJsonArray messages;
        for (const auto &m : path)
            messages.append(toJson(m));
        printJson(QJsonObject{{QStringLiteral("conversation"), toJson(*conversation)},
                              {QStringLiteral("messages"), messages}});
        return Ok;
    }
    out() << "# " << conversation->title << "\n";
    for (const auto &m : path) {
        out() << "\n## " << m.author;
        if (m.status != domain::MessageStatus::Complete)
            out() << " (" << domain::toString(m.status) << ")";
        if (m.siblingCount > 1)
            out() << " [" << m.siblingIndex + 1 << "/" << m.siblingCount << "]";
        out() << "\n\n" << m.content << "\n";
        if (!m.error.isEmpty())
            out() << "\n> " << m.error << "\n";
    }
    return Ok;
}

QTextStream &out()
{
    static QTextStream s(stdout);
    return s;
}

QTextStream &err()
{
    static QTextStream s(stderr);
    return s;
}

} // namespace arbor::cli
