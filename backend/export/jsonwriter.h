#pragma once

#include <QJsonValue>
#include <QList>
#include <QStringView>

namespace arbor::exports {

class OutputSink;

/**
 * @brief Writes JSON straight to an OutputSink, in the layout docs/arbor-json.md fixes (that of
 * JavaScript's `JSON.stringify(value, null, 2)`): two spaces a level, one member or element a
 * line, `"key": value`, `[]` and `{}` when empty, UTF-8 text as itself with only `"`, `\`
 * and control characters escaped. Nothing is kept but the nesting, so a document of any size
 * costs what its deepest path does.
 */
class JsonWriter
{
public:
    explicit JsonWriter(OutputSink &sink);

    void beginObject();
    void endObject();
    void beginArray();
    void endArray();
    /** @brief The key of the next member (inside an object). */
    void key(QStringView name);

    void string(QStringView text);
    void integer(qint64 value);
    void boolean(bool value);
    void null();
    /** @brief A string, or null when @p text is empty. */
    void stringOrNull(QStringView text);
    /** @brief An integer, or null when @p value is negative. */
    void integerOrNull(qint64 value);
    /** @brief Any JSON value (as Qt parsed it from stored text): objects with their keys in
     *  Qt's order (sorted), whole numbers as integers. */
    void value(const QJsonValue &value);

    /** @brief Ends the document with its final newline. */
    void finish();

    /** @brief @p text as a JSON string literal, quotes included. */
    static QByteArray quoted(QStringView text);

private:
    void beforeValue();
    void newline(int depth);

    OutputSink &m_sink;
    struct Level
    {
        bool object = false;
        bool empty = true;
    };
    QList<Level> m_levels;
    bool m_afterKey = false;
};

} // namespace arbor::exports
