#include "jsonstream.h"

#include "imported.h"

#include <QFile>

#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>

#include <vector>

namespace arbor::imports {

namespace {

using rapidjson::SizeType;
using rapidjson::Value;
using Allocator = rapidjson::Document::AllocatorType;

/** Whole-document nesting beyond which the parse stops (memory, not the per-element limit). */
constexpr int HardDepth = 100000;

class FileSource : public ByteSource
{
public:
    explicit FileSource(const QString &path)
        : m_file(path)
    {
    }
    bool open() { return m_file.open(QIODevice::ReadOnly); }
    QString openError() const { return m_file.errorString(); }
    qint64 read(char *buffer, qint64 max) override
    {
        const qint64 n = m_file.read(buffer, max);
        if (n < 0) {
            m_error = m_file.errorString();
            return 0;
        }
        return n;
    }
    QString error() const override { return m_error; }

private:
    QFile m_file;
    QString m_error;
};

/** A rapidjson input stream over a ByteSource, with the byte offset for errors. */
class InputStream
{
public:
    using Ch = char;
    explicit InputStream(ByteSource &source)
        : m_source(source)
        , m_buffer(1 << 18)
    {
        fill();
    }
    Ch Peek() const { return m_pos < m_end ? m_buffer[size_t(m_pos)] : '\0'; }
    Ch Take()
    {
        const Ch c = Peek();
        if (m_pos < m_end && ++m_pos == m_end)
            fill();
        return c;
    }
    size_t Tell() const { return size_t(m_base + m_pos); }
    Ch *PutBegin() { return nullptr; }
    void Put(Ch) {}
    void Flush() {}
    size_t PutEnd(Ch *) { return 0; }

private:
    void fill()
    {
        m_base += m_end;
        m_pos = 0;
        m_end = std::max<qint64>(0, m_source.read(m_buffer.data(), qint64(m_buffer.size())));
    }
    ByteSource &m_source;
    std::vector<char> m_buffer;
    qint64 m_base = 0;
    qint64 m_pos = 0;
    qint64 m_end = 0;
};

/** Builds one rapidjson value from SAX events. */
class Builder
{
public:
    void reset(Allocator *allocator)
    {
        m_allocator = allocator;
        m_frames.clear();
        m_result.SetNull();
    }
    Allocator &allocator() { return *m_allocator; }
    void add(Value &v)
    {
        if (m_frames.empty()) {
            m_result = v;
            return;
        }
        Frame &f = m_frames.back();
        if (f.value.IsObject())
            f.value.AddMember(f.key, v, *m_allocator);
        else
            f.value.PushBack(v, *m_allocator);
    }
    void key(const char *s, SizeType n) { m_frames.back().key.SetString(s, n, *m_allocator); }
    void dropKey() { m_frames.back().key.SetNull(); }
    void start(bool object)
    {
        m_frames.emplace_back();
        if (object)
            m_frames.back().value.SetObject();
        else
            m_frames.back().value.SetArray();
    }
    void end()
    {
        Value v;
        v = m_frames.back().value;
        m_frames.pop_back();
        add(v);
    }
    const Value &top() const { return m_frames.front().value; }
    const Value &result() const { return m_result; }

private:
    struct Frame
    {
        Value value;
        Value key;
    };
    Allocator *m_allocator = nullptr;
    std::vector<Frame> m_frames;
    Value m_result;
};

/** What is being built: the element, or the keys of a top-level object (the header). */
struct Target
{
    std::unique_ptr<rapidjson::Document> doc;
    Builder builder;
    bool building = false;
    QString problem;
    qint64 bytes = 0;
    qint64 offset = 0;
    int baseDepth = 0;

