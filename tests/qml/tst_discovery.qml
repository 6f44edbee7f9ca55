import QtQuick
import QtTest
import Arbor
import Arbor.Ui

// The start-up look for local model servers, against the real App singleton: a fake Ollama on a
// free port (tst_qml.cpp, ARBOR_TEST_FAKE_OLLAMA) is offered in a banner above the messages;
// "Add" makes it a provider whose models reach the picker, and the banner goes away.
Item {
    id: root

    width: 1000
    height: 700

    ChatPage {
        id: chatPage

        anchors.fill: parent
    }

    TestCase {
        name: "LocalServers"
        when: windowShown

        function modelKeys() {
            const keys = [];
            for (let i = 0; i < Models.list.count; ++i)
                keys.push(Models.list.data(Models.list.index(i, 0), ModelListModel.KeyRole));
            return keys;
        }

        function test_bannerOffersAndAdds() {
            const banner = findChild(chatPage, "localServerBanner");
            verify(banner, "localServerBanner not found");
            tryVerify(() => banner.visible, 5000, "no local server offered");
            const offer = findChild(banner, "localServerOffer");
            verify(offer, "localServerOffer not found");
            verify(/^Found Ollama on 127\.0\.0\.1:\d+ · 2 model/.test(offer.text), offer.text);

            mouseClick(findChild(banner, "addLocalServerButton"));
            tryVerify(() => App.providerSettings.providers.length === 1, 5000);
            compare(App.providerSettings.providers[0].kind, "ollama");
            tryVerify(() => modelKeys().indexOf("ollama/llama3.2:1b") >= 0, 5000, modelKeys().join(", "));
            tryVerify(() => !banner.visible, 5000, "a configured server is still offered");
        }
    }
}
