// `arbord compare`: one message to several models at once, every reply followed to its end
// wherever it runs; `arbord sets`: the saved model sets.
#include "commands.h"
#include "common.h"
#include "providercommands.h"

#include "chat/chatservice.h"
#include "chat/replyfollower.h"
#include "core/backend.h"
#include "core/whenready.h"
#include "jobs/jobengine.h"
#include "store/sql.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QTextStream>

#include <cmath>
#include <memory>

namespace arbor::cli {

namespace {

const QString Command = QStringLiteral("compare");

QString figure(double value, const QString &unit, int decimals = 0)
{
    return value < 0 ? QStringLiteral("—") : QString::number(value, 'f', decimals) + unit;
}

/** @brief Follows every reply of a compare and ends the process when all have ended. */
class CompareSession
{
public:
    CompareSession(core::Backend &backend, bool json)
        : m_backend(backend)
        , m_json(json)
        , m_app(QCoreApplication::instance())
    {
        auto &engine = backend.engine();
        QObject::connect(&engine, &jobs::JobEngine::jobStarted, m_app,
                         [this](qint64 id) { m_running.insert(id); });
        QObject::connect(&engine, &jobs::JobEngine::jobFinished, m_app,
                         [this](qint64 id) { m_running.remove(id); });
    }

    void start(QFuture<chat::CompareResult> stored)
    {
        core::whenReady(m_app, stored, [this](QFuture<chat::CompareResult> f) {
            try {
                m_sent = f.result();
            } catch (const std::exception &e) {
                err() << "arbord compare: " << e.what() << "\n";
                QMetaObject::invokeMethod(
                    m_app, [this] { leave(Failure); }, Qt::QueuedConnection);
                return;
            }
            if (!m_json)
                err() << "arbord compare: " << m_sent.replies.size() << " replies to message "
                      << m_sent.user.id << " in conversation " << m_sent.conversationId << "\n";
            for (qsizetype i = 0; i < m_sent.replies.size(); ++i)
                follow(i);
            if (m_stopWanted)
                stopAll();
        });
    }

    /** @brief Ctrl+C: the first stops every column (texts kept); another leaves at once. */
    void interrupt()
    {
        if (m_stopWanted || m_leaving) {
            m_backend.engine().stop();
            m_app->exit(m_leaving ? m_code : Stopped);
            return;
        }
        m_stopWanted = true;
        if (!m_sent.replies.isEmpty())
            stopAll();
    }

private:
    struct Column
    {
        std::unique_ptr<chat::ReplyFollower> follower;
        bool ended = false;
        bool stored = true;
        domain::MessageStatus status = domain::MessageStatus::Queued;
        QString error;
    };

    void follow(qsizetype i)
    {
        auto column = std::make_shared<Column>();
        column->follower = std::make_unique<chat::ReplyFollower>(
            m_backend.chat(), m_backend.events(), m_backend.liveTexts());
        auto *follower = column->follower.get();
        m_columns.append(column);
        const QString label =
            m_sent.replies.at(i).provider + QLatin1Char('/') + m_sent.replies.at(i).model;
        QObject::connect(follower, &chat::ReplyFollower::waiting, m_app,
                         [label](const chat::ReplyWait &wait) {
                             err() << "arbord compare: " << label << ": "
                                   << (wait.why == chat::ReplyWait::Why::Paused
                                           ? QStringLiteral("its queue is paused")
                                           : QStringLiteral("retrying after: ") + wait.lastError)
                                   << "\n";
                             err().flush();
                         });
        QObject::connect(
            follower, &chat::ReplyFollower::ended, m_app,
            [this, column, i](domain::MessageStatus status, const QString &error, bool stored) {
                column->ended = true;
                column->status = status;
                column->error = error;
                column->stored = stored;
                columnEnded(i);
            });
        QObject::connect(follower, &chat::ReplyFollower::failed, m_app,
                         [this, column, i](const QString &error) {
                             column->ended = true;
                             column->stored = false;
                             column->status = domain::MessageStatus::Error;
                             column->error = error;
                             columnEnded(i);
                         });
        follower->follow(m_sent.replies.at(i).id);
    }

    void stopAll()
    {
        for (const domain::Message &m : std::as_const(m_sent.replies)) {
            core::whenReady(m_app, m_backend.chat().stop(m.id), [](QFuture<bool> f) {
                try {
                    f.waitForFinished();
                } catch (const std::exception &e) {
                    err() << "arbord compare: cannot stop a reply: " << e.what() << "\n";
                }
            });
        }
    }

