#pragma once

#include <QByteArray>

namespace arbor::store {
class Store;
}
namespace arbor::sync {
class PgConnection;
}

namespace arbor::testsupport {

/** @brief A digest of the shared rows of a local store (workspace conversations and their
 *  messages: ids, tree, text, status, tombstones), to compare two copies in sync tests. */
QByteArray syncDigest(store::Store &store);

/** @brief The same digest computed on the team server, over what the connection can read. */
QByteArray serverDigest(sync::PgConnection &conn);

} // namespace arbor::testsupport
