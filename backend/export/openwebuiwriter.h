#pragma once

#include "formatwriter.h"
#include "jsonwriter.h"

#include <QStringList>

namespace arbor::domain {
struct Message;
}

namespace arbor::exports {

/**
 * @brief Open WebUI's "Export All Chats" file: an array of chats, each with the whole tree in
 * `chat.history.messages` (`parentId`/`childrenIds`), the current leaf as `currentId` and the
 * visible path as `chat.messages`, so Open WebUI's Import Chats takes every branch.
 *
 * The shape was checked against open-webui's own code, in the copy searched for this work:
 * Settings → DataControls.svelte (`exportChats`, `importChatsHandler`) at commit 002cd27,
 * backend/open_webui/models/chats.py (`ChatResponse`, `ChatImportForm`), the message objects
 * Chat.svelte creates and the `<details type="reasoning">` block its middleware writes; the
 * release of that commit was not checked. Times are as Open WebUI keeps them: seconds for
 * `created_at`, `updated_at` and a message's `timestamp`, milliseconds for `chat.timestamp`.
 * Reasoning goes into the content as that `<details>` block; tool calls as fenced JSON where
 * they were made.
 */
class OpenWebUiWriter : public FormatWriter
{
public:
    explicit OpenWebUiWriter(OutputSink &sink);

    void begin() override;
    qint64 conversation(const Outline &outline, ExportReader &reader) override;
    void end() override;

private:
    void message(const domain::Message &m, const QStringList &children);

    JsonWriter m_json;
};

} // namespace arbor::exports
