// `arbord list`, and the standard streams every command shares.
#include "commands.h"

#include "common.h"
#include "jsonformat.h"

#include "chat/chatreader.h"
#include "core/readonlybackend.h"

#include <QCommandLineParser>
#include <QDateTime>
#include <QJsonArray>
#include <QTextStream>

namespace arbor::cli {

int runList(const QStringList &args)
{
    QCommandLineParser parser;
    const QCommandLineOption db = dbOption();
    const QCommandLineOption json = jsonOption();
    parser.addOptions({db, json});
    if (const auto code = parse(parser, QStringLiteral("list"), args))
        return *code;
    if (!parser.positionalArguments().isEmpty()) {
        err() << "arbord list: unexpected argument “" << parser.positionalArguments().first()
              << "”\n";
        return Usage;
    }
    core::ReadOnlyBackend backend(parser.value(db));
    if (const auto code = openBackend(backend, QStringLiteral("list")))
        return *code;
    const QList<domain::Conversation> list = backend.chat().conversations().result();
    if (parser.isSet(json)) {
        QJsonArray array;
        for (const auto &c : list)
            array.append(toJson(c));
        printJson(array);
        return Ok;
    }
    for (const auto &c : list) {
        out() << c.id << "  "
              << QDateTime::fromMSecsSinceEpoch(c.updatedAt)
                     .toString(QStringLiteral("yyyy-MM-dd HH:mm"))
              << "  " << c.title << "\n";
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
