// Real export files from a public repository (tests/data/import/real, see SOURCES there):
// ChatGPT's (browsing with citations, code for tools, a regenerated and an interrupted reply),
// LibreChat's and Open WebUI's. For each: how many messages, where they branch, the visible path,
// what the importer made of their content, and the Arbor JSON round trip (import → export →
// import into an empty store → export) byte for byte, with where each came from.
#include "importfixture.h"

#include "domain/toolcall.h"
#include "support/arbordprocess.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace arbor;
using namespace arbor::testsupport;

namespace {

QString real(const QString &name)
{
    return QStringLiteral(ARBOR_IMPORT_DATA "/real/") + name;
}

} // namespace

class TestRealExports : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

    /** `arbord export --all --format arbor` of @p db. */
    QByteArray exportArbor(const QString &db, const QString &name)
    {
        const QString file = m_dir.filePath(name);
        const ArbordRun r = runArbord(QStringLiteral(ARBORD_PATH),
                                      {QStringLiteral("export"), QStringLiteral("--all"),
                                       QStringLiteral("--format"), QStringLiteral("arbor"),
                                       QStringLiteral("-o"), file, QStringLiteral("--db"), db});
        if (!r.endedWith(0))
            qWarning().noquote() << r.describe();
        QFile f(file);
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    }

    ArbordRun importFile(const QString &db, const QString &file)
    {
        return runArbord(
            QStringLiteral(ARBORD_PATH),
            {QStringLiteral("import"), QStringLiteral("--json"), QStringLiteral("--db"), db, file});
    }

    /** The messages of @p conversation as Arbor JSON exported them, by source id. */
    static QHash<QString, QJsonObject> messagesBySource(const QByteArray &arborJson,
                                                        const QString &conversationSource)
    {
        QHash<QString, QJsonObject> out;
        const QJsonArray conversations =
            QJsonDocument::fromJson(arborJson).object().value(u"conversations").toArray();
        for (const QJsonValue &c : conversations) {
            const QJsonObject o = c.toObject();
            if (o.value(u"source").toObject().value(u"id").toString() != conversationSource)
                continue;
            for (const QJsonValue &m : o.value(u"messages").toArray())
                out.insert(m.toObject().value(u"source_id").toString(), m.toObject());
        }
        return out;
    }

private Q_SLOTS:
    void shapes_data();
    void shapes();
    void roundTrip_data();
    void roundTrip();
    void chatGptBrowsingIsLibreChatsText();
    void chatGptModernAndBroken();
    void openWebUiOutputItems();
};

