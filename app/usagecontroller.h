#pragma once

#include "usage/costs.h"

#include <QHash>
#include <QObject>
#include <QStringList>
#include <QTimer>
#include <QUrl>
#include <QVariantList>
#include <QtQml/qqml.h>

namespace arbor::core {
class Backend;
}
namespace arbor::store::usage {
struct Totals;
}

namespace arbor::app {

/**
 * @brief Tokens and cost for QML: the open conversation's figure for the header (the totals the
 * store keeps, plus an estimate of the replies still streaming, until their usage arrives), and
 * the Usage page's report (per day stacked by model, top conversations and models, CSV export).
 * An adapter over usage::UsageService; GUI thread only.
 */
class UsageController : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("UsageController belongs to App")
    /** @brief Input + output tokens of the open conversation (live). */
    Q_PROPERTY(QString tokensText READ tokensText NOTIFY figuresChanged)
    /** @brief Its cost per currency ("$0.0123", "$1.20 + €0.30"); "—" for the replies that had
     *  no price. */
    Q_PROPERTY(QString costText READ costText NOTIFY figuresChanged)
    /** @brief Part of the figure is an estimate (a reply streaming, or a vendor that sent no
     *  usage). */
    Q_PROPERTY(bool estimated READ estimated NOTIFY figuresChanged)
    /** @brief The figure in detail, for its tool tip. */
    Q_PROPERTY(QString detail READ detail NOTIFY figuresChanged)
    /** @brief The open conversation has any usage (or a reply streaming). */
    Q_PROPERTY(bool hasUsage READ hasUsage NOTIFY figuresChanged)
    /** @brief The branch being read (the visible path) when the conversation has other
     *  branches with usage: "1.2k tokens · $0.0040"; "" when it is the whole conversation. */
    Q_PROPERTY(QString branchText READ branchText NOTIFY figuresChanged)

    /** @brief The report's days, oldest first, every day of the range (zeros when nothing was
     *  used): [{day, costs: [per model], tokens: [per model]}], in the order of `models`. */
    Q_PROPERTY(QVariantList days READ days NOTIFY reportChanged)
    /** @brief The report's models ("provider/model"), largest cost first. */
    Q_PROPERTY(QVariantList models READ models NOTIFY reportChanged)
    /** @brief [{title, tokens, cost}] of the costliest conversations. */
    Q_PROPERTY(QVariantList topConversations READ topConversations NOTIFY reportChanged)
    /** @brief [{model, tokens, cost}] of the costliest models. */
    Q_PROPERTY(QVariantList topModels READ topModels NOTIFY reportChanged)
    /** @brief The whole range: "12.3k tokens · $0.42", "… · $0.42 + €0.10". */
    Q_PROPERTY(QString totalText READ totalText NOTIFY reportChanged)
    /** @brief The currency the cost chart is drawn in (the largest of the range; costs in
     *  others are in totalText and the tables, not stacked onto it); "" when none. */
    Q_PROPERTY(QString chartCurrency READ chartCurrency NOTIFY reportChanged)

public:
    explicit UsageController(core::Backend *backend, QObject *parent = nullptr);

    /** @brief Follows the open conversation. */
    void setConversation(const QString &conversationId);

    QString tokensText() const;
    QString costText() const;
    bool estimated() const;
    QString detail() const;
    bool hasUsage() const;
    QString branchText() const;
    QVariantList days() const { return m_days; }
    QVariantList models() const;
    QVariantList topConversations() const { return m_topConversations; }
    QVariantList topModels() const { return m_topModels; }
    QString totalText() const { return m_totalText; }
    QString chartCurrency() const { return m_chartCurrency; }

    /** @brief Reads the report of the local days @p since .. @p until ("YYYY-MM-DD"). */
    Q_INVOKABLE void loadReport(const QString &since, const QString &until);
    /** @brief Writes the report's rows (by day and model) to @p file as CSV; false on failure. */
    Q_INVOKABLE bool exportCsv(const QUrl &file);

Q_SIGNALS:
    void figuresChanged();
    void reportChanged();

private:
    /** @brief Summed usage of some replies (a conversation, a branch) for people. */
    struct Figure
    {
        qint64 replies = 0;
        qint64 input = 0;
        qint64 output = 0;
        qint64 cached = 0;
        qint64 reasoning = 0;
        usage::Costs costs;
        qint64 estimatedReplies = 0;

        static Figure from(const QList<store::usage::Totals> &totals);
        qint64 tokens() const { return input + output; }
    };

    void refreshTotals();
    qint64 liveTokens() const;

    core::Backend *m_backend; ///< null when the store could not be opened
    QString m_conversationId;
    Figure m_total;                     ///< the whole conversation
    Figure m_branch;                    ///< its visible path
    QHash<QString, qint64> m_liveChars; ///< streaming reply → characters of text + reasoning
    QHash<QString, qint64> m_liveReasoning;
    QVariantList m_days;
    QStringList m_models;
    QVariantList m_topConversations;
    QVariantList m_topModels;
    QString m_totalText;
    QString m_chartCurrency;
    QByteArray m_csv;
    quint64 m_generation = 0;       ///< answers of an older conversation are dropped
    quint64 m_reportGeneration = 0; ///< answers of an older range are dropped
    QTimer m_liveTimer; ///< coalesces the live figure: a few updates a second, not per token
};

} // namespace arbor::app
