#pragma once

#include "domain/message.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace arbor::chat {

/** @brief One column of a compare: a model and the parameters of that column alone (e.g.
 *  {"temperature": 0.2}), which override the conversation's for its reply. */
struct CompareModel
{
    QString provider;
    QString model;
    QJsonObject parameters;

    /** @brief "provider/model", as ProviderRegistry keys models. */
    QString key() const { return provider + QLatin1Char('/') + model; }
    /** @brief "provider/model" with ":temperature=0.2" (and any other parameter) appended. */
    QString spec() const;
    QJsonObject toJson() const;
    static CompareModel fromJson(const QJsonObject &json);
    bool operator==(const CompareModel &) const = default;
};

/** @brief A named list of models to compare, remembered on this device (not shared). */
struct ModelSet
{
    QString name;
    QList<CompareModel> models;
    qint64 updatedAt = 0;
};

namespace compare {

/** @brief The fewest and most models a compare sends to. */
inline constexpr int MinModels = 2;
inline constexpr int MaxModels = 6;

/** @brief Parses "PROVIDER/MODEL[:temperature=X][:max_tokens=N],…" (ids split at the first
 *  '/'; parameters after the model's last ':' that holds '='). Throws store::StoreError with a
 *  user-facing message on bad input. */
QList<CompareModel> parseSpecs(const QString &text);
/** @brief One entry of parseSpecs(). */
CompareModel parseSpec(const QString &text);
QJsonArray toJson(const QList<CompareModel> &models);
QList<CompareModel> fromJson(const QJsonArray &json);
/** @brief A user-facing error when @p models cannot be compared (count, parameters), else "". */
QString validate(const QList<CompareModel> &models);

/** @brief The fuse prompt the app shows (editable): {{question}} and {{answers}} are replaced. */
QString defaultFusePrompt();
/** @brief @p templ with the question and the numbered replies filled in; a template without
 *  {{answers}} (or {{question}}) gets them appended. */
QString renderFusePrompt(const QString &templ, const QString &question,
                         const QList<domain::Message> &replies);
/** @brief The ids a fused reply records (Message::fusedFrom), or an empty list. */
QStringList fusedFrom(const domain::Message &message);

/** @brief Time to first token (ms) of a reply: first_token_at − created_at; -1 unknown. */
qint64 ttftMs(const domain::Message &m);
/** @brief Output tokens per second from its first token to its end; -1 unknown. */
double tokensPerSecond(const domain::Message &m);

} // namespace compare

} // namespace arbor::chat