void TestRealExports::shapes_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("sourceId");
    QTest::addColumn<int>("nodes");
    QTest::addColumn<int>("branchPoints");
    QTest::addColumn<QString>("pathIds");
    QTest::addColumn<QString>("pathStart"); ///< the path's text begins so

    // Browsing: search, open three pages, answer; twice; then a plain answer.
    QTest::newRow("chatgpt browsing")
        << "chatgpt-export.json"
        << "d6523d1e-7ec3-474f-a363-0e9dffdb3d93" << 6 << 0
        << "bbb277e8-11d0-44f4-86c9-01dc3027228a|5c57c3b5-35df-4b1c-ab2d-8ca76cc63629|"
           "bbb2682f-b4f7-49f8-b842-5352f8b6e3c0|9e0f92f9-9b23-464a-98ec-2b034164f2ec|"
           "bbb26113-6bb3-40ef-91a2-02b92f6fd1d0|88a0cf9f-e860-4b34-8e7e-65f8346f4862"
        << "What is the fuel consumption of vw  transporter with 8 people in l/km|The fuel "
           "consumption of a Volkswagen Transporter can vary";
    QTest::newRow("chatgpt code answers")
        << "chatgpt-export.json"
        << "7c5ab593-dbab-43bd-862d-2c3c1eeebf6a" << 4 << 0
        << "aaa2e334-b386-4ed8-b33b-5d788c882f1d|9f97ac83-7408-4872-9e3b-ee4272c94e10|"
           "aaa21d18-8c68-43b2-8939-86fadac2b861|73a2fe12-36bd-4cc2-8460-8108d16cc42d"
        << "In programming how to find if all intervals have the one point where they intersect."
           " \nFor example in [2, 5] [4,5] [3,7] it will be 4.|To find the point";
    // An edit at the second message and a regenerated joke; current: the second joke.
    QTest::newRow("chatgpt tree")
        << "chatgpt-tree.json"
        << "d5dc5307-6807-41a0-8b04-4acee626eeb7" << 11 << 2
        << "aaa297ba-e2da-440e-84f4-e62e7be8b003|bda8a275-886d-4f59-b38c-d7037144f0d5|"
           "aaa236a3-cdfc-4eb1-b5c5-790c6641f880|db88eddf-3622-4246-8527-b6eaf0e9e8cd|"
           "aaa20127-b9e3-44f6-afbe-a2475838625a|f63b8e17-aa5c-4ca6-a1bf-d4d285e269b8"
        << "hi there|Hello! How can I assist you today?|hi again|Hey! Welcome back. What's on "
           "your mind?|tell me a joke|Sure, here's one for you:\n\nWhy don't scientists trust "
           "atoms?\n\nBecause they make up everything!";
    QTest::newRow("chatgpt today's shape, hidden custom instructions")
        << "chatgpt-modern-export.json"
        << "6b0f0d9c-0000-4000-8000-000000000001" << 4 << 0
        << "user-1|assistant-1|user-2|assistant-2"
        << "How do I roll back the deploy?|Run `helm rollback staging`.|And if that fails?|"
           "Restore from the last known-good chart.";
    QTest::newRow("librechat recursive")
        << "librechat-export.json"
        << "af1ea676-f525-444f-a9ed-7c8dbf062733" << 6 << 0
        << "b123942f-ca1a-4b16-9e1f-ea4af5171168|549a4f45-cf93-4e3b-ae62-1abf02afbfc8|"
           "880e5357-3e0c-4218-b351-fd3fc184adef|e9796d11-3bdf-4e25-9f0e-4802bbbb8c6d|"
           "04408c06-62dc-4961-8ef5-4336b68e7a0a|645b925b-ef14-451f-9be3-814de55a5ae4"
        << "What is the fuel consumption of vw  transporter with 8 people in l/km|The fuel";
    // `messages` nested with `children`; messages without times; no current node: the latest
    // leaf, the last of the ties in branch order.
    QTest::newRow("librechat tree")
        << "librechat-tree.json"
        << "4a86c40e-e627-4454-b158-889680e23ad3" << 9 << 2
        << "9501f99d-9bbb-40cb-bbb2-16d79aeceb72|4c395510-fdfd-4556-b034-f9440f025e91|"
           "6e4c95ca-fcb1-4869-adc3-b4bcec83a270|64ed7568-bdcf-42a9-b34a-73386d4d99dc|"
           "f82cca6f-7d2b-4fc1-9d5a-636acc137368|ad7b6ec6-aaa4-434c-9188-def6aadbb2bf"
        << "How do I use source venv/bin/activate?\nbash: venv/bin/activate: No such file or "
           "directory|It looks like you're trying";
    // Flat, two roots (the first question asked again), a regenerated reply, one unfinished.
    QTest::newRow("librechat flat branches")
        << "librechat-opts-nonr-branches.json"
        << "27b593be-9500-479c-94cb-050cab8f5033" << 5 << 2
        << "599e1908-8c52-4a73-ba6b-f6dffbd79ba0|de9a4e7c-020d-4856-a5a6-ce6794efef99"
        << "tell me a long long story|Of course! Here’s a detailed and engaging story:";
    QTest::newRow("open webui reasoning") << "openwebui-export.json"
                                          << "reasoning-chat" << 2 << 0 << "ra1|ra2"
                                          << "What is 15 * 17?|255";
    QTest::newRow("open webui tool call") << "openwebui-export.json"
                                          << "tool-chat" << 2 << 0 << "ta1|ta2"
                                          << "What's the weather in Paris?|The weather in Paris "
                                             "is 18C with rain.";
    QTest::newRow("open webui linear") << "openwebui-export.json"
                                       << "simple-chat" << 2 << 0 << "sa1|sa2"
                                       << "Hello|Hi there!";
}

