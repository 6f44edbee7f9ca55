#pragma once

#include <QDBusVariant>
#include <QObject>
#include <QString>
#include <QtQml/qqml.h>

class QDBusConnection;
class QJSEngine;
class QQmlEngine;

namespace arbor::app {

class UiState;

/**
 * @brief Light or dark: what the desktop asks for and what the user chose in Settings.
 *
 * The desktop's wish comes from the freedesktop settings portal
 * (`org.freedesktop.appearance` `color-scheme`: 1 dark, 2 light), read at start and followed
 * through its SettingChanged signal; with no portal, or when it has no preference (0), the
 * application palette's lightness decides (Qt 6.4 has no QStyleHints::colorScheme). The user's
 * choice (System, Light, Dark) is kept by UiState and applies at once. GUI thread only.
 */
class ColorScheme : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_SINGLETON
    /** @brief The user's choice in Settings; System follows the desktop. Kept between runs. */
    Q_PROPERTY(Preference preference READ preference WRITE setPreference NOTIFY preferenceChanged)
    /** @brief The desktop wants a dark scheme (portal, else palette). */
    Q_PROPERTY(bool systemDark READ systemDark NOTIFY systemDarkChanged)
    /** @brief Where systemDark comes from. */
    Q_PROPERTY(Source source READ source NOTIFY systemDarkChanged)
    /** @brief The window is drawn dark: the preference applied to the desktop's wish. */
    Q_PROPERTY(bool dark READ dark NOTIFY darkChanged)

public:
    enum Preference { System, Light, Dark };
    Q_ENUM(Preference)
    /** @brief Portal: the settings portal said dark or light. Palette: no portal answered, or
     *  it has no preference, and the palette's lightness decides. */
    enum Source { Palette, Portal };
    Q_ENUM(Source)

    static ColorScheme *create(QQmlEngine *qmlEngine, QJSEngine *jsEngine);

    /** @brief Follows the portal on the session bus, if there is one. @p state keeps the
     *  preference (may be null: System, not kept). */
    explicit ColorScheme(UiState *state, QObject *parent = nullptr);
    /** @brief Follows the portal on @p bus (tests pass a private bus). */
    ColorScheme(UiState *state, const QDBusConnection &bus, QObject *parent = nullptr);
    ~ColorScheme() override;

    Preference preference() const { return m_preference; }
    void setPreference(Preference preference);
    bool systemDark() const;
    Source source() const { return m_portalScheme != NoPortalScheme ? Portal : Palette; }
    bool dark() const;

    /** @brief The value of the portal's `color-scheme` (after unwrapping its variants) as
     *  dark (1), light (2) or -1 for no preference or a value it does not know. */
    static int portalScheme(const QVariant &value);

Q_SIGNALS:
    void preferenceChanged();
    void systemDarkChanged();
    void darkChanged();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private Q_SLOTS:
    void onSettingChanged(const QString &nameSpace, const QString &key, const QDBusVariant &value);

private:
    static constexpr int NoPortalScheme = -1;

    void watchPortal(const QDBusConnection &bus);
    void read(const QDBusConnection &bus, const QString &method);
    /** @brief Runs @p change, then emits what it changed. */
    template<class F>
    void update(F change);
    static bool paletteIsDark();

    UiState *m_state = nullptr;
    Preference m_preference = System;
    /// 1 dark, 2 light as the portal said; NoPortalScheme when it did not say either.
    int m_portalScheme = NoPortalScheme;
    bool m_paletteDark = false;
};

} // namespace arbor::app
