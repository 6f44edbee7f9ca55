#include "searchcontroller.h"

#include "app.h"
#include "async.h"
#include "chatcontroller.h"
#include "conversationcontroller.h"
#include "errorcontroller.h"

#include "chat/chatservice.h"
#include "core/backend.h"

namespace arbor::app {

SearchController *SearchController::create(QQmlEngine *qmlEngine, QJSEngine *jsEngine)
{
    return App::singleton(qmlEngine, jsEngine, &App::search);
}

SearchController::SearchController(core::Backend *backend, ConversationController *conversations,
                                   ChatController *chat, ErrorController *errors, QObject *parent)
    : QObject(parent)
    , m_backend(backend)
    , m_conversations(conversations)
    , m_chat(chat)
    , m_errors(errors)
    , m_results(new SearchModel(this))
{
    // Marks belong to the message a hit opened, in its conversation only.
    connect(m_conversations, &ConversationController::currentChanged, this,
            [this] { setHighlight({}, {}); });
}

void SearchController::run(const QString &text)
{
    const quint64 generation = ++m_generation;
    m_lastSearch = text;
    if (!m_backend || text.trimmed().isEmpty()) {
        m_results->setHits({});
        return;
    }
    whenDone(
        this, m_backend->chat().search(text, 100),
        [this, generation](const QList<domain::SearchHit> &hits) {
            if (generation == m_generation) // else the user typed on
                m_results->setHits(hits);
        },
        [this, generation](const QString &error) {
            if (generation == m_generation)
                m_errors->show(tr("Search failed: %1").arg(error));
        });
}

void SearchController::open(const QString &conversationId, const QString &messageId)
{
    m_conversations->select(conversationId);
    setHighlight(messageId, termsOf(m_lastSearch));
    m_chat->scrollWhenShown(messageId);
    m_chat->showMessage(messageId);
}

QStringList SearchController::termsOf(const QString &query)
{
    static const QStringList operators{QStringLiteral("AND"), QStringLiteral("OR"),
                                       QStringLiteral("NOT"), QStringLiteral("NEAR")};
    QStringList terms;
    QString cleaned = query;
    for (QChar c : {u'"', u'*', u'(', u')', u'^', u':', u'+'})
        cleaned.replace(c, u' ');
    for (const QString &word : cleaned.split(u' ', Qt::SkipEmptyParts)) {
        if (!operators.contains(word) && !terms.contains(word, Qt::CaseInsensitive))
            terms.append(word);
    }
    return terms;
}

void SearchController::setHighlight(const QString &messageId, const QStringList &terms)
{
    if (messageId == m_highlightMessageId && terms == m_highlightTerms)
        return;
    m_highlightMessageId = messageId;
    m_highlightTerms = terms;
    Q_EMIT highlightChanged();
}

} // namespace arbor::app