void TestRealExports::shapes()
{
    QFETCH(QString, file);
    QFETCH(QString, sourceId);
    QFETCH(int, nodes);
    QFETCH(int, branchPoints);
    QFETCH(QString, pathIds);
    QFETCH(QString, pathStart);
    ImportFixture f;
    const imports::Summary s = f.importFile(real(file));
    QCOMPARE(s.run.state, QStringLiteral("done"));
    const QString id = f.conversation(sourceId);
    QVERIFY2(!id.isEmpty(), qPrintable(imports::describe(s)));
    QCOMPARE(f.messages(id), nodes);
    QCOMPARE(f.branchPoints(id), branchPoints);
    QCOMPARE(f.pathSourceIds(id), pathIds);
    const QString text = f.pathText(id);
    QVERIFY2(text.startsWith(pathStart), qPrintable(text.left(400)));
    // No stored time is before the export's first year of ChatGPT (a missing one is not 1970).
    QCOMPARE(f.count(QStringLiteral("SELECT count(*) FROM messages WHERE conversation_id = ? AND"
                                    " created_at < 1600000000000"),
                     {id}),
             0);

    // Again: nothing changes.
    const QStringList before = f.dump();
    const imports::Summary again = f.importFile(real(file));
    for (const auto &r : again.results) {
        if (r.outcome == u"imported")
            QCOMPARE(r.added, 0);
    }
    QCOMPARE(f.dump(), before);
}

void TestRealExports::roundTrip_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("format");
    QTest::addColumn<QString>("conversation"); ///< a conversation's id in the file
    QTest::addColumn<QString>("node");         ///< and one of its nodes
    QTest::newRow("chatgpt-export") << "chatgpt-export.json"
                                    << "chatgpt"
                                    << "d6523d1e-7ec3-474f-a363-0e9dffdb3d93"
                                    << "5c57c3b5-35df-4b1c-ab2d-8ca76cc63629";
    QTest::newRow("chatgpt-tree") << "chatgpt-tree.json"
                                  << "chatgpt"
                                  << "d5dc5307-6807-41a0-8b04-4acee626eeb7"
                                  << "ada93f81-f59e-4b31-933d-1357efd68bfc";
    QTest::newRow("chatgpt-modern-export") << "chatgpt-modern-export.json"
                                           << "chatgpt"
                                           << "6b0f0d9c-0000-4000-8000-000000000003"
                                           << "assistant-3";
    QTest::newRow("librechat-export") << "librechat-export.json"
                                      << "librechat"
                                      << "af1ea676-f525-444f-a9ed-7c8dbf062733"
                                      << "645b925b-ef14-451f-9be3-814de55a5ae4";
    QTest::newRow("librechat-tree") << "librechat-tree.json"
                                    << "librechat"
                                    << "4a86c40e-e627-4454-b158-889680e23ad3"
                                    << "1f062c99-ff0a-4cf4-a1cf-7150261a24e2";
    QTest::newRow("librechat-opts-nonr-branches") << "librechat-opts-nonr-branches.json"
                                                  << "librechat"
                                                  << "27b593be-9500-479c-94cb-050cab8f5033"
                                                  << "303e4c2c-f03e-4e0a-8551-c96ec73be5fe";
    QTest::newRow("openwebui-export") << "openwebui-export.json"
                                      << "openwebui"
                                      << "tool-chat"
                                      << "ta2";
}

