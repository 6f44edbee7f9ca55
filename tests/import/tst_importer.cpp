// Importing real-shaped exports of every format into a real store (issue 18): node counts,
// branch points, the current path, re-imports that add nothing or only what is new, Arbor JSON
// with its ids, zip archives.
#include "importfixture.h"

#include "domain/toolcall.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace arbor;
using namespace arbor::testsupport;

namespace {

QString data(const QString &name)
{
    return QStringLiteral(ARBOR_IMPORT_DATA "/") + name;
}

} // namespace

class TestImporter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void shapes_data();
    void shapes();
    void chatGptContent();
    void chatGptTurns();
    void claudeBlocks();
    void openWebUiAndLibreChat();
    void reimportAddsOnlyNewMessages();
    void arborKeepsIds();
    void explicitFormatMismatch();
};

void TestImporter::shapes_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("sourceId");
    QTest::addColumn<int>("nodes");
    QTest::addColumn<int>("branchPoints");
    QTest::addColumn<QString>("path");
    QTest::newRow("chatgpt linear, hidden system root")
        << "chatgpt/shapes.json"
        << "cg-linear" << 3 << 0 << "What is a tree?|A graph without cycles.|Thanks";
    QTest::newRow("chatgpt fork at the root, current on the older branch")
        << "chatgpt/shapes.json"
        << "cg-rootfork" << 4 << 1 << "First question|First answer";
    // The thoughts go into both replies under them; the call and its output are one message.
    QTest::newRow("chatgpt fork in the middle under a hidden recap")
        << "chatgpt/shapes.json"
        << "cg-middle" << 3 << 1 << "[image: file-Abc123 (not included in the export)]\nPlot this|";
    QTest::newRow("chatgpt older export: no current_node, latest leaf")
        << "chatgpt/shapes.json"
        << "cg-old" << 3 << 1 << "Old question|Old answer B";
    QTest::newRow("claude flat") << "claude/conversations.json"
                                 << "cl-flat" << 3 << 0
                                 << "Hello Claude|Hello! How can I help?|Read this\n\n[file: "
                                    "notes.txt]\n\nhello\n\n[file: photo.png (not included in "
                                    "the export)]";
    QTest::newRow("claude branches, latest leaf")
        << "claude/conversations.json"
        << "cl-branch" << 4 << 1
        << "Weather in Paris?|Let me check. It is 18 C and cloudy.|And tomorrow?";
    QTest::newRow("open webui, current on the older branch")
        << "openwebui/all-chats.json"
        << "ow-1" << 4 << 1 << "Tell me a joke|Why did the tree log off? Too many branches.";
    QTest::newRow("open webui single chat") << "openwebui/single-chat.json"
                                            << "ow-single" << 2 << 0 << "Hi|Hello";
    QTest::newRow("librechat recursive")
        << "librechat/recursive.json"
        << "lc-rec" << 4 << 1 << "Root question|Answer two|Follow-up";
    QTest::newRow("librechat flat") << "librechat/flat.json"
                                    << "lc-flat" << 3 << 0 << "Hello|Hi there|Bye";
    QTest::newRow("arbor") << "arbor/export.json"
                           << "cg-original" << 3 << 1 << "Weather?|Partial";
}

void TestImporter::shapes()
{
    QFETCH(QString, file);
    QFETCH(QString, sourceId);
    QFETCH(int, nodes);
    QFETCH(int, branchPoints);
    QFETCH(QString, path);
    ImportFixture f;
    const imports::Summary first = f.importFile(data(file));
    QCOMPARE(first.run.state, QStringLiteral("done"));
    QVERIFY2(!imports::hasErrors(first), qPrintable(imports::describe(first)));
    const QString id = f.conversation(sourceId);
    QVERIFY(!id.isEmpty());
    QCOMPARE(f.messages(id), nodes);
    QCOMPARE(f.branchPoints(id), branchPoints);
    QCOMPARE(f.pathText(id), path);

    // Again: nothing changes, each conversation reports 0 added.
    const QStringList before = f.dump();
    const imports::Summary again = f.importFile(data(file));
    QVERIFY(!imports::hasErrors(again));
    for (const auto &r : again.results) {
        QCOMPARE(r.outcome, QStringLiteral("imported"));
        QCOMPARE(r.added, 0);
    }
    QCOMPARE(f.dump(), before);
}

