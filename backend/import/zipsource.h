#pragma once

#include "jsonstream.h"

#include <memory>

namespace arbor::imports {

/** @brief What a zip archive may make us read. */
struct ZipLimits
{
    qint64 maxBytes = 8ll << 30; ///< uncompressed bytes of conversations.json
    qint64 maxRatio = 200;       ///< uncompressed / compressed (a zip bomb is far above)
};

/** @brief True when @p path is a zip archive (its first bytes). */
bool isZip(const QString &path);

/**
 * @brief The `conversations.json` inside the export archive @p path, as a stream of bytes.
 * Refuses, with an ImportError naming the file and the entry, an archive with an entry whose
 * name leaves the archive (`..`, an absolute path), one without conversations.json, and one
 * whose entry is larger or more compressed than @p limits allow; the limits are also enforced
 * while reading (a lying header stops the read with an error).
 */
std::unique_ptr<ByteSource> openZipEntry(const QString &path, const ZipLimits &limits = {});

} // namespace arbor::imports
