#pragma once

#include "core/backend.h"
#include "jobs/jobengine.h"
#include "jobs/jobhandler.h"

#include <QTemporaryDir>

#include <initializer_list>
#include <memory>

namespace arbor::testsupport {

/**
 * @brief A core::Backend, opened, on a store in a temporary folder, for tests that drive the real
 * backend in this process: the demo model answers at once, and the test's own job kinds
 * (@p handlers) are registered before it opens. Check isValid() first; Backend::open() throws
 * as it does.
 *
 *   TempBackend temp({std::make_shared<FailingHandler>()});
 *   QVERIFY(temp.isValid());
 *   core::Backend &backend = *temp;
 */
class TempBackend
{
public:
    explicit TempBackend(std::initializer_list<std::shared_ptr<jobs::JobHandler>> handlers = {})
    {
        if (!m_dir.isValid())
            return;
        core::BackendOptions options;
        options.dbPath = m_dir.filePath(QStringLiteral("a.db"));
        options.demoRate = 0;
        m_backend = std::make_unique<core::Backend>(options);
        for (const std::shared_ptr<jobs::JobHandler> &handler : handlers)
            m_backend->engine().registerHandler(handler);
        m_backend->open();
    }

    /** @brief The folder was made and the backend opened in it. */
    bool isValid() const { return m_backend != nullptr; }
    core::Backend &operator*() const { return *m_backend; }
    core::Backend *operator->() const { return m_backend.get(); }

private:
    QTemporaryDir m_dir; // outlives the backend
    std::unique_ptr<core::Backend> m_backend;
};

} // namespace arbor::testsupport
