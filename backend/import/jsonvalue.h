#pragma once

#include <QString>

#include <rapidjson/document.h>

namespace arbor::imports::json {

using Value = rapidjson::Value;

/** @brief The member @p key of @p v, or null when @p v is not an object or has no such key. */
inline const Value *member(const Value &v, const char *key)
{
    if (!v.IsObject())
        return nullptr;
    const auto it = v.FindMember(key);
    return it == v.MemberEnd() ? nullptr : &it->value;
}
/** @brief @p v as text ("" for anything but a string). */
inline QString text(const Value *v)
{
    return v && v->IsString() ? QString::fromUtf8(v->GetString(), qsizetype(v->GetStringLength()))
                              : QString();
}
inline QString text(const Value &v, const char *key)
{
    return text(member(v, key));
}
/** @brief A string or a number as text (ids are sometimes numbers). */
inline QString idText(const Value *v)
{
    if (v && v->IsInt64())
        return QString::number(v->GetInt64());
    return text(v);
}
inline const Value *object(const Value &v, const char *key)
{
    const Value *m = member(v, key);
    return m && m->IsObject() ? m : nullptr;
}
inline const Value *array(const Value &v, const char *key)
{
    const Value *m = member(v, key);
    return m && m->IsArray() ? m : nullptr;
}
inline bool isTrue(const Value &v, const char *key)
{
    const Value *m = member(v, key);
    return m && m->IsBool() && m->GetBool();
}
/** @brief A number, or @p fallback when absent or not a number. */
inline double number(const Value &v, const char *key, double fallback = -1)
{
    const Value *m = member(v, key);
    return m && m->IsNumber() ? m->GetDouble() : fallback;
}
/** @brief A whole count (tokens): -1 when absent, negative or not an integer in range. */
inline int count(const Value &v, const char *key)
{
    const Value *m = member(v, key);
    return m && m->IsInt() && m->GetInt() >= 0 ? m->GetInt() : -1;
}
/** @brief Compact JSON text of @p v. */
QString compact(const Value &v);
/** @brief An ISO 8601 time ("2024-05-01T12:34:56.789Z") as ms since the epoch; 0 if not one. */
qint64 isoMs(const QString &text);
/** @brief Seconds since the epoch (a float, or ms when it is too large for seconds) as ms. */
qint64 epochMs(const Value *v);

} // namespace arbor::imports::json
