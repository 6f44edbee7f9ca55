import QtQuick
import QtTest
import Arbor
import Arbor.Ui

// The Settings dialog against the real App singleton: Ctrl+, opens it, a provider added through
// the editor appears in the model picker, removing it takes its models away again.
Item {
    id: root

    width: 1000
    height: 700

    ChatPage {
        id: chatPage

        anchors.fill: parent
    }

    TestCase {
        name: "Providers"
        when: windowShown

        function modelKeys() {
            const keys = [];
            for (let i = 0; i < Models.list.count; ++i)
                keys.push(Models.list.data(Models.list.index(i, 0), ModelListModel.KeyRole));
            return keys;
        }

        function test_addAndRemoveProvider() {
            const dialog = findChild(chatPage, "providersDialog");
            verify(dialog, "providersDialog not found");
            keySequence("Ctrl+,");
            tryCompare(dialog, "opened", true);

            mouseClick(findChild(dialog.contentItem, "addProviderButton"));
            const name = findChild(dialog.contentItem, "providerName");
            const url = findChild(dialog.contentItem, "providerUrl");
            const models = findChild(dialog.contentItem, "providerModels");
            verify(name && url && models);
            tryCompare(name, "activeFocus", true);
            name.text = "Test Local";
            url.text = "http://127.0.0.1:9/v1";
            models.text = "tiny-model\nother-model";
            // The provider's job limits (stored in job_queues, applied by the engine's limiter).
            const concurrency = findChild(dialog.contentItem, "providerConcurrency");
            const rpm = findChild(dialog.contentItem, "providerRequestsPerMinute");
            const tpm = findChild(dialog.contentItem, "providerTokensPerMinute");
            verify(concurrency && rpm && tpm, "limit fields not found");
            concurrency.value = 2;
            rpm.value = 30;
            tpm.value = 40000;
            const saveButton = findChild(dialog.contentItem, "saveProviderButton");
            verify(saveButton.enabled);
            mouseClick(saveButton);

            tryVerify(() => modelKeys().indexOf("test-local/tiny-model") >= 0, 5000, modelKeys().join(", "));
            verify(modelKeys().indexOf("test-local/other-model") >= 0);
            compare(App.providerSettings.providers.length, 1);
            compare(App.providerSettings.providers[0].name, "Test Local");
            compare(App.providerSettings.providers[0].hasKey, false);
            tryVerify(() => App.providerSettings.providers[0].requestsPerMinute === 30, 5000);
            compare(App.providerSettings.providers[0].concurrency, 2);
            compare(App.providerSettings.providers[0].tokensPerMinute, 40000);

            // Edit: the editor shows the stored settings; a changed model list reaches the picker.
            const edit = findChild(dialog.contentItem, "editProviderButton");
            verify(edit, "editProviderButton not found");
            mouseClick(edit);
            tryCompare(name, "text", "Test Local");
            compare(url.text, "http://127.0.0.1:9/v1");
            compare(concurrency.value, 2);
            compare(rpm.value, 30);
            compare(tpm.value, 40000);
            models.text = "tiny-model\nthird-model";
            mouseClick(saveButton);
            tryVerify(() => modelKeys().indexOf("test-local/third-model") >= 0, 5000, modelKeys().join(", "));
            verify(modelKeys().indexOf("test-local/other-model") < 0);
            compare(App.providerSettings.providers.length, 1);

            // The picker can choose it, and it can be the default.
            Models.currentKey = "test-local/tiny-model";
            compare(Models.currentKey, "test-local/tiny-model");
            App.providerSettings.defaultModel = "test-local/tiny-model";
            tryCompare(App.providerSettings, "defaultModel", "test-local/tiny-model");

            App.providerSettings.remove("test-local");
            tryVerify(() => modelKeys().indexOf("test-local/tiny-model") < 0, 5000);
            compare(App.providerSettings.providers.length, 0);
            compare(App.providerSettings.defaultModel, "");
            verify(Models.currentKey !== "test-local/tiny-model", "the picker left a removed provider");
            dialog.close();
            tryCompare(dialog, "opened", false);
        }

        function test_notificationChoicesAreKept() {
            const dialog = findChild(chatPage, "providersDialog");
            keySequence("Ctrl+,");
            tryCompare(dialog, "opened", true);
            const replies = findChild(dialog.contentItem, "replyNoticesBox");
            const providers = findChild(dialog.contentItem, "providerNoticesBox");
            verify(replies && providers, "the notification choices are missing");
            compare(replies.checked, Notifications.replyNotices);
            const was = Notifications.replyNotices;
            mouseClick(replies);
            compare(Notifications.replyNotices, !was);
            mouseClick(providers);
            compare(Notifications.providerNotices, providers.checked);
            // Back as they were, for the other tests of this settings file.
            mouseClick(replies);
            mouseClick(providers);
            compare(Notifications.replyNotices, was);
            compare(Notifications.providerNotices, true);
            dialog.close();
            tryCompare(dialog, "opened", false);
        }

        function test_pricesAreEditedInSettings() {
            const dialog = findChild(chatPage, "providersDialog");
            keySequence("Ctrl+,");
            tryCompare(dialog, "opened", true);
            tryVerify(() => App.prices.prices.length > 0, 5000, "the shipped prices are listed");
            const shipped = App.prices.prices.length;
            const show = findChild(dialog.contentItem, "showPricesButton");
            mouseClick(show);
            compare(show.text, "Hide prices");
            findChild(dialog.contentItem, "priceProvider").text = "test-local";
            findChild(dialog.contentItem, "priceModel").text = "tiny-model";
            findChild(dialog.contentItem, "priceInput").text = "0.5";
            findChild(dialog.contentItem, "priceOutput").text = "1.5";
            const save = findChild(dialog.contentItem, "savePriceButton");
            save.clicked();
            tryCompare(App.prices.prices, "length", shipped + 1);
            compare(App.prices.error, "");
            let mine = null;
            tryVerify(() => (mine = findChild(dialog.contentItem, "priceRow:test-local/tiny-model")) !== null,
                      2000, "the new price is listed");
            compare(mine.modelData.output, 1.5);
            findChild(mine, "removePriceButton").clicked();
            tryCompare(App.prices.prices, "length", shipped);
            // A bad price says why and adds nothing.
            findChild(dialog.contentItem, "priceInput").text = "free";
            save.clicked();
            verify(App.prices.error.length > 0, "a bad price is explained");
            compare(App.prices.prices.length, shipped);
            mouseClick(show);
            dialog.close();
            tryCompare(dialog, "opened", false);
        }
    }
}
