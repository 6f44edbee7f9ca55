#pragma once

#include <QColor>
#include <QObject>
#include <QPointer>
#include <QQuickTextDocument>
#include <QStringList>
#include <QtQml/qqml.h>

class QSyntaxHighlighter;

namespace arbor::app {

/**
 * @brief Marks every occurrence of some words in a TextEdit's document (the terms of a search
 * hit that was opened), with a background colour; the text itself is left alone.
 * GUI thread only.
 */
class SearchHighlighter : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    /** @brief The TextEdit's textDocument. */
    Q_PROPERTY(QQuickTextDocument *document READ document WRITE setDocument NOTIFY documentChanged)
    /** @brief Words to mark, matched without regard to case; empty: nothing is marked. */
    Q_PROPERTY(QStringList terms READ terms WRITE setTerms NOTIFY termsChanged)
    Q_PROPERTY(QColor color READ color WRITE setColor NOTIFY colorChanged)
    /** @brief How many places are marked now. */
    Q_PROPERTY(int matchCount READ matchCount NOTIFY matchCountChanged)

public:
    explicit SearchHighlighter(QObject *parent = nullptr);
    ~SearchHighlighter() override;

    QQuickTextDocument *document() const { return m_document; }
    void setDocument(QQuickTextDocument *document);
    QStringList terms() const { return m_terms; }
    void setTerms(const QStringList &terms);
    QColor color() const { return m_color; }
    void setColor(const QColor &color);
    int matchCount() const { return m_matchCount; }

    /** @brief Adds @p count matches found in one text block (the highlighter reports them). */
    void addMatches(int count);

Q_SIGNALS:
    void documentChanged();
    void termsChanged();
    void colorChanged();
    void matchCountChanged();

private:
    void update();

    QPointer<QQuickTextDocument> m_document;
    QStringList m_terms;
    QColor m_color = Qt::yellow;
    QSyntaxHighlighter *m_highlighter = nullptr;
    int m_matchCount = 0;
};

} // namespace arbor::app
