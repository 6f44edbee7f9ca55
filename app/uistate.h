#pragma once

#include "colorscheme.h"

#include <QDateTime>
#include <QObject>
#include <QSize>
#include <QString>
#include <QUrl>
#include <QtQml/qqml.h>

#include <memory>

class QSettings;
class QQmlEngine;
class QJSEngine;

namespace arbor::app {

/**
 * @brief What the window remembers between runs: its size, whether the sidebar is open, the
 * last conversation and model, light or dark (ColorScheme shows it to QML). Kept with QSettings
 * (the platform's place for settings, or the file main() or a test names). GUI thread only.
 */
class UiState : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_SINGLETON
    /** @brief The conversation list is shown (Ctrl+B hides it). */
    Q_PROPERTY(bool sidebarOpen READ sidebarOpen WRITE setSidebarOpen NOTIFY sidebarOpenChanged)
    /** @brief The window was maximized when it last closed. */
    Q_PROPERTY(bool maximized READ maximized WRITE setMaximized NOTIFY maximizedChanged)
    /** @brief The window gets no smaller than this (unless the screen is smaller). */
    Q_PROPERTY(QSize minimumSize READ minimumSize CONSTANT)

public:
    static UiState *create(QQmlEngine *qmlEngine, QJSEngine *jsEngine);

    /** @brief The size of a first start, when the screen has room for it. */
    static constexpr QSize DefaultSize{1100, 720};
    static constexpr QSize MinimumSize{640, 420};

    /** @brief @p path: an INI file; empty: the application's QSettings. */
    explicit UiState(const QString &path, QObject *parent = nullptr);
    ~UiState() override;

    /** @brief The size to open with: the last one (else DefaultSize), shrunk to fit @p available
     *  (the screen's free area, in device-independent pixels), never below MinimumSize. */
    Q_INVOKABLE QSize initialWindowSize(const QSize &available) const;
    /** @brief Remembers the window's size (ignored while maximized). */
    Q_INVOKABLE void saveWindowSize(const QSize &size);

    QSize minimumSize() const { return MinimumSize; }
    bool sidebarOpen() const { return m_sidebarOpen; }
    void setSidebarOpen(bool open);
    bool maximized() const { return m_maximized; }
    void setMaximized(bool maximized);
    QString lastConversationId() const;
    void setLastConversationId(const QString &id);
    QString lastModelKey() const;
    void setLastModelKey(const QString &key);
    /** @brief Desktop notices of long replies (Notifications); on unless turned off. */
    bool replyNotices() const;
    void setReplyNotices(bool on);
    /** @brief Desktop notices of providers failing and recovering; on unless turned off. */
    bool providerNotices() const;
    void setProviderNotices(bool on);
    /** @brief The weekly update check is allowed (UpdateCheck); off unless turned on. */
    bool updateChecks() const;
    void setUpdateChecks(bool on);
    /** @brief What the update feed last said, and whether its notice was closed. */
    struct UpdateOffer
    {
        QString version;     ///< the version the feed named ("" before the first answer)
        QUrl notesUrl;       ///< its release notes
        QDateTime checkedAt; ///< when the feed last answered (UTC; invalid: never)
        bool dismissed = false;
    };
    UpdateOffer updateOffer() const;
    void setUpdateOffer(const UpdateOffer &offer);
    ColorScheme::Preference colorSchemePreference() const;
    void setColorSchemePreference(ColorScheme::Preference preference);

    /** @brief The policy behind initialWindowSize(), for tests. */
    static QSize fit(QSize wanted, const QSize &available);

Q_SIGNALS:
    void sidebarOpenChanged();
    void maximizedChanged();

private:
    std::unique_ptr<QSettings> m_settings;
    bool m_sidebarOpen = true;
    bool m_maximized = false;
};

} // namespace arbor::app