    void begin(bool build, qint64 at, int depth)
    {
        building = build;
        problem.clear();
        bytes = 0;
        offset = at;
        baseDepth = depth;
        doc.reset();
        if (build) {
            doc = std::make_unique<rapidjson::Document>();
            builder.reset(&doc->GetAllocator());
        }
    }
    void fail(const QString &why)
    {
        if (problem.isEmpty())
            problem = why;
        building = false;
    }
};

class Handler : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, Handler>
{
public:
    Handler(const StreamLimits &limits, const ElementStream::Visitor &visit, qsizetype skip,
            const ElementStream::HeaderCheck &headerCheck, const InputStream &stream)
        : m_limits(limits)
        , m_visit(visit)
        , m_skip(skip)
        , m_headerCheck(headerCheck)
        , m_stream(stream)
    {
    }

    bool Null()
    {
        return scalar([](Allocator &) { return Value(); });
    }
    bool Bool(bool b)
    {
        return scalar([b](Allocator &) { return Value(b); });
    }
    bool Int(int i)
    {
        return scalar([i](Allocator &) { return Value(i); });
    }
    bool Uint(unsigned u)
    {
        return scalar([u](Allocator &) { return Value(u); });
    }
    bool Int64(int64_t i)
    {
        return scalar([i](Allocator &) { return Value(i); });
    }
    bool Uint64(uint64_t u)
    {
        return scalar([u](Allocator &) { return Value(u); });
    }
    bool Double(double d)
    {
        return scalar([d](Allocator &) { return Value(d); });
    }
    bool String(const char *s, SizeType n, bool)
    {
        if (!checkString(n))
            return false;
        return scalar([s, n](Allocator &a) { return Value(s, n, a); });
    }
    bool Key(const char *s, SizeType n, bool)
    {
        if (!checkString(n))
            return false;
        if (!m_inElement && m_topObject && m_depth == 1)
            m_conversationsKey = std::string_view(s, n) == "conversations";
        if (Target *t = current(); t && t->building)
            t->builder.key(s, n);
        return true;
    }
    bool StartObject() { return start(true); }
    bool StartArray() { return start(false); }
    bool EndObject(SizeType) { return end(); }
    bool EndArray(SizeType) { return end(); }

    QString error;
    bool stopped = false;
    bool singleObject = false;
    qsizetype index = 0;

private:
    Target *current()
    {
        if (m_inElement)
            return &m_element;
        return m_topObject ? &m_header : nullptr;
    }
    qint64 at() const { return qint64(m_stream.Tell()); }

    bool checkString(SizeType n)
    {
        Target *t = current();
        if (!t)
            return true;
        if (qint64(n) > m_limits.maxString)
            t->fail(QStringLiteral("a string of %1 bytes at byte %2 is over the limit of %3 "
                                   "bytes per string")
                        .arg(n)
                        .arg(at())
                        .arg(m_limits.maxString));
        t->bytes += n;
        if (t->bytes > m_limits.maxElementBytes)
            t->fail(QStringLiteral("the conversation holds more than %1 bytes of text (at byte %2)")
                        .arg(m_limits.maxElementBytes)
                        .arg(at()));
        return true;
    }

    /** Before a value: a value at the element level begins an element. */
    void beginValue()
    {
        if (!m_inElement && m_depth == m_elementDepth) {
            m_inElement = true;
            m_element.begin(index >= m_skip, at(), m_depth);
        }
    }
    /** After a value: one at the element level ends its element. */
    bool endValue()
    {
        if (!m_inElement || m_depth != m_elementDepth)
            return true;
        m_inElement = false;
        const qsizetype i = index++;
        if (i < m_skip)
            return true;
        Element e;
        e.index = i;
        e.offset = m_element.offset;
        e.problem = m_element.problem;
        if (m_element.building)
            e.value = &m_element.builder.result();
        const bool go = m_visit(e);
        m_element.doc.reset();
        if (!go)
            stopped = true;
        return go;
    }

    template<class Make>
    bool scalar(Make make)
    {
        if (m_depth == 0) {
            error = QStringLiteral("the file holds a single JSON value, not an array or object");
            return false;
        }
        beginValue();
        if (Target *t = current(); t && t->building) {
            Value v = make(t->builder.allocator());
            t->builder.add(v);
        }
        return endValue();
    }

