#pragma once

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QStringList>

namespace arbor::testsupport {

/** @brief What one run of the real arbord binary did. */
struct ArbordRun
{
    int exitCode = -1;
    QProcess::ExitStatus exitStatus = QProcess::CrashExit;
    QByteArray out;
    QString err;

    QJsonObject object() const { return QJsonDocument::fromJson(out).object(); }
    QJsonArray array() const { return QJsonDocument::fromJson(out).array(); }
    /** @brief The lines arbord wrote to stderr (without the empty last one). */
    QStringList errLines() const { return err.split(QLatin1Char('\n'), Qt::SkipEmptyParts); }
    /** @brief Ended by itself (no crash, no abort) with @p code. */
    bool endedWith(int code) const
    {
        return exitStatus == QProcess::NormalExit && exitCode == code;
    }
    QString describe() const
    {
        return QStringLiteral("exit %1%2\nstdout: %3\nstderr: %4")
            .arg(exitCode)
            .arg(exitStatus == QProcess::CrashExit ? QStringLiteral(" (crashed)") : QString())
            .arg(QString::fromUtf8(out.left(4000)), err.left(4000));
    }
};

/**
 * @brief The environment of arbord as on a server: no session bus (so keys are never looked for
 * in this machine's keychain), no display, and none of the caller's QT_LOGGING_RULES.
 */
inline QProcessEnvironment serverEnvironment()
{
    QProcessEnvironment e = QProcessEnvironment::systemEnvironment();
    e.insert(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"),
             QStringLiteral("unix:path=/nonexistent/arbor-test-no-bus"));
    e.remove(QStringLiteral("DISPLAY"));
    e.remove(QStringLiteral("QT_LOGGING_RULES"));
    return e;
}

/**
 * @brief Runs @p program (the arbord binary) with @p args to its end, feeding @p input on stdin.
 * This thread's event loop runs meanwhile, so a FakeVendorServer of the test keeps serving.
 * Half a minute means arbord hangs: it is killed and the run says so.
 */
inline ArbordRun
runArbord(const QString &program, const QStringList &args,
          const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment(),
          const QByteArray &input = {})
{
    QProcess p;
    p.setProcessEnvironment(env);
    QSignalSpy finished(&p, &QProcess::finished);
    p.start(program, args);
    ArbordRun r;
    if (!p.waitForStarted()) {
        r.err = p.errorString();
        return r;
    }
    p.write(input);
    p.closeWriteChannel();
    if (!finished.wait(30000)) {
        p.kill();
        p.waitForFinished();
        r.err = QStringLiteral("arbord did not finish; stderr so far: ")
            + QString::fromUtf8(p.readAllStandardError());
        return r;
    }
    r.exitCode = p.exitCode();
    r.exitStatus = p.exitStatus();
    r.out = p.readAllStandardOutput();
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
}

} // namespace arbor::testsupport
