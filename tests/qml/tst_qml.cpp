#include "app.h"

#include "store/store.h"
#include "store/toolqueries.h"
#include "store/usagequeries.h"
#include "support/fakevendorserver.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QObject>
#include <QQmlContext>
#include <QQmlEngine>
#include <QQuickStyle>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QThread>
#include <QtQml/qqmlextensionplugin.h>
#include <QtQuickTest/quicktest.h>

#include <memory>

Q_IMPORT_QML_PLUGIN(ArborPlugin)
Q_IMPORT_QML_PLUGIN(Arbor_UiPlugin)

namespace {

QtMessageHandler g_previousHandler = nullptr;

/// A QML error (a name not in scope, a call on undefined) is only a warning to Qt Quick: the
/// binding keeps its old value and the test may well pass. Here it ends the run.
void failOnQmlErrors(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    g_previousHandler(type, context, message);
    static const QRegularExpression qmlError(QStringLiteral("\\b(ReferenceError|TypeError): "));
    if (type == QtWarningMsg && qmlError.match(message).hasMatch())
        qFatal("QML error during the tests (see the line above)");
}

/// Gives the QML tests their own database in a temporary directory and a fast demo model.
class Setup : public QObject
{
    Q_OBJECT

public:
    ~Setup() override
    {
        if (m_serverThread) {
            m_serverThread->quit();
            m_serverThread->wait();
        }
    }

public Q_SLOTS:
    void applicationAvailable()
    {
        g_previousHandler = qInstallMessageHandler(failOnQmlErrors);
        // The style the window uses (main.cpp), so that the tests see what users see.
        QQuickStyle::setStyle(QStringLiteral("Fusion"));
        // Made here, not in the constructor: the application (and its name) exists only now.
        m_dir = std::make_unique<QTemporaryDir>();
        if (!m_dir->isValid())
            qFatal("Cannot create a temporary directory: %s", qPrintable(m_dir->errorString()));
        // 400 tokens/s: a demo reply settles in about a second. The usage run (tst_usage.qml)
        // prices the demo model in its store first, and streams slower, so the live estimate
        // of a reply being written can be seen for several seconds.
        const QString db = m_dir->filePath(QStringLiteral("arbor.sqlite"));
        const bool usageRun = qEnvironmentVariableIntValue("ARBOR_TEST_DEMO_PRICE") == 1;
        if (usageRun)
            priceTheDemo(db);
        if (qEnvironmentVariableIntValue("ARBOR_TEST_TOOLS") == 1)
            addToolsVendor(db);
        arbor::app::App::setConfig(arbor::app::AppConfig{
            db, usageRun ? 40.0 : 400.0, m_dir->filePath(QStringLiteral("ui.ini"))});
        // Start-up discovery looks only where the run says: nowhere, or (tst_qml_discovery) at a
        // fake Ollama on a free port, never at whatever listens on this machine's usual ports.
        if (qEnvironmentVariableIntValue("ARBOR_TEST_FAKE_OLLAMA") == 1) {
            auto *ollama = new arbor::testsupport::FakeVendorServer;
            for (int i = 0; i < 8; ++i) // the start, and each time Settings looks again
                ollama->enqueue(arbor::testsupport::FakeVendorServer::json(
                    200, R"({"models":[{"name":"llama3.2:1b"},{"name":"qwen2.5:0.5b"}]})"));
            qputenv("ARBOR_DISCOVERY_PORTS",
                    "ollama:" + QByteArray::number(ollama->baseUrl().port()));
            // Its own thread: discovery starts (300 ms timeouts) while this one still loads QML.
            m_serverThread = std::make_unique<QThread>();
            ollama->moveToThread(m_serverThread.get());
            connect(m_serverThread.get(), &QThread::finished, ollama, &QObject::deleteLater);
            m_serverThread->start();
        } else if (!qEnvironmentVariableIsSet("ARBOR_DISCOVERY_PORTS")) {
            qputenv("ARBOR_DISCOVERY_PORTS", "");
        }
    }

