#include "highlightengine.h"

#include "highlightwatchdog.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJSEngine>
#include <QLoggingCategory>
#include <QMutex>
#include <QRegularExpression>
#include <QScopeGuard>

Q_LOGGING_CATEGORY(lcHighlight, "arbor.app.highlight", QtInfoMsg)

namespace arbor::app {

namespace {

const QString kLibraryPath = QStringLiteral(":/arbor/highlightjs/highlight.min.js");
const QString kShimsPath = QStringLiteral(":/arbor/highlightjs/highlightjs-shims.js");

// Runs one block. A named language highlight.js does not know stays plain (null); so does a
// guess below the minimum relevance. Returns [language, html, error raised inside].
const QString kRunner = QStringLiteral(R"JS(
(function (code, language, autoLanguages, sampleLength, minRelevance) {
    "use strict";
    let used = language;
    let result;
    if (language) {
        if (!hljs.getLanguage(language))
            return null;
        result = hljs.highlight(code, { language: language, ignoreIllegals: true });
    } else {
        const sample = code.length > sampleLength ? code.slice(0, sampleLength) : code;
        const guess = hljs.highlightAuto(sample, autoLanguages);
        if (!guess.language || guess.relevance < minRelevance)
            return null;
        used = guess.language;
        result = sample.length === code.length
            ? guess : hljs.highlight(code, { language: used, ignoreIllegals: true });
    }
    return [used, result.value, result.errorRaised ? String(result.errorRaised) : ""];
})
)JS");

// Compiles every grammar once, up front and untimed: highlight.js marks a mode compiled before
// it has finished compiling it, so a time limit that struck in the middle would leave that
// language broken for good.
const QString kWarmUp = QStringLiteral(R"JS(
(function () {
    const broken = [];
    hljs.listLanguages().forEach(function (name) {
        try {
            hljs.highlight("", { language: name });
        } catch (e) {
            broken.push(name + ": " + e);
        }
    });
    return broken.join("; ");
})()
)JS");

QString readResource(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read %1: %2").arg(path, file.errorString());
        return {};
    }
    return QString::fromUtf8(file.readAll());
}

// The contents of a regular-expression character class holding every BMP code point of the
// given general categories, as \uXXXX ranges (Qt's Unicode tables).
QString characterClass(bool (*member)(QChar::Category))
{
    QString ranges;
    auto add = [&ranges](char32_t first, char32_t last) {
        ranges += QStringLiteral("\\u%1").arg(uint(first), 4, 16, QLatin1Char('0'));
        if (last != first)
            ranges += QStringLiteral("-\\u%1").arg(uint(last), 4, 16, QLatin1Char('0'));
    };
    char32_t first = 0;
    bool inside = false;
    for (char32_t c = 0; c <= 0x10000; ++c) {
        const bool in = c < 0x10000 && member(QChar::category(c));
        if (in && !inside)
            first = c;
        else if (!in && inside)
            add(first, c - 1);
        inside = in;
    }
    return ranges;
}

bool isLetter(QChar::Category c)
{
    return c >= QChar::Letter_Uppercase && c <= QChar::Letter_Other;
}

// XID_Start and XID_Continue, close enough for colouring identifiers: letters and letter
// numbers; then also marks, digits and connectors.
bool isIdentifierStart(QChar::Category c)
{
    return isLetter(c) || c == QChar::Number_Letter;
}

bool isIdentifierPart(QChar::Category c)
{
    return isIdentifierStart(c) || c == QChar::Mark_NonSpacing || c == QChar::Mark_SpacingCombining
        || c == QChar::Number_DecimalDigit || c == QChar::Punctuation_Connector;
}

// HACK(Qt 6.4): the JavaScript compiler warns about highlight.js's minified code (dozens of
// "Variable "N" is used before its declaration", harmless: the functions run later). Those
// categories are hushed while the library compiles, once per engine.
QMutex g_hushMutex;
QLoggingCategory::CategoryFilter g_previousFilter = nullptr;

void hushCompilerWarnings(QLoggingCategory *category)
{
    if (g_previousFilter)
        g_previousFilter(category);
    const char *name = category->categoryName();
    if (qstrcmp(name, "qt.qml.compiler") == 0 || qstrcmp(name, "qt.qml.usedbeforedeclared") == 0)
        category->setEnabled(QtWarningMsg, false);
}

class CompilerHush
{
public:
    CompilerHush()
        : m_lock(&g_hushMutex)
    {
        g_previousFilter = QLoggingCategory::installFilter(hushCompilerWarnings);
    }
    ~CompilerHush() { QLoggingCategory::installFilter(g_previousFilter); }
    CompilerHush(const CompilerHush &) = delete;
    CompilerHush &operator=(const CompilerHush &) = delete;

private:
    QMutexLocker<QMutex> m_lock;
};

} // namespace

