// ColorScheme (app/): light or dark follows the freedesktop settings portal, else the palette,
// and the user's choice (System, Light, Dark) is kept by UiState. The portal here is a fake one
// that this process registers on a private bus: a dbus-daemon of the test's own, so the test
// never meets (or disturbs) a desktop's real portal, with or without `scripts/dev test`'s
// session.
#include "colorscheme.h"
#include "uistate.h"

#include "support/privatebus.h"

#include <QDBusAbstractAdaptor>
#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QDBusContext>
#include <QDBusMessage>
#include <QDBusVariant>
#include <QGuiApplication>
#include <QPalette>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using arbor::app::ColorScheme;
using arbor::app::UiState;

namespace {

const QString kService = QStringLiteral("org.freedesktop.portal.Desktop");
const QString kPath = QStringLiteral("/org/freedesktop/portal/desktop");
const QString kInterface = QStringLiteral("org.freedesktop.portal.Settings");
const QString kNamespace = QStringLiteral("org.freedesktop.appearance");
const QString kKey = QStringLiteral("color-scheme");

/// The settings portal's Read (every version) and, unless @c readOneMissing, ReadOne (version
/// 2), answering only org.freedesktop.appearance color-scheme.
class FakePortal
    : public QObject
    , protected QDBusContext
{
    Q_OBJECT
    Q_CLASSINFO("D-Bus Interface", "org.freedesktop.portal.Settings")

public:
    uint scheme = 0;
    bool readOneMissing = false;
    int reads = 0;

public Q_SLOTS:
    QDBusVariant ReadOne(const QString &nameSpace, const QString &key)
    {
        if (readOneMissing) {
            sendErrorReply(QDBusError::UnknownMethod, QStringLiteral("No such method ReadOne"));
            return {};
        }
        return answer(nameSpace, key);
    }

    QDBusVariant Read(const QString &nameSpace, const QString &key)
    {
        // Read wraps the value in one more variant.
        const QDBusVariant value = answer(nameSpace, key);
        return QDBusVariant(QVariant::fromValue(value));
    }

Q_SIGNALS:
    void SettingChanged(const QString &nameSpace, const QString &key, const QDBusVariant &value);

private:
    QDBusVariant answer(const QString &nameSpace, const QString &key)
    {
        ++reads;
        if (nameSpace != kNamespace || key != kKey) {
            sendErrorReply(QStringLiteral("org.freedesktop.portal.Error.NotFound"),
                           QStringLiteral("Requested setting not found"));
            return {};
        }
        return QDBusVariant(scheme);
    }
};

QPalette paletteWithWindow(const QColor &window)
{
    QPalette palette = QGuiApplication::palette();
    palette.setColor(QPalette::Window, window);
    return palette;
}

} // namespace

