#pragma once

class QNetworkAccessManager;

namespace arbor::llm {

/**
 * @brief The calling thread's QNetworkAccessManager, made on first use and deleted when the
 * thread ends (QThreadStorage). Streams run on whichever thread starts them (the job engine's),
 * so each thread gets its own manager instead of crossing threads.
 */
QNetworkAccessManager *networkAccess();

} // namespace arbor::llm