HighlightEngine::HighlightEngine()
    : m_watchdog(std::make_unique<HighlightWatchdog>([this] {
        // Only while armed, and arming comes after load(): m_js exists.
        m_js->setInterrupted(true);
    }))
{
}

HighlightEngine::~HighlightEngine()
{
    m_watchdog.reset(); // no expiry may reach the engine while it goes
}

QStringList HighlightEngine::autoLanguages()
{
    return {QStringLiteral("cpp"),        QStringLiteral("c"),          QStringLiteral("python"),
            QStringLiteral("javascript"), QStringLiteral("typescript"), QStringLiteral("java"),
            QStringLiteral("csharp"),     QStringLiteral("go"),         QStringLiteral("rust"),
            QStringLiteral("kotlin"),     QStringLiteral("php"),        QStringLiteral("ruby"),
            QStringLiteral("bash"),       QStringLiteral("sql"),        QStringLiteral("json"),
            QStringLiteral("xml"),        QStringLiteral("css"),        QStringLiteral("yaml")};
}

void HighlightEngine::interrupt()
{
    m_watchdog->expireNow();
}

bool HighlightEngine::load()
{
    if (m_loadTried)
        return m_loadError.isEmpty();
    m_loadTried = true;
    QElapsedTimer timer;
    timer.start();
    // Set on every way out, the failures included.
    const auto noteTime =
        qScopeGuard([this, &timer] { m_loadMs = double(timer.nsecsElapsed()) / 1e6; });

    QString library = readResource(kLibraryPath, &m_loadError);
    const QString shims =
        m_loadError.isEmpty() ? readResource(kShimsPath, &m_loadError) : QString();
    if (!m_loadError.isEmpty()) {
        qCWarning(lcHighlight).noquote() << "highlight.js is missing:" << m_loadError;
        return false;
    }

    m_js = std::make_unique<QJSEngine>();
    QJSValue classes = m_js->newObject();
    static const QString letters = characterClass(isLetter);
    static const QString starts = characterClass(isIdentifierStart);
    static const QString parts = characterClass(isIdentifierPart);
    classes.setProperty(QStringLiteral("L"), letters);
    classes.setProperty(QStringLiteral("XID_Start"), starts);
    classes.setProperty(QStringLiteral("XID_Continue"), parts);
    m_js->globalObject().setProperty(QStringLiteral("__arborUnicodeClasses"), classes);

    auto fail = [this](const QString &what, const QJSValue &error) {
        m_loadError = QStringLiteral("%1: %2 (line %3)")
                          .arg(what, error.toString(),
                               error.property(QStringLiteral("lineNumber")).toString());
        qCWarning(lcHighlight).noquote() << "highlight.js did not load:" << m_loadError;
        m_js.reset();
        return false;
    };
    const QJSValue shimmed = m_js->evaluate(shims, kShimsPath);
    if (shimmed.isError())
        return fail(QStringLiteral("the shims"), shimmed);

    // HACK(Qt 6.4): an object literal's `__proto__: null` makes an own property named
    // "__proto__" instead of an object without prototype, and highlight.js then deep-freezes
    // null and dies. No shim reaches an object literal: take the prototype line out of the
    // source (those objects then keep Object.prototype, which changes nothing for them).
    if (m_js->evaluate(QStringLiteral("Object.keys({__proto__: null}).length")).toInt() != 0)
        library.remove(QRegularExpression(QStringLiteral(R"(__proto__\s*:\s*null\s*,)")));

    QJSValue hljs;
    {
        CompilerHush hush;
        hljs = m_js->evaluate(library + QStringLiteral("\n;hljs"), kLibraryPath);
    }
    if (hljs.isError() || !hljs.hasProperty(QStringLiteral("highlight")))
        return fail(QStringLiteral("highlight.js"), hljs);
    m_js->globalObject().setProperty(QStringLiteral("hljs"), hljs);

    const QString broken = m_js->evaluate(kWarmUp).toString();
    if (!broken.isEmpty())
        qCWarning(lcHighlight).noquote() << "highlight.js grammars that do not compile:" << broken;
    m_run = m_js->evaluate(kRunner);
    if (m_run.isError())
        return fail(QStringLiteral("the runner"), m_run);
    m_autoLanguages = m_js->toScriptValue(autoLanguages());
    qCDebug(lcHighlight).noquote() << "highlight.js" << hljs.property("versionString").toString()
                                   << "loaded in" << timer.elapsed() << "ms";
    return true;
}

