// `arbord usage` and `arbord prices`: the usage and cost ledger (issue 19).
#include "commands.h"
#include "common.h"

#include "core/backend.h"
#include "core/readonlybackend.h"
#include "usage/costs.h"
#include "usage/usageservice.h"

#include <QCommandLineParser>
#include <QDate>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QLocale>
#include <QTextStream>

namespace arbor::cli {

namespace {

using usage::Price;
using usage::Row;
using usage::Totals;

const char *const PricesUsage = R"(Usage: arbord prices SUBCOMMAND [OPTIONS]

The price list that costs replies when they finish (per million tokens). A price belongs to a
provider id (openai-work) or a wire protocol kind (openai, anthropic, gemini, ollama) and a model
id or pattern (claude-sonnet-4-5* covers the dated snapshots). A reply is costed once, with the
price valid when it finished; changing a price never rewrites a stored cost.

Subcommands:
  list [--json]                     Every price.
  set PROVIDER MODEL --input X --output Y [--cached X] [--reasoning X] [--currency USD]
      [--from YYYY-MM-DD]           Add or replace a price, valid from --from (default: today,
                                    UTC). Without --cached cached input costs as input; without
                                    --reasoning reasoning costs as output.
  remove PROVIDER MODEL [--from YYYY-MM-DD]
                                    Remove the model's prices (only the one of that date).
Every subcommand takes --db PATH (default: $ARBOR_DB, else the data folder).
)";

QJsonValue orNull(const QString &s)
{
    return s.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(s);
}

QJsonValue orNull(double price)
{
    return price < 0 ? QJsonValue(QJsonValue::Null) : QJsonValue(price);
}

QJsonObject toJson(const Price &p)
{
    return {{QStringLiteral("provider"), p.provider},
            {QStringLiteral("model"), p.model},
            {QStringLiteral("valid_from"), p.validFrom},
            {QStringLiteral("input"), p.input},
            {QStringLiteral("output"), p.output},
            {QStringLiteral("cached_input"), orNull(p.cachedInput)},
            {QStringLiteral("reasoning"), orNull(p.reasoning)},
            {QStringLiteral("currency"), p.currency}};
}

/** A cost for people: "0.0123 USD", or "—" when unpriced. */
QString costText(qint64 nanos, const QString &currency)
{
    if (currency.isEmpty())
        return QStringLiteral("—");
    return QStringLiteral("%1 %2").arg(usage::costUnits(nanos), 0, 'f', 4).arg(currency);
}

/** Two report rows of the same group (they differ at most in currency). */
bool sameGroup(const Row &a, const Row &b)
{
    return a.day == b.day && a.provider == b.provider && a.model == b.model
        && a.conversationId == b.conversationId;
}

QString priceText(double price)
{
    return price < 0 ? QStringLiteral("—") : QString::number(price);
}

int runPricesCommand(const QString &sub, const QStringList &args)
{
    QCommandLineParser parser;
    const QCommandLineOption db = dbOption();
    const QCommandLineOption json = jsonOption();
    const QCommandLineOption input(QStringLiteral("input"),
                                   QStringLiteral("Input price per million tokens."),
                                   QStringLiteral("X"));
    const QCommandLineOption output(QStringLiteral("output"),
                                    QStringLiteral("Output price per million tokens."),
                                    QStringLiteral("X"));
    const QCommandLineOption cached(QStringLiteral("cached"),
                                    QStringLiteral("Cached input price per million tokens."),
                                    QStringLiteral("X"));
    const QCommandLineOption reasoning(QStringLiteral("reasoning"),
                                       QStringLiteral("Reasoning price per million tokens."),
                                       QStringLiteral("X"));
    const QCommandLineOption currency(QStringLiteral("currency"),
                                      QStringLiteral("Currency code (default USD)."),
                                      QStringLiteral("CODE"), QStringLiteral("USD"));
    const QCommandLineOption from(QStringLiteral("from"), QStringLiteral("Valid from this day."),
                                  QStringLiteral("YYYY-MM-DD"));
    parser.addOptions({db, json});
    if (sub == u"set")
        parser.addOptions({input, output, cached, reasoning, currency, from});
    if (sub == u"remove")
        parser.addOption(from);
    const QString command = QStringLiteral("prices ") + sub;
    if (const auto code = parse(parser, command, args))
        return *code;
    const QStringList positional = parser.positionalArguments();
    const qsizetype wanted = sub == u"list" ? 0 : 2;
    if (positional.size() != wanted) {
        err() << "arbord " << command << ": "
              << (wanted ? "give PROVIDER and MODEL" : "takes no argument") << "\n";
        return Usage;
    }
    if (sub == u"list") {
        core::ReadOnlyBackend backend(parser.value(db));
        if (const auto code = openBackend(backend, command))
            return *code;
        const QList<Price> list = backend.usage().prices().result();
        if (parser.isSet(json)) {
            QJsonArray a;
            for (const Price &p : list)
                a.append(toJson(p));
            printJson(a);
            return Ok;
        }
        out() << "PROVIDER\tMODEL\tFROM\tINPUT\tOUTPUT\tCACHED\tREASONING\tCURRENCY\n";
        for (const Price &p : list)
            out() << p.provider << "\t" << p.model << "\t" << p.validFrom << "\t" << p.input << "\t"
                  << p.output << "\t" << priceText(p.cachedInput) << "\t" << priceText(p.reasoning)
                  << "\t" << p.currency << "\n";
        return Ok;
    }
    Price price;
    price.provider = positional.at(0);
    price.model = positional.at(1);
    price.validFrom = parser.value(from);
    if (sub == u"set") {
        if (!parser.isSet(input) || !parser.isSet(output)) {
            err() << "arbord " << command << ": give --input and --output\n";
            return Usage;
        }
        const auto in = decimalOption(parser, input, 0, 1e9, command);
        const auto outPrice = decimalOption(parser, output, 0, 1e9, command);
        const auto cachedPrice = parser.isSet(cached)
            ? decimalOption(parser, cached, 0, 1e9, command)
            : std::optional<double>(-1);
        const auto reasoningPrice = parser.isSet(reasoning)
            ? decimalOption(parser, reasoning, 0, 1e9, command)
            : std::optional<double>(-1);
        if (!in || !outPrice || !cachedPrice || !reasoningPrice)
            return Usage;
        price.input = *in;
        price.output = *outPrice;
        price.cachedInput = *cachedPrice;
        price.reasoning = *reasoningPrice;
        price.currency = parser.value(currency);
        if (price.validFrom.isEmpty())
            price.validFrom = QDateTime::currentDateTimeUtc().date().toString(Qt::ISODate);
        if (const QString why = usage::UsageService::check(price); !why.isEmpty()) {
            err() << "arbord " << command << ": " << why << "\n";
            return Usage;
        }
    }
    core::BackendOptions options;
    options.dbPath = parser.value(db);
    options.runJobs = false;
    core::Backend backend(options);
    if (const auto code = openBackend(backend, command))
        return *code;
    if (sub == u"set") {
        backend.usage().setPrice(price).waitForFinished();
        if (parser.isSet(json))
            printJson(toJson(price));
        return Ok;
    }
    const int removed =
        backend.usage().removePrices(price.provider, price.model, price.validFrom).result();
    if (parser.isSet(json))
        printJson(QJsonObject{{QStringLiteral("removed"), removed}});
    if (removed == 0) {
        err() << "arbord " << command << ": no price of " << price.model << " for "
              << price.provider << "\n";
        return Failure;
    }
    return Ok;
}

/** @brief --by's words as store::usage::Group flags; 0 on an unknown word. */
int groupsOf(const QString &text)
{
    int groups = 0;
    for (const QString &word : text.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const QString w = word.trimmed();
        if (w == u"day")
            groups |= store::usage::ByDay;
        else if (w == u"model")
            groups |= store::usage::ByModel;
        else if (w == u"provider")
            groups |= store::usage::ByProvider;
        else if (w == u"conversation")
            groups |= store::usage::ByConversation;
        else
            return 0;
    }
    return groups;
}

QJsonObject toJson(const Row &r, int groups)
{
    QJsonObject o;
    if (groups & store::usage::ByDay)
        o.insert(QStringLiteral("day"), r.day);
    if (groups & store::usage::ByProvider)
        o.insert(QStringLiteral("provider"), r.provider);
    if (groups & store::usage::ByModel)
        o.insert(QStringLiteral("model"), r.model);
    if (groups & store::usage::ByConversation) {
        o.insert(QStringLiteral("conversation_id"), r.conversationId);
        o.insert(QStringLiteral("title"), r.conversationTitle);
    }
    const Totals &t = r.totals;
    o.insert(QStringLiteral("messages"), t.messages);
    o.insert(QStringLiteral("estimated_messages"), t.estimated);
    o.insert(QStringLiteral("input_tokens"), t.inputTokens);
    o.insert(QStringLiteral("output_tokens"), t.outputTokens);
    o.insert(QStringLiteral("cached_tokens"), t.cachedTokens);
    o.insert(QStringLiteral("reasoning_tokens"), t.reasoningTokens);
    // Replies with no price have an unknown cost: null, never 0.
    o.insert(QStringLiteral("cost"),
             t.currency.isEmpty() ? QJsonValue(QJsonValue::Null)
                                  : QJsonValue(usage::costUnits(t.costNanos)));
    o.insert(QStringLiteral("currency"), orNull(t.currency));
    return o;
}

} // namespace