void TestRealExports::roundTrip()
{
    QFETCH(QString, file);
    QFETCH(QString, format);
    QFETCH(QString, conversation);
    QFETCH(QString, node);
    const QString tag = QString::fromUtf8(QTest::currentDataTag());
    const QString first = m_dir.filePath(tag + QStringLiteral("-1.db"));
    const QString second = m_dir.filePath(tag + QStringLiteral("-2.db"));
    const ArbordRun imported = importFile(first, real(file));
    QVERIFY2(imported.exitCode == 0 || imported.exitCode == 1, qPrintable(imported.describe()));
    QVERIFY(!imported.object().value(u"conversations").toArray().isEmpty());
    const QByteArray a = exportArbor(first, tag + QStringLiteral("-a.json"));
    QVERIFY(!a.isEmpty());

    // Where each came from is part of the export: the conversation's source, each node's id.
    const QJsonArray conversations =
        QJsonDocument::fromJson(a).object().value(u"conversations").toArray();
    bool found = false;
    for (const QJsonValue &c : conversations) {
        const QJsonObject source = c.toObject().value(u"source").toObject();
        QCOMPARE(source.value(u"format").toString(), format);
        found = found || source.value(u"id").toString() == conversation;
    }
    QVERIFY(found);
    QVERIFY(messagesBySource(a, conversation).contains(node));

    const ArbordRun again = importFile(second, m_dir.filePath(tag + QStringLiteral("-a.json")));
    QVERIFY2(again.endedWith(0), qPrintable(again.describe()));
    const QByteArray b = exportArbor(second, tag + QStringLiteral("-b.json"));
    QCOMPARE(b.size(), a.size());
    QVERIFY(b == a);
}

void TestRealExports::chatGptBrowsingIsLibreChatsText()
{
    // The same chat, exported by ChatGPT and by LibreChat after LibreChat imported it: the
    // answers read the same, citation marks turned into the same links.
    ImportFixture f;
    f.importFile(real(QStringLiteral("chatgpt-export.json")));
    f.importFile(real(QStringLiteral("librechat-export.json")));
    const auto content = [&](const QString &sourceId) {
        return f
            .rows(QStringLiteral("SELECT content FROM messages WHERE source_id = ?"), {sourceId})
            .value(0);
    };
    const QStringList pairs[] = {
        {QStringLiteral("5c57c3b5-35df-4b1c-ab2d-8ca76cc63629"),
         QStringLiteral("549a4f45-cf93-4e3b-ae62-1abf02afbfc8")},
        {QStringLiteral("9e0f92f9-9b23-464a-98ec-2b034164f2ec"),
         QStringLiteral("e9796d11-3bdf-4e25-9f0e-4802bbbb8c6d")},
        {QStringLiteral("88a0cf9f-e860-4b34-8e7e-65f8346f4862"),
         QStringLiteral("645b925b-ef14-451f-9be3-814de55a5ae4")},
    };
    for (const QStringList &pair : pairs) {
        QVERIFY(!content(pair.at(0)).isEmpty());
        QCOMPARE(content(pair.at(0)), content(pair.at(1)));
    }
    QVERIFY(content(QStringLiteral("5c57c3b5-35df-4b1c-ab2d-8ca76cc63629"))
                .endsWith(QStringLiteral(
                    "([Volkswagen Transporter Review - Drive]"
                    "(https://www.drive.com.au/reviews/volkswagen-transporter-review/)).")));

    // The browser's search and the pages it opened are two tool calls of the first answer,
    // before its text; the three pages are the second call's result.
    const auto calls = domain::toolcalls::parse(
        f.rows(QStringLiteral("SELECT tool_calls FROM messages WHERE source_id ="
                              " '5c57c3b5-35df-4b1c-ab2d-8ca76cc63629'"))
            .value(0));
    QCOMPARE(calls.size(), 2);
    QCOMPARE(calls.at(0).name, QStringLiteral("browser"));
    QCOMPARE(calls.at(0).arguments,
             QStringLiteral("{\"code\":\"search(\\\"Volkswagen Transporter fuel consumption with "
                            "8 people l/km\\\")\"}"));
    QVERIFY(calls.at(0).result.startsWith(
        QStringLiteral("# 【0†Volkswagen Transporter MPG - Actual MPG from 528")));
    QCOMPARE(calls.at(1).arguments, QStringLiteral("{\"code\":\"mclick([0, 3, 7])\"}"));
    QVERIFY(calls.at(1).result.contains(u"ultimatespecs.com"));
    QVERIFY(calls.at(1).result.contains(u"What we don't"));
    QCOMPARE(calls.at(1).status, QStringLiteral("done"));
    QCOMPARE(calls.at(0).at, 0);
    QCOMPARE(calls.at(1).at, 0);
    // The tools' nodes are no messages of their own.
    QCOMPARE(f.count(QStringLiteral("SELECT count(*) FROM messages WHERE author = 'browser'")), 0);
}

