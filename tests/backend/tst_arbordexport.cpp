// `arbord export` through the real binary: stdout, -o, --all, an unknown id, usage errors, and a
// reader that leaves early (`| head`).
#include "domain/ids.h"
#include "domain/message.h"
#include "store/conversationqueries.h"
#include "store/messagequeries.h"
#include "support/arbordprocess.h"
#include "support/dbconnection.h"
#include "support/exportfixture.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using arbor::testsupport::ArbordRun;
using arbor::testsupport::ExportFixture;

namespace {

QByteArray expected(const QString &name)
{
    QFile f(QStringLiteral(ARBOR_EXPORT_DATA_DIR "/") + name);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

class TestArbordExport : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString dbPath() const { return m_dir.filePath(QStringLiteral("arbor.db")); }

    ArbordRun arbord(const QStringList &args, const QString &db = {}) const
    {
        return arbor::testsupport::runArbord(
            QStringLiteral(ARBORD_PATH),
            QStringList{QStringLiteral("export")} + args
                + QStringList{QStringLiteral("--db"), db.isEmpty() ? dbPath() : db});
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        ExportFixture::build(dbPath());
    }

    void toStdout()
    {
        const QString trees = QString::fromLatin1(ExportFixture::Trees);
        const QString empty = QString::fromLatin1(ExportFixture::Empty);
        ArbordRun r = arbord({trees, empty, QStringLiteral("--format"), QStringLiteral("arbor")});
        QVERIFY2(r.endedWith(0), qPrintable(r.describe()));
        QCOMPARE(r.out, expected(QStringLiteral("arbor.json")));
        QVERIFY(r.err.isEmpty());
        // Arbor JSON is the default format, and --all is the same two conversations.
        r = arbord({QStringLiteral("--all")});
        QVERIFY2(r.endedWith(0), qPrintable(r.describe()));
        QCOMPARE(r.out, expected(QStringLiteral("arbor.json")));
        r = arbord({trees, empty, QStringLiteral("--format"), QStringLiteral("markdown")});
        QVERIFY2(r.endedWith(0), qPrintable(r.describe()));
        QCOMPARE(r.out, expected(QStringLiteral("current.md")));
        r = arbord({QStringLiteral("--all"), QStringLiteral("--format"), QStringLiteral("markdown"),
                    QStringLiteral("--branches"), QStringLiteral("all")});
        QVERIFY2(r.endedWith(0), qPrintable(r.describe()));
        QCOMPARE(r.out, expected(QStringLiteral("branches.md")));
        r = arbord({trees, QStringLiteral("--format"), QStringLiteral("openwebui")});
        QVERIFY2(r.endedWith(0), qPrintable(r.describe()));
        QCOMPARE(QJsonDocument::fromJson(r.out).array().size(), 1);
    }

    void toFile()
    {
        QTemporaryDir out;
        const QString path = out.filePath(QStringLiteral("export.md"));
        const ArbordRun r = arbord({QStringLiteral("--all"), QStringLiteral("--format"),
                                    QStringLiteral("markdown"), QStringLiteral("-o"), path});
        QVERIFY2(r.endedWith(0), qPrintable(r.describe()));
        QCOMPARE(QString::fromUtf8(r.out),
                 QStringLiteral("exported 2 conversations (4 messages) to %1\n").arg(path));
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll(), expected(QStringLiteral("current.md")));
        // Nothing else is left in the folder (the temporary file was renamed).
        QCOMPARE(QDir(out.path()).entryList(QDir::Files | QDir::Hidden),
                 QStringList{QStringLiteral("export.md")});
    }

    void unknownId()
    {
        QTemporaryDir out;
        const QString path = out.filePath(QStringLiteral("export.json"));
        ArbordRun r = arbord({QString::fromLatin1(ExportFixture::Trees),
                              QStringLiteral("0193a000-0000-7000-8000-0000000000ff")});
        QVERIFY2(r.endedWith(1), qPrintable(r.describe()));
        QVERIFY(r.out.isEmpty());
        QCOMPARE(r.errLines(),
                 QStringList{QStringLiteral(
                     "arbord export: no conversation “0193a000-0000-7000-8000-0000000000ff”")});
        // A deleted conversation is unknown too; with -o no file is made.
        r = arbord({QString::fromLatin1(ExportFixture::Deleted), QStringLiteral("-o"), path});
        QVERIFY2(r.endedWith(1), qPrintable(r.describe()));
        QVERIFY(!QFile::exists(path));
        QVERIFY(QDir(out.path()).entryList(QDir::Files | QDir::Hidden).isEmpty());
    }

    void usageErrors()
    {
        const QString trees = QString::fromLatin1(ExportFixture::Trees);
        for (const QStringList &args :
             {QStringList{}, QStringList{trees, QStringLiteral("--all")},
              QStringList{trees, QStringLiteral("--format"), QStringLiteral("pdf")},
              QStringList{trees, QStringLiteral("--branches"), QStringLiteral("all")},
              QStringList{trees, QStringLiteral("--format"), QStringLiteral("markdown"),
                          QStringLiteral("--branches"), QStringLiteral("some")}}) {
            const ArbordRun r = arbord(args);
            QVERIFY2(r.endedWith(2), qPrintable(args.join(u' ') + u'\n' + r.describe()));
            QVERIFY(r.out.isEmpty());
            QCOMPARE(r.errLines().size(), 1);
        }
        // A store that is not there is an error, and is not made.
        const QString missing = m_dir.filePath(QStringLiteral("missing.db"));
        const ArbordRun r = arbord({QStringLiteral("--all")}, missing);
        QVERIFY2(r.endedWith(1), qPrintable(r.describe()));
        QVERIFY(!QFile::exists(missing));
    }

    void readerLeavesEarly()
    {
        // A conversation of a few MB, so that arbord is still writing when the reader goes.
        using namespace arbor;
        QTemporaryDir dir;
        const QString db = dir.filePath(QStringLiteral("big.db"));
        {
            testsupport::DbConnection c(db, testsupport::DbConnection::Mode::Migrated);
            c.exec(QStringLiteral("BEGIN"));
            domain::Conversation conversation;
            conversation.id = domain::newId();
            conversation.title = QStringLiteral("Long");
            conversation.createdAt = conversation.updatedAt = 1;
            store::conversations::insert(c.db(), conversation);
            QString parent;
            for (int i = 0; i < 2000; ++i) {
                domain::Message m;
                m.id = domain::newId();
                m.conversationId = conversation.id;
                m.parentId = parent;
                m.role = i % 2 == 0 ? QStringLiteral("user") : QStringLiteral("assistant");
                m.content = QString(2000, QLatin1Char('x'));
                m.createdAt = 10 + i;
                store::messages::insert(c.db(), m);
                parent = m.id;
            }
            c.exec(QStringLiteral("COMMIT"));
        }
        QProcess p;
        p.start(QStringLiteral(ARBORD_PATH),
                {QStringLiteral("export"), QStringLiteral("--all"), QStringLiteral("--db"), db});
        QVERIFY(p.waitForReadyRead(30000));
        QVERIFY(p.read(100).startsWith("{\n  \"format\": \"arbor\""));
        p.closeReadChannel(QProcess::StandardOutput);
        QVERIFY(p.waitForFinished(30000));
        // Ended by itself, quietly: not killed by SIGPIPE, nothing on stderr.
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QCOMPARE(p.exitCode(), 0);
        QCOMPARE(p.readAllStandardError(), QByteArray());
    }
};

QTEST_GUILESS_MAIN(TestArbordExport)
#include "tst_arbordexport.moc"
