// Exports of a store built through the store's API (tests/backend/exportfixture.cpp), compared
// byte for byte with the files in tests/data/export (Arbor JSON, Markdown), or parsed and checked
// as a tree (Open WebUI). ARBOR_REGENERATE_EXPORTS=1 rewrites the expected files (and fails, so
// that a rewrite is never taken for a pass); read the diff before committing them.
#include "export/exportservice.h"
#include "store/store.h"
#include "support/exportfixture.h"

#include <QBuffer>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

using arbor::testsupport::ExportFixture;
namespace exports = arbor::exports;

class TestExport : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<arbor::store::Store> m_store;

    QByteArray exported(const exports::ExportSelection &selection, exports::Format format,
                        bool allBranches = false)
    {
        QBuffer buffer;
        buffer.open(QIODevice::WriteOnly);
        exports::ExportService service{arbor::store::StoreReader(*m_store)};
        const exports::ExportResult r = service.write(selection, {format, allBranches}, buffer);
        [&] { QCOMPARE(r.bytes, buffer.data().size()); }();
        return buffer.data();
    }

    static exports::ExportSelection both()
    {
        return {
            false,
            {QString::fromLatin1(ExportFixture::Trees), QString::fromLatin1(ExportFixture::Empty)}};
    }

    /** @brief Compares @p actual with tests/data/export/@p name (or rewrites it). */
    static void compareWithFile(const QByteArray &actual, const QString &name)
    {
        const QString path = QStringLiteral(ARBOR_EXPORT_DATA_DIR "/") + name;
        if (qEnvironmentVariableIsSet("ARBOR_REGENERATE_EXPORTS")) {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(actual);
            QFAIL(qPrintable(
                QStringLiteral("%1 rewritten: read the diff, then run again").arg(name)));
        }
        QFile f(path);
        QVERIFY2(f.open(QIODevice::ReadOnly), qPrintable(path));
        const QByteArray expected = f.readAll();
        if (actual != expected) {
            qsizetype at = 0;
            while (at < actual.size() && at < expected.size() && actual.at(at) == expected.at(at))
                ++at;
            QFAIL(qPrintable(
                QStringLiteral("%1 differs at byte %2:\nexpected: %3\nactual:   %4")
                    .arg(name)
                    .arg(at)
                    .arg(QString::fromUtf8(expected.mid(std::max<qsizetype>(0, at - 40), 120)),
                         QString::fromUtf8(actual.mid(std::max<qsizetype>(0, at - 40), 120)))));
        }
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        const QString path = m_dir.filePath(QStringLiteral("arbor.db"));
        ExportFixture::build(path);
        m_store =
            std::make_unique<arbor::store::Store>(path, 2, arbor::store::Store::Access::ReadOnly);
        m_store->open();
    }

    void cleanupTestCase()
    {
        m_store->close();
        m_store.reset();
    }

    void arborJson()
    {
        const QByteArray bytes = exported(both(), exports::Format::Arbor);
        compareWithFile(bytes, QStringLiteral("arbor.json"));
        // Everything is the same two conversations: the deleted one is left out, oldest first.
        QCOMPARE(exported({true, {}}, exports::Format::Arbor), bytes);
    }

    void arborJsonIsTheTree()
    {
        const QJsonDocument doc = QJsonDocument::fromJson(exported(both(), exports::Format::Arbor));
        QVERIFY(doc.isObject());
        QCOMPARE(doc[u"format"].toString(), QStringLiteral("arbor"));
        QCOMPARE(doc[u"version"].toInt(), 1);
        const QJsonArray conversations = doc[u"conversations"].toArray();
        QCOMPARE(conversations.size(), 2);
        const QJsonObject trees = conversations.at(0).toObject();
        QCOMPARE(trees[u"current_leaf_id"].toString(), ExportFixture::node(4));
        QStringList ids;
        QSet<QString> seen;
        for (const QJsonValue &v : trees[u"messages"].toArray()) {
            const QJsonObject m = v.toObject();
            const QString parent = m[u"parent_id"].toString();
            QVERIFY2(parent.isEmpty() || seen.contains(parent), "a parent before its children");
            seen.insert(m[u"id"].toString());
            ids << m[u"id"].toString();
        }
        // Depth first, branches in order; the deleted subtree (9, 10) is left out.
        QStringList expected;
        for (int n : {1, 2, 3, 4, 5, 6, 7, 8})
            expected << ExportFixture::node(n);
        QCOMPARE(ids, expected);
        const QJsonArray messages = trees[u"messages"].toArray();
        // The live reply is written as interrupted, with the text it has so far.
        const QJsonObject live = messages.at(5).toObject();
        QCOMPARE(live[u"status"].toString(), QStringLiteral("interrupted"));
        QCOMPARE(live[u"blocks"][0][u"text"].toString(), QStringLiteral("partial text"));
        // Thinking first, then the text cut where the tool call was made.
        const QJsonArray blocks = messages.at(1).toObject()[u"blocks"].toArray();
        QCOMPARE(blocks.size(), 4);
        QCOMPARE(blocks.at(0)[u"type"].toString(), QStringLiteral("thinking"));
        QCOMPARE(blocks.at(1)[u"text"].toString(), QStringLiteral("Let me look. "));
        QCOMPARE(blocks.at(2)[u"type"].toString(), QStringLiteral("tool_call"));
        QCOMPARE(blocks.at(3)[u"type"].toString(), QStringLiteral("markdown"));
        QCOMPARE(conversations.at(1)[u"messages"].toArray().size(), 0);
        QVERIFY(conversations.at(1)[u"current_leaf_id"].isNull());
    }

    void markdownCurrentBranch()
    {
        compareWithFile(exported(both(), exports::Format::Markdown), QStringLiteral("current.md"));
    }

    void markdownAllBranches()
    {
        compareWithFile(exported(both(), exports::Format::Markdown, true),
                        QStringLiteral("branches.md"));
    }

    void openWebUi()
    {
        const QByteArray bytes = exported(both(), exports::Format::OpenWebUi);
        QJsonParseError error{};
        const QJsonDocument doc = QJsonDocument::fromJson(bytes, &error);
        QCOMPARE(error.error, QJsonParseError::NoError);
        const QJsonArray chats = doc.array();
        QCOMPARE(chats.size(), 2);
        const QJsonObject chat = chats.at(0)[u"chat"].toObject();
        QCOMPARE(chats.at(0)[u"title"].toString(), chat[u"title"].toString());
        const QJsonObject history = chat[u"history"].toObject();
        const QJsonObject messages = history[u"messages"].toObject();
        QCOMPARE(messages.size(), 8); // the deleted subtree is left out
        QVERIFY(!messages.contains(ExportFixture::node(9)));
        for (auto it = messages.constBegin(); it != messages.constEnd(); ++it) {
            const QJsonObject m = it.value().toObject();
            QCOMPARE(m[u"id"].toString(), it.key());
            QCOMPARE(m[u"done"].toBool(), true);
            const QString parent = m[u"parentId"].toString();
            if (!m[u"parentId"].isNull()) {
                QVERIFY2(messages.contains(parent), qPrintable(it.key()));
                QVERIFY(messages[parent][u"childrenIds"].toArray().contains(it.key()));
            }
            for (const QJsonValue &child : m[u"childrenIds"].toArray())
                QCOMPARE(messages[child.toString()][u"parentId"].toString(), it.key());
        }
        QCOMPARE(history[u"currentId"].toString(), ExportFixture::node(4));
        QStringList path;
        for (const QJsonValue &m : chat[u"messages"].toArray())
            path << m[u"id"].toString();
        QCOMPARE(path,
                 (QStringList{ExportFixture::node(1), ExportFixture::node(2),
                              ExportFixture::node(3), ExportFixture::node(4)}));
        QCOMPARE(messages[ExportFixture::node(1)][u"childrenIds"].toArray().size(), 1);
        QCOMPARE(messages[ExportFixture::node(2)][u"childrenIds"].toArray().size(), 2);
        QCOMPARE(messages[ExportFixture::node(6)][u"content"].toString(),
                 QStringLiteral("partial text"));
        QVERIFY(messages[ExportFixture::node(2)][u"content"].toString().startsWith(
            QStringLiteral("<details type=\"reasoning\" done=\"true\" duration=\"4\">")));
        QCOMPARE(messages[ExportFixture::node(8)][u"error"][u"content"].toString(),
                 QStringLiteral("HTTP 529: overloaded"));
        QCOMPARE(chat[u"models"].toArray(), QJsonArray{QStringLiteral("acme-large")});
        QCOMPARE(chat[u"params"][u"system"].toString(),
                 QStringLiteral("Be brief.\nAnswer in English."));
        const QJsonObject empty = chats.at(1)[u"chat"].toObject();
        QVERIFY(empty[u"history"][u"messages"].toObject().isEmpty());
        QVERIFY(empty[u"history"][u"currentId"].isNull());
        QCOMPARE(chats.at(0)[u"created_at"].toInteger(), 1733493787);
    }

    void sameBytesTwice_data()
    {
        QTest::addColumn<int>("format");
        QTest::addColumn<bool>("allBranches");
        QTest::newRow("arbor") << int(exports::Format::Arbor) << false;
        QTest::newRow("markdown") << int(exports::Format::Markdown) << false;
        QTest::newRow("markdown all") << int(exports::Format::Markdown) << true;
        QTest::newRow("openwebui") << int(exports::Format::OpenWebUi) << false;
    }
    void sameBytesTwice()
    {
        QFETCH(int, format);
        QFETCH(bool, allBranches);
        const QByteArray first = exported({true, {}}, exports::Format(format), allBranches);
        QVERIFY(!first.isEmpty());
        QCOMPARE(exported({true, {}}, exports::Format(format), allBranches), first);
    }

    void unknownIdWritesNothing()
    {
        QBuffer buffer;
        buffer.open(QIODevice::WriteOnly);
        exports::ExportService service{arbor::store::StoreReader(*m_store)};
        for (const char *id : {"no-such-conversation", ExportFixture::Deleted}) {
            try {
                service.write(
                    {false, {QString::fromLatin1(ExportFixture::Trees), QString::fromLatin1(id)}},
                    {}, buffer);
                QFAIL("no error");
            } catch (const exports::ExportError &e) {
                QCOMPARE(e.kind(), exports::ExportError::Kind::UnknownId);
                QVERIFY2(e.message().contains(QString::fromLatin1(id)), qPrintable(e.message()));
            }
        }
        QCOMPARE(buffer.data().size(), 0);
    }

    void failedFileExportLeavesNoFile()
    {
        QTemporaryDir out;
        exports::ExportService service{arbor::store::StoreReader(*m_store)};
        // An older file of that name stays as it was when the export fails.
        const QString path = out.filePath(QStringLiteral("old.json"));
        QFile old(path);
        QVERIFY(old.open(QIODevice::WriteOnly));
        old.write("old");
        old.close();
        QVERIFY_THROWS_EXCEPTION(exports::ExportError,
                                 service.writeFile({false, {QStringLiteral("nope")}}, {}, path));
        QFile again(path);
        QVERIFY(again.open(QIODevice::ReadOnly));
        QCOMPARE(again.readAll(), QByteArray("old"));
        QCOMPARE(QDir(out.path()).entryList(QDir::Files | QDir::Hidden), QStringList{"old.json"});
        // A folder that does not exist: a clear error, nothing made.
        const QString nowhere = out.filePath(QStringLiteral("missing/export.json"));
        try {
            service.writeFile({true, {}}, {}, nowhere);
            QFAIL("no error");
        } catch (const exports::ExportError &e) {
            QCOMPARE(e.kind(), exports::ExportError::Kind::Write);
            QVERIFY2(e.message().contains(nowhere), qPrintable(e.message()));
        }
        QVERIFY(!QFile::exists(nowhere));
        // And one that works writes what write() does.
        const QString good = out.filePath(QStringLiteral("all.md"));
        const exports::ExportResult r =
            service.writeFile({true, {}}, {exports::Format::Markdown, true}, good);
        QCOMPARE(r.conversations, 2);
        QCOMPARE(r.messages, 8);
        QFile written(good);
        QVERIFY(written.open(QIODevice::ReadOnly));
        QCOMPARE(written.readAll(), exported({true, {}}, exports::Format::Markdown, true));
    }

    void progressAndCancel()
    {
        exports::ExportService service{arbor::store::StoreReader(*m_store)};
        QBuffer buffer;
        buffer.open(QIODevice::WriteOnly);
        QList<int> done;
        service.write({true, {}}, {}, buffer, [&](const exports::ExportProgress &p) {
            QCOMPARE(p.conversationsTotal, 2);
            done << p.conversationsDone;
        });
        QCOMPARE(done, (QList<int>{0, 1, 2}));
        std::atomic_bool cancel{true};
        QBuffer other;
        other.open(QIODevice::WriteOnly);
        try {
            service.write({true, {}}, {}, other, {}, &cancel);
            QFAIL("not cancelled");
        } catch (const exports::ExportError &e) {
            QCOMPARE(e.kind(), exports::ExportError::Kind::Cancelled);
        }
    }
};

QTEST_GUILESS_MAIN(TestExport)
#include "tst_export.moc"