    void columnEnded(qsizetype i)
    {
        if (!m_json) {
            const Column &c = *m_columns.at(i);
            const domain::Message &m = m_sent.replies.at(i);
            out() << "── " << (i + 1) << "/" << m_sent.replies.size() << " " << specOf(m) << " · "
                  << domain::toString(c.status) << " ──\n"
                  << c.follower->text();
            if (!c.follower->text().endsWith(QLatin1Char('\n')))
                out() << "\n";
            if (!c.error.isEmpty())
                out() << "(" << c.error << ")\n";
            out().flush();
        }
        for (const auto &c : std::as_const(m_columns)) {
            if (!c->ended)
                return;
        }
        if (m_columns.size() < m_sent.replies.size())
            return;
        // Every column ended: the stored figures (first token, usage) for the summary.
        core::whenReady(m_app, m_backend.chat().replies(m_sent.user.id),
                        [this](QFuture<QList<domain::Message>> f) {
                            QList<domain::Message> stored;
                            try {
                                stored = f.result();
                            } catch (...) {
                                report({});
                                return;
                            }
                            report(stored);
                        });
    }

    /** @brief "provider/model" with the reply's own parameters (":temperature=1.5"). */
    static QString specOf(const domain::Message &m)
    {
        return chat::CompareModel{m.provider, m.model,
                                  QJsonDocument::fromJson(m.params.toUtf8()).object()}
            .spec();
    }

    void report(const QList<domain::Message> &stored)
    {
        QHash<QString, domain::Message> byId;
        for (const domain::Message &m : stored)
            byId.insert(m.id, m);
        QJsonArray replies;
        bool allComplete = true;
        bool anyStopped = false;
        bool anyUnstored = false;
        for (qsizetype i = 0; i < m_sent.replies.size(); ++i) {
            const Column &c = *m_columns.at(i);
            const domain::Message m = byId.value(m_sent.replies.at(i).id, m_sent.replies.at(i));
            allComplete = allComplete && c.status == domain::MessageStatus::Complete;
            anyStopped = anyStopped || c.status == domain::MessageStatus::Cancelled;
            anyUnstored = anyUnstored || !c.stored;
            const qint64 ttft = chat::compare::ttftMs(m);
            const double rate = chat::compare::tokensPerSecond(m);
            QJsonObject o{{QStringLiteral("message_id"), m.id},
                          {QStringLiteral("provider"), m.provider},
                          {QStringLiteral("model"), m.model},
                          {QStringLiteral("params"),
                           m.params.isEmpty()
                               ? QJsonValue()
                               : QJsonValue(QJsonDocument::fromJson(m.params.toUtf8()).object())},
                          {QStringLiteral("status"), domain::toString(c.status)},
                          {QStringLiteral("ttft_ms"), ttft < 0 ? QJsonValue() : QJsonValue(ttft)},
                          {QStringLiteral("tokens_per_s"),
                           rate < 0 ? QJsonValue() : QJsonValue(std::round(rate * 10) / 10)},
                          {QStringLiteral("completion_tokens"),
                           m.completionTokens < 0 ? QJsonValue() : QJsonValue(m.completionTokens)},
                          {QStringLiteral("content"), c.follower->text()}};
            if (!c.error.isEmpty())
                o.insert(QStringLiteral("error"), c.error);
            replies.append(o);
            if (!m_json)
                err() << "arbord compare: " << (i + 1) << " " << specOf(m) << ": "
                      << domain::toString(c.status) << ", first token "
                      << figure(double(ttft), QStringLiteral(" ms")) << ", "
                      << figure(rate, QStringLiteral(" tokens/s"), 1) << ", "
                      << (m.completionTokens < 0 ? QStringLiteral("—")
                                                 : QString::number(m.completionTokens))
                      << " tokens\n";
        }
        if (m_json)
            printJson(QJsonObject{{QStringLiteral("conversation_id"), m_sent.conversationId},
                                  {QStringLiteral("user_message_id"), m_sent.user.id},
                                  {QStringLiteral("replies"), replies}});
        if (anyUnstored)
            leave(Failure);
        else if (allComplete)
            leave(Ok);
        else if (m_stopWanted && anyStopped)
            leave(Stopped);
        else
            leave(Failure);
    }

