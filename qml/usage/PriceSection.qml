import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Arbor
import Arbor.Ui

/**
 * @brief Settings → Prices: the price list (App.prices) with an editor. Per million tokens, for
 * a provider id or kind and a model id or pattern, from a day on. What a reply costs is fixed
 * when it finishes, so an edit changes replies from then on.
 */
ColumnLayout {
    id: section

    readonly property PriceList list: App.prices

    /// Puts @p price (a row of list.prices) into the editor.
    function edit(price) {
        providerField.text = price.provider;
        modelField.text = price.model;
        validFromField.text = price.validFrom;
        inputField.text = String(price.input);
        outputField.text = String(price.output);
        cachedField.text = price.cachedInput < 0 ? "" : String(price.cachedInput);
        reasoningField.text = price.reasoning < 0 ? "" : String(price.reasoning);
        currencyField.text = price.currency;
        providerField.forceActiveFocus();
    }

    spacing: Theme.spacingSmall

    Label {
        text: qsTr("Prices")
        font.bold: true
    }
    Label {
        Layout.fillWidth: true
        wrapMode: Text.Wrap
        color: Theme.mutedText
        text: qsTr("Per million tokens. A provider is one of yours (its id) or a kind: openai, anthropic, gemini, ollama; a model may end in * to cover its versions. A reply's cost is fixed when it finishes: a change applies from then on. A model without a price shows “—”.")
    }

    Repeater {
        model: section.list.prices

        delegate: RowLayout {
            id: priceRow

            required property var modelData

            function perMillion(value) {
                return value < 0 ? "—" : Number(value).toLocaleString(Qt.locale(), "f", 2) + " " + modelData.currency;
            }

            objectName: "priceRow:" + priceRow.modelData.provider + "/" + priceRow.modelData.model
            Layout.fillWidth: true
            spacing: Theme.spacing

            Label {
                Layout.fillWidth: true
                elide: Text.ElideRight
                text: priceRow.modelData.provider + " · " + priceRow.modelData.model
                      + "  (" + qsTr("from %1").arg(priceRow.modelData.validFrom) + ")"
            }
            Label {
                color: Theme.mutedText
                text: qsTr("in %1 · out %2").arg(priceRow.perMillion(priceRow.modelData.input))
                                            .arg(priceRow.perMillion(priceRow.modelData.output))
            }
            Button {
                text: qsTr("Edit")
                flat: true
                // HACK: without `pragma ComponentBehavior: Bound` (Qt 6.5) qmllint cannot know
                // that this delegate only lives in the section.
                // qmllint disable unqualified
                onClicked: section.edit(priceRow.modelData)
                // qmllint enable unqualified

                FocusRing {}
            }
            Button {
                objectName: "removePriceButton"
                text: qsTr("Remove")
                flat: true
                Accessible.name: qsTr("Remove the price of %1").arg(priceRow.modelData.model)
                onClicked: App.prices.remove(priceRow.modelData.provider, priceRow.modelData.model,
                                             priceRow.modelData.validFrom)

                FocusRing {}
            }
        }
    }

    GridLayout {
        Layout.fillWidth: true
        columns: 4
        columnSpacing: Theme.spacing
        rowSpacing: Theme.spacingSmall

        TextField {
            id: providerField

            objectName: "priceProvider"
            Layout.fillWidth: true
            placeholderText: qsTr("Provider (id or kind)")
            Accessible.name: qsTr("Provider")
        }
        TextField {
            id: modelField

            objectName: "priceModel"
            Layout.fillWidth: true
            Layout.columnSpan: 2
            placeholderText: qsTr("Model (id or pattern*)")
            Accessible.name: qsTr("Model")
        }
        TextField {
            id: validFromField

            objectName: "priceValidFrom"
            Layout.fillWidth: true
            placeholderText: qsTr("From (YYYY-MM-DD, today)")
            Accessible.name: qsTr("Valid from")
        }
        TextField {
            id: inputField

            objectName: "priceInput"
            Layout.fillWidth: true
            placeholderText: qsTr("Input")
            Accessible.name: qsTr("Input price per million tokens")
        }
        TextField {
            id: outputField

            objectName: "priceOutput"
            Layout.fillWidth: true
            placeholderText: qsTr("Output")
            Accessible.name: qsTr("Output price per million tokens")
        }
        TextField {
            id: cachedField

            objectName: "priceCached"
            Layout.fillWidth: true
            placeholderText: qsTr("Cached input (as input)")
            Accessible.name: qsTr("Cached input price per million tokens")
        }
        TextField {
            id: reasoningField

            objectName: "priceReasoning"
            Layout.fillWidth: true
            placeholderText: qsTr("Reasoning (as output)")
            Accessible.name: qsTr("Reasoning price per million tokens")
        }
        TextField {
            id: currencyField

            objectName: "priceCurrency"
            Layout.fillWidth: true
            text: "USD"
            Accessible.name: qsTr("Currency")
        }
        Button {
            objectName: "savePriceButton"
            text: qsTr("Save price")
            onClicked: section.list.save({
                provider: providerField.text,
                model: modelField.text,
                validFrom: validFromField.text,
                input: inputField.text,
                output: outputField.text,
                cachedInput: cachedField.text,
                reasoning: reasoningField.text,
                currency: currencyField.text
            })

            FocusRing {}
        }
    }

    Label {
        objectName: "priceError"
        Layout.fillWidth: true
        visible: section.list.error.length > 0
        text: section.list.error
        color: Theme.error
        wrapMode: Text.Wrap
    }
}