class TestColorScheme : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY2(m_bus.start(), qPrintable(m_bus.error()));
        m_address = m_bus.address();
    }

    void cleanupTestCase()
    {
        QDBusConnection::disconnectFromBus(QStringLiteral("portal"));
        QDBusConnection::disconnectFromBus(QStringLiteral("client"));
    }

    void init()
    {
        QGuiApplication::setPalette(paletteWithWindow(Qt::white));
        m_portal = std::make_unique<FakePortal>();
    }

    void cleanup()
    {
        QDBusConnection bus = portalBus();
        bus.unregisterObject(kPath);
        bus.unregisterService(kService);
        m_portal.reset();
        QGuiApplication::setPalette(QPalette());
    }

    void noPortalTheLightPaletteDecides()
    {
        ColorScheme scheme(nullptr, clientBus());
        // The call fails at once (no such name on the bus); give it time to come back.
        QTest::qWait(200);
        QCOMPARE(scheme.source(), ColorScheme::Palette);
        QCOMPARE(scheme.systemDark(), false);
        QCOMPARE(scheme.dark(), false);

        // A platform theme that turns dark at run time: the palette changes, so does the scheme.
        QSignalSpy darkChanged(&scheme, &ColorScheme::darkChanged);
        QGuiApplication::setPalette(paletteWithWindow(QColor(0x20, 0x20, 0x20)));
        QTRY_COMPARE(scheme.systemDark(), true);
        QCOMPARE(scheme.dark(), true);
        QCOMPARE(darkChanged.count(), 1);
    }

    void noSessionBusTheDarkPaletteDecides()
    {
        QGuiApplication::setPalette(paletteWithWindow(Qt::black));
        ColorScheme scheme(nullptr, QDBusConnection(QStringLiteral("never connected")));
        QCOMPARE(scheme.source(), ColorScheme::Palette);
        QCOMPARE(scheme.dark(), true);
    }

    void followsThePortal()
    {
        m_portal->scheme = 1; // dark
        publish();
        ColorScheme scheme(nullptr, clientBus());
        QTRY_COMPARE(scheme.source(), ColorScheme::Portal);
        QCOMPARE(scheme.systemDark(), true);
        QCOMPARE(scheme.dark(), true);

        // The desktop switches to light: SettingChanged says so, nothing reads again.
        QSignalSpy darkChanged(&scheme, &ColorScheme::darkChanged);
        const int reads = m_portal->reads;
        m_portal->scheme = 2;
        Q_EMIT m_portal->SettingChanged(kNamespace, kKey, QDBusVariant(2u));
        QTRY_COMPARE(scheme.dark(), false);
        QCOMPARE(darkChanged.count(), 1);
        QCOMPARE(scheme.source(), ColorScheme::Portal);
        QCOMPARE(m_portal->reads, reads);

        // Another setting changes nothing.
        Q_EMIT m_portal->SettingChanged(kNamespace, QStringLiteral("accent-color"),
                                        QDBusVariant(1u));
        Q_EMIT m_portal->SettingChanged(QStringLiteral("org.gnome.desktop.interface"), kKey,
                                        QDBusVariant(1u));
        // And back to dark, which arrives after the two above: they were ignored.
        Q_EMIT m_portal->SettingChanged(kNamespace, kKey, QDBusVariant(1u));
        QTRY_COMPARE(scheme.dark(), true);
        QCOMPARE(darkChanged.count(), 2);

        // "No preference": the palette (light here) decides again.
        Q_EMIT m_portal->SettingChanged(kNamespace, kKey, QDBusVariant(0u));
        QTRY_COMPARE(scheme.source(), ColorScheme::Palette);
        QCOMPARE(scheme.dark(), false);
    }

    void portalWithoutPreferenceLeavesItToThePalette()
    {
        QGuiApplication::setPalette(paletteWithWindow(Qt::black));
        m_portal->scheme = 0;
        publish();
        ColorScheme scheme(nullptr, clientBus());
        QTRY_VERIFY(m_portal->reads > 0);
        QTest::qWait(100);
        QCOMPARE(scheme.source(), ColorScheme::Palette);
        QCOMPARE(scheme.dark(), true);
    }

    void olderPortalAnswersThroughRead()
    {
        m_portal->scheme = 1;
        m_portal->readOneMissing = true;
        publish();
        ColorScheme scheme(nullptr, clientBus());
        QTRY_COMPARE(scheme.source(), ColorScheme::Portal);
        QCOMPARE(scheme.dark(), true);
    }

    void preferenceOverridesAndIsKept()
    {
        m_portal->scheme = 1; // the desktop is dark
        publish();
        const QString file = m_dir.filePath(QStringLiteral("ui.ini"));
        {
            UiState state(file);
            ColorScheme scheme(&state, clientBus());
            QCOMPARE(scheme.preference(), ColorScheme::System);
            QTRY_COMPARE(scheme.dark(), true);

            QSignalSpy darkChanged(&scheme, &ColorScheme::darkChanged);
            QSignalSpy preferenceChanged(&scheme, &ColorScheme::preferenceChanged);
            scheme.setPreference(ColorScheme::Light);
            QCOMPARE(scheme.dark(), false);
            QCOMPARE(scheme.systemDark(), true);
            QCOMPARE(darkChanged.count(), 1);
            QCOMPARE(preferenceChanged.count(), 1);

            // The desktop's changes do not move a fixed choice.
            Q_EMIT m_portal->SettingChanged(kNamespace, kKey, QDBusVariant(2u));
            QTRY_COMPARE(scheme.systemDark(), false);
            QCOMPARE(scheme.dark(), false);
            scheme.setPreference(ColorScheme::Dark);
            QCOMPARE(scheme.dark(), true);
            QCOMPARE(darkChanged.count(), 2);
        }
        {
            UiState state(file);
            ColorScheme scheme(&state, clientBus());
            QCOMPARE(scheme.preference(), ColorScheme::Dark);
            QCOMPARE(scheme.dark(), true);
            scheme.setPreference(ColorScheme::System);
        }
        UiState state(file);
        QCOMPARE(state.colorSchemePreference(), ColorScheme::System);
    }

    void portalValues()
    {
        QCOMPARE(ColorScheme::portalScheme(QVariant::fromValue(1u)), 1);
        QCOMPARE(ColorScheme::portalScheme(QVariant::fromValue(2u)), 2);
        QCOMPARE(ColorScheme::portalScheme(QVariant::fromValue(0u)), -1);
        QCOMPARE(ColorScheme::portalScheme(QVariant::fromValue(7u)), -1);
        QCOMPARE(ColorScheme::portalScheme(QVariant(QStringLiteral("dark"))), -1);
        QCOMPARE(ColorScheme::portalScheme(QVariant()), -1);
        const QVariant nested =
            QVariant::fromValue(QDBusVariant(QVariant::fromValue(QDBusVariant(1u))));
        QCOMPARE(ColorScheme::portalScheme(nested), 1);
    }

private:
    QDBusConnection portalBus() const
    {
        return QDBusConnection::connectToBus(m_address, QStringLiteral("portal"));
    }

    QDBusConnection clientBus() const
    {
        return QDBusConnection::connectToBus(m_address, QStringLiteral("client"));
    }

    void publish()
    {
        QDBusConnection bus = portalBus();
        QVERIFY(bus.isConnected());
        QVERIFY(bus.registerObject(kPath, m_portal.get(),
                                   QDBusConnection::ExportAllSlots
                                       | QDBusConnection::ExportAllSignals));
        QVERIFY2(bus.registerService(kService), qPrintable(bus.lastError().message()));
    }

    QTemporaryDir m_dir;
    arbor::testsupport::PrivateBus m_bus;
    QString m_address;
    std::unique_ptr<FakePortal> m_portal;
};

QTEST_MAIN(TestColorScheme)

#include "tst_colorscheme.moc"
