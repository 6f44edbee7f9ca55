#pragma once

#include <QFuture>
#include <QList>
#include <QStringList>
#include <QUrl>

namespace arbor::llm {

/** @brief A place on this computer where a local model server may listen. */
struct LocalCandidate
{
    QString name; ///< "Ollama", "LM Studio", ...
    QString kind; ///< "ollama" (probes /api/tags) or "openai" (probes /v1/models)
    quint16 port = 0;
};

/** @brief A local server that answered, ready to be offered as a provider. */
struct LocalServer
{
    QString name;
    QString kind;
    QUrl baseUrl; ///< what ProviderConfig::baseUrl takes for @c kind
    QStringList models;
};

/**
 * @brief Looks for model servers on 127.0.0.1 only (never another host), all candidates at once,
 * each with a short timeout, on a pool thread (never the GUI thread).
 */
class LocalDiscovery
{
public:
    /** @brief Ollama 11434, LM Studio 1234, llama.cpp 8080, Jan 1337, vLLM 8000. */
    static QList<LocalCandidate> defaultCandidates();
    /**
     * @brief The places the app looks at start: defaultCandidates(), unless the environment
     * variable ARBOR_DISCOVERY_PORTS is set (tests, unusual setups). Its value is a comma-separated
     * list of KIND:PORT or NAME=KIND:PORT ("ollama:43123,LM Studio=openai:43124"); set and empty
     * means look nowhere. Malformed entries are skipped.
     */
    static QList<LocalCandidate> configuredCandidates();
    /** @brief True if @p a and @p b reach the same server on this computer: the same port on a
     *  loopback name (127.0.0.1, localhost, ::1), whatever the path (Ollama has none, the
     *  OpenAI-compatible servers /v1). */
    static bool sameLocalServer(const QUrl &a, const QUrl &b);
    /** @brief The candidates that answered like a model server, in candidate order. The future
     *  finishes within about @p timeoutMs (at most 300 ms by default). */
    static QFuture<QList<LocalServer>>
    discover(QList<LocalCandidate> candidates = defaultCandidates(), int timeoutMs = 300);
};

} // namespace arbor::llm
