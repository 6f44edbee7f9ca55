#pragma once

#include "desktopnotifier.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QSet>
#include <QString>
#include <QtQml/qqml.h>

class QJSEngine;
class QQmlEngine;

namespace arbor::core {
class Backend;
}
namespace arbor::domain {
struct Message;
}

namespace arbor::batch {
struct Run;
}

namespace arbor::app {

class ConversationListModel;
class UiState;

/**
 * @brief When Arbor tells the desktop something: a long reply finished (or failed) while the
 * window was not active, and a provider started failing or works again. Each kind can be turned
 * off in Settings (kept by UiState). Clicking a reply's notice opens its conversation.
 *
 * It follows the backend's chat events: a reply is timed from the first event seen for it
 * (queued or streaming) to its end. A provider is "failing" from a reply of it that failed or
 * waits to retry after an error, until one of its replies completes; each change is told once,
 * and a recovery only after its failure was told (a notice with the same key replaces the
 * failure's if it is still shown).
 * Cancelled and interrupted replies tell nothing. A batch run that ends (completed or cancelled,
 * wherever its jobs ran) is told with its counts, under the reply notices' setting.
 * GUI thread only.
 */
class Notifications : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_SINGLETON
    /** @brief The window has the focus (set by the window); no reply notices then. */
    Q_PROPERTY(bool windowActive READ windowActive WRITE setWindowActive NOTIFY windowActiveChanged)
    /** @brief Tell when a long reply finishes while the window is not active. */
    Q_PROPERTY(bool replyNotices READ replyNotices WRITE setReplyNotices NOTIFY replyNoticesChanged)
    /** @brief Tell when a provider starts failing and when it works again. */
    Q_PROPERTY(bool providerNotices READ providerNotices WRITE setProviderNotices NOTIFY
                   providerNoticesChanged)

public:
    /** @brief A reply that took at least this long is "long". */
    static constexpr qint64 DefaultLongReplyMs = 10'000;
    /** @brief A reply's notice quotes at most this much of its text. */
    static constexpr qsizetype ExcerptChars = 160;

    static Notifications *create(QQmlEngine *qmlEngine, QJSEngine *jsEngine);

    /** @brief Follows @p backend's chat events (null: tells nothing); titles from @p list,
     *  settings in @p state, notices through @p notifier (not owned). */
    Notifications(core::Backend *backend, ConversationListModel *list, UiState *state,
                  DesktopNotifier *notifier, QObject *parent = nullptr);
    ~Notifications() override;

    bool windowActive() const { return m_windowActive; }
    void setWindowActive(bool active);
    bool replyNotices() const;
    void setReplyNotices(bool on);
    bool providerNotices() const;
    void setProviderNotices(bool on);
    /** @brief For tests: how long a reply must take to be told (default DefaultLongReplyMs). */
    void setLongReplyMs(qint64 ms) { m_longReplyMs = ms; }

    /** @brief The first @p max characters of @p text on one line, with an ellipsis when cut. */
    static QString excerpt(const QString &text, qsizetype max = ExcerptChars);

Q_SIGNALS:
    void windowActiveChanged();
    void replyNoticesChanged();
    void providerNoticesChanged();
    /** @brief The user clicked the notice of a reply in @p conversationId: the window shows it. */
    void openRequested(const QString &conversationId);
    /** @brief The user clicked a provider's notice: the window shows Settings. */
    void settingsRequested();

private:
    struct Reply
    {
        QString conversationId;
        QElapsedTimer since;
    };

    void onCreated(const domain::Message &message);
    void onStateChanged(const QString &conversationId, const QString &messageId,
                        const QString &status, const QString &error);
    void tell(const domain::Message &message, const QString &status, const QString &error,
              qint64 tookMs);
    void tellProvider(const QString &providerId, bool failing, const QString &error);
    /** @brief A batch run ended (completed or cancelled), in this process or another. */
    void tellRun(const batch::Run &run);
    QString conversationTitle(const QString &conversationId) const;
    QString providerName(const QString &providerId) const;

    core::Backend *m_backend = nullptr;
    ConversationListModel *m_list = nullptr;
    UiState *m_state = nullptr;
    DesktopNotifier *m_notifier = nullptr;
    bool m_windowActive = true;
    qint64 m_longReplyMs = DefaultLongReplyMs;
    QHash<QString, Reply> m_replies; ///< replies under way, by message id
    QHash<QString, bool> m_failing;  ///< providers known to be failing (true) or working
    QSet<QString> m_toldFailing;     ///< providers whose failure the user was told
};

} // namespace arbor::app
