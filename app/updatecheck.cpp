#include "updatecheck.h"

#include "app.h"
#include "uistate.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QVersionNumber>

Q_LOGGING_CATEGORY(lcUpdate, "arbor.update")

namespace arbor::app {

namespace {

QVersionNumber parseVersion(QString text)
{
    text = text.trimmed();
    if (text.startsWith(QLatin1Char('v')) || text.startsWith(QLatin1Char('V')))
        text.remove(0, 1);
    qsizetype suffix = -1;
    const QVersionNumber version = QVersionNumber::fromString(text, &suffix);
    // "0.2.0" and "0.2.0-rc1" parse; "banana" and "1.x" do not.
    if (version.isNull() || (suffix < text.size() && text.at(suffix) != QLatin1Char('-')))
        return {};
    return version;
}

} // namespace

UpdateCheck *UpdateCheck::create(QQmlEngine *qmlEngine, QJSEngine *jsEngine)
{
    return App::singleton(qmlEngine, jsEngine, &App::updateCheck);
}

UpdateCheck::UpdateCheck(UiState *state, const QUrl &feed, const QString &current, QObject *parent)
    : QObject(parent)
    , m_state(state)
    , m_feed(feed)
    , m_current(current)
{
}

UpdateCheck::~UpdateCheck()
{
    if (m_reply)
        m_reply->abort();
}

QUrl UpdateCheck::defaultFeed()
{
    const QByteArray fromEnvironment = qgetenv("ARBOR_UPDATE_FEED");
    if (!fromEnvironment.isEmpty())
        return QUrl(QString::fromUtf8(fromEnvironment));
    return QUrl(QStringLiteral(ARBOR_UPDATE_FEED_URL));
}

bool UpdateCheck::enabled() const
{
    return m_state->updateChecks();
}

void UpdateCheck::setEnabled(bool on)
{
    if (on == enabled())
        return;
    m_state->setUpdateChecks(on);
    Q_EMIT enabledChanged();
    if (on)
        checkIfDue();
}

QString UpdateCheck::availableVersion() const
{
    const QString known = m_state->updateOffer().version;
    // An offer from before this build was installed is old news.
    return isNewer(known, m_current) ? known : QString();
}

QUrl UpdateCheck::notesUrl() const
{
    return availableVersion().isEmpty() ? QUrl() : m_state->updateOffer().notesUrl;
}

bool UpdateCheck::dismissed() const
{
    const QString version = availableVersion();
    return !version.isEmpty() && m_state->updateOffer().dismissed;
}

QString UpdateCheck::statusText() const
{
    if (!hasFeed())
        return tr("This build has no update feed; your package manager updates Arbor.");
    if (checking())
        return tr("Checking…");
    if (!m_error.isEmpty())
        return tr("Could not check for updates: %1").arg(m_error);
    const QString version = availableVersion();
    if (!version.isEmpty())
        return tr("Arbor %1 is available (this is %2).").arg(version, m_current);
    const QDateTime last = m_state->updateOffer().checkedAt;
    if (!last.isValid())
        return tr("Not checked yet.");
    return tr("Arbor %1 is the newest version (checked %2).")
        .arg(m_current, QLocale().toString(last.toLocalTime(), QLocale::ShortFormat));
}

bool UpdateCheck::checkIfDue()
{
    if (!enabled() || !hasFeed() || checking())
        return false;
    const QDateTime last = m_state->updateOffer().checkedAt;
    if (last.isValid() && last.daysTo(QDateTime::currentDateTimeUtc()) < IntervalDays)
        return false;
    checkNow();
    return true;
}

void UpdateCheck::checkNow()
{
    if (!hasFeed() || checking())
        return;
    if (!m_network)
        m_network = new QNetworkAccessManager(this);
    QNetworkRequest request(m_feed);
    request.setHeader(QNetworkRequest::UserAgentHeader,
                      QStringLiteral("Arbor/%1 (update check)").arg(m_current));
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                         QNetworkRequest::NoLessSafeRedirectPolicy);
    request.setTransferTimeout(15'000);
    m_error.clear();
    m_reply = m_network->get(request);
    connect(m_reply, &QNetworkReply::downloadProgress, this, [this](qint64 received, qint64) {
        if (received > MaxFeedBytes)
            m_reply->abort();
    });
    connect(m_reply, &QNetworkReply::finished, this, &UpdateCheck::onFinished);
    Q_EMIT stateChanged();
}

void UpdateCheck::dismiss()
{
    UiState::UpdateOffer offer = m_state->updateOffer();
    offer.dismissed = true;
    m_state->setUpdateOffer(offer);
    Q_EMIT stateChanged();
}

bool UpdateCheck::isNewer(const QString &offered, const QString &current)
{
    const QVersionNumber a = parseVersion(offered);
    const QVersionNumber b = parseVersion(current);
    return !a.isNull() && !b.isNull() && QVersionNumber::compare(a, b) > 0;
}

void UpdateCheck::onFinished()
{
    QNetworkReply *reply = std::exchange(m_reply, nullptr);
    reply->deleteLater();
    const QByteArray body = reply->read(MaxFeedBytes + 1);
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status >= 400) {
        fail(tr("the feed answered HTTP %1").arg(status));
        return;
    }
    if (reply->error() != QNetworkReply::NoError) {
        fail(reply->error() == QNetworkReply::OperationCanceledError
                 ? tr("the feed is larger than %1 KB").arg(MaxFeedBytes / 1024)
                 : reply->errorString());
        return;
    }
    if (body.size() > MaxFeedBytes) {
        fail(tr("the feed is larger than %1 KB").arg(MaxFeedBytes / 1024));
        return;
    }
    QJsonParseError parseError{};
    const QJsonDocument document = QJsonDocument::fromJson(body, &parseError);
    if (!document.isObject()) {
        fail(tr("the feed is not a JSON object (%1)").arg(parseError.errorString()));
        return;
    }
    const QJsonObject feed = document.object();
    const QString version = feed.value(QLatin1String("version")).toString();
    if (parseVersion(version).isNull()) {
        fail(tr("the feed names no version"));
        return;
    }
    QUrl notes(feed.value(QLatin1String("notes_url")).toString());
    if (notes.scheme() != QLatin1String("https") && notes.scheme() != QLatin1String("http"))
        notes = QUrl(); // nothing else is opened from a feed
    UiState::UpdateOffer offer = m_state->updateOffer();
    if (offer.version != version)
        offer.dismissed = false; // a newer offer is news again
    offer.version = version;
    offer.notesUrl = notes;
    offer.checkedAt = QDateTime::currentDateTimeUtc();
    m_state->setUpdateOffer(offer);
    qCInfo(lcUpdate) << "update feed offers" << version << "; this is" << m_current;
    Q_EMIT stateChanged();
}

void UpdateCheck::fail(const QString &why)
{
    m_error = why;
    qCInfo(lcUpdate) << "update check failed:" << why;
    Q_EMIT stateChanged();
}

} // namespace arbor::app
