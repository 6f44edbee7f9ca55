#pragma once

#include <QList>
#include <QSqlDatabase>
#include <QString>

#include <optional>

namespace arbor::store::usage {

/** @brief A price per million tokens, valid from a day (UTC, "YYYY-MM-DD") on. */
struct Price
{
    QString provider; ///< a provider id ("openai-work") or a wire protocol kind ("openai")
    QString model;    ///< a model id or a GLOB pattern ("claude-sonnet-4-5*")
    QString validFrom;
    double input = 0;
    double output = 0;
    double cachedInput = -1; ///< < 0: cached input costs as input
    double reasoning = -1;   ///< < 0: reasoning costs as output
    QString currency = QStringLiteral("USD");
};

/** @brief One reply's token counts (Arbor's convention, llm::ChatUsage); -1 unknown. */
struct Tokens
{
    int input = -1;
    int output = -1;
    int cached = -1;    ///< part of input
    int reasoning = -1; ///< part of output
};

/**
 * @brief What @p tokens cost at @p price, in billionths of the price's currency (rounded once,
 * per reply): (input − cached) × input + cached × cached_input + (output − reasoning) × output +
 * reasoning × reasoning, each per million tokens. Unknown counts are 0.
 */
qint64 costNanos(const Price &price, const Tokens &tokens);

/** @brief The estimate of a text's tokens when the vendor reports none: one token per four
 *  characters (UTF-16 code units), rounded up; the usual rule of thumb for English text. */
int estimateTokens(qint64 characters);

/**
 * @brief The price of @p model on provider @p providerId on @p day (UTC, "YYYY-MM-DD"): rows
 * for the provider id beat rows for its kind, the longest model pattern wins, then the newest
 * valid_from not after @p day. nullopt: no price (the cost stays unknown, never 0).
 */
std::optional<Price> priceFor(const QSqlDatabase &db, const QString &providerId,
                              const QString &model, const QString &day);

/** @brief Every price, by provider, model, valid_from. */
QList<Price> prices(const QSqlDatabase &db);
/** @brief Adds or replaces the price of (provider, model, validFrom). */
void setPrice(const QSqlDatabase &db, const Price &price);
/** @brief Removes the prices of @p provider / @p model (those valid from @p validFrom only, when
 *  given). Returns how many were removed. */
int removePrices(const QSqlDatabase &db, const QString &provider, const QString &model,
                 const QString &validFrom = {});

/** @brief Refills the day totals (usage_days, usage_conversation_days) from the messages, in
 *  this process's time zone, and records @p zone as the one they were made in. */
void rebuildTotals(const QSqlDatabase &db, const QString &zone);
/** @brief rebuildTotals() when the totals were made in another zone than @p zone (or never);
 *  returns true if it rebuilt. */
bool ensureZone(const QSqlDatabase &db, const QString &zone);

/** @brief Summed usage of some replies in one currency ("" = replies that had no price). */
struct Totals
{
    QString currency;
    qint64 messages = 0;
    qint64 estimated = 0; ///< how many of them carry estimated counts
    qint64 inputTokens = 0;
    qint64 outputTokens = 0;
    qint64 cachedTokens = 0;
    qint64 reasoningTokens = 0;
    qint64 costNanos = 0; ///< meaningless when currency is ""
};

/** @brief What usage can be grouped by (flags). */
enum Group { ByDay = 1, ByModel = 2, ByProvider = 4, ByConversation = 8 };

/** @brief One row of a usage report: the group's keys (empty when not grouped by it). */
struct Row
{
    QString day;
    QString provider;
    QString model;
    QString conversationId;
    QString conversationTitle;
    Totals totals;
};

/**
 * @brief Usage of replies that finished between @p sinceDay and @p untilDay (local days,
 * "YYYY-MM-DD", inclusive; empty = open), grouped by @p groups (Group flags) and currency,
 * from the kept totals only. Ordered by the keys (day, provider, model, conversation), or by
 * cost then tokens, largest first, when @p byCost; @p limit > 0 keeps that many rows.
 */
QList<Row> report(const QSqlDatabase &db, const QString &sinceDay, const QString &untilDay,
                  int groups, bool byCost = false, int limit = 0);

/** @brief The whole usage of conversation @p conversationId, per currency. */
QList<Totals> conversationTotals(const QSqlDatabase &db, const QString &conversationId);
/**
 * @brief The usage of the visible path of conversation @p conversationId (root to its current
 * leaf: the branch being read), per currency. One look-up of the leaf's kept path sums
 * (migration 0019), whatever the path's length; walkedPathTotals() only while a live message of
 * the conversation sits under a tombstoned one, or the leaf is tombstoned.
 */
QList<Totals> pathTotals(const QSqlDatabase &db, const QString &conversationId);
/** @brief pathTotals() by walking the path through the parent links (costs its length). */
QList<Totals> walkedPathTotals(const QSqlDatabase &db, const QString &conversationId);
/** @brief The kept sums of the path from a root to message @p messageId, tombstoned messages
 *  included (usage_paths), per currency. */
QList<Totals> messagePathTotals(const QSqlDatabase &db, const QString &messageId);

} // namespace arbor::store::usage
