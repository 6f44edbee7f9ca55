#pragma once

#include "mcptransport.h"

#include <QMap>
#include <QProcess>
#include <QStringList>

namespace arbor::tools {

/**
 * @brief MCP over stdio: the server is a child process; messages are JSON objects, one per
 * line (newline-delimited, no embedded newlines), on its stdin and stdout. Its stderr is kept
 * (the tail) for error messages. Secret environment values reach the child only through its
 * environment (QProcessEnvironment), never its command line.
 */
class McpStdioTransport : public McpTransport
{
    Q_OBJECT

public:
    McpStdioTransport(QString command, QStringList arguments, QMap<QString, QString> environment,
                      QObject *parent = nullptr);
    ~McpStdioTransport() override;

    void start() override;
    void send(const QJsonObject &message) override;
    void close() override;

private:
    void readOut();
    void fail(const QString &reason);

    QString m_command;
    QStringList m_arguments;
    QMap<QString, QString> m_environment;
    QProcess *m_process = nullptr;
    QByteArray m_buffer; ///< stdout bytes of the unfinished line
    bool m_failed = false;
};

} // namespace arbor::tools
