// ExportController (app/, issue 18): an export from the window runs on a worker and ends with a
// message, on a real store (tests/support/exportfixture); a file that cannot be written says so
// and leaves nothing.
#include "exportcontroller.h"

#include "core/backend.h"
#include "support/exportfixture.h"

#include <QDir>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

using namespace arbor;
using app::ExportController;
using testsupport::ExportFixture;

class TestExportController : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<core::Backend> m_backend;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        const QString path = m_dir.filePath(QStringLiteral("arbor.db"));
        ExportFixture::build(path);
        m_backend = std::make_unique<core::Backend>(core::BackendOptions{path, 0, false, 1});
        m_backend->open();
    }

    void cleanupTestCase()
    {
        m_backend->close();
        m_backend.reset();
    }

    void exportsEverything()
    {
        ExportController controller(m_backend.get());
        QSignalSpy finished(&controller, &ExportController::finished);
        QList<double> progress;
        connect(&controller, &ExportController::progressChanged, this,
                [&] { progress << controller.progress(); });
        const QString file = m_dir.filePath(QStringLiteral("all.json"));
        controller.exportAll(QUrl::fromLocalFile(file), ExportController::ArborJson);
        QVERIFY(controller.busy()); // the worker has it; the GUI thread goes on
        QVERIFY(finished.wait(30000));
        QVERIFY(!controller.busy());
        QVERIFY2(!controller.failed(), qPrintable(controller.message()));
        QCOMPARE(controller.message(), QStringLiteral("Exported 2 conversations to %1.").arg(file));
        QCOMPARE(progress.constLast(), 1.0);
        QVERIFY(std::is_sorted(progress.cbegin(), progress.cend()));
        QFile written(file);
        QVERIFY(written.open(QIODevice::ReadOnly));
        QFile expected(QStringLiteral(ARBOR_EXPORT_DATA_DIR "/arbor.json"));
        QVERIFY(expected.open(QIODevice::ReadOnly));
        QCOMPARE(written.readAll(), expected.readAll());
    }

    void exportsOneAsMarkdown()
    {
        ExportController controller(m_backend.get());
        QSignalSpy finished(&controller, &ExportController::finished);
        const QString file = m_dir.filePath(QStringLiteral("one.md"));
        controller.exportConversation(QString::fromLatin1(ExportFixture::Trees),
                                      QUrl::fromLocalFile(file), ExportController::MarkdownAll);
        QVERIFY(finished.wait(30000));
        QVERIFY2(!controller.failed(), qPrintable(controller.message()));
        QCOMPARE(controller.message(),
                 QStringLiteral("Exported the conversation to %1.").arg(file));
        QFile written(file);
        QVERIFY(written.open(QIODevice::ReadOnly));
        const QByteArray text = written.readAll();
        QVERIFY(text.startsWith("# Trees"));
        QVERIFY(text.contains("## Branch 2 of 2 from message 2"));
        QVERIFY(!text.contains("# Empty"));
    }

    void aFileThatCannotBeWritten()
    {
        ExportController controller(m_backend.get());
        QSignalSpy finished(&controller, &ExportController::finished);
        const QString file = m_dir.filePath(QStringLiteral("no/such/folder/all.json"));
        controller.exportAll(QUrl::fromLocalFile(file), ExportController::OpenWebUi);
        QVERIFY(finished.wait(30000));
        QVERIFY(controller.failed());
        QVERIFY2(controller.message().startsWith(QStringLiteral("Could not export: cannot write ")),
                 qPrintable(controller.message()));
        QVERIFY(!QFile::exists(file));
    }

    void suggestedNames()
    {
        ExportController controller(m_backend.get());
        QCOMPARE(controller.suggestedName(QStringLiteral("a/b: c?"), ExportController::MarkdownAll),
                 QStringLiteral("a-b- c-.md"));
        QCOMPARE(controller.suggestedName({}, ExportController::OpenWebUi),
                 QStringLiteral("arbor-conversations.json"));
        QCOMPARE(controller.formatNames().size(), 4);
    }
};

QTEST_MAIN(TestExportController)
#include "tst_exportcontroller.moc"
