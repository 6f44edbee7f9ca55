#include "app.h"

#include "store/store.h"
#include "store/usagequeries.h"
#include "support/fakevendorserver.h"

#include <QObject>
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
    }

private:
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
};

} // namespace

QUICK_TEST_MAIN_WITH_SETUP(arbor_qml, Setup)

#include "tst_qml.moc"