void TestImporter::chatGptContent()
{
    ImportFixture f;
    f.importFile(data(QStringLiteral("chatgpt/shapes.json")));
    const QString id = f.conversation(QStringLiteral("cg-middle"));
    // The thoughts (and the recap's 7 s) are the reasoning of both replies below them.
    QCOMPARE(f.rows(QStringLiteral("SELECT source_id, reasoning, reasoning_ms, model, status,"
                                   " author FROM messages WHERE source_id IN ('m4', 'm5')"
                                   " ORDER BY source_id")),
             (QStringList{QStringLiteral("m4|**Plan**\n\nI should run code.|7000|o3|complete|o3"),
                          QStringLiteral("m5|**Plan**\n\nI should run code.|7000|o3|interrupted|"
                                         "o3")}));
    // The code for python and the tool's output under it: one tool call with its result.
    const auto calls = domain::toolcalls::parse(
        f.rows(QStringLiteral("SELECT tool_calls FROM messages WHERE source_id = 'm4'")).value(0));
    QCOMPARE(calls.size(), 1);
    QCOMPARE(calls.first().id, QStringLiteral("m3"));
    QCOMPARE(calls.first().name, QStringLiteral("python"));
    QCOMPARE(calls.first().arguments, QStringLiteral("{\"code\":\"print(1 + 1)\"}"));
    QCOMPARE(calls.first().result, QStringLiteral("2"));
    QCOMPARE(calls.first().status, QStringLiteral("done"));
    // Thoughts, recap and call are no messages of their own.
    QCOMPARE(f.count(QStringLiteral("SELECT count(*) FROM messages WHERE source_id IN ('m2',"
                                    " 'm2r', 'm3')")),
             0);
    QCOMPARE(f.count(QStringLiteral("SELECT child_count FROM messages WHERE source_id = 'm1'")), 2);
    QCOMPARE(f.rows(QStringLiteral("SELECT source_format FROM conversations WHERE id = ?"), {id}),
             QStringList{QStringLiteral("chatgpt")});
}

void TestImporter::chatGptTurns()
{
    ImportFixture f;
    const imports::Summary s = f.importFile(data(QStringLiteral("chatgpt/turns.json")));
    QVERIFY2(!imports::hasErrors(s), qPrintable(imports::describe(s)));

    // thoughts → recap → code for python → its output → the answer: one reply.
    QString id = f.conversation(QStringLiteral("t-tools"));
    QCOMPARE(f.messages(id), 2);
    QCOMPARE(f.pathText(id), QStringLiteral("What is 6 times 7?|It is 42."));
    QCOMPARE(f.rows(QStringLiteral("SELECT source_id, reasoning, reasoning_ms, author FROM"
                                   " messages WHERE conversation_id = ? AND role = 'assistant'"),
                    {id}),
             QStringList{QStringLiteral("a|**Plan**\n\nRun it.|4000|o3")});
    auto calls = domain::toolcalls::parse(
        f.rows(QStringLiteral("SELECT tool_calls FROM messages WHERE source_id = 'a'")).value(0));
    QCOMPARE(calls.size(), 1);
    QCOMPARE(calls.first().id, QStringLiteral("c"));
    QCOMPARE(calls.first().name, QStringLiteral("python"));
    QCOMPARE(calls.first().arguments, QStringLiteral("{\"code\":\"print(6 * 7)\"}"));
    QCOMPARE(calls.first().result, QStringLiteral("42"));
    QCOMPARE(calls.first().status, QStringLiteral("done"));
    QCOMPARE(calls.first().at, 0);

    // Code the model showed the user is code; a tool's picture without a call above it is a
    // message of its own; assets the export lacks are named in their place.
    id = f.conversation(QStringLiteral("t-shown"));
    QCOMPARE(f.messages(id), 4);
    QCOMPARE(f.pathText(id),
             QStringLiteral("[audio: file_9 (not included in the export)]\nShow me a loop|"
                            "```python\nfor i in range(3):\n    print(i)\n```|Draw it|"
                            "[image: file-Img7 (not included in the export)]"));
    QCOMPARE(f.rows(QStringLiteral("SELECT author, tool_calls IS NULL FROM messages WHERE"
                                   " source_id = 's4'")),
             QStringList{QStringLiteral("dalle.text2im|1")});

    // Text before a call (end_turn false), the browser's search and its result, the answer:
    // one reply whose citation mark is a link; the call sits after the first text.
    id = f.conversation(QStringLiteral("t-browse"));
    QCOMPARE(f.messages(id), 2);
    QCOMPARE(f.pathText(id),
             QStringLiteral("Who makes the Transporter?|Let me look.\n\nVolkswagen 😀 makes it"
                            " ([Volkswagen](https://vw.com/))."));
    calls = domain::toolcalls::parse(
        f.rows(QStringLiteral("SELECT tool_calls FROM messages WHERE source_id = 'b5'")).value(0));
    QCOMPARE(calls.size(), 1);
    QCOMPARE(calls.first().name, QStringLiteral("browser"));
    QCOMPARE(calls.first().arguments,
             QStringLiteral("{\"code\":\"search(\\\"Transporter maker\\\")\"}"));
    QCOMPARE(calls.first().result, QStringLiteral("# 【0†Volkswagen†vw.com】\nThe maker."));
    QCOMPARE(calls.first().at, 12); // after "Let me look."
}

