#pragma once

#include <QString>

namespace arbor::domain {

/** @brief A new UUIDv7 (RFC 9562) as a lowercase hyphenated string; time-ordered and
 *  strictly increasing within this process. */
QString newId();

/** @brief Milliseconds since the Unix epoch, the time unit of every stored timestamp. */
qint64 nowMs();

} // namespace arbor::domain
