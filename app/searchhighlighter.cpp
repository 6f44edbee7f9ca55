#include "searchhighlighter.h"

#include <QQuickTextDocument>
#include <QSyntaxHighlighter>
#include <QTextCharFormat>

namespace arbor::app {

namespace {

class TermHighlighter : public QSyntaxHighlighter
{
public:
    TermHighlighter(SearchHighlighter *owner, const QStringList &terms, const QColor &color)
        : QSyntaxHighlighter(static_cast<QObject *>(nullptr))
        , m_owner(owner)
        , m_terms(terms)
    {
        m_format.setBackground(color);
    }

protected:
    void highlightBlock(const QString &text) override
    {
        int found = 0;
        for (const QString &term : std::as_const(m_terms)) {
            for (qsizetype at = text.indexOf(term, 0, Qt::CaseInsensitive); at >= 0;
                 at = text.indexOf(term, at + term.size(), Qt::CaseInsensitive)) {
                setFormat(int(at), int(term.size()), m_format);
                ++found;
            }
        }
        if (found > 0)
            m_owner->addMatches(found);
    }

private:
    SearchHighlighter *m_owner;
    QStringList m_terms;
    QTextCharFormat m_format;
};

} // namespace

SearchHighlighter::SearchHighlighter(QObject *parent)
    : QObject(parent)
{
}

SearchHighlighter::~SearchHighlighter()
{
    delete m_highlighter;
}

void SearchHighlighter::setDocument(QQuickTextDocument *document)
{
    if (document == m_document)
        return;
    m_document = document;
    Q_EMIT documentChanged();
    update();
}

void SearchHighlighter::setTerms(const QStringList &terms)
{
    QStringList cleaned;
    for (const QString &term : terms) {
        if (!term.trimmed().isEmpty())
            cleaned.append(term.trimmed());
    }
    if (cleaned == m_terms)
        return;
    m_terms = cleaned;
    Q_EMIT termsChanged();
    update();
}

void SearchHighlighter::setColor(const QColor &color)
{
    if (color == m_color)
        return;
    m_color = color;
    Q_EMIT colorChanged();
    update();
}

void SearchHighlighter::addMatches(int count)
{
    m_matchCount += count;
    Q_EMIT matchCountChanged();
}

void SearchHighlighter::update()
{
    // A new highlighter each time: deleting the old one takes its marks off the document.
    delete std::exchange(m_highlighter, nullptr);
    if (m_matchCount != 0) {
        m_matchCount = 0;
        Q_EMIT matchCountChanged();
    }
    if (!m_document || m_terms.isEmpty())
        return;
    m_highlighter = new TermHighlighter(this, m_terms, m_color);
    m_highlighter->setDocument(m_document->textDocument());
}

} // namespace arbor::app
