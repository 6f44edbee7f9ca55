#pragma once

#include "domain/message.h"

#include <QJsonObject>

namespace arbor::cli {

/** @brief The JSON shape scripts see for a message (snake_case keys, absent = null). */
QJsonObject toJson(const domain::Message &message);
/** @brief The JSON shape scripts see for a conversation. */
QJsonObject toJson(const domain::Conversation &conversation);

} // namespace arbor::cli