HighlightResult HighlightEngine::highlight(const QString &code, const QString &language,
                                           const Limits &limits)
{
    HighlightResult result;
    result.code = code;
    if (!load()) {
        result.outcome = HighlightOutcome::Failed;
        result.error = m_loadError;
        return result;
    }

    const auto limit = std::chrono::nanoseconds(limits.base)
        + std::chrono::nanoseconds(limits.perKb) * code.size() / 1024;
    QElapsedTimer timer;
    timer.start();
    m_watchdog->arm(limit);
    const QJSValue answer = m_run.call({QJSValue(code), QJSValue(language), m_autoLanguages,
                                        QJSValue(kAutoSample), QJSValue(kAutoMinRelevance)});
    result.cpuMs = double(m_watchdog->used().count()) / 1e6;
    const bool timedOut = m_watchdog->disarm();
    result.elapsedMs = double(timer.nsecsElapsed()) / 1e6;
    if (timedOut) {
        // The engine is fine: highlight.js keeps nothing of a block between calls, and every
        // grammar was compiled before the first limit.
        m_js->setInterrupted(false);
        result.outcome = HighlightOutcome::TimedOut;
        return result;
    }
    if (answer.isError()) {
        result.outcome = HighlightOutcome::Failed;
        result.error = answer.toString();
        return result;
    }
    if (answer.isNull())
        return result; // UnknownLanguage

    const QString raised = answer.property(2).toString();
    QString text;
    QList<HighlightSpan> spans;
    if (!raised.isEmpty() || !parseHtml(answer.property(1).toString(), &text, &spans)
        || text != code) {
        result.outcome = HighlightOutcome::Failed;
        result.error = raised.isEmpty()
            ? QStringLiteral("highlight.js returned markup that does not match the code")
            : raised;
        return result;
    }
    result.language = answer.property(0).toString();
    result.spans = std::move(spans);
    result.outcome = HighlightOutcome::Highlighted;
    return result;
}

bool HighlightEngine::parseHtml(QStringView html, QString *text, QList<HighlightSpan> *spans)
{
    static constexpr QStringView open = u"<span class=\"";
    static constexpr QStringView close = u"</span>";
    static constexpr std::pair<QStringView, QChar> entities[] = {
        {u"&amp;", u'&'},  {u"&lt;", u'<'},    {u"&gt;", u'>'},
        {u"&quot;", u'"'}, {u"&#x27;", u'\''}, {u"&#39;", u'\''},
    };
    text->clear();
    text->reserve(html.size());
    spans->clear();
    QList<qsizetype> openSpans; // indexes into *spans
    qsizetype i = 0;
    while (i < html.size()) {
        const QChar c = html[i];
        if (c == u'<') {
            const QStringView rest = html.mid(i);
            if (rest.startsWith(open)) {
                const qsizetype quote = html.indexOf(u'"', i + open.size());
                if (quote < 0 || quote + 1 >= html.size() || html[quote + 1] != u'>')
                    return false;
                spans->append({text->size(), 0,
                               html.mid(i + open.size(), quote - i - open.size()).toString()});
                openSpans.append(spans->size() - 1);
                i = quote + 2;
            } else if (rest.startsWith(close) && !openSpans.isEmpty()) {
                HighlightSpan &span = (*spans)[openSpans.takeLast()];
                span.length = text->size() - span.start;
                i += close.size();
            } else {
                return false;
            }
        } else if (c == u'&') {
            const QStringView rest = html.mid(i);
            const auto *entity =
                std::find_if(std::begin(entities), std::end(entities),
                             [rest](const auto &e) { return rest.startsWith(e.first); });
            if (entity == std::end(entities))
                return false;
            text->append(entity->second);
            i += entity->first.size();
        } else {
            // Runs of plain text at once.
            qsizetype end = i + 1;
            while (end < html.size() && html[end] != u'<' && html[end] != u'&')
                ++end;
            text->append(html.mid(i, end - i));
            i = end;
        }
    }
    if (!openSpans.isEmpty())
        return false;
    spans->removeIf([](const HighlightSpan &span) { return span.length == 0; });
    return true;
}

} // namespace arbor::app
