#pragma once

#include <QDir>
#include <QProcess>
#include <QString>

namespace arbor::testsupport {

/**
 * @brief A small tmpfs mounted on a folder for the life of this object: a disk that fills up,
 * or a medium that turns read-only, without touching the machine's own disks. Mounting needs
 * root, which CI has (a fresh Debian VM); elsewhere ok() is false and error() says why, and
 * the test fails rather than skips.
 */
class TmpfsMount
{
public:
    TmpfsMount(const QString &folder, qint64 bytes)
        : m_folder(folder)
    {
        QDir().mkpath(folder);
        m_mounted = run({QStringLiteral("-t"), QStringLiteral("tmpfs"), QStringLiteral("-o"),
                         QStringLiteral("size=%1").arg(bytes), QStringLiteral("tmpfs"), folder});
    }
    ~TmpfsMount()
    {
        if (m_mounted)
            QProcess::execute(QStringLiteral("umount"), {QStringLiteral("-l"), m_folder});
    }
    TmpfsMount(const TmpfsMount &) = delete;
    TmpfsMount &operator=(const TmpfsMount &) = delete;

    bool ok() const { return m_mounted; }
    QString error() const { return m_error; }
    /** @brief Makes the mount read-only: even root cannot create or change a file in it. */
    bool remountReadOnly()
    {
        return run({QStringLiteral("-o"), QStringLiteral("remount,ro"), m_folder});
    }

private:
    bool run(const QStringList &args)
    {
        QProcess p;
        p.setProcessChannelMode(QProcess::MergedChannels);
        p.start(QStringLiteral("mount"), args);
        if (!p.waitForFinished() || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
            m_error =
                QStringLiteral(
                    "mount %1 failed (tests of a full or read-only disk need root, as CI has): %2")
                    .arg(args.join(QLatin1Char(' ')),
                         QString::fromLocal8Bit(p.readAll()) + p.errorString());
            return false;
        }
        return true;
    }

    QString m_folder;
    bool m_mounted = false;
    QString m_error;
};

} // namespace arbor::testsupport
