import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Arbor
import Arbor.Ui

/**
 * @brief Chooses the models a message is sent to at once (2 to 6; the same model may come back
 * with another temperature), or a saved model set; the choice can be saved as a set. Sending to
 * them is Ctrl+Shift+Enter in the composer.
 */
Popup {
    id: picker

    readonly property var selection: App.compare.selection
    readonly property string problem: App.compare.checkSelection(selection)

    function add(modelKey: string, temperature: string) {
        if (selection.length >= App.compare.maxModels)
            return;
        const t = temperature.trim();
        App.compare.selection = selection.concat([t.length > 0 ? modelKey + ":temperature=" + t : modelKey]);
    }

    objectName: "modelSetPicker"
    modal: true
    focus: true
    padding: Theme.spacingLarge
    width: Math.min(parent ? parent.width : 600, Math.round(460 * Theme.fontScale))

    // HACK: without `pragma ComponentBehavior: Bound` (Qt 6.5) qmllint cannot know that the
    // delegates below only ever live here, where `picker` is in scope.
    // qmllint disable unqualified
    ColumnLayout {
        width: picker.availableWidth
        spacing: Theme.spacing

        Label {
            text: qsTr("Send to several models")
            font.pointSize: Theme.fontSizeTitle
        }

        Label {
            visible: App.compare.modelSets.length > 0
            text: qsTr("Saved sets")
            font.bold: true
        }
        Repeater {
            model: App.compare.modelSets
            delegate: RowLayout {
                required property var modelData
                Layout.fillWidth: true
                Label {
                    Layout.fillWidth: true
                    text: modelData.name + " — " + modelData.text
                    elide: Text.ElideRight
                }
                Button {
                    objectName: "useSet"
                    text: qsTr("Use")
                    onClicked: App.compare.chooseSet(modelData.name)
                }
                IconButton {
                    iconName: "x"
                    text: qsTr("Remove the set %1").arg(modelData.name)
                    onClicked: App.compare.removeSet(modelData.name)
                }
            }
        }

        Label {
            text: qsTr("Models")
            font.bold: true
        }
        Repeater {
            model: Models.list
            delegate: RowLayout {
                id: modelRow
                required property string modelKey
                required property string displayName
                Layout.fillWidth: true
                Label {
                    Layout.fillWidth: true
                    text: modelRow.displayName
                    elide: Text.ElideRight
                }
                TextField {
                    id: temperature
                    Layout.preferredWidth: Math.round(90 * Theme.fontScale)
                    placeholderText: qsTr("temperature")
                    inputMethodHints: Qt.ImhFormattedNumbersOnly
                    Accessible.name: qsTr("Temperature for %1").arg(modelRow.displayName)
                }
                Button {
                    objectName: "addModel"
                    text: qsTr("Add")
                    enabled: picker.selection.length < App.compare.maxModels
                    onClicked: picker.add(modelRow.modelKey, temperature.text)
                }
            }
        }

        Label {
            text: qsTr("Chosen (%1 of %2 to %3)").arg(picker.selection.length).arg(App.compare.minModels)
                  .arg(App.compare.maxModels)
            font.bold: true
        }
        Repeater {
            model: picker.selection
            delegate: RowLayout {
                required property int index
                required property string modelData
                Layout.fillWidth: true
                Label {
                    Layout.fillWidth: true
                    text: (index + 1) + ". " + App.compare.labelOf(modelData)
                    elide: Text.ElideRight
                }
                IconButton {
                    iconName: "x"
                    text: qsTr("Leave out")
                    onClicked: {
                        const next = picker.selection.slice();
                        next.splice(index, 1);
                        App.compare.selection = next;
                    }
                }
            }
        }
        Label {
            Layout.fillWidth: true
            visible: picker.selection.length > 0 && picker.problem.length > 0
            text: picker.problem
            color: Theme.error
            wrapMode: Text.Wrap
        }

        RowLayout {
            Layout.fillWidth: true
            TextField {
                id: setName
                objectName: "setName"
                Layout.fillWidth: true
                placeholderText: qsTr("Name of a new set")
            }
            Button {
                objectName: "saveSet"
                text: qsTr("Save as set")
                enabled: setName.text.trim().length > 0 && picker.problem.length === 0
                onClicked: {
                    if (App.compare.saveSet(setName.text, picker.selection))
                        setName.clear();
                }
            }
        }
        Label {
            Layout.fillWidth: true
            text: qsTr("Ctrl+Shift+Enter in the message field sends to these models.")
            color: Theme.mutedText
            wrapMode: Text.Wrap
            font.pointSize: Theme.fontSizeSmall
        }
    }
    // qmllint enable unqualified
}