    void leave(int code)
    {
        out().flush();
        err().flush();
        m_code = code;
        m_leaving = true;
        for (qint64 id : std::as_const(m_sent.jobIds))
            m_running.remove(id);
        core::thenReady(m_app, m_backend.engine().drain(), [this] { m_app->exit(m_code); });
    }

    core::Backend &m_backend;
    const bool m_json;
    QCoreApplication *m_app;
    chat::CompareResult m_sent;
    QList<std::shared_ptr<Column>> m_columns;
    QSet<qint64> m_running;
    bool m_stopWanted = false;
    bool m_leaving = false;
    int m_code = Failure;
};

/** @brief Providers given by name become ids; nullopt after printing why one cannot be used. */
std::optional<QList<chat::CompareModel>>
resolve(core::Backend &backend, QList<chat::CompareModel> models, const QString &command)
{
    for (chat::CompareModel &m : models) {
        if (const auto error = resolveChatModel(backend, m.provider, m.model)) {
            err() << "arbord " << command << ": " << *error << "\n";
            return std::nullopt;
        }
    }
    return models;
}

} // namespace

int runCompare(const QStringList &args)
{
    QCommandLineParser parser;
    const QCommandLineOption db = dbOption();
    const QCommandLineOption json = jsonOption();
    const QCommandLineOption modelsOption(
        QStringLiteral("models"),
        QStringLiteral("2 to 6 models, comma-separated: PROVIDER/MODEL[:temperature=X] (ids "
                       "split at the first '/')."),
        QStringLiteral("LIST"));
    const QCommandLineOption setOption(QStringLiteral("set"),
                                       QStringLiteral("A saved model set (arbord sets list)."),
                                       QStringLiteral("NAME"));
    const QCommandLineOption conversationOption(
        QStringLiteral("conversation"),
        QStringLiteral("Continue this conversation's current leaf."), QStringLiteral("ID"));
    const QCommandLineOption parentOption(QStringLiteral("parent"),
                                          QStringLiteral("Send under this message (a new branch)."),
                                          QStringLiteral("MESSAGE_ID"));
    const QCommandLineOption rateOption(
        QStringLiteral("rate"),
        QStringLiteral("Demo model speed in tokens per second (0 = no delay; default 50)."),
        QStringLiteral("TOKENS_PER_S"), QStringLiteral("50"));
    parser.addOptions(
        {db, json, modelsOption, setOption, conversationOption, parentOption, rateOption});
    parser.addPositionalArgument(QStringLiteral("TEXT"),
                                 QStringLiteral("The message ('-' reads standard input)."));
    if (const auto code = parse(parser, Command, args))
        return *code;
    if (parser.isSet(modelsOption) == parser.isSet(setOption)) {
        err() << "arbord compare: give either --models or --set\n";
        return Usage;
    }
    if (parser.isSet(conversationOption) && parser.isSet(parentOption)) {
        err() << "arbord compare: give --conversation or --parent, not both\n";
        return Usage;
    }
    QString text = parser.positionalArguments().join(QLatin1Char(' '));
    if (text == u"-") {
        QFile in;
        if (!in.open(stdin, QIODevice::ReadOnly)) {
            err() << "arbord compare: cannot read standard input\n";
            return Failure;
        }
        text = QString::fromUtf8(in.readAll());
    }
    if (text.trimmed().isEmpty()) {
        err() << "arbord compare: TEXT is missing (see arbord compare --help)\n";
        return Usage;
    }
    QList<chat::CompareModel> models;
    if (parser.isSet(modelsOption)) {
        try {
            models = chat::compare::parseSpecs(parser.value(modelsOption));
        } catch (const store::StoreError &e) {
            err() << "arbord compare: " << e.message() << "\n";
            return Usage;
        }
        if (const QString error = chat::compare::validate(models); !error.isEmpty()) {
            err() << "arbord compare: " << error << "\n";
            return Usage;
        }
    }
    const auto rate = decimalOption(parser, rateOption, 0, 1'000'000, Command);
    if (!rate)
        return Usage;

    core::Backend backend({parser.value(db), *rate, true, chat::compare::MaxModels + 2});
    if (const auto code = openBackend(backend, Command))
        return *code;
    if (parser.isSet(setOption)) {
        const QString name = parser.value(setOption);
        bool found = false;
        for (const chat::ModelSet &s : backend.chat().modelSets().result()) {
            if (s.name == name) {
                models = s.models;
                found = true;
            }
        }
        if (!found) {
            err() << "arbord compare: no model set “" << name << "” (arbord sets list)\n";
            backend.close();
            return Failure;
        }
    }
    const auto resolved = resolve(backend, models, Command);
    if (!resolved) {
        backend.close();
        return Failure;
    }

    CompareSession session(backend, parser.isSet(json));
    chat::CompareRequest request;
    request.conversationId = parser.value(conversationOption);
    request.parentId = parser.value(parentOption);
    request.text = text;
    request.models = *resolved;
    session.start(backend.chat().compare(request));
    onInterrupt(QCoreApplication::instance(), [&session] { session.interrupt(); });
    const int code = QCoreApplication::exec();
    backend.close();
    return code;
}

int runSets(const QStringList &args)
{
    const QString usage = QStringLiteral(
        "Usage: arbord sets list [--db PATH] [--json]\n"
        "       arbord sets add NAME --models PROVIDER/MODEL[:temperature=X],... [--db PATH]\n"
        "       arbord sets remove NAME [--db PATH]\n\n"
        "Model sets are saved lists of 2 to 6 models for arbord compare --set and the app's\n"
        "composer; they belong to this store (not shared with a team).\n");
    if (args.isEmpty() || args.first() == u"--help" || args.first() == u"-h") {
        (args.isEmpty() ? err() : out()) << usage;
        return args.isEmpty() ? Usage : Ok;
    }
    const QString action = args.first();
    const QString command = QStringLiteral("sets ") + action;
    QCommandLineParser parser;
    const QCommandLineOption db = dbOption();
    const QCommandLineOption json = jsonOption();
    const QCommandLineOption modelsOption(QStringLiteral("models"),
                                          QStringLiteral("The models (as arbord compare)."),
                                          QStringLiteral("LIST"));
    parser.addOptions({db, json, modelsOption});
    if (const auto code = parse(parser, command, args.mid(1)))
        return *code;
    const QStringList names = parser.positionalArguments();
    if (action == u"list" ? !names.isEmpty() : names.size() != 1) {
        err() << usage;
        return Usage;
    }
    QList<chat::CompareModel> models;
    if (action == u"add") {
        try {
            models = chat::compare::parseSpecs(parser.value(modelsOption));
        } catch (const store::StoreError &e) {
            err() << "arbord sets: " << e.message() << "\n";
            return Usage;
        }
        if (const QString error = chat::compare::validate(models); !error.isEmpty()) {
            err() << "arbord sets: " << error << "\n";
            return Usage;
        }
    } else if (action != u"list" && action != u"remove") {
        err() << "arbord sets: unknown action “" << action << "”\n" << usage;
        return Usage;
    }
    core::Backend backend({parser.value(db), 50.0, false, 1});
    if (const auto code = openBackend(backend, QStringLiteral("sets")))
        return *code;
    int code = Ok;
    try {
        if (action == u"list") {
            const QList<chat::ModelSet> sets = backend.chat().modelSets().result();
            if (parser.isSet(json)) {
                QJsonArray array;
                for (const chat::ModelSet &s : sets)
                    array.append(
                        QJsonObject{{QStringLiteral("name"), s.name},
                                    {QStringLiteral("models"), chat::compare::toJson(s.models)}});
                printJson(array);
            }
            for (const chat::ModelSet &s : sets) {
                if (parser.isSet(json))
                    break;
                QStringList specs;
                for (const chat::CompareModel &m : s.models)
                    specs.append(m.spec());
                out() << s.name << "  " << specs.join(QLatin1Char(',')) << "\n";
            }
        } else if (action == u"add") {
            const auto resolved = resolve(backend, models, QStringLiteral("sets"));
            if (!resolved)
                code = Failure;
            else
                backend.chat().saveModelSet(names.first(), *resolved).waitForFinished();
        } else if (!backend.chat().removeModelSet(names.first()).result()) {
            err() << "arbord sets: no model set “" << names.first() << "”\n";
            code = Failure;
        }
    } catch (const std::exception &e) {
        err() << "arbord sets: " << e.what() << "\n";
        code = Failure;
    }
    backend.close();
    return code;
}

} // namespace arbor::cli
