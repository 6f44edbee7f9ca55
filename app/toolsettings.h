#pragma once

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QVariantList>
#include <QVariantMap>
#include <QtQml/qqml.h>

namespace arbor::core {
class Backend;
}
namespace arbor::tools {
struct ServerStatus;
}

namespace arbor::app {

/**
 * @brief Settings → Tools: the MCP servers of this device (command or URL, arguments,
 * environment, headers; secret values go to the keychain), on for every conversation or not,
 * with a live status per server (starting, ready with N tools, failed with the reason and its
 * stderr) from the connection this process's replies use (tools::ToolHost, one per server). An
 * adapter over tools::ToolService (which `arbord tools` uses too); GUI thread only.
 */
class ToolSettings : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("ToolSettings belongs to App")
    /** @brief One map per server: name, transport ("stdio"/"http"), command, args (one per
     *  line), env and headers ("K=V" / "K: V" lines, secret values shown as "(secret)"), url,
     *  enabled, status ("starting", "ready", "failed", "" before a test), toolCount, error,
     *  stderr. */
    Q_PROPERTY(QVariantList servers READ servers NOTIFY serversChanged)
    /** @brief Why the last save or removal failed ("" when it did not). */
    Q_PROPERTY(QString error READ error NOTIFY errorChanged)

public:
    explicit ToolSettings(core::Backend *backend, QObject *parent = nullptr);
    ~ToolSettings() override;

    QVariantList servers() const { return m_rows; }
    QString error() const { return m_error; }

    /** @brief Reads the servers again and connects each (the status). */
    Q_INVOKABLE void refresh();
    /**
     * @brief Adds or replaces a server. @p args: one per line; @p env: "K=V" lines;
     * @p headers: "K: V" lines; @p secrets: "K=value" lines of secret variables (stdio) or
     * headers (http), kept in the keychain only.
     */
    Q_INVOKABLE void save(const QString &name, const QString &transport, const QString &command,
                          const QString &args, const QString &env, const QString &url,
                          const QString &headers, const QString &secrets, bool enabled);
    Q_INVOKABLE void remove(const QString &name);
    /** @brief Connects to @p name again and lists its tools (the status). */
    Q_INVOKABLE void test(const QString &name);

Q_SIGNALS:
    void serversChanged();
    void errorChanged();
    /** @brief A save or removal reached the store. */
    void saved();

private:
    struct Status
    {
        QString state;
        int toolCount = 0;
        QString error;
        QString stderrTail;
    };
    void rebuildRows();
    void setError(const QString &error);
    /** @brief Reads the host's statuses (on its thread) into m_status. */
    void pullStatus();
    void applyStatus(const QList<tools::ServerStatus> &statuses);

    core::Backend *m_backend;
    QVariantList m_stored; ///< the servers as read (maps without status)
    QVariantList m_rows;
    QHash<QString, Status> m_status;
    QString m_error;

    quint64 m_generation = 0; ///< of the latest read: an older answer is dropped
};

} // namespace arbor::app
