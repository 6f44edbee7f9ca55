#pragma once

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

namespace arbor::batch {

/**
 * @brief A prompt template with `{{column}}` variables (spaces inside the braces are allowed),
 * parsed once and rendered per row. A variable names an input column; text outside variables is
 * kept as written. `{{` without a closing `}}` is plain text.
 */
class BatchTemplate
{
public:
    BatchTemplate() = default;
    explicit BatchTemplate(const QString &text);

    /** @brief The variables, in order of first use, without repeats. */
    QStringList variables() const;
    /** @brief The variables that are not in @p columns (a clear error before any import). */
    QStringList missingFrom(const QStringList &columns) const;
    /** @brief Binds the variables to column indexes of @p columns (call before render()). */
    void bind(const QStringList &columns);
    /** @brief The text for one row: @p values in the bound columns' order (a missing value is
     *  empty). */
    QString render(const QList<QString> &values) const;

private:
    struct Part
    {
        QString text; ///< literal text, or the variable's name
        bool variable = false;
        int column = -1; ///< after bind()
    };
    QList<Part> m_parts;
};

} // namespace arbor::batch
