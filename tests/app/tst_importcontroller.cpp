// ImportController (app/, issue 18): a file dropped on the window or chosen with Import… runs as
// an import job of the real backend (the one `arbord import` uses); the sidebar's panel shows
// its progress, then the summary until dismissed.
#include "importcontroller.h"

#include "core/backend.h"

#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

using namespace arbor;
using app::ImportController;

class TestImportController : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void importsAndSummarizes()
    {
        QTemporaryDir dir;
        core::Backend backend(
            core::BackendOptions{dir.filePath(QStringLiteral("a.db")), 0, true, 2});
        backend.open();
        ImportController imports(&backend);
        QSignalSpy finished(&imports, &ImportController::finished);
        QVERIFY(!imports.shown());

        const QUrl file =
            QUrl::fromLocalFile(QStringLiteral(ARBOR_IMPORT_DATA "/chatgpt/shapes.json"));
        QVERIFY(imports.start(file));
        QVERIFY(imports.shown());
        QVERIFY(imports.running());
        QVERIFY(!imports.start(file)); // one at a time
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 30000);
        QVERIFY(!imports.running());
        QCOMPARE(imports.fileName(), QStringLiteral("shapes.json"));
        QCOMPARE(imports.done(), 4.0);
        QCOMPARE(imports.total(), 4.0);
        QCOMPARE(imports.summary(),
                 QStringLiteral("imported 4 conversations (13 new messages), skipped 0, 0 errors"));
        QVERIFY(!imports.failed());
        imports.dismiss();
        QVERIFY(!imports.shown());

        // A bad file: the summary says so, with the file and the place.
        const QString bad = dir.filePath(QStringLiteral("bad.json"));
        QFile f(bad);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("[{\"id\":\"x\",\"mapping\":{\"a\":{\"parent\":\"zz\",\"message\":{\"author\":{"
                "\"role\":"
                "\"user\"},\"content\":{\"parts\":[\"hi\"]}}}}}]");
        f.close();
        QVERIFY(imports.start(QUrl::fromLocalFile(bad)));
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, 30000);
        QVERIFY(imports.failed());
        QCOMPARE(imports.details().size(), 1);
        QVERIFY2(imports.details().first().contains(bad)
                     && imports.details().first().contains(u"“zz”"),
                 qPrintable(imports.details().first()));
    }
};

QTEST_MAIN(TestImportController)
#include "tst_importcontroller.moc"