void TestRealExports::chatGptModernAndBroken()
{
    ImportFixture f;
    // A conversation without a mapping among good ones: an error for it alone.
    imports::Summary s = f.importFile(real(QStringLiteral("chatgpt-modern-export.json")));
    QCOMPARE(s.run.state, QStringLiteral("done"));
    QCOMPARE(outcomes(s, QStringLiteral("imported")), 2);
    QCOMPARE(outcomes(s, QStringLiteral("error")), 1);
    for (const auto &r : s.results) {
        if (r.outcome == u"error") {
            QCOMPARE(r.sourceId, QStringLiteral("6b0f0d9c-0000-4000-8000-000000000002"));
            QVERIFY2(r.reason.contains(u"mapping"), qPrintable(r.reason));
        }
    }
    // Models: the node's slug, else the conversation's default.
    QCOMPARE(
        f.rows(QStringLiteral("SELECT source_id, model FROM messages WHERE role ="
                              " 'assistant' ORDER BY source_id")),
        (QStringList{QStringLiteral("assistant-1|gpt-5-thinking"),
                     QStringLiteral("assistant-2|o4-mini"), QStringLiteral("assistant-3|gpt-5")}));

    // An excerpt whose first node's parent is not in the file: a clear error naming both,
    // nothing of it stored.
    const qint64 conversations = f.count(QStringLiteral("SELECT count(*) FROM conversations"));
    s = f.importFile(real(QStringLiteral("chatgpt-citations.json")));
    QCOMPARE(outcomes(s, QStringLiteral("error")), 1);
    const QString reason = s.results.value(0).reason;
    QVERIFY2(reason.contains(u"9e874379-5008-4a2d-aa2e-628d1d705a04")
                 && reason.contains(u"5cc5e87b-2b74-485a-b3a7-23cb25f202db"),
             qPrintable(reason));
    QVERIFY(s.results.value(0).place.contains(u"chatgpt-citations.json"));
    QCOMPARE(f.count(QStringLiteral("SELECT count(*) FROM conversations")), conversations);
}

void TestRealExports::openWebUiOutputItems()
{
    ImportFixture f;
    f.importFile(real(QStringLiteral("openwebui-export.json")));
    QCOMPARE(f.rows(QStringLiteral("SELECT content, reasoning, reasoning_ms, model FROM messages"
                                   " WHERE source_id = 'ra2'")),
             QStringList{QStringLiteral("255|15 * 17 = 15 * 10 + 15 * 7 = 150 + 105 = 255|3000|"
                                        "deepseek-r1")});
    const auto calls = domain::toolcalls::parse(
        f.rows(QStringLiteral("SELECT tool_calls FROM messages WHERE source_id = 'ta2'")).value(0));
    QCOMPARE(calls.size(), 1);
    QCOMPARE(calls.first().id, QStringLiteral("call_1"));
    QCOMPARE(calls.first().name, QStringLiteral("get_weather"));
    QCOMPARE(calls.first().arguments, QStringLiteral("{\"city\":\"Paris\"}"));
    QCOMPARE(calls.first().result, QStringLiteral("Paris: 18C, rain"));
    QCOMPARE(calls.first().at, 0);
    // The reply's text without the HTML that only rendered the call.
    QCOMPARE(f.rows(QStringLiteral("SELECT content FROM messages WHERE source_id = 'ta2'")),
             QStringList{QStringLiteral("The weather in Paris is 18C with rain.")});
}

QTEST_GUILESS_MAIN(TestRealExports)
#include "tst_realexports.moc"
