#pragma once

#include "searchmodel.h"

#include <QObject>
#include <QString>
#include <QStringList>
#include <QtQml/qqml.h>

class QQmlEngine;
class QJSEngine;

namespace arbor::core {
class Backend;
}

namespace arbor::app {

class ChatController;
class ConversationController;
class ErrorController;

/**
 * @brief Full-text search over every branch of every conversation, and opening a hit: its
 * conversation, on the branch that holds it, scrolled to it, its words marked. GUI thread only.
 */
class SearchController : public QObject
{
    Q_OBJECT
    QML_NAMED_ELEMENT(Search)
    QML_SINGLETON
    /** @brief The hits of the last search, best first. */
    Q_PROPERTY(arbor::app::SearchModel *results READ results CONSTANT)
    /** @brief The message opened from a hit, whose matches are marked ("" = none). */
    Q_PROPERTY(QString highlightMessageId READ highlightMessageId NOTIFY highlightChanged)
    /** @brief The words of that search, to mark in it. */
    Q_PROPERTY(QStringList highlightTerms READ highlightTerms NOTIFY highlightChanged)

public:
    static SearchController *create(QQmlEngine *qmlEngine, QJSEngine *jsEngine);

    /** @brief @p backend: nullptr when the store did not open. */
    SearchController(core::Backend *backend, ConversationController *conversations,
                     ChatController *chat, ErrorController *errors, QObject *parent = nullptr);

    SearchModel *results() const { return m_results; }
    QString highlightMessageId() const { return m_highlightMessageId; }
    QStringList highlightTerms() const { return m_highlightTerms; }

    /** @brief Searches for @p text; the hits land in results ("" clears them). */
    Q_INVOKABLE void run(const QString &text);
    /** @brief Opens a hit of the last search. */
    Q_INVOKABLE void open(const QString &conversationId, const QString &messageId);

    /** @brief The words of a search query to mark in a hit (quotes and operators dropped). */
    static QStringList termsOf(const QString &query);

Q_SIGNALS:
    void highlightChanged();

private:
    void setHighlight(const QString &messageId, const QStringList &terms);

    core::Backend *m_backend;
    ConversationController *m_conversations;
    ChatController *m_chat;
    ErrorController *m_errors;
    SearchModel *m_results;
    QString m_lastSearch;
    QString m_highlightMessageId;
    QStringList m_highlightTerms;
    quint64 m_generation = 0; ///< drops the hits of a search the user has typed past
};

} // namespace arbor::app
