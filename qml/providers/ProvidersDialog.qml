import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Arbor
import Arbor.Ui

/**
 * @brief Settings (Ctrl+,): light or dark, the default model, model providers and their API keys
 * (in the system keychain), local servers found on this computer, desktop notifications, update
 * checks and the price list.
 */
Dialog {
    id: dialog

    readonly property var settings: App.providerSettings
    property string errorText: ""

    objectName: "providersDialog"
    parent: Overlay.overlay
    anchors.centerIn: parent
    modal: true
    title: qsTr("Settings")
    standardButtons: Dialog.Close
    width: Math.min(parent.width - 2 * Theme.spacingLarge, Theme.dialogContentWidth * 1.8)
    height: Math.min(parent.height - 2 * Theme.spacingLarge, Theme.dialogContentWidth * 1.9)

    onOpened: {
        errorText = "";
        editor.visible = false;
        settings.refresh();
        App.prices.refresh();
    }

    Connections {
        target: dialog.settings

        function onSaved(ok, error) {
            dialog.errorText = ok ? "" : error;
        }
    }

    ScrollView {
        id: scroll

        anchors.fill: parent
        contentWidth: availableWidth
        ScrollBar.horizontal.policy: ScrollBar.AlwaysOff

        ColumnLayout {
            width: scroll.availableWidth
            spacing: Theme.spacing

            // No Secret Service, or a locked or refusing one: say so plainly, and offer the one
            // honest alternative.
            Rectangle {
                objectName: "noKeychainBanner"
                Layout.fillWidth: true
                visible: !dialog.settings.keychainAvailable
                implicitHeight: bannerColumn.implicitHeight + 2 * Theme.spacing
                radius: Theme.radiusSmall
                color: dialog.settings.keysInMemory ? Theme.notice : Theme.errorBackground

                ColumnLayout {
                    id: bannerColumn

                    anchors.fill: parent
                    anchors.margins: Theme.spacing

                    Label {
                        objectName: "keychainProblemText"
                        Layout.fillWidth: true
                        wrapMode: Text.Wrap
                        text: dialog.settings.keysInMemory
                              ? qsTr("API keys are kept in memory only and forgotten when Arbor quits.")
                              : (dialog.settings.keychainProblem.length > 0
                                 ? dialog.settings.keychainProblem
                                 : qsTr("No system keychain (Secret Service) is available, so Arbor cannot save API keys."))
                                + " " + qsTr("Arbor never writes a key to a file. It can keep keys in memory until it quits; "
                                             + "you would enter them again next time.")
                    }
                    Button {
                        objectName: "keepInMemoryButton"
                        visible: !dialog.settings.keysInMemory
                        text: qsTr("Keep keys in memory until Arbor quits")
                        onClicked: dialog.settings.keepKeysInMemory()

                        FocusRing {}
                    }
                }
            }

            AppearanceChooser {
                Layout.fillWidth: true
            }

            Label {
                objectName: "settingsError"
                Layout.fillWidth: true
                visible: dialog.errorText.length > 0
                text: dialog.errorText
                color: Theme.error
                wrapMode: Text.Wrap
            }

            RowLayout {
                Layout.fillWidth: true
                spacing: Theme.spacing

                Label {
                    text: qsTr("Default model")
                }
                ComboBox {
                    objectName: "defaultModelBox"
                    Layout.fillWidth: true
                    model: Models.list
                    textRole: "displayName"
                    valueRole: "key"
                    currentIndex: Models.list.indexOfKey(dialog.settings.defaultModel)
                    displayText: currentIndex < 0 ? qsTr("(none: the first model)") : currentText
                    Accessible.name: qsTr("Default model")
                    onActivated: dialog.settings.defaultModel = currentValue
                }
            }

            ProviderEditor {
                id: editor

                Layout.fillWidth: true
                visible: false
                onDone: visible = false
            }

            Label {
                text: qsTr("Providers")
                font.bold: true
                visible: !editor.visible
                Accessible.role: Accessible.Heading
            }

            Label {
                Layout.fillWidth: true
                visible: !editor.visible && dialog.settings.providers.length === 0
                text: qsTr("None yet: the offline demo model is all there is. Add a vendor or a local server.")
                color: Theme.mutedText
                wrapMode: Text.Wrap
            }

            Repeater {
                model: editor.visible ? [] : dialog.settings.providers
                onItemAdded: (index, item) => item.editRequested.connect(provider => {
                    editor.load(provider);
                    editor.visible = true;
                })

                delegate: RowLayout {
                    id: providerRow

                    required property var modelData

                    signal editRequested(var provider)

                    Layout.fillWidth: true
                    spacing: Theme.spacing

                    ColumnLayout {
                        Layout.fillWidth: true
                        spacing: 0

                        Label {
                            Layout.fillWidth: true
                            text: providerRow.modelData.name
                            elide: Text.ElideRight
                        }
                        Label {
                            Layout.fillWidth: true
                            text: qsTr("%1 · %2 · %n model(s) · %3", "", providerRow.modelData.modelCount)
                                  .arg(providerRow.modelData.kind).arg(providerRow.modelData.baseUrl)
                                  .arg(providerRow.modelData.hasKey ? qsTr("key stored") : qsTr("no key"))
                            color: Theme.mutedText
                            font.pointSize: Theme.fontSizeSmall
                            elide: Text.ElideMiddle
                        }
                    }
                    Button {
                        objectName: "editProviderButton"
                        text: qsTr("Edit")
                        onClicked: providerRow.editRequested(providerRow.modelData)

                        FocusRing {}
                    }
                    Button {
                        text: qsTr("Remove")
                        enabled: !App.providerSettings.busy
                        Accessible.name: qsTr("Remove %1").arg(providerRow.modelData.name)
                        onClicked: App.providerSettings.remove(providerRow.modelData.id)

                        FocusRing {}
                    }
                }
            }

            Button {
                objectName: "addProviderButton"
                visible: !editor.visible
                text: qsTr("Add provider…")
                onClicked: {
                    editor.load({});
                    editor.visible = true;
                }

                FocusRing {}
            }

            Label {
                text: qsTr("On this computer")
                font.bold: true
                visible: !editor.visible
                Accessible.role: Accessible.Heading
            }

            RowLayout {
                Layout.fillWidth: true
                visible: !editor.visible

                Label {
                    Layout.fillWidth: true
                    wrapMode: Text.Wrap
                    color: Theme.mutedText
                    text: dialog.settings.discovering
                          ? qsTr("Looking for Ollama, LM Studio, llama.cpp, Jan and vLLM on 127.0.0.1…")
                          : (dialog.settings.discovered.length === 0
                             ? qsTr("No local model server answered on 127.0.0.1.") : "")
                    visible: text.length > 0
                }
                Button {
                    text: qsTr("Look again")
                    enabled: !dialog.settings.discovering
                    onClicked: dialog.settings.discover()

                    FocusRing {}
                }
            }

            Repeater {
                model: editor.visible ? [] : dialog.settings.discovered

                delegate: RowLayout {
                    id: serverRow

                    required property var modelData
                    required property int index

                    Layout.fillWidth: true
                    spacing: Theme.spacing

                    Label {
                        Layout.fillWidth: true
                        text: qsTr("%1 at %2 · %n model(s)", "", serverRow.modelData.models.length).arg(serverRow.modelData.name).arg(serverRow.modelData.baseUrl)
                        elide: Text.ElideRight
                    }
                    Button {
                        text: serverRow.modelData.added ? qsTr("Added") : qsTr("Add")
                        enabled: !serverRow.modelData.added && !App.providerSettings.busy
                        onClicked: App.providerSettings.addDiscovered(serverRow.index)

                        FocusRing {}
                    }
                }
            }

            ColumnLayout {
                Layout.fillWidth: true
                spacing: 0

                Label {
                    text: qsTr("Desktop notifications")
                    font.bold: true
                }
                CheckBox {
                    objectName: "replyNoticesBox"
                    Layout.fillWidth: true
                    text: qsTr("When a long reply finishes while Arbor is in the background")
                    checked: Notifications.replyNotices
                    onToggled: Notifications.replyNotices = checked

                    FocusRing {}
                }
                CheckBox {
                    objectName: "providerNoticesBox"
                    Layout.fillWidth: true
                    text: qsTr("When a provider starts failing, and when it works again")
                    checked: Notifications.providerNotices
                    onToggled: Notifications.providerNotices = checked

                    FocusRing {}
                }
            }

            ColumnLayout {
                Layout.fillWidth: true
                spacing: 0

                Label {
                    text: qsTr("Updates")
                    font.bold: true
                }
                RowLayout {
                    Layout.fillWidth: true
                    spacing: Theme.spacing

                    CheckBox {
                        objectName: "updateChecksBox"
                        Layout.fillWidth: true
                        enabled: UpdateCheck.hasFeed
                        text: qsTr("Check once a week whether a newer Arbor is out (it downloads nothing)")
                        checked: UpdateCheck.enabled
                        onToggled: UpdateCheck.enabled = checked

                        FocusRing {}
                    }
                    Button {
                        objectName: "checkNowButton"
                        enabled: UpdateCheck.hasFeed && !UpdateCheck.checking
                        text: qsTr("Check now")
                        onClicked: UpdateCheck.checkNow()

                        FocusRing {}
                    }
                }
                Label {
                    objectName: "updateStatus"
                    Layout.fillWidth: true
                    text: UpdateCheck.statusText
                    color: UpdateCheck.error.length > 0 ? Theme.error : Theme.mutedText
                    wrapMode: Text.Wrap
                    textFormat: Text.PlainText
                }
            }

            Button {
                objectName: "showPricesButton"
                text: prices.visible ? qsTr("Hide prices") : qsTr("Prices (%1)…").arg(App.prices.prices.length)
                onClicked: prices.visible = !prices.visible

                FocusRing {}
            }

            PriceSection {
                id: prices

                Layout.fillWidth: true
                visible: false
            }

            Button {
                objectName: "showToolsButton"
                text: toolsSection.visible ? qsTr("Hide tools") : qsTr("Tools…")
                onClicked: toolsSection.visible = !toolsSection.visible

                FocusRing {}
            }

            ToolsSection {
                id: toolsSection

                Layout.fillWidth: true
                visible: false
            }
        }
    }
}
