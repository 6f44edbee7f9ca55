// Property test of the importer (issue 18): valid exports of every format, mutated with a fixed
// seed (truncated at every N bytes, keys deleted, values of the wrong type, parent links made
// into cycles or pointed at nothing). Whatever the mutation: no crash; every error names the
// file and the place; the store holds exactly what the summary says was imported (a failed
// conversation leaves nothing behind), and the conversations around it are imported.
#include "importfixture.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <random>

using namespace arbor;
using namespace arbor::testsupport;

namespace {

const char *const Files[] = {"chatgpt/shapes.json",      "claude/conversations.json",
                             "openwebui/all-chats.json", "openwebui/single-chat.json",
                             "librechat/recursive.json", "librechat/flat.json",
                             "arbor/export.json"};

const QStringList ParentKeys = {QStringLiteral("parent"), QStringLiteral("parentId"),
                                QStringLiteral("parent_message_uuid"),
                                QStringLiteral("parentMessageId"), QStringLiteral("parent_id")};

/** Every object in @p v, by a path of keys/indexes, for picking one at random. */
void collect(const QJsonValue &v, QList<QStringList> &paths, const QStringList &at)
{
    if (v.isObject()) {
        paths << at;
        const QJsonObject o = v.toObject();
        for (auto it = o.begin(); it != o.end(); ++it)
            collect(it.value(), paths, at + QStringList{it.key()});
    } else if (v.isArray()) {
        const QJsonArray a = v.toArray();
        for (qsizetype i = 0; i < a.size(); ++i)
            collect(a.at(i), paths, at + QStringList{u'#' + QString::number(i)});
    }
}

/** @p v with the value at @p path passed through @p change. */
QJsonValue edit(const QJsonValue &v, const QStringList &path, qsizetype depth,
                const std::function<QJsonValue(QJsonValue)> &change)
{
    if (depth == path.size())
        return change(v);
    const QString step = path.at(depth);
    if (step.startsWith(u'#')) {
        QJsonArray a = v.toArray();
        const int i = step.mid(1).toInt();
        a[i] = edit(a.at(i), path, depth + 1, change);
        return a;
    }
    QJsonObject o = v.toObject();
    o.insert(step, edit(o.value(step), path, depth + 1, change));
    return o;
}

/** The node ids of a file (any format), for parent links that form cycles. */
void ids(const QJsonValue &v, QStringList &out)
{
    if (v.isObject()) {
        const QJsonObject o = v.toObject();
        for (const char *key : {"id", "uuid", "messageId"}) {
            if (o.value(QLatin1StringView(key)).isString())
                out << o.value(QLatin1StringView(key)).toString();
        }
        for (const QJsonValue &c : o)
            ids(c, out);
    } else if (v.isArray()) {
        for (const QJsonValue &c : v.toArray())
            ids(c, out);
    }
}

QByteArray mutate(const QByteArray &bytes, std::mt19937 &rng, QString &what)
{
    const QJsonDocument doc = QJsonDocument::fromJson(bytes);
    const QJsonValue root = doc.isArray() ? QJsonValue(doc.array()) : QJsonValue(doc.object());
    QList<QStringList> objects;
    collect(root, objects, {});
    const QStringList path = objects.at(qsizetype(rng() % objects.size()));
    QJsonValue changed;
    const int kind = int(rng() % 4);
    QStringList allIds;
    ids(root, allIds);
    changed = edit(root, path, 0, [&](QJsonValue v) -> QJsonValue {
        QJsonObject o = v.toObject();
        const QStringList keys = o.keys();
        if (keys.isEmpty())
            return o;
        const QString key = keys.at(qsizetype(rng() % keys.size()));
        switch (kind) {
        case 0:
            what = QStringLiteral("delete %1 at %2").arg(key, path.join(u'/'));
            o.remove(key);
            break;
        case 1: {
            const QJsonValue wrong[] = {QJsonValue(7),
                                        QJsonValue(QStringLiteral("text")),
                                        QJsonValue(QJsonArray{1, 2}),
                                        QJsonValue(),
                                        QJsonValue(QJsonObject{{QStringLiteral("k"), 1}}),
                                        QJsonValue(true)};
            what = QStringLiteral("wrong type for %1 at %2").arg(key, path.join(u'/'));
            o.insert(key, wrong[rng() % 6]);
            break;
        }
        default: {
            // A parent link pointed at another node (often a cycle) or at nothing.
            QString parentKey;
            for (const QString &k : ParentKeys) {
                if (o.contains(k))
                    parentKey = k;
            }
            if (parentKey.isEmpty()) {
                what = QStringLiteral("delete %1 at %2").arg(key, path.join(u'/'));
                o.remove(key);
                break;
            }
            const QString to = kind == 2 && !allIds.isEmpty()
                ? allIds.at(qsizetype(rng() % allIds.size()))
                : QStringLiteral("missing-parent");
            what = QStringLiteral("%1 -> %2 at %3").arg(parentKey, to, path.join(u'/'));
            o.insert(parentKey, to);
        }
        }
        return o;
    });
    return changed.isArray() ? QJsonDocument(changed.toArray()).toJson(QJsonDocument::Compact)
                             : QJsonDocument(changed.toObject()).toJson(QJsonDocument::Compact);
}

/** The properties every import must have, whatever the file. */
void check(ImportFixture &f, const imports::Summary &s, const QString &path, const QString &what)
{
    const QString context = what + u'\n' + imports::describe(s) + u'\n' + s.run.error;
    QVERIFY2(s.run.state == u"done" || s.run.state == u"failed", qPrintable(context));
    if (s.run.state == u"failed")
        QVERIFY2(s.run.error.contains(path), qPrintable(context));
    qint64 imported = 0;
    qint64 added = 0;
    for (const auto &r : s.results) {
        if (r.outcome == u"error") {
            QVERIFY2(r.place.contains(path) && r.place.contains(u"conversation ")
                         && !r.reason.isEmpty(),
                     qPrintable(context + u'\n' + r.place + QStringLiteral(": ") + r.reason));
        } else if (r.outcome == u"imported") {
            ++imported;
            added += r.added;
        }
    }
    // A fresh store: exactly the imported conversations and their messages, nothing of a
    // failed one.
    QCOMPARE(f.count(QStringLiteral("SELECT count(*) FROM conversations")), imported);
    QCOMPARE(f.count(QStringLiteral("SELECT count(*) FROM messages")), added);
    QCOMPARE(f.count(QStringLiteral("SELECT count(*) FROM messages m WHERE parent_id IS NOT NULL"
                                    " AND NOT EXISTS (SELECT 1 FROM messages p WHERE p.id ="
                                    " m.parent_id AND p.conversation_id = m.conversation_id)")),
             0);
}

} // namespace

