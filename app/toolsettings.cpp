#include "toolsettings.h"

#include "async.h"

#include "core/backend.h"
#include "tools/toolhost.h"
#include "tools/toolservice.h"

#include <QStringList>

namespace arbor::app {

namespace {

QStringList lines(const QString &text)
{
    QStringList out;
    for (const QString &line : text.split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
        if (!line.trimmed().isEmpty())
            out.append(line.trimmed());
    }
    return out;
}

/** @brief "K=V" (or "K: V" with @p sep ':') lines into a map; lines without it are left out. */
QMap<QString, QString> pairs(const QString &text, QChar sep)
{
    QMap<QString, QString> out;
    for (const QString &line : lines(text)) {
        const qsizetype at = line.indexOf(sep);
        if (at > 0)
            out.insert(line.left(at).trimmed(), line.mid(at + 1).trimmed());
    }
    return out;
}

} // namespace

ToolSettings::ToolSettings(core::Backend *backend, QObject *parent)
    : QObject(parent)
    , m_backend(backend)
{
    // The status is that of the connections the replies use (one per server and process).
    if (tools::ToolHost *host = m_backend ? m_backend->toolHost() : nullptr)
        connect(host, &tools::ToolHost::statusChanged, this, &ToolSettings::pullStatus);
}

ToolSettings::~ToolSettings() = default;

void ToolSettings::pullStatus()
{
    tools::ToolHost *host = m_backend ? m_backend->toolHost() : nullptr;
    if (!host)
        return;
    // The host lives on the job engine's thread: its statuses are read there.
    QMetaObject::invokeMethod(host, [host, self = QPointer<ToolSettings>(this)] {
        const QList<tools::ServerStatus> statuses = host->statuses();
        if (self)
            QMetaObject::invokeMethod(self.data(), [self, statuses] {
                if (self)
                    self->applyStatus(statuses);
            });
    });
}

void ToolSettings::applyStatus(const QList<tools::ServerStatus> &statuses)
{
    for (const tools::ServerStatus &st : statuses) {
        using State = tools::ServerStatus::State;
        const QString state = st.state == State::Ready ? QStringLiteral("ready")
            : st.state == State::Failed                ? QStringLiteral("failed")
                                                       : QStringLiteral("starting");
        m_status.insert(st.name,
                        {state, st.state == State::Ready ? st.toolCount : 0, st.error,
                         st.stderrTail.right(1000)});
    }
    rebuildRows();
}

void ToolSettings::refresh()
{
    if (!m_backend)
        return;
    // A save or removal reads again while an older read may still run; readers answer in any
    // order, so only the latest read's answer counts.
    const quint64 generation = ++m_generation;
    whenDone(
        this, m_backend->tools().servers(),
        [this, generation](const QList<tools::StoredToolServer> &servers) {
            if (generation != m_generation)
                return;
            m_stored.clear();
            for (const tools::StoredToolServer &s : servers) {
                QStringList env;
                for (auto it = s.env.cbegin(); it != s.env.cend(); ++it)
                    env.append(it.key() + QLatin1Char('=') + it.value());
                for (const QString &k : s.secretEnv)
                    env.append(k + QStringLiteral("=(secret)"));
                QStringList headers;
                for (auto it = s.headers.cbegin(); it != s.headers.cend(); ++it)
                    headers.append(it.key() + QStringLiteral(": ") + it.value());
                for (const QString &k : s.secretHeaders)
                    headers.append(k + QStringLiteral(": (secret)"));
                m_stored.append(
                    QVariantMap{{QStringLiteral("name"), s.name},
                                {QStringLiteral("transport"), s.transport},
                                {QStringLiteral("command"), s.command},
                                {QStringLiteral("args"), s.args.join(QLatin1Char('\n'))},
                                {QStringLiteral("env"), env.join(QLatin1Char('\n'))},
                                {QStringLiteral("url"), s.url},
                                {QStringLiteral("headers"), headers.join(QLatin1Char('\n'))},
                                {QStringLiteral("enabled"), s.enabled}});
                if (!m_status.contains(s.name))
                    test(s.name);
            }
            rebuildRows();
        },
        [this](const QString &error) { setError(error); });
}

void ToolSettings::rebuildRows()
{
    m_rows.clear();
    for (const QVariant &v : std::as_const(m_stored)) {
        QVariantMap row = v.toMap();
        const Status st = m_status.value(row.value(QStringLiteral("name")).toString());
        row.insert(QStringLiteral("status"), st.state);
        row.insert(QStringLiteral("toolCount"), st.toolCount);
        row.insert(QStringLiteral("error"), st.error);
        row.insert(QStringLiteral("stderr"), st.stderrTail);
        m_rows.append(row);
    }
    Q_EMIT serversChanged();
}

void ToolSettings::test(const QString &name)
{
    tools::ToolHost *host = m_backend ? m_backend->toolHost() : nullptr;
    if (!host)
        return;
    const bool ready = m_status.value(name).state == u"ready";
    if (!ready) {
        m_status.insert(name, {QStringLiteral("starting"), 0, {}, {}});
        rebuildRows();
    }
    // A ready server keeps its connection (replies may be calling it); another one (failed, or
    // its settings changed) is connected again.
    QMetaObject::invokeMethod(host, [host, name, ready] {
        if (!ready)
            host->drop(name);
        host->ensure({name});
    });
    pullStatus();
}

void ToolSettings::save(const QString &name, const QString &transport, const QString &command,
                        const QString &args, const QString &env, const QString &url,
                        const QString &headers, const QString &secrets, bool enabled)
{
    if (!m_backend)
        return;
    tools::StoredToolServer s;
    s.name = name.trimmed();
    s.transport = transport == u"http" ? QStringLiteral("http") : QStringLiteral("stdio");
    s.enabled = enabled;
    if (s.name.isEmpty()) {
        setError(tr("Give the server a name."));
        return;
    }
    QMap<QString, QString> secretValues;
    const QMap<QString, QString> secretPairs = pairs(secrets, QLatin1Char('='));
    if (s.transport == u"stdio") {
        s.command = command.trimmed();
        s.args = lines(args);
        s.env = pairs(env, QLatin1Char('='));
        for (auto it = secretPairs.cbegin(); it != secretPairs.cend(); ++it) {
            s.secretEnv.append(it.key());
            secretValues.insert(QStringLiteral("env:") + it.key(), it.value());
        }
        if (s.command.isEmpty()) {
            setError(tr("Give the command that starts the server."));
            return;
        }
    } else {
        s.url = url.trimmed();
        s.headers = pairs(headers, QLatin1Char(':'));
        for (auto it = secretPairs.cbegin(); it != secretPairs.cend(); ++it) {
            s.secretHeaders.append(it.key());
            secretValues.insert(QStringLiteral("header:") + it.key(), it.value());
        }
        const QUrl u(s.url, QUrl::StrictMode);
        if (!u.isValid() || (u.scheme() != u"http" && u.scheme() != u"https")) {
            setError(tr("Give an http:// or https:// URL."));
            return;
        }
    }
    // Secret values are shown as "(secret)" and never read back: a save gives them again.
    for (auto *map : {&s.env, &s.headers}) {
        for (auto it = map->begin(); it != map->end();) {
            if (it.value() == u"(secret)")
                it = map->erase(it);
            else
                ++it;
        }
    }
    whenDone(
        this, m_backend->tools().save(s, secretValues),
        [this, name = s.name](const tools::ToolOutcome &outcome) {
            if (!outcome.ok) {
                setError(outcome.error);
                return;
            }
            setError({});
            m_status.remove(name);
            Q_EMIT saved();
            refresh();
        },
        [this](const QString &error) { setError(error); });
}

void ToolSettings::remove(const QString &name)
{
    if (!m_backend)
        return;
    whenDone(
        this, m_backend->tools().remove(name),
        [this, name](const tools::ToolOutcome &outcome) {
            setError(outcome.ok ? QString() : outcome.error);
            if (tools::ToolHost *host = m_backend->toolHost())
                QMetaObject::invokeMethod(host, [host, name] { host->drop(name); });
            m_status.remove(name);
            refresh();
        },
        [this](const QString &error) { setError(error); });
}

void ToolSettings::setError(const QString &error)
{
    if (error == m_error)
        return;
    m_error = error;
    Q_EMIT errorChanged();
}

} // namespace arbor::app
