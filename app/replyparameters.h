#pragma once

#include <QJsonObject>
#include <QString>

namespace arbor::app {

/**
 * @brief A reply's own parameters (Message::params: a compare column's over the conversation's)
 * for people, as they follow its model's name: " · t=1.5 · ≤300 tok · think ≤2,000"; "" when
 * it has none. The compare headers and the thread's author line show the same words.
 */
QString parametersSuffix(const QJsonObject &parameters);
/** @brief The same from the stored JSON text. */
QString parametersSuffix(const QString &paramsJson);

} // namespace arbor::app
