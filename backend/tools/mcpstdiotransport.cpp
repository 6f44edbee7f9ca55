#include "mcpstdiotransport.h"

#include <QJsonDocument>
#include <QJsonParseError>
#include <QLoggingCategory>
#include <QTimer>

Q_LOGGING_CATEGORY(lcMcpStdio, "arbor.tools.stdio", QtInfoMsg)

namespace arbor::tools {

McpStdioTransport::McpStdioTransport(QString command, QStringList arguments,
                                     QMap<QString, QString> environment, QObject *parent)
    : McpTransport(parent)
    , m_command(std::move(command))
    , m_arguments(std::move(arguments))
    , m_environment(std::move(environment))
{
}

McpStdioTransport::~McpStdioTransport()
{
    close();
}

void McpStdioTransport::start()
{
    m_process = new QProcess(this);
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (auto it = m_environment.cbegin(); it != m_environment.cend(); ++it)
        env.insert(it.key(), it.value());
    m_process->setProcessEnvironment(env);
    m_process->setProgram(m_command);
    m_process->setArguments(m_arguments);
    connect(m_process, &QProcess::readyReadStandardOutput, this, &McpStdioTransport::readOut);
    connect(m_process, &QProcess::readyReadStandardError, this,
            [this] { keepStderr(m_process->readAllStandardError()); });
    connect(m_process, &QProcess::errorOccurred, this, [this](QProcess::ProcessError error) {
        if (error == QProcess::FailedToStart)
            fail(tr("Could not start %1: %2").arg(m_command, m_process->errorString()));
    });
    connect(m_process, &QProcess::finished, this, [this](int code, QProcess::ExitStatus status) {
        readOut();
        keepStderr(m_process->readAllStandardError());
        const QString how =
            status == QProcess::CrashExit ? tr("crashed") : tr("exited with code %1").arg(code);
        const QString tail = stderrTail().trimmed();
        fail(tail.isEmpty() ? tr("The server %1.").arg(how)
                            : tr("The server %1: %2").arg(how, tail.right(600)));
    });
    m_process->start(QIODevice::ReadWrite);
}

void McpStdioTransport::send(const QJsonObject &message)
{
    if (m_failed || !m_process)
        return;
    QByteArray line = QJsonDocument(message).toJson(QJsonDocument::Compact);
    line += '\n';
    m_process->write(line);
}

void McpStdioTransport::readOut()
{
    if (m_failed || !m_process)
        return;
    m_buffer += m_process->readAllStandardOutput();
    qsizetype start = 0;
    for (;;) {
        const qsizetype nl = m_buffer.indexOf('\n', start);
        if (nl < 0)
            break;
        const QByteArray line = m_buffer.mid(start, nl - start).trimmed();
        start = nl + 1;
        if (line.isEmpty())
            continue;
        QJsonParseError error{};
        const QJsonDocument doc = QJsonDocument::fromJson(line, &error);
        if (error.error != QJsonParseError::NoError || !doc.isObject()) {
            fail(tr("The server sent malformed JSON-RPC on stdout: %1")
                     .arg(QString::fromUtf8(line.left(200))));
            return;
        }
        Q_EMIT message(doc.object());
        if (m_failed)
            return;
    }
    m_buffer.remove(0, start);
    if (m_buffer.size() > MaxMessageBytes) {
        fail(tr("The server sent a message longer than %1 MB without a line end; stopped it.")
                 .arg(MaxMessageBytes / (1024 * 1024)));
    }
}

void McpStdioTransport::fail(const QString &reason)
{
    if (m_failed)
        return;
    m_failed = true;
    qCInfo(lcMcpStdio) << m_command << reason;
    close();
    Q_EMIT failed(reason);
}

void McpStdioTransport::close()
{
    if (!m_process)
        return;
    QProcess *process = m_process;
    m_process = nullptr;
    m_buffer.clear();
    process->disconnect(this);
    if (process->state() == QProcess::NotRunning) {
        process->deleteLater();
        return;
    }
    // The spec's shutdown: close its stdin, then SIGTERM, then SIGKILL if it lingers.
    process->closeWriteChannel();
    process->terminate();
    process->setParent(nullptr);
    QTimer::singleShot(2000, process, [process] { process->kill(); });
    QObject::connect(process, &QProcess::finished, process, &QObject::deleteLater);
}

} // namespace arbor::tools
