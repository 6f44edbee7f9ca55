#pragma once

#include <QString>

#include <rapidjson/document.h>

#include <functional>
#include <memory>

namespace arbor::imports {

/** @brief Bytes to parse: a file, or an entry of a zip archive. */
class ByteSource
{
public:
    virtual ~ByteSource() = default;
    /** @brief Up to @p max bytes into @p buffer; 0 at the end or on an error (see error()). */
    virtual qint64 read(char *buffer, qint64 max) = 0;
    /** @brief Why reading stopped early ("" when it did not). */
    virtual QString error() const { return {}; }
};

/** @brief A plain file (throws ImportError when it cannot be opened). */
std::unique_ptr<ByteSource> openFile(const QString &path);

/** @brief How much one element may hold. */
struct StreamLimits
{
    int maxDepth = 4096; ///< nesting inside one element (LibreChat nests a level per turn)
    qint64 maxString = 64ll << 20;         ///< bytes of one string
    qint64 maxElementBytes = 1024ll << 20; ///< bytes of text of one element
};

/** @brief One element of the stream, handed to the visitor. */
struct Element
{
    const rapidjson::Value *value = nullptr; ///< null when it broke a limit (see problem)
    qsizetype index = 0;                     ///< position in the array, from 0
    qint64 offset = 0;                       ///< byte offset where it begins
    QString problem;                         ///< the limit it broke, with the place
};

/** @brief How a parse ended. */
struct StreamResult
{
    QString error;             ///< "" when the document was read to its end
    qint64 errorOffset = -1;   ///< byte offset of the error
    qsizetype elements = 0;    ///< elements seen (skipped ones included)
    bool stopped = false;      ///< the visitor asked to stop
    bool singleObject = false; ///< the document was one object, handed over as element 0
};

/**
 * @brief Streams a JSON document of conversations with rapidjson's SAX reader, one element at a
 * time: the elements of a top-level array, of the "conversations" array of a top-level object
 * (Arbor), or a top-level object that has no such array (a single conversation). Only the
 * element being read is held in memory. Elements below @p skip are parsed but not built (a
 * resumed import). The parse is iterative: deep nesting costs no stack.
 */
class ElementStream
{
public:
    using Visitor = std::function<bool(const Element &)>;
    /** @brief Called with the keys of a top-level object seen before its "conversations" array
     *  (the Arbor header); returns "" to go on, or an error that stops the parse. */
    using HeaderCheck = std::function<QString(const rapidjson::Value &header)>;

    explicit ElementStream(StreamLimits limits = {})
        : m_limits(limits)
    {
    }
    StreamResult parse(ByteSource &source, const Visitor &visit, qsizetype skip = 0,
                       const HeaderCheck &header = {});

private:
    StreamLimits m_limits;
};

} // namespace arbor::imports
