#pragma once

#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QString>
#include <QTemporaryDir>
#include <QTest>

namespace arbor::testsupport {

/**
 * @brief A dbus-daemon of the test's own (a session bus with no service files, so nothing is
 * activated behind the test's back), stopped when it goes. Header-only: tests that link no
 * test-support library use it too.
 *
 *   PrivateBus bus;
 *   QVERIFY2(bus.start(), qPrintable(bus.error()));
 *   QDBusConnection c = QDBusConnection::connectToBus(bus.address(), "client");
 */
class PrivateBus
{
public:
    PrivateBus() = default;
    PrivateBus(const PrivateBus &) = delete;
    PrivateBus &operator=(const PrivateBus &) = delete;
    ~PrivateBus()
    {
        if (m_daemon.state() != QProcess::NotRunning) {
            m_daemon.terminate();
            m_daemon.waitForFinished(5000);
        }
    }

    /** @brief Starts the daemon and reads its address; false with error() when it cannot. */
    bool start()
    {
        const QString daemon = QStandardPaths::findExecutable(QStringLiteral("dbus-daemon"));
        if (daemon.isEmpty())
            return fail(QStringLiteral("dbus-daemon is not installed (Debian: package dbus)"));
        if (!m_dir.isValid())
            return fail(QStringLiteral("no temporary folder"));
        const QString config = m_dir.filePath(QStringLiteral("bus.conf"));
        QFile file(config);
        if (!file.open(QIODevice::WriteOnly))
            return fail(file.errorString());
        // (No raw string literal here: moc stops reading a file at one.)
        file.write(
            "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n"
            " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
            "<busconfig>\n"
            "  <type>session</type>\n"
            "  <listen>unix:tmpdir="
            + m_dir.path().toUtf8()
            + "</listen>\n"
              "  <policy context=\"default\">\n"
              "    <allow send_destination=\"*\" eavesdrop=\"true\"/>\n"
              "    <allow eavesdrop=\"true\"/>\n"
              "    <allow own=\"*\"/>\n"
              "  </policy>\n"
              "</busconfig>\n");
        file.close();
        m_daemon.start(daemon,
                       {QStringLiteral("--config-file=") + config, QStringLiteral("--nofork"),
                        QStringLiteral("--print-address")});
        if (!m_daemon.waitForStarted())
            return fail(m_daemon.errorString());
        QElapsedTimer clock;
        clock.start();
        while (!m_daemon.canReadLine() && clock.elapsed() < 10'000)
            m_daemon.waitForReadyRead(100);
        m_address = QString::fromUtf8(m_daemon.readLine()).trimmed();
        return !m_address.isEmpty() || fail(QStringLiteral("dbus-daemon printed no address"));
    }

    /** @brief The bus's address, for QDBusConnection::connectToBus() and other processes'
     *  DBUS_SESSION_BUS_ADDRESS. */
    QString address() const { return m_address; }
    QString error() const { return m_error; }

private:
    bool fail(const QString &why)
    {
        m_error = why;
        return false;
    }

    QTemporaryDir m_dir;
    QProcess m_daemon;
    QString m_address;
    QString m_error;
};

} // namespace arbor::testsupport