void TestImporter::claudeBlocks()
{
    ImportFixture f;
    f.importFile(data(QStringLiteral("claude/conversations.json")));
    const QStringList row = f.rows(QStringLiteral("SELECT reasoning, reasoning_ms, tool_calls"
                                                  " FROM messages WHERE source_id = 'b2'"));
    QCOMPARE(row.size(), 1);
    const QStringList cols = row.first().split(u'|');
    QCOMPARE(cols.at(0), QStringLiteral("The user wants the weather."));
    QCOMPARE(cols.at(1), QStringLiteral("2500"));
    const auto calls = domain::toolcalls::parse(cols.mid(2).join(u'|'));
    QCOMPARE(calls.size(), 1);
    QCOMPARE(calls.first().name, QStringLiteral("get_weather"));
    QCOMPARE(calls.first().arguments, QStringLiteral("{\"city\":\"Paris\"}"));
    QCOMPARE(calls.first().result, QStringLiteral("18 C, cloudy"));
    QCOMPARE(calls.first().at, 13); // after "Let me check."
}

void TestImporter::openWebUiAndLibreChat()
{
    ImportFixture f;
    f.importFile(data(QStringLiteral("openwebui/all-chats.json")));
    QCOMPARE(
        f.rows(QStringLiteral("SELECT reasoning, reasoning_ms, prompt_tokens,"
                              " completion_tokens, author FROM messages WHERE source_id = 'a2'")),
        QStringList{QStringLiteral("Something short.\nAbout trees.|3000|12|20|Llama 3.1")});
    QCOMPARE(f.rows(QStringLiteral("SELECT prompt_tokens, completion_tokens FROM messages WHERE"
                                   " source_id = 'a3'")),
             QStringList{QStringLiteral("12|5")});
    f.importFile(data(QStringLiteral("openwebui/single-chat.json")));
    QCOMPARE(f.rows(QStringLiteral("SELECT status FROM messages WHERE source_id = 's2'")),
             QStringList{QStringLiteral("interrupted")});
    f.importFile(data(QStringLiteral("librechat/recursive.json")));
    QCOMPARE(f.rows(QStringLiteral("SELECT reasoning, status, model FROM messages WHERE"
                                   " source_id = 't3'")),
             QStringList{QStringLiteral("Pondering|interrupted|gpt-4")});
}

void TestImporter::reimportAddsOnlyNewMessages()
{
    ImportFixture f;
    QFile in(data(QStringLiteral("chatgpt/shapes.json")));
    QVERIFY(in.open(QIODevice::ReadOnly));
    QJsonArray all = QJsonDocument::fromJson(in.readAll()).array();
    const QString path = f.dir.filePath(QStringLiteral("linear.json"));
    const auto write = [&](const QJsonArray &a) {
        QFile out(path);
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(QJsonDocument(a).toJson());
    };
    write(QJsonArray{all.at(0)});
    QCOMPARE(f.importFile(path).results.first().added, 3);
    const QString id = f.conversation(QStringLiteral("cg-linear"));

    // The conversation went on in ChatGPT: l4 under l3, now the current node.
    QJsonObject conv = all.at(0).toObject();
    QJsonObject mapping = conv.value(u"mapping").toObject();
    QJsonObject l3 = mapping.value(u"l3").toObject();
    l3.insert(QStringLiteral("children"), QJsonArray{QStringLiteral("l4")});
    mapping.insert(QStringLiteral("l3"), l3);
    mapping.insert(
        QStringLiteral("l4"),
        QJsonObject{
            {QStringLiteral("id"), QStringLiteral("l4")},
            {QStringLiteral("parent"), QStringLiteral("l3")},
            {QStringLiteral("children"), QJsonArray{}},
            {QStringLiteral("message"),
             QJsonObject{{QStringLiteral("id"), QStringLiteral("l4")},
                         {QStringLiteral("author"),
                          QJsonObject{{QStringLiteral("role"), QStringLiteral("assistant")}}},
                         {QStringLiteral("create_time"), 1700000004.0},
                         {QStringLiteral("content"),
                          QJsonObject{{QStringLiteral("content_type"), QStringLiteral("text")},
                                      {QStringLiteral("parts"),
                                       QJsonArray{QStringLiteral("You are welcome")}}}}}}});
    conv.insert(QStringLiteral("mapping"), mapping);
    conv.insert(QStringLiteral("current_node"), QStringLiteral("l4"));
    const QStringList before = f.rows(QStringLiteral("SELECT * FROM messages ORDER BY id"));
    write(QJsonArray{conv});
    const imports::Summary s = f.importFile(path);
    QCOMPARE(s.results.first().added, 1);
    QCOMPARE(s.results.first().messages, 4);
    QCOMPARE(f.messages(id), 4);
    QCOMPARE(f.pathText(id),
             QStringLiteral("What is a tree?|A graph without cycles.|Thanks|You "
                            "are welcome"));
    // The old rows are untouched (only child_count of the new one's parent moved).
    QStringList after = f.rows(QStringLiteral("SELECT * FROM messages WHERE source_id <> 'l4' AND"
                                              " source_id <> 'l3' ORDER BY id"));
    QCOMPARE(after.size(), 2);
    for (const QString &row : after)
        QVERIFY(before.contains(row));
    QCOMPARE(f.count(QStringLiteral("SELECT count(*) FROM conversations")), 1);
}

