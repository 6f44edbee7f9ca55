#include "uistate.h"

#include "app.h"

#include <QSettings>

namespace arbor::app {

namespace {
const QString kSize = QStringLiteral("window/size");
const QString kMaximized = QStringLiteral("window/maximized");
const QString kSidebar = QStringLiteral("window/sidebarOpen");
const QString kConversation = QStringLiteral("session/lastConversation");
const QString kModel = QStringLiteral("session/lastModel");
const QString kColorScheme = QStringLiteral("appearance/colorScheme");
const QString kReplyNotices = QStringLiteral("notifications/replies");
const QString kProviderNotices = QStringLiteral("notifications/providers");
const QString kUpdateChecks = QStringLiteral("updates/check");
const QString kUpdateVersion = QStringLiteral("updates/version");
const QString kUpdateNotes = QStringLiteral("updates/notesUrl");
const QString kUpdateCheckedAt = QStringLiteral("updates/checkedAt");
const QString kUpdateDismissed = QStringLiteral("updates/dismissed");
} // namespace

UiState *UiState::create(QQmlEngine *qmlEngine, QJSEngine *jsEngine)
{
    return App::singleton(qmlEngine, jsEngine, &App::uiState);
}

UiState::UiState(const QString &path, QObject *parent)
    : QObject(parent)
    , m_settings(path.isEmpty() ? std::make_unique<QSettings>()
                                : std::make_unique<QSettings>(path, QSettings::IniFormat))
{
    m_sidebarOpen = m_settings->value(kSidebar, true).toBool();
    m_maximized = m_settings->value(kMaximized, false).toBool();
}

UiState::~UiState() = default;

QSize UiState::fit(QSize wanted, const QSize &available)
{
    if (available.isEmpty())
        return wanted;
    // Leave room for the window frame and a panel or dock; never below the minimum, unless the
    // screen itself is smaller.
    const QSize room(available.width() * 95 / 100, available.height() * 90 / 100);
    return wanted.boundedTo(room).expandedTo(MinimumSize.boundedTo(available));
}

QSize UiState::initialWindowSize(const QSize &available) const
{
    const QSize saved = m_settings->value(kSize).toSize();
    return fit(saved.isValid() && !saved.isEmpty() ? saved : DefaultSize, available);
}

void UiState::saveWindowSize(const QSize &size)
{
    if (!m_maximized && size.isValid() && !size.isEmpty())
        m_settings->setValue(kSize, size);
}

void UiState::setSidebarOpen(bool open)
{
    if (open == m_sidebarOpen)
        return;
    m_sidebarOpen = open;
    m_settings->setValue(kSidebar, open);
    Q_EMIT sidebarOpenChanged();
}

void UiState::setMaximized(bool maximized)
{
    if (maximized == m_maximized)
        return;
    m_maximized = maximized;
    m_settings->setValue(kMaximized, maximized);
    Q_EMIT maximizedChanged();
}

QString UiState::lastConversationId() const
{
    return m_settings->value(kConversation).toString();
}

void UiState::setLastConversationId(const QString &id)
{
    m_settings->setValue(kConversation, id);
}

QString UiState::lastModelKey() const
{
    return m_settings->value(kModel).toString();
}

void UiState::setLastModelKey(const QString &key)
{
    m_settings->setValue(kModel, key);
}

bool UiState::replyNotices() const
{
    return m_settings->value(kReplyNotices, true).toBool();
}

void UiState::setReplyNotices(bool on)
{
    m_settings->setValue(kReplyNotices, on);
}

bool UiState::providerNotices() const
{
    return m_settings->value(kProviderNotices, true).toBool();
}

void UiState::setProviderNotices(bool on)
{
    m_settings->setValue(kProviderNotices, on);
}

bool UiState::updateChecks() const
{
    return m_settings->value(kUpdateChecks, false).toBool();
}

void UiState::setUpdateChecks(bool on)
{
    m_settings->setValue(kUpdateChecks, on);
}

UiState::UpdateOffer UiState::updateOffer() const
{
    UpdateOffer offer;
    offer.version = m_settings->value(kUpdateVersion).toString();
    offer.notesUrl = QUrl(m_settings->value(kUpdateNotes).toString());
    offer.checkedAt =
        QDateTime::fromString(m_settings->value(kUpdateCheckedAt).toString(), Qt::ISODate);
    offer.dismissed = m_settings->value(kUpdateDismissed, false).toBool();
    return offer;
}

void UiState::setUpdateOffer(const UpdateOffer &offer)
{
    m_settings->setValue(kUpdateVersion, offer.version);
    m_settings->setValue(kUpdateNotes, offer.notesUrl.toString());
    m_settings->setValue(kUpdateCheckedAt, offer.checkedAt.toUTC().toString(Qt::ISODate));
    m_settings->setValue(kUpdateDismissed, offer.dismissed);
}

ColorScheme::Preference UiState::colorSchemePreference() const
{
    // Kept by name ("dark"), so that the file reads well and survives a reordered enum.
    const QString name = m_settings->value(kColorScheme).toString();
    if (name == QLatin1String("light"))
        return ColorScheme::Light;
    if (name == QLatin1String("dark"))
        return ColorScheme::Dark;
    return ColorScheme::System;
}

void UiState::setColorSchemePreference(ColorScheme::Preference preference)
{
    switch (preference) {
    case ColorScheme::System:
        m_settings->remove(kColorScheme);
        return;
    case ColorScheme::Light:
        m_settings->setValue(kColorScheme, QStringLiteral("light"));
        return;
    case ColorScheme::Dark:
        m_settings->setValue(kColorScheme, QStringLiteral("dark"));
        return;
    }
}

} // namespace arbor::app