int runPrices(const QStringList &args)
{
    if (args.isEmpty() || args.constFirst() == u"--help" || args.constFirst() == u"-h") {
        (args.isEmpty() ? err() : out()) << PricesUsage;
        return args.isEmpty() ? Usage : Ok;
    }
    const QString sub = args.constFirst();
    if (sub != u"list" && sub != u"set" && sub != u"remove") {
        err() << "arbord prices: unknown subcommand “" << sub << "”\n\n" << PricesUsage;
        return Usage;
    }
    return runPricesCommand(sub, args.mid(1));
}

int runUsage(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Tokens and cost of the replies that finished in a range of local days, from the totals "
        "the store keeps. Counts marked estimated come from replies whose vendor reported no "
        "usage (about four characters a token). A cost of — (null in JSON) means no price was "
        "known for those replies: see arbord prices."));
    const QCommandLineOption db = dbOption();
    const QCommandLineOption json = jsonOption();
    const QCommandLineOption since(QStringLiteral("since"),
                                   QStringLiteral("First local day (default: the first)."),
                                   QStringLiteral("YYYY-MM-DD"));
    const QCommandLineOption until(QStringLiteral("until"),
                                   QStringLiteral("Last local day (default: today)."),
                                   QStringLiteral("YYYY-MM-DD"));
    const QCommandLineOption by(QStringLiteral("by"),
                                QStringLiteral("Group by day, model, provider, conversation "
                                               "(one or more, comma-separated; default day)."),
                                QStringLiteral("LIST"), QStringLiteral("day"));
    parser.addOptions({db, json, since, until, by});
    if (const auto code = parse(parser, QStringLiteral("usage"), args))
        return *code;
    if (!parser.positionalArguments().isEmpty()) {
        err() << "arbord usage: unexpected argument “" << parser.positionalArguments().first()
              << "”\n";
        return Usage;
    }
    usage::ReportOptions options;
    for (const auto &[option, day] :
         {std::pair{&since, &options.sinceDay}, std::pair{&until, &options.untilDay}}) {
        if (!parser.isSet(*option))
            continue;
        const QDate date = QDate::fromString(parser.value(*option), Qt::ISODate);
        if (!date.isValid()) {
            err() << "arbord usage: --" << option->names().constFirst()
                  << " takes a day as YYYY-MM-DD\n";
            return Usage;
        }
        *day = date.toString(Qt::ISODate);
    }
    options.groups = groupsOf(parser.value(by));
    if (options.groups == 0) {
        err() << "arbord usage: --by takes day, model, provider or conversation, "
                 "comma-separated\n";
        return Usage;
    }
    core::ReadOnlyBackend backend(parser.value(db));
    if (const auto code = openBackend(backend, QStringLiteral("usage")))
        return *code;
    const QList<Row> rows = backend.usage().report(options).result();
    if (parser.isSet(json)) {
        QJsonArray a;
        for (const Row &r : rows)
            a.append(toJson(r, options.groups));
        printJson(a);
        return Ok;
    }
    // The report has a row per group and currency, in key order: a group's rows are adjacent and
    // make one line, its costs side by side ("1.2000 USD + 0.3000 EUR").
    for (qsizetype i = 0; i < rows.size();) {
        const Row &r = rows.at(i);
        QStringList keys;
        for (const QString &k : {r.day, r.provider, r.model, r.conversationId})
            if (!k.isEmpty())
                keys << k;
        if (!r.conversationTitle.isEmpty())
            keys << QStringLiteral("“%1”").arg(r.conversationTitle);
        Totals t;
        usage::Costs costs;
        for (; i < rows.size() && sameGroup(rows.at(i), r); ++i) {
            const Totals &part = rows.at(i).totals;
            t.messages += part.messages;
            t.estimated += part.estimated;
            t.inputTokens += part.inputTokens;
            t.outputTokens += part.outputTokens;
            t.cachedTokens += part.cachedTokens;
            t.reasoningTokens += part.reasoningTokens;
            costs.add(part.costNanos, part.currency);
        }
        out() << keys.join(QStringLiteral("  ")) << "  " << t.messages << " replies"
              << (t.estimated ? QStringLiteral(" (%1 estimated)").arg(t.estimated) : QString())
              << "  in " << usage::countText(t.inputTokens) << " (cached "
              << usage::countText(t.cachedTokens) << ")  out " << usage::countText(t.outputTokens)
              << " (reasoning " << usage::countText(t.reasoningTokens) << ")  "
              << costs.text(&costText) << "\n";
    }
    return Ok;
}

} // namespace arbor::cli
