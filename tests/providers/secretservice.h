#pragma once

#include <QProcessEnvironment>
#include <QtGlobal>

namespace arbor::testsupport {

/** @brief True when the run promises a real Secret Service (scripts/dev test): then a test that
 *  needs it must fail, not skip, when it is missing. */
inline bool secretServiceExpected()
{
    return qEnvironmentVariableIntValue("ARBOR_TEST_SECRET_SERVICE") == 1;
}

/** @brief Cuts this process off any session bus, so the "no keychain" path is what runs even on
 *  a desktop. Call before anything touches D-Bus. */
inline void isolateFromSecretService()
{
    qputenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/arbor-test-no-bus");
    qunsetenv("DISPLAY");
    qunsetenv("WAYLAND_DISPLAY");
}

/** @brief The same, for a child process. */
inline QProcessEnvironment environmentWithoutSecretService()
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"),
               QStringLiteral("unix:path=/nonexistent/arbor-test-no-bus"));
    env.remove(QStringLiteral("DISPLAY"));
    env.remove(QStringLiteral("WAYLAND_DISPLAY"));
    return env;
}

} // namespace arbor::testsupport
