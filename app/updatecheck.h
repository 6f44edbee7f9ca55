#pragma once

#include <QDateTime>
#include <QObject>
#include <QString>
#include <QUrl>
#include <QtQml/qqml.h>

class QJSEngine;
class QNetworkAccessManager;
class QNetworkReply;
class QQmlEngine;

namespace arbor::app {

class UiState;

/**
 * @brief "Is there a newer Arbor?" — opt-in, at most weekly, and never more than a question.
 *
 * Off until the user turns it on in Settings (distributions update their packages themselves).
 * When on, the window asks once at start if the last answer is a week old or older; "Check now"
 * asks at once. It reads a small JSON feed (ARBOR_UPDATE_FEED_URL at build time, or the
 * environment's ARBOR_UPDATE_FEED):
 *
 *   {"version": "0.2.0", "notes_url": "https://…/releases/0.2.0", "published": "2027-01-10"}
 *
 * and, when the version is newer than this build's, says so with the release notes link. It
 * downloads and runs nothing. A feed it cannot read says why and changes nothing. GUI thread.
 */
class UpdateCheck : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_SINGLETON
    /** @brief The user allowed the weekly check (kept; off by default). */
    Q_PROPERTY(bool enabled READ enabled WRITE setEnabled NOTIFY enabledChanged)
    /** @brief A check is under way. */
    Q_PROPERTY(bool checking READ checking NOTIFY stateChanged)
    /** @brief The newer version the feed named ("" when none is known). */
    Q_PROPERTY(QString availableVersion READ availableVersion NOTIFY stateChanged)
    /** @brief Its release notes (http or https only; empty when the feed gave none). */
    Q_PROPERTY(QUrl notesUrl READ notesUrl NOTIFY stateChanged)
    /** @brief Why the last check failed ("" when it did not). */
    Q_PROPERTY(QString error READ error NOTIFY stateChanged)
    /** @brief One line for Settings: never checked, up to date, version X is available, … */
    Q_PROPERTY(QString statusText READ statusText NOTIFY stateChanged)
    /** @brief The user closed the notice of availableVersion (kept, per version). */
    Q_PROPERTY(bool dismissed READ dismissed NOTIFY stateChanged)
    /** @brief This build has a feed to ask (packagers may build without one). */
    Q_PROPERTY(bool hasFeed READ hasFeed CONSTANT)

public:
    static constexpr qint64 IntervalDays = 7;
    /** @brief A feed larger than this is not a feed. */
    static constexpr qint64 MaxFeedBytes = 64 * 1024;

    static UpdateCheck *create(QQmlEngine *qmlEngine, QJSEngine *jsEngine);

    /** @brief Asks @p feed (empty: no feed); state kept in @p state; this build is @p current. */
    UpdateCheck(UiState *state, const QUrl &feed, const QString &current,
                QObject *parent = nullptr);
    ~UpdateCheck() override;

    /** @brief The feed this build asks: $ARBOR_UPDATE_FEED, else ARBOR_UPDATE_FEED_URL. */
    static QUrl defaultFeed();

    bool enabled() const;
    void setEnabled(bool on);
    bool checking() const { return m_reply != nullptr; }
    QString availableVersion() const;
    QUrl notesUrl() const;
    QString error() const { return m_error; }
    QString statusText() const;
    bool dismissed() const;
    bool hasFeed() const { return m_feed.isValid() && !m_feed.isEmpty(); }

    /** @brief At start: checks when enabled and the last answer is IntervalDays old or older
     *  (or there is none). Returns whether it asked. */
    Q_INVOKABLE bool checkIfDue();
    /** @brief Asks now (also when disabled: the user asked). */
    Q_INVOKABLE void checkNow();
    /** @brief Hides the notice of the version shown until a newer one appears. */
    Q_INVOKABLE void dismiss();

    /** @brief Whether feed version @p offered is newer than @p current (semantic versions,
     *  a leading "v" allowed); false for anything unparsable. */
    static bool isNewer(const QString &offered, const QString &current);

Q_SIGNALS:
    void enabledChanged();
    void stateChanged();

private:
    void onFinished();
    void fail(const QString &why);

    UiState *m_state;
    QUrl m_feed;
    QString m_current;
    QNetworkAccessManager *m_network = nullptr;
    QNetworkReply *m_reply = nullptr;
    QString m_error;
};

} // namespace arbor::app
