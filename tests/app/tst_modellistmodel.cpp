// ModelListModel (app/): the models the picker offers, replaced when providers change.
#include "modellistmodel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using arbor::app::ModelListModel;
using arbor::llm::ModelEntry;

namespace {

ModelEntry entry(const QString &provider, const QString &model, const QString &name,
                 bool demo = false)
{
    ModelEntry e;
    e.providerId = provider;
    e.modelId = model;
    e.key = provider + QLatin1Char('/') + model;
    e.displayName = name;
    e.providerName = provider.toUpper();
    e.isDemo = demo;
    return e;
}

} // namespace

class TestModelListModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void listsTheModelsWithTheirRoles()
    {
        ModelListModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy count(&model, &ModelListModel::countChanged);
        QCOMPARE(model.rowCount(), 0);

        model.setModels(
            {entry(QStringLiteral("demo"), QStringLiteral("demo"), QStringLiteral("Demo (offline)"),
                   true),
             entry(QStringLiteral("local"), QStringLiteral("tiny"), QStringLiteral("Tiny"))});
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.property("count").toInt(), 2);
        QCOMPARE(count.size(), 1);
        const QModelIndex demo = model.index(0);
        QCOMPARE(model.data(demo, ModelListModel::KeyRole).toString(), QStringLiteral("demo/demo"));
        QCOMPARE(model.data(demo, ModelListModel::DisplayNameRole).toString(),
                 QStringLiteral("Demo (offline)"));
        QCOMPARE(model.data(demo, Qt::DisplayRole).toString(), QStringLiteral("Demo (offline)"));
        QCOMPARE(model.data(demo, ModelListModel::ProviderNameRole).toString(),
                 QStringLiteral("DEMO"));
        QCOMPARE(model.data(demo, ModelListModel::IsDemoRole).toBool(), true);
        QCOMPARE(model.data(model.index(1), ModelListModel::IsDemoRole).toBool(), false);

        QCOMPARE(model.indexOfKey(QStringLiteral("local/tiny")), 1);
        QCOMPARE(model.indexOfKey(QStringLiteral("local/none")), -1);
        QCOMPARE(model.displayNameOf(QStringLiteral("local/tiny")), QStringLiteral("Tiny"));
        // An unknown key shows as itself (a model whose provider went away).
        QCOMPARE(model.displayNameOf(QStringLiteral("gone/model")), QStringLiteral("gone/model"));
    }

    void providersChangingReplacesTheList()
    {
        ModelListModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setModels({entry(QStringLiteral("a"), QStringLiteral("one"), QStringLiteral("One")),
                         entry(QStringLiteral("a"), QStringLiteral("two"), QStringLiteral("Two"))});
        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
        model.setModels(
            {entry(QStringLiteral("b"), QStringLiteral("three"), QStringLiteral("Three"))});
        QCOMPARE(resets.size(), 1);
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.indexOfKey(QStringLiteral("a/one")), -1);
        QCOMPARE(model.indexOfKey(QStringLiteral("b/three")), 0);
        model.setModels({});
        QCOMPARE(model.rowCount(), 0);
        QVERIFY(!model.data(model.index(0), ModelListModel::KeyRole).isValid());
    }

    void rolesAvoidItemProperties()
    {
        ModelListModel model;
        const auto names = model.roleNames();
        QCOMPARE(names.value(ModelListModel::KeyRole), QByteArray("modelKey"));
        QCOMPARE(names.value(ModelListModel::DisplayNameRole), QByteArray("displayName"));
        for (const char *reserved : {"id", "key", "text", "name", "color", "width", "visible"})
            QVERIFY2(!names.values().contains(QByteArray(reserved)), reserved);
    }
};

QTEST_GUILESS_MAIN(TestModelListModel)
#include "tst_modellistmodel.moc"
