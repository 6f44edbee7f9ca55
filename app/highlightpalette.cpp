#include "highlightpalette.h"

#include <QList>

#include <initializer_list>

namespace arbor::app {

namespace {

struct Rule
{
    std::initializer_list<const char16_t *> scopes;
    const char *light;
    const char *dark;
    bool bold = false;
    bool italic = false;
    const char *lightBackground = nullptr;
    const char *darkBackground = nullptr;
};

// highlight.js 11 styles/github.css and styles/github-dark.css (BSD-3-Clause, the highlight.js
// authors; colours from GitHub's CSS). A class list (".hljs-variable.language_") is written
// with a space, as it appears in a span's class attribute. "nullptr" colours keep the text's.
const Rule kRules[] = {
    {{u"hljs-doctag", u"hljs-keyword", u"hljs-template-tag", u"hljs-template-variable",
      u"hljs-type", u"hljs-variable language_"},
     "#d73a49",
     "#ff7b72"},
    {{u"hljs-title"}, "#6f42c1", "#d2a8ff"},
    {{u"hljs-attr", u"hljs-attribute", u"hljs-literal", u"hljs-meta", u"hljs-number",
      u"hljs-operator", u"hljs-variable", u"hljs-selector-attr", u"hljs-selector-class",
      u"hljs-selector-id"},
     "#005cc5",
     "#79c0ff"},
    {{u"hljs-regexp", u"hljs-string"}, "#032f62", "#a5d6ff"},
    {{u"hljs-built_in", u"hljs-symbol"}, "#e36209", "#ffa657"},
    {{u"hljs-comment", u"hljs-code", u"hljs-formula"}, "#6a737d", "#8b949e"},
    {{u"hljs-name", u"hljs-quote", u"hljs-selector-tag", u"hljs-selector-pseudo"},
     "#22863a",
     "#7ee787"},
    {{u"hljs-subst"}, "#24292e", "#c9d1d9"},
    {{u"hljs-section"}, "#005cc5", "#1f6feb", true},
    {{u"hljs-bullet"}, "#735c0f", "#f2cc60"},
    {{u"hljs-emphasis"}, nullptr, nullptr, false, true},
    {{u"hljs-strong"}, nullptr, nullptr, true},
    {{u"hljs-addition"}, "#22863a", "#aff5b4", false, false, "#f0fff4", "#033a16"},
    {{u"hljs-deletion"}, "#b31d28", "#ffdcd7", false, false, "#ffeef0", "#67060c"},
};

QColor colorOf(const char *name)
{
    return name ? QColor(QLatin1String(name)) : QColor();
}

QString spanStyle(const HighlightStyle &style)
{
    QStringList parts;
    if (style.color.isValid())
        parts << QStringLiteral("color:") + style.color.name();
    if (style.background.isValid())
        parts << QStringLiteral("background-color:") + style.background.name();
    if (style.bold)
        parts << QStringLiteral("font-weight:bold");
    if (style.italic)
        parts << QStringLiteral("font-style:italic");
    return parts.join(u';');
}

} // namespace

HighlightPalette::HighlightPalette(QColor foreground, QColor background, bool dark)
    : m_foreground(foreground)
    , m_background(background)
{
    for (const Rule &rule : kRules) {
        const HighlightStyle style{colorOf(dark ? rule.dark : rule.light),
                                   colorOf(dark ? rule.darkBackground : rule.lightBackground),
                                   rule.bold, rule.italic};
        for (const char16_t *scope : rule.scopes)
            m_styles.insert(QString::fromUtf16(scope), style);
    }
}

const HighlightPalette &HighlightPalette::light()
{
    static const HighlightPalette palette(QColor(0x24, 0x29, 0x2e), QColor(0xff, 0xff, 0xff),
                                          false);
    return palette;
}

const HighlightPalette &HighlightPalette::dark()
{
    static const HighlightPalette palette(QColor(0xc9, 0xd1, 0xd9), QColor(0x0d, 0x11, 0x17), true);
    return palette;
}

HighlightStyle HighlightPalette::style(const QString &scope) const
{
    const auto exact = m_styles.constFind(scope);
    if (exact != m_styles.cend())
        return *exact;
    const qsizetype space = scope.indexOf(u' ');
    if (space > 0)
        return m_styles.value(scope.first(space));
    return {};
}

QString HighlightPalette::html(const HighlightResult &result) const
{
    const QString &code = result.code;
    QString out;
    out.reserve(code.size() + code.size() / 4 + result.spans.size() * 40 + 64);
    out += QStringLiteral("<pre style=\"margin:0;color:%1\">").arg(m_foreground.name());

    QHash<QString, QString> openTags; // scope -> "<span style=…>", or empty: no tag
    struct Open
    {
        qsizetype end;
        bool tagged;
    };
    QList<Open> open;
    qsizetype at = 0;
    auto textUpTo = [&](qsizetype position) {
        if (position > at)
            out += code.mid(at, position - at).toHtmlEscaped();
        at = position;
    };
    auto closeUpTo = [&](qsizetype position) {
        while (!open.isEmpty() && open.constLast().end <= position) {
            const Open span = open.takeLast();
            textUpTo(span.end);
            if (span.tagged)
                out += QStringLiteral("</span>");
        }
    };
    for (const HighlightSpan &span : result.spans) {
        closeUpTo(span.start);
        textUpTo(span.start);
        auto tag = openTags.constFind(span.scope);
        if (tag == openTags.cend()) {
            const HighlightStyle style = this->style(span.scope);
            tag = openTags.insert(
                span.scope,
                style.isEmpty() ? QString()
                                : QStringLiteral("<span style=\"%1\">").arg(spanStyle(style)));
        }
        out += *tag;
        open.append({span.start + span.length, !tag->isEmpty()});
    }
    closeUpTo(code.size());
    textUpTo(code.size());
    out += QStringLiteral("</pre>");
    return out;
}

} // namespace arbor::app
