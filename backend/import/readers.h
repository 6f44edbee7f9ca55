#pragma once

#include "imported.h"

#include <rapidjson/document.h>

namespace arbor::imports {

// Each reader turns one conversation of its format (an element of the file's array) into an
// ImportedConversation, or throws ImportError saying what is wrong (the caller adds where).

/** @brief ChatGPT: an element of conversations.json (the `mapping` tree). */
ImportedConversation readChatGpt(const rapidjson::Value &conversation);
/** @brief Claude.ai: an element of conversations.json (`chat_messages`). */
ImportedConversation readClaude(const rapidjson::Value &conversation);
/** @brief Open WebUI: an element of "Export All Chats", or a single chat. */
ImportedConversation readOpenWebUi(const rapidjson::Value &conversation);
/** @brief LibreChat: a conversation export (recursive `messagesTree`/`children`, or flat). */
ImportedConversation readLibreChat(const rapidjson::Value &conversation);
/** @brief Arbor JSON (docs/arbor-json.md): an element of `conversations`. */
ImportedConversation readArbor(const rapidjson::Value &conversation);

/** @brief The format an element looks like, from its keys; Auto when none fits. */
Format detectFormat(const rapidjson::Value &element);

} // namespace arbor::imports
