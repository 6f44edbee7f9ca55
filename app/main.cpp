// The window: parses a few start-up flags, configures App, loads Arbor.Ui's Main.qml.
#include "app.h"
#include "chatcontroller.h"
#include "conversationcontroller.h"
#include "framebench.h"

#include <QCommandLineParser>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QGuiApplication>
#include <QLoggingCategory>
#include <QQmlApplicationEngine>
#include <QQuickStyle>
#include <QQuickWindow>
#include <QTemporaryDir>
#include <QTimer>
#include <QtQml/qqmlextensionplugin.h>

#include <cstdio>

#ifdef ARBOR_TRAY_NOTIFICATIONS
#include <QApplication>
// The tray icon that shows desktop notices there is a widget (DesktopNotifier).
using Application = QApplication;
#else
using Application = QGuiApplication;
#endif

Q_IMPORT_QML_PLUGIN(ArborPlugin)
Q_IMPORT_QML_PLUGIN(Arbor_UiPlugin)

int main(int argc, char *argv[])
{
    Application app(argc, argv);
    QGuiApplication::setOrganizationName(QStringLiteral("Arbor"));
    QGuiApplication::setApplicationName(QStringLiteral("Arbor"));
    QGuiApplication::setApplicationVersion(QStringLiteral(ARBOR_VERSION));
    QGuiApplication::setDesktopFileName(QStringLiteral(ARBOR_APP_ID));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Arbor, a desktop client for large language models."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption dbOption(
        QStringLiteral("db"),
        QStringLiteral("The store (default: $ARBOR_DB, else the data folder)."),
        QStringLiteral("PATH"));
    const QCommandLineOption rateOption(QStringLiteral("demo-rate"),
                                        QStringLiteral("Demo model speed, tokens per second."),
                                        QStringLiteral("N"), QStringLiteral("50"));
    const QCommandLineOption sendOption(QStringLiteral("send"),
                                        QStringLiteral("Send TEXT once the window is up."),
                                        QStringLiteral("TEXT"));
    const QCommandLineOption shotOption(
        QStringLiteral("screenshot"),
        QStringLiteral("Save a picture of the window to FILE, then quit."), QStringLiteral("FILE"));
    const QCommandLineOption delayOption(
        QStringLiteral("screenshot-delay-ms"),
        QStringLiteral("Wait N ms before the screenshot (default 2000)."), QStringLiteral("N"),
        QStringLiteral("2000"));
    const QCommandLineOption conversationOption(QStringLiteral("conversation"),
                                                QStringLiteral("Open this conversation at start."),
                                                QStringLiteral("ID"));
    const QCommandLineOption stallsOption(
        QStringLiteral("report-stalls"),
        QStringLiteral("Print a line on stderr each time the GUI thread did not return to its "
                       "event loop for more than MS ms (a 1 ms timer fired that late), to "
                       "measure freezes."),
        QStringLiteral("MS"));
    const QCommandLineOption charsOption(
        QStringLiteral("demo-chars"),
        QStringLiteral("Demo replies grow to at least N characters (code, tables, lists)."),
        QStringLiteral("N"), QStringLiteral("0"));
    const QCommandLineOption benchOption(
        QStringLiteral("bench-frames"),
        QStringLiteral("On a temporary store, stream a 100,000-character demo reply at 200 "
                       "tokens/s, measure how late a 1 ms GUI-thread timer fires, write the "
                       "figures to FILE (JSON) and quit."),
        QStringLiteral("FILE"));
    const QCommandLineOption benchCompareOption(
        QStringLiteral("bench-compare"),
        QStringLiteral("With --bench-frames: six demo models stream at once into the compare "
                       "view (20,000 characters each) instead of one reply."));
    const QCommandLineOption compareOption(
        QStringLiteral("compare"),
        QStringLiteral("With --send: send TEXT to these 2 to 6 models at once, comma-separated "
                       "(demo/demo,demo/demo:temperature=1.2), and show the compare view."),
        QStringLiteral("MODELS"));
    parser.addOptions({dbOption, rateOption, sendOption, shotOption, delayOption,
                       conversationOption, stallsOption, charsOption, benchOption,
                       benchCompareOption, compareOption});
    parser.process(app);

    bool rateOk = false;
    const double rate = parser.value(rateOption).toDouble(&rateOk);
    if (!rateOk || rate < 0) {
        qCritical("arbor: --demo-rate takes a number of tokens per second (0 or more)");
        return 2;
    }
    bool charsOk = false;
    const qsizetype chars = parser.value(charsOption).toLongLong(&charsOk);
    if (!charsOk || chars < 0 || chars > 10'000'000) {
        qCritical("arbor: --demo-chars takes a number of characters (0 to 10,000,000)");
        return 2;
    }
    const bool bench = parser.isSet(benchOption);
    QTemporaryDir benchDir;
    if (bench) {
        if (!benchDir.isValid()) {
            qCritical("arbor: cannot create a temporary directory for --bench-frames");
            return 1;
        }
        qputenv("ARBOR_DISCOVERY_PORTS", ""); // no looking for local model servers
        arbor::app::App::setConfig(
            {benchDir.filePath(QStringLiteral("arbor.db")), arbor::app::FrameBench::TokensPerSecond,
             benchDir.filePath(QStringLiteral("ui.ini")),
             parser.isSet(benchCompareOption) ? arbor::app::FrameBench::CompareReplyChars
                                              : arbor::app::FrameBench::ReplyChars});
    } else {
        arbor::app::App::setConfig({parser.value(dbOption), rate, {}, chars});
    }

    if (parser.isSet(stallsOption)) {
        // A 1 ms timer on the GUI thread: a gap between two firings is time the thread spent
        // elsewhere (layout, QML, a blocking call). Lines carry the wall clock so that a script
        // driving the window (scripts/measure-freeze.py) can match them with its own actions.
        auto *ticker = new QTimer(&app);
        ticker->setTimerType(Qt::PreciseTimer);
        ticker->setInterval(1);
        const qint64 threshold = parser.value(stallsOption).toLongLong();
        QObject::connect(
            ticker, &QTimer::timeout, &app,
            [threshold, clock = QElapsedTimer(), last = qint64(0)]() mutable {
                if (!clock.isValid())
                    clock.start();
                const qint64 now = clock.elapsed();
                if (now - last > threshold)
                    fprintf(stderr, "arbor: stall %lld ms ended at %lld\n",
                            static_cast<long long>(now - last),
                            static_cast<long long>(QDateTime::currentMSecsSinceEpoch()));
                // A heartbeat: a freeze prints its line only when it ends, so silence is no proof.
                if (now / 500 != last / 500)
                    fprintf(stderr, "arbor: alive at %lld\n",
                            static_cast<long long>(QDateTime::currentMSecsSinceEpoch()));
                last = now;
            });
        ticker->start();
    }

    QQuickStyle::setStyle(QStringLiteral("Fusion")); // follows the system palette, light or dark
    QQmlApplicationEngine engine;
    engine.addImportPath(QStringLiteral("qrc:/qt/qml"));
    QObject::connect(
        &engine, &QQmlApplicationEngine::objectCreationFailed, &app,
        [] { QCoreApplication::exit(1); }, Qt::QueuedConnection);
    engine.load(QUrl(QStringLiteral("qrc:/qt/qml/Arbor/Ui/Main.qml")));
    if (engine.rootObjects().isEmpty())
        return 1;

    if (bench) {
        auto *frameBench =
            new arbor::app::FrameBench(arbor::app::App::instance(), parser.value(benchOption),
                                       parser.isSet(benchCompareOption), &app);
        frameBench->start();
    }
    if (parser.isSet(conversationOption)) {
        if (auto *root = arbor::app::App::instance())
            root->conversationController()->select(parser.value(conversationOption));
    }
    if (parser.isSet(sendOption)) {
        if (auto *root = arbor::app::App::instance()) {
            if (parser.isSet(compareOption)) {
                root->compare()->setSelection(
                    parser.value(compareOption).split(QLatin1Char(','), Qt::SkipEmptyParts));
                root->compare()->send(parser.value(sendOption));
            } else {
                root->chat()->send(parser.value(sendOption));
            }
        }
    }
    if (parser.isSet(shotOption)) {
        const QString file = QDir::current().absoluteFilePath(parser.value(shotOption));
        auto *window = qobject_cast<QQuickWindow *>(engine.rootObjects().constFirst());
        QTimer::singleShot(parser.value(delayOption).toInt(), &app, [window, file] {
            const bool saved = window && window->grabWindow().save(file);
            if (!saved)
                qCritical("arbor: could not save the screenshot to %s", qPrintable(file));
            QCoreApplication::exit(saved ? 0 : 1);
        });
    }
    return QGuiApplication::exec();
}
