#include "colorscheme.h"

#include "app.h"
#include "uistate.h"

#include <QDBusConnection>
#include <QDBusError>
#include <QDBusMessage>
#include <QDBusPendingCallWatcher>
#include <QDBusPendingReply>
#include <QEvent>
#include <QGuiApplication>
#include <QLoggingCategory>
#include <QPalette>

Q_LOGGING_CATEGORY(lcColorScheme, "arbor.app.colorscheme", QtInfoMsg)

namespace arbor::app {

namespace {
const QString kService = QStringLiteral("org.freedesktop.portal.Desktop");
const QString kPath = QStringLiteral("/org/freedesktop/portal/desktop");
const QString kInterface = QStringLiteral("org.freedesktop.portal.Settings");
const QString kNamespace = QStringLiteral("org.freedesktop.appearance");
const QString kKey = QStringLiteral("color-scheme");
/// A portal that does not answer in this time is taken as absent (the palette decides).
constexpr int kTimeoutMs = 2000;
constexpr int kPortalDark = 1;
constexpr int kPortalLight = 2;
} // namespace

ColorScheme *ColorScheme::create(QQmlEngine *qmlEngine, QJSEngine *jsEngine)
{
    return App::singleton(qmlEngine, jsEngine, &App::colorScheme);
}

ColorScheme::ColorScheme(UiState *state, QObject *parent)
    : ColorScheme(state, QDBusConnection::sessionBus(), parent)
{
}

ColorScheme::ColorScheme(UiState *state, const QDBusConnection &bus, QObject *parent)
    : QObject(parent)
    , m_state(state)
    , m_preference(state ? state->colorSchemePreference() : System)
    , m_paletteDark(paletteIsDark())
{
    // The application palette may change while Arbor runs (a platform theme without a portal).
    qGuiApp->installEventFilter(this);
    watchPortal(bus);
}

ColorScheme::~ColorScheme() = default;

bool ColorScheme::systemDark() const
{
    if (m_portalScheme != NoPortalScheme)
        return m_portalScheme == kPortalDark;
    return m_paletteDark;
}

bool ColorScheme::dark() const
{
    switch (m_preference) {
    case Light:
        return false;
    case Dark:
        return true;
    case System:
        break;
    }
    return systemDark();
}

void ColorScheme::setPreference(Preference preference)
{
    if (preference == m_preference)
        return;
    update([&] { m_preference = preference; });
    if (m_state)
        m_state->setColorSchemePreference(preference);
    Q_EMIT preferenceChanged();
}

template<class F>
void ColorScheme::update(F change)
{
    const bool wasSystemDark = systemDark();
    const Source wasSource = source();
    const bool wasDark = dark();
    change();
    if (systemDark() != wasSystemDark || source() != wasSource)
        Q_EMIT systemDarkChanged();
    if (dark() != wasDark)
        Q_EMIT darkChanged();
}

int ColorScheme::portalScheme(const QVariant &value)
{
    // Read wraps the value in one variant more than ReadOne; a signal carries one.
    QVariant inner = value;
    for (int depth = 0; depth < 4 && inner.metaType() == QMetaType::fromType<QDBusVariant>();
         ++depth)
        inner = inner.value<QDBusVariant>().variant();
    bool ok = false;
    const uint scheme = inner.toUInt(&ok);
    if (!ok || (scheme != kPortalDark && scheme != kPortalLight))
        return NoPortalScheme;
    return static_cast<int>(scheme);
}

void ColorScheme::watchPortal(const QDBusConnection &bus)
{
    if (!bus.isConnected()) {
        qCDebug(lcColorScheme) << "no D-Bus session: the palette decides light or dark";
        return;
    }
    QDBusConnection(bus).connect(kService, kPath, kInterface, QStringLiteral("SettingChanged"),
                                 this, SLOT(onSettingChanged(QString, QString, QDBusVariant)));
    read(bus, QStringLiteral("ReadOne"));
}

void ColorScheme::read(const QDBusConnection &bus, const QString &method)
{
    QDBusMessage call = QDBusMessage::createMethodCall(kService, kPath, kInterface, method);
    call << kNamespace << kKey;
    // Asynchronous: the window never waits for the portal; it follows the palette until the
    // answer comes (before the first frame, normally).
    auto *watcher = new QDBusPendingCallWatcher(bus.asyncCall(call, kTimeoutMs), this);
    connect(watcher, &QDBusPendingCallWatcher::finished, this,
            [this, bus, method](QDBusPendingCallWatcher *finished) {
                finished->deleteLater();
                const QDBusPendingReply<QDBusVariant> reply = *finished;
                if (reply.isError()) {
                    // Portals before version 2 have Read only.
                    if (method == QLatin1String("ReadOne")
                        && reply.error().type() == QDBusError::UnknownMethod) {
                        read(bus, QStringLiteral("Read"));
                        return;
                    }
                    qCDebug(lcColorScheme) << "no settings portal:" << reply.error().message();
                    return;
                }
                const int scheme = portalScheme(QVariant::fromValue(reply.value()));
                update([&] { m_portalScheme = scheme; });
            });
}

void ColorScheme::onSettingChanged(const QString &nameSpace, const QString &key,
                                   const QDBusVariant &value)
{
    if (nameSpace != kNamespace || key != kKey)
        return;
    const int scheme = portalScheme(value.variant());
    update([&] { m_portalScheme = scheme; });
}

bool ColorScheme::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == qGuiApp && event->type() == QEvent::ApplicationPaletteChange)
        update([&] { m_paletteDark = paletteIsDark(); });
    return QObject::eventFilter(watched, event);
}

bool ColorScheme::paletteIsDark()
{
    const QColor window = QGuiApplication::palette().color(QPalette::Window);
    return window.lightnessF() < 0.5;
}

} // namespace arbor::app
