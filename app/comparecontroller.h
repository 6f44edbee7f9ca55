#pragma once

#include "comparecolumnsmodel.h"

#include <QObject>
#include <QStringList>
#include <QVariantList>
#include <QtQml/qqml.h>

namespace arbor::core {
class Backend;
}

namespace arbor::app {

class ConversationController;
class ErrorController;
class ModelController;

/**
 * @brief Asking several models at once, for QML (App.compare): the composer's choice of models
 * (2 to 6, "provider/model[:temperature=X]") and the saved model sets; sending to them; the
 * compare view of the replies to one user message (columns, stop, regenerate, continue with
 * one, fuse). An adapter over ChatService::compare/fuse/modelSets; GUI thread only.
 */
class CompareController : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("CompareController belongs to App")
    /** @brief The models the next compare goes to ("provider/model[:temperature=X]"). */
    Q_PROPERTY(QStringList selection READ selection WRITE setSelection NOTIFY selectionChanged)
    /** @brief Saved sets: [{name, specs: [..], text: "a, b, c"}], by name. */
    Q_PROPERTY(QVariantList modelSets READ modelSets NOTIFY modelSetsChanged)
    /** @brief The compare view is open (on userMessageId). */
    Q_PROPERTY(bool active READ active NOTIFY activeChanged)
    Q_PROPERTY(QString userMessageId READ userMessageId NOTIFY activeChanged)
    Q_PROPERTY(QString question READ question NOTIFY activeChanged)
    Q_PROPERTY(arbor::app::CompareColumnsModel *columns READ columns CONSTANT)
    /** @brief The prompt a fuse starts with ({{question}} and {{answers}} are filled in). */
    Q_PROPERTY(QString defaultFusePrompt READ defaultFusePrompt CONSTANT)
    Q_PROPERTY(int minModels READ minModels CONSTANT)
    Q_PROPERTY(int maxModels READ maxModels CONSTANT)

public:
    CompareController(core::Backend *backend, ConversationController *conversations,
                      ModelController *models, ErrorController *errors, QObject *parent = nullptr);

    QStringList selection() const { return m_selection; }
    void setSelection(const QStringList &specs);
    QVariantList modelSets() const { return m_sets; }
    bool active() const { return !m_userMessageId.isEmpty(); }
    QString userMessageId() const { return m_userMessageId; }
    QString question() const { return m_question; }
    CompareColumnsModel *columns() const { return m_columns; }
    QString defaultFusePrompt() const;
    int minModels() const;
    int maxModels() const;

    /** @brief "" when @p specs can be compared, else why not (for the picker). */
    Q_INVOKABLE QString checkSelection(const QStringList &specs) const;
    /** @brief A display label for a spec: "Demo (offline) · t=0.2". */
    Q_INVOKABLE QString labelOf(const QString &spec) const;
    /** @brief Sends @p text to the selection in the open conversation (or a new one) and opens
     *  the compare view; false (and Errors.text) when it cannot be sent. */
    Q_INVOKABLE bool send(const QString &text);
    Q_INVOKABLE bool saveSet(const QString &name, const QStringList &specs);
    Q_INVOKABLE void removeSet(const QString &name);
    /** @brief Makes the set @p name the selection. */
    Q_INVOKABLE void chooseSet(const QString &name);

    /** @brief Opens the view on the replies to @p messageId (a user message) or to the parent
     *  of @p messageId (a reply). */
    Q_INVOKABLE void open(const QString &messageId);
    Q_INVOKABLE void close();
    /** @brief Makes @p messageId the conversation's visible path and closes the view; the other
     *  replies stay its siblings. */
    Q_INVOKABLE void continueWith(const QString &messageId);
    Q_INVOKABLE void stop(const QString &messageId);
    /** @brief Stops every column still queued or streaming; how many were asked to stop. */
    Q_INVOKABLE int stopAll();
    /** @brief A new reply by the same model and parameters: a new column. */
    Q_INVOKABLE void regenerate(const QString &messageId);
    /** @brief A new reply by @p modelKey from @p sourceIds with @p prompt (a template). */
    Q_INVOKABLE bool fuse(const QStringList &sourceIds, const QString &modelKey,
                          const QString &prompt);

Q_SIGNALS:
    void selectionChanged();
    void modelSetsChanged();
    void activeChanged();

private:
    void loadSets();
    void reload();
    QString labelFor(const QString &provider, const QString &model,
                     const QJsonObject &parameters) const;
    /** @brief Each reply's column label: its model with its own parameters (Message::params). */
    QHash<QString, QString> labelsOf(const QList<domain::Message> &replies) const;

    core::Backend *m_backend;
    ConversationController *m_conversations;
    ModelController *m_models;
    ErrorController *m_errors;
    CompareColumnsModel *m_columns;
    QStringList m_selection;
    QVariantList m_sets;
    QString m_userMessageId;
    QString m_conversationId;
    QString m_question;
    bool m_reloadQueued = false;
    bool m_reloadAgain = false; ///< asked for while a read ran

    quint64 m_setsGeneration = 0; ///< of the latest read of the model sets
    quint64 m_openGeneration = 0; ///< of the latest open() (close() and send() also count)
};

} // namespace arbor::app
