#include "pastestash.h"

#include <QClipboard>
#include <QGuiApplication>
#include <QLocale>

namespace arbor::app {

QString PasteStash::shorten(const QString &text)
{
    if (text.size() <= LargeChars)
        return text;
    const qsizetype lines = text.count(u'\n') + 1;
    const QLocale locale;
    const QString placeholder =
        QStringLiteral("⟦Pasted text %1: %2, %3 lines⟧")
            .arg(m_next++)
            .arg(locale.formattedDataSize(text.toUtf8().size(), 1, QLocale::DataSizeSIFormat),
                 locale.toString(lines));
    m_texts.insert(placeholder, text);
    return placeholder;
}

QString PasteStash::clipboardShortened()
{
    return shorten(QGuiApplication::clipboard()->text());
}

QString PasteStash::expand(const QString &text) const
{
    if (m_texts.isEmpty() || !text.contains(u'⟦'))
        return text;
    QString out = text;
    for (auto it = m_texts.cbegin(); it != m_texts.cend(); ++it)
        out.replace(it.key(), it.value());
    return out;
}

void PasteStash::clear()
{
    m_texts.clear();
}

} // namespace arbor::app