    void qmlEngineAvailable(QQmlEngine *engine)
    {
        engine->addImportPath(QStringLiteral("qrc:/qt/qml"));
        // tst_qml_tools adds the fake vendor as a provider through Settings (App.providerSettings):
        // a test seam, not how the app reaches its types.
        if (m_vendorUrl.isValid())
            engine->rootContext()->setContextProperty(QStringLiteral("testVendorUrl"),
                                                      m_vendorUrl.toString());
    }

private:
    /// One streamed OpenAI-compatible chunk that says @p text and ends.
    static QByteArray say(const QByteArray &text)
    {
        return "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + text
            + "\"},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n";
    }

    /// tst_qml_tools: a fake OpenAI-compatible vendor (its URL is `testVendorUrl` in QML) that
    /// calls the tool "peek" when a request offers it and says what it saw, and the scripted
    /// MCP server "notes" (tests/tools/scriptedmcp.js), off everywhere until a conversation turns
    /// it on.
    void addToolsVendor(const QString &db)
    {
        using arbor::testsupport::FakeVendorServer;
        auto *vendor = new FakeVendorServer;
        vendor->setResponder([](const FakeVendorServer::Request &r) {
            const QJsonObject request = QJsonDocument::fromJson(r.body).object();
            const QJsonArray messages = request.value(QLatin1String("messages")).toArray();
            bool offered = false;
            for (const QJsonValue &t : request.value(QLatin1String("tools")).toArray())
                offered = offered
                    || t[QLatin1String("function")][QLatin1String("name")].toString() == u"peek";
            QByteArray body;
            if (messages.last()[QLatin1String("role")].toString()
                == u"tool") // the call's result is in
                body = say("Used the tool.");
            else if (offered)
                body = "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,"
                       "\"id\":\"call_peek\",\"type\":\"function\",\"function\":{\"name\":"
                       "\"peek\",\"arguments\":\"{}\"}}]},\"finish_reason\":\"tool_calls\"}]}\n\n"
                       "data: [DONE]\n\n";
            else
                body = say("No tools offered.");
            return FakeVendorServer::stream(body, "text/event-stream");
        });
        m_vendorUrl = vendor->baseUrl();
        m_vendorUrl.setPath(QStringLiteral("/v1"));
        m_serverThread = std::make_unique<QThread>();
        vendor->moveToThread(m_serverThread.get());
        connect(m_serverThread.get(), &QThread::finished, vendor, &QObject::deleteLater);
        m_serverThread->start();

        arbor::store::Store store(db, 1);
        store.open();
        store
            .write([](QSqlDatabase &conn) {
                arbor::store::tools::StoredToolServer s;
                s.name = QStringLiteral("notes");
                s.transport = QStringLiteral("stdio");
                s.command = QStringLiteral("node");
                s.args = {QStringLiteral(ARBOR_SCRIPTED_MCP)};
                s.enabled = false;
                s.createdAt = 1;
                arbor::store::tools::upsert(conn, s);
            })
            .waitForFinished();
        store.close();
    }

    /// $1,000 / $2,000 per million input / output tokens for every demo model.
    static void priceTheDemo(const QString &db)
    {
        arbor::store::Store store(db, 1);
        store.open();
        arbor::store::usage::Price price;
        price.provider = QStringLiteral("demo");
        price.model = QStringLiteral("*");
        price.validFrom = QStringLiteral("2000-01-01");
        price.input = 1000;
        price.output = 2000;
        store.write([price](QSqlDatabase &conn) { arbor::store::usage::setPrice(conn, price); })
            .waitForFinished();
        store.close();
    }

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<QThread> m_serverThread;
    QUrl m_vendorUrl;
};

} // namespace

QUICK_TEST_MAIN_WITH_SETUP(arbor_qml, Setup)

#include "tst_qml.moc"
