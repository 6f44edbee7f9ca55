#include "toolservice.h"

#include "mcpclient.h"
#include "mcphttptransport.h"
#include "mcpstdiotransport.h"

#include "core/whenready.h"
#include "domain/ids.h"
#include "secrets/secretstore.h"
#include "store/providerqueries.h"
#include "store/store.h"

#include <QPromise>

#include <functional>

namespace arbor::tools {

namespace {
const QString StoreIdKey = QStringLiteral("store_id"); // shared with ProviderService

template<class T>
QFuture<T> ready(T value)
{
    return QtFuture::makeReadyFuture(std::move(value));
}
} // namespace

QString toString(Policy policy)
{
    switch (policy) {
    case Policy::Allow:
        return QStringLiteral("allow");
    case Policy::Ask:
        return QStringLiteral("ask");
    case Policy::Deny:
        return QStringLiteral("deny");
    }
    return QStringLiteral("ask");
}

std::optional<Policy> policyFromString(const QString &text)
{
    if (text == u"allow")
        return Policy::Allow;
    if (text == u"ask")
        return Policy::Ask;
    if (text == u"deny")
        return Policy::Deny;
    return std::nullopt;
}

Policy defaultPolicy(const QJsonObject &annotations)
{
    if (annotations.value(QLatin1String("readOnlyHint")).toBool()
        && !annotations.value(QLatin1String("destructiveHint")).toBool())
        return Policy::Allow;
    return Policy::Ask;
}

struct ToolService::SecretOp
{
    enum class Kind { Read, Write, Remove } kind;
    QString account;
    QString value;
    std::function<void(const QString &)> onValue = {}; ///< Read: the value ("" when none)
};

ToolService::ToolService(store::Store &store, std::unique_ptr<secrets::SecretStore> keychain,
                         QObject *parent)
    : QObject(parent)
    , m_store(store)
    , m_keychain(std::move(keychain))
{
}

ToolService::~ToolService() = default;

QFuture<QString> ToolService::storeId()
{
    if (!m_storeId.isEmpty())
        return ready(m_storeId);
    auto pending = m_store.write([](QSqlDatabase &db) {
        QString id = store::providers::setting(db, StoreIdKey);
        if (id.isEmpty()) {
            id = domain::newId();
            store::providers::setSetting(db, StoreIdKey, id);
        }
        return id;
    });
    return core::thenReady(this, pending, [this](const QString &id) {
        m_storeId = id;
        return id;
    });
}

QString ToolService::account(const QString &storeId, const QString &server,
                             const QString &key) const
{
    return QStringLiteral("tool-server/%1/%2/%3").arg(storeId, server, key);
}

void ToolService::runSecretOps(QList<SecretOp> ops, std::function<void(QString)> done)
{
    if (ops.isEmpty()) {
        done({});
        return;
    }
    const SecretOp op = ops.takeFirst();
    QFuture<secrets::SecretResult> f = op.kind == SecretOp::Kind::Read
        ? m_keychain->read(op.account)
        : op.kind == SecretOp::Kind::Write ? m_keychain->write(op.account, op.value)
                                           : m_keychain->remove(op.account);
    // One keychain job at a time (STYLE rule 9): the next starts when this one answered.
    core::thenReady(this, f, [this, op, ops, done](const secrets::SecretResult &r) {
        using Status = secrets::SecretResult::Status;
        if (op.kind == SecretOp::Kind::Read && r.status == Status::NotFound) {
            done(tr("a secret value is missing from the keychain; add the server again"));
            return;
        }
        if (!r.ok() && !(op.kind == SecretOp::Kind::Remove && r.status == Status::NotFound)) {
            done(r.message.isEmpty() ? tr("the system keychain refused") : r.message);
            return;
        }
        if (op.onValue)
            op.onValue(r.secret);
        runSecretOps(ops, done);
    });
}

QFuture<QList<StoredToolServer>> ToolService::servers()
{
    return m_store.read([](QSqlDatabase &db) { return store::tools::list(db); });
}

QFuture<std::optional<StoredToolServer>> ToolService::server(const QString &name)
{
    return m_store.read([name](QSqlDatabase &db) { return store::tools::get(db, name); });
}

QFuture<ToolOutcome> ToolService::save(StoredToolServer server, QMap<QString, QString> secrets)
{
    auto promise = std::make_shared<QPromise<ToolOutcome>>();
    promise->start();
    QFuture<ToolOutcome> result = promise->future();
    core::thenReady(this, storeId(), [this, promise, server, secrets](const QString &id) {
        QList<SecretOp> ops;
        for (const QString &k : server.secretEnv)
            ops.append({SecretOp::Kind::Write, account(id, server.name, QStringLiteral("env/") + k),
                        secrets.value(QStringLiteral("env:") + k)});
        for (const QString &k : server.secretHeaders)
            ops.append({SecretOp::Kind::Write,
                        account(id, server.name, QStringLiteral("header/") + k),
                        secrets.value(QStringLiteral("header:") + k)});
        runSecretOps(ops, [this, promise, server](const QString &error) {
            if (!error.isEmpty()) {
                promise->addResult(ToolOutcome{false, tr("Not saved: %1.").arg(error)});
                promise->finish();
                return;
            }
            core::whenReady(
                this,
                m_store.write([server](QSqlDatabase &db) { store::tools::upsert(db, server); }),
                [this, promise](QFuture<void> f) {
                    try {
                        f.waitForFinished();
                        promise->addResult(ToolOutcome{true, {}});
                        Q_EMIT serversChanged();
                    } catch (const std::exception &e) {
                        promise->addResult(ToolOutcome{false, QString::fromUtf8(e.what())});
                    }
                    promise->finish();
                });
        });
    });
    return result;
}

QFuture<ToolOutcome> ToolService::remove(const QString &name)
{
    auto promise = std::make_shared<QPromise<ToolOutcome>>();
    promise->start();
    QFuture<ToolOutcome> result = promise->future();
    core::thenReady(
        this, server(name), [this, promise, name](const std::optional<StoredToolServer> &s) {
            if (!s) {
                promise->addResult(
                    ToolOutcome{false, tr("There is no tool server “%1”.").arg(name)});
                promise->finish();
                return;
            }
            core::thenReady(this, storeId(), [this, promise, s](const QString &id) {
                QList<SecretOp> ops;
                for (const QString &k : s->secretEnv)
                    ops.append({SecretOp::Kind::Remove,
                                account(id, s->name, QStringLiteral("env/") + k),
                                {}});
                for (const QString &k : s->secretHeaders)
                    ops.append({SecretOp::Kind::Remove,
                                account(id, s->name, QStringLiteral("header/") + k),
                                {}});
                runSecretOps(ops, [this, promise, s](const QString &error) {
                    auto pending = m_store.write(
                        [name = s->name](QSqlDatabase &db) { store::tools::remove(db, name); });
                    core::thenReady(this, pending, [this, promise, error] {
                        promise->addResult(ToolOutcome{
                            true,
                            error.isEmpty() ? QString()
                                            : tr("Removed; the keychain kept its secret "
                                                 "values: %1")
                                                  .arg(error)});
                        promise->finish();
                        Q_EMIT serversChanged();
                    });
                });
            });
        });
    return result;
}

QFuture<ResolvedServer> ToolService::resolve(const StoredToolServer &server)
{
    auto promise = std::make_shared<QPromise<ResolvedServer>>();
    promise->start();
    QFuture<ResolvedServer> result = promise->future();
    auto resolved = std::make_shared<ResolvedServer>();
    resolved->server = server;
    resolved->env = server.env;
    resolved->headers = server.headers;
    core::thenReady(this, storeId(), [this, promise, resolved, server](const QString &id) {
        QList<SecretOp> ops;
        for (const QString &k : server.secretEnv)
            ops.append({SecretOp::Kind::Read,
                        account(id, server.name, QStringLiteral("env/") + k),
                        {},
                        [resolved, k](const QString &v) { resolved->env.insert(k, v); }});
        for (const QString &k : server.secretHeaders)
            ops.append({SecretOp::Kind::Read,
                        account(id, server.name, QStringLiteral("header/") + k),
                        {},
                        [resolved, k](const QString &v) { resolved->headers.insert(k, v); }});
        runSecretOps(ops, [promise, resolved](const QString &error) {
            resolved->error = error;
            promise->addResult(*resolved);
            promise->finish();
        });
    });
    return result;
}

McpClient *ToolService::makeClient(const ResolvedServer &resolved, QObject *parent)
{
    const StoredToolServer &s = resolved.server;
    McpTransport *transport = nullptr;
    if (s.transport == u"http")
        transport = new McpHttpTransport(QUrl(s.url), resolved.headers);
    else
        transport = new McpStdioTransport(s.command, s.args, resolved.env);
    return new McpClient(transport, parent);
}

QFuture<QHash<QString, Policy>> ToolService::policies(const QString &server)
{
    return m_store.read([server](QSqlDatabase &db) {
        QHash<QString, Policy> out;
        const QHash<QString, QString> stored = store::tools::policies(db, server);
        for (auto it = stored.cbegin(); it != stored.cend(); ++it) {
            if (const auto p = policyFromString(it.value()))
                out.insert(it.key(), *p);
        }
        return out;
    });
}

QFuture<void> ToolService::setPolicy(const QString &server, const QString &tool,
                                     std::optional<Policy> policy)
{
    const QString text = policy ? toString(*policy) : QString();
    return m_store.write([server, tool, text](QSqlDatabase &db) {
        store::tools::setPolicy(db, server, tool, text);
    });
}

QFuture<QList<ConversationServer>> ToolService::forConversation(const QString &conversationId)
{
    return m_store.read([conversationId](QSqlDatabase &db) {
        const QHash<QString, bool> choices = conversationId.isEmpty()
            ? QHash<QString, bool>()
            : store::tools::conversationChoices(db, conversationId);
        QList<ConversationServer> out;
        for (const StoredToolServer &s : store::tools::list(db)) {
            const auto choice = choices.constFind(s.name);
            const bool overridden = choice != choices.cend();
            out.append({s.name, overridden ? *choice : s.enabled, s.enabled, overridden});
        }
        return out;
    });
}

QStringList ToolService::enabledNames(const QList<ConversationServer> &servers)
{
    QStringList out;
    for (const ConversationServer &s : servers) {
        if (s.enabled)
            out.append(s.name);
    }
    return out;
}

QFuture<void> ToolService::setForConversation(const QString &conversationId, const QString &server,
                                              std::optional<bool> enabled)
{
    auto pending = m_store.write([conversationId, server, enabled](QSqlDatabase &db) {
        store::tools::setConversationChoice(db, conversationId, server, enabled);
    });
    return core::thenReady(this, pending, [this, conversationId] {
        Q_EMIT conversationServersChanged(conversationId);
    });
}

} // namespace arbor::tools
