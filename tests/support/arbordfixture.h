#pragma once

// For test classes that run the real arbord binary (the test's ARBORD_PATH) on a store in a
// temporary folder, the way the arbord suites share it.
#include "support/arbordprocess.h"
#include "support/fakevendorserver.h"

#include <QTemporaryDir>

#include <memory>

#ifndef ARBORD_PATH
#error "arbordfixture.h runs the arbord of ARBORD_PATH: define it for the test target"
#endif

namespace arbor::testsupport {

/**
 * @brief A store in a temporary folder and arbord runs against it, in serverEnvironment(). A
 * test class inherits it next to QObject, calls newStore() in init() and adds to m_env what its
 * runs need besides.
 */
class ArbordFixture
{
protected:
    /** @brief A fresh temporary folder for the store; false when it could not be made. */
    bool newStore()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        return m_dir->isValid();
    }

    QString dbPath() const { return m_dir->filePath(QStringLiteral("arbor.db")); }

    /** @brief What arbord runs with: serverEnvironment() and what the test added to m_env. */
    QProcessEnvironment env() const { return m_env; }

    /** @brief Runs arbord @p args on the store to its end (runArbord()). */
    ArbordRun arbord(const QStringList &args) const
    {
        return runArbord(QStringLiteral(ARBORD_PATH),
                         args + QStringList{QStringLiteral("--db"), dbPath()}, env());
    }

    /** @brief Adds @p server as provider "Fake" with model "fake-model" (arbord providers add);
     *  says why on failure. */
    bool addFakeVendor(const FakeVendorServer &server) const
    {
        const ArbordRun r = arbord({QStringLiteral("providers"), QStringLiteral("add"),
                                    QStringLiteral("Fake"), QStringLiteral("--preset"),
                                    QStringLiteral("custom"), QStringLiteral("--base-url"),
                                    server.baseUrl().toString() + QStringLiteral("/v1"),
                                    QStringLiteral("--models"), QStringLiteral("fake-model")});
        if (!r.endedWith(0))
            qWarning("%s", qPrintable(r.describe()));
        return r.endedWith(0);
    }

    std::unique_ptr<QTemporaryDir> m_dir;
    QProcessEnvironment m_env = serverEnvironment();
};

} // namespace arbor::testsupport