void TestImporter::arborKeepsIds()
{
    ImportFixture f;
    const imports::Summary s = f.importFile(data(QStringLiteral("arbor/export.json")));
    QVERIFY2(!imports::hasErrors(s), qPrintable(imports::describe(s)));
    const QString id = QStringLiteral("019a0000-0000-7000-8000-000000000001");
    QCOMPARE(f.rows(QStringLiteral("SELECT title, current_leaf_id, settings, source_format,"
                                   " source_id FROM conversations")),
             QStringList{QStringLiteral("Arbor tree|019a0000-0000-7000-8000-0000000000a2|{\"system_"
                                        "prompt\":\"Be brief.\"}|chatgpt|cg-original")});
    QCOMPARE(f.rows(QStringLiteral("SELECT id, coalesce(parent_id, '-'), label, source_id FROM"
                                   " messages WHERE conversation_id = ? ORDER BY id"),
                    {id}),
             (QStringList{QStringLiteral("019a0000-0000-7000-8000-0000000000a0|-|start|n1"),
                          QStringLiteral("019a0000-0000-7000-8000-0000000000a1|019a0000-0000-"
                                         "7000-8000-0000000000a0||"),
                          QStringLiteral("019a0000-0000-7000-8000-0000000000a2|019a0000-0000-"
                                         "7000-8000-0000000000a0||")}));
    QCOMPARE(f.rows(QStringLiteral(
                 "SELECT content, reasoning, reasoning_ms, reasoning_data, prompt_tokens,"
                 " completion_tokens, cached_tokens, reasoning_tokens, usage_estimated, cost_nanos,"
                 " currency, provider, model, finish_reason, created_at, finished_at FROM messages"
                 " WHERE id = '019a0000-0000-7000-8000-0000000000a1'")),
             QStringList{QStringLiteral(
                 "Checking.|Check the tool.|1500|[{\"type\":\"thinking\",\"signature\":\"sig\"}]|"
                 "100|40|20|10|0|900000|USD|anthropic-work|claude-sonnet-4-5|tool_use|"
                 "1796119202000|1796119205250")});
    const auto calls =
        domain::toolcalls::parse(f.rows(QStringLiteral("SELECT tool_calls FROM messages WHERE id ="
                                                       " '019a0000-0000-7000-8000-0000000000a1'"))
                                     .first());
    QCOMPARE(calls.size(), 1);
    QCOMPARE(calls.first().id, QStringLiteral("toolu_9"));
    QCOMPARE(calls.first().at, 9);
    QCOMPARE(f.rows(QStringLiteral("SELECT status, error FROM messages WHERE id ="
                                   " '019a0000-0000-7000-8000-0000000000a2'")),
             QStringList{QStringLiteral("interrupted|stopped")});
    // The usage ledger counts the imported reply once.
    QCOMPARE(f.count(QStringLiteral("SELECT sum(messages) FROM usage_days")), 1);

    const QStringList before = f.dump();
    f.importFile(data(QStringLiteral("arbor/export.json")));
    f.importFile(data(QStringLiteral("arbor/export.json")));
    QCOMPARE(f.dump(), before);
}

void TestImporter::explicitFormatMismatch()
{
    ImportFixture f;
    const QString file = data(QStringLiteral("claude/conversations.json"));
    const imports::Summary s = f.importFile(file, imports::Format::ChatGpt);
    QCOMPARE(s.run.state, QStringLiteral("failed"));
    QVERIFY2(s.run.error.contains(file) && s.run.error.contains(u"claude"),
             qPrintable(s.run.error));
    QCOMPARE(f.count(QStringLiteral("SELECT count(*) FROM conversations")), 0);
}

QTEST_GUILESS_MAIN(TestImporter)
#include "tst_importer.moc"