class TestImportFuzz : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void truncations();
    void mutations();
};

void TestImportFuzz::truncations()
{
    for (const char *name : Files) {
        QFile in(QStringLiteral(ARBOR_IMPORT_DATA "/") + QLatin1StringView(name));
        QVERIFY(in.open(QIODevice::ReadOnly));
        const QByteArray bytes = in.readAll();
        const qsizetype step = std::max<qsizetype>(1, bytes.size() / 12);
        for (qsizetype cut = 0; cut < bytes.size(); cut += step) {
            ImportFixture f;
            const QString path = f.dir.filePath(QStringLiteral("cut.json"));
            QFile out(path);
            QVERIFY(out.open(QIODevice::WriteOnly));
            out.write(bytes.left(cut));
            out.close();
            const imports::Summary s = f.importFile(path);
            check(f, s, path, QStringLiteral("%1 cut at %2").arg(QLatin1StringView(name)).arg(cut));
            QVERIFY(imports::hasErrors(s)); // a cut file never reads to its end
        }
    }
}

void TestImportFuzz::mutations()
{
    std::mt19937 rng(18); // fixed: a failure is reproducible
    int errors = 0;
    for (const char *name : Files) {
        QFile in(QStringLiteral(ARBOR_IMPORT_DATA "/") + QLatin1StringView(name));
        QVERIFY(in.open(QIODevice::ReadOnly));
        const QByteArray bytes = in.readAll();
        for (int i = 0; i < 12; ++i) {
            ImportFixture f;
            QString what;
            const QByteArray mutated = mutate(bytes, rng, what);
            const QString path = f.dir.filePath(QStringLiteral("mutated.json"));
            QFile out(path);
            QVERIFY(out.open(QIODevice::WriteOnly));
            out.write(mutated);
            out.close();
            const imports::Summary s = f.importFile(path);
            check(f, s, path, QString::fromLatin1(name) + QStringLiteral(": ") + what);
            errors += imports::hasErrors(s);
        }
    }
    QVERIFY(errors > 0); // the mutations do break files, the checks above saw errors
}

QTEST_GUILESS_MAIN(TestImportFuzz)
#include "tst_importfuzz.moc"