    bool start(bool object)
    {
        if (m_depth == 0) {
            m_depth = 1;
            if (object) {
                m_topObject = true;
                m_header.begin(true, 0, 1);
                m_header.builder.start(true);
            } else {
                m_elementDepth = 1;
            }
            return true;
        }
        if (!object && !m_inElement && m_topObject && m_depth == 1 && m_conversationsKey) {
            m_conversationsKey = false;
            m_sawConversations = true;
            if (m_header.building)
                m_header.builder.dropKey();
            if (m_headerCheck && m_header.building) {
                error = m_headerCheck(m_header.builder.top());
                if (!error.isEmpty())
                    return false;
            }
            m_elementDepth = 2;
            m_depth = 2;
            return true;
        }
        beginValue();
        if (m_depth >= HardDepth) {
            error =
                QStringLiteral("nesting deeper than %1 levels at byte %2").arg(HardDepth).arg(at());
            return false;
        }
        Target *t = current();
        if (t && m_depth - t->baseDepth + 1 > m_limits.maxDepth)
            t->fail(QStringLiteral("nesting deeper than %1 levels at byte %2")
                        .arg(m_limits.maxDepth)
                        .arg(at()));
        if (t && t->building)
            t->builder.start(object);
        ++m_depth;
        return true;
    }

    bool end()
    {
        --m_depth;
        if (m_depth == 0) {
            if (!m_topObject || m_sawConversations)
                return true;
            // One object and no "conversations" array: the object is the one conversation.
            singleObject = true;
            if (m_skip > 0)
                return true;
            Element e;
            e.problem = m_header.problem;
            if (m_header.building) {
                m_header.builder.end();
                e.value = &m_header.builder.result();
            }
            ++index;
            if (!m_visit(e))
                stopped = true;
            return !stopped;
        }
        if (!m_inElement && m_topObject && m_depth == 1 && m_elementDepth == 2) {
            m_elementDepth = -1; // the end of the "conversations" array
            return true;
        }
        if (Target *t = current(); t && t->building)
            t->builder.end();
        return endValue();
    }

    const StreamLimits &m_limits;
    const ElementStream::Visitor &m_visit;
    const qsizetype m_skip;
    const ElementStream::HeaderCheck &m_headerCheck;
    const InputStream &m_stream;
    int m_depth = 0;
    int m_elementDepth = -1;
    bool m_topObject = false;
    bool m_conversationsKey = false;
    bool m_sawConversations = false;
    bool m_inElement = false;
    Target m_header;
    Target m_element;
};

} // namespace

std::unique_ptr<ByteSource> openFile(const QString &path)
{
    auto file = std::make_unique<FileSource>(path);
    if (!file->open())
        throw ImportError(QStringLiteral("%1: cannot open: %2").arg(path, file->openError()));
    return file;
}

StreamResult ElementStream::parse(ByteSource &source, const Visitor &visit, qsizetype skip,
                                  const HeaderCheck &header)
{
    InputStream stream(source);
    Handler handler(m_limits, visit, skip, header, stream);
    rapidjson::Reader reader;
    const rapidjson::ParseResult ok = reader.Parse<rapidjson::kParseIterativeFlag>(stream, handler);
    StreamResult result;
    result.elements = handler.index;
    result.stopped = handler.stopped;
    result.singleObject = handler.singleObject;
    if (ok || handler.stopped)
        return result;
    result.errorOffset = qint64(ok.Offset());
    if (!source.error().isEmpty())
        result.error = source.error();
    else if (!handler.error.isEmpty())
        result.error = handler.error;
    else if (ok.Code() == rapidjson::kParseErrorDocumentEmpty)
        result.error = QStringLiteral("the file is empty");
    else
        result.error = QStringLiteral("not valid JSON at byte %1: %2")
                           .arg(ok.Offset())
                           .arg(QString::fromUtf8(rapidjson::GetParseError_En(ok.Code())));
    return result;
}

} // namespace arbor::imports
