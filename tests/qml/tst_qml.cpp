#include "app.h"

#include <QObject>
#include <QQmlEngine>
#include <QTemporaryDir>
#include <QtQml/qqmlextensionplugin.h>
#include <QtQuickTest/quicktest.h>

#include <memory>

Q_IMPORT_QML_PLUGIN(ArborPlugin)
Q_IMPORT_QML_PLUGIN(Arbor_UiPlugin)

namespace {

/// Gives the QML tests their own database in a temporary directory and a fast demo model.
class Setup : public QObject
{
    Q_OBJECT

public Q_SLOTS:
    void applicationAvailable()
    {
        // Made here, not in the constructor: the application (and its name) exists only now.
        m_dir = std::make_unique<QTemporaryDir>();
        if (!m_dir->isValid())
            qFatal("Cannot create a temporary directory: %s", qPrintable(m_dir->errorString()));
        // 400 tokens/s: a demo reply settles in about a second.
        arbor::app::App::setConfig(
            arbor::app::AppConfig{m_dir->filePath(QStringLiteral("arbor.sqlite")), 400.0});
    }

    void qmlEngineAvailable(QQmlEngine *engine)
    {
        engine->addImportPath(QStringLiteral("qrc:/qt/qml"));
    }

private:
    std::unique_ptr<QTemporaryDir> m_dir;
};

} // namespace

QUICK_TEST_MAIN_WITH_SETUP(arbor_qml, Setup)

#include "tst_qml.moc"
