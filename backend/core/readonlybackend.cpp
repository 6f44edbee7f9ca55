#include "readonlybackend.h"

#include "chat/chatreader.h"
#include "jobs/jobsmonitor.h"
#include "store/store.h"
#include "sync/syncmonitor.h"
#include "usage/usageservice.h"

namespace arbor::core {

ReadOnlyBackend::ReadOnlyBackend(QString dbPath)
    : m_store(std::make_unique<store::Store>(store::Store::resolvePath(dbPath), 2,
                                             store::Store::Access::ReadOnly))
    , m_chat(std::make_unique<chat::ChatReader>(store::StoreReader(*m_store)))
    , m_jobs(std::make_unique<jobs::JobsMonitor>(store::StoreReader(*m_store)))
    , m_sync(std::make_unique<sync::SyncMonitor>(store::StoreReader(*m_store)))
    , m_usage(std::make_unique<usage::UsageMonitor>(store::StoreReader(*m_store)))
{
    qRegisterMetaType<domain::Message>();
    qRegisterMetaType<domain::Conversation>();
}

ReadOnlyBackend::~ReadOnlyBackend()
{
    close();
}

void ReadOnlyBackend::open()
{
    m_store->open();
}

void ReadOnlyBackend::close()
{
    m_store->close();
}

const QString &ReadOnlyBackend::path() const
{
    return m_store->path();
}

store::StoreReader ReadOnlyBackend::store()
{
    return store::StoreReader(*m_store);
}

} // namespace arbor::core
