#pragma once

#include <QHash>
#include <QObject>
#include <QString>
#include <QtQml/qqml.h>

namespace arbor::app {

/**
 * @brief Keeps large pasted text out of a text field: the field shows a short placeholder
 * ("⟦Pasted text 1: 1.0 MB, 20,315 lines⟧") where the text was pasted, and expand() puts the
 * text back when the message is sent.
 *
 * A text field lays out and draws its whole document on the GUI thread, on every keystroke: a
 * 1 MB paste made each key cost up to a second and the window take 1.4 GB. The placeholder is
 * ordinary text, so it can be moved, or deleted (which drops the paste). GUI thread only.
 */
class PasteStash : public QObject
{
    Q_OBJECT
    QML_ELEMENT

public:
    /** @brief Text longer than this (characters) is kept here rather than in the field. */
    static constexpr qsizetype LargeChars = 20'000;

    using QObject::QObject;

    /** @brief @p text itself when it is short, else a placeholder that stands for it. */
    Q_INVOKABLE QString shorten(const QString &text);
    /** @brief The clipboard's text, shortened (what Ctrl+V puts in the field). */
    Q_INVOKABLE QString clipboardShortened();
    /** @brief @p text with every placeholder replaced by the text it stands for. */
    Q_INVOKABLE QString expand(const QString &text) const;
    /** @brief Forgets every stored text (after a send). */
    Q_INVOKABLE void clear();

private:
    QHash<QString, QString> m_texts; ///< placeholder → text
    int m_next = 1;
};

} // namespace arbor::app
