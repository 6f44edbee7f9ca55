import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Arbor
import Arbor.Ui

/**
 * @brief Under a reply that failed: what went wrong (while another attempt is due, which
 * attempt failed) and what can be done about it, Retry and Open Settings, reported as the
 * MessageAction the user asked for. Hidden while there is no error.
 */
ColumnLayout {
    id: failure

    required property string error
    required property bool isRetrying
    required property int attempt
    required property int maxAttempts
    required property bool canRetry
    required property bool needsSettings
    /// The user's messages keep their text at the right.
    property bool alignRight: false
    /// Off while the message is edited inline.
    property bool actionsEnabled: true

    /// The user asked for @p action, a MessageAction (Retry or OpenSettings).
    signal actionRequested(int action)

    visible: error.length > 0
    spacing: Theme.spacingSmall

    Label {
        objectName: "messageError"
        Layout.fillWidth: true
        // While another attempt is due, the error is what happened last, not the end.
        text: failure.isRetrying
              ? (failure.maxAttempts > 0
                 ? qsTr("Attempt %1 of %2 failed: %3").arg(failure.attempt).arg(failure.maxAttempts).arg(failure.error)
                 : qsTr("The last attempt failed: %1").arg(failure.error))
              : failure.error
        textFormat: Text.PlainText
        color: failure.isRetrying ? Theme.mutedText : Theme.error
        wrapMode: Text.Wrap
        horizontalAlignment: failure.alignRight ? Text.AlignRight : Text.AlignLeft
    }

    RowLayout {
        visible: failure.canRetry
        spacing: Theme.spacing

        Button {
            objectName: "retryButton"
            text: qsTr("Retry")
            enabled: failure.actionsEnabled
            ToolTip.visible: hovered
            ToolTip.delay: Theme.toolTipDelayMs
            ToolTip.text: qsTr("Ask again with the same model (a new branch)")
            onClicked: failure.actionRequested(MessageAction.Retry)

            FocusRing {}
        }

        Button {
            objectName: "openSettingsButton"
            visible: failure.needsSettings
            text: qsTr("Open Settings")
            flat: true
            ToolTip.visible: hovered
            ToolTip.delay: Theme.toolTipDelayMs
            ToolTip.text: qsTr("Check the provider, its API key and the model (Ctrl+,)")
            onClicked: failure.actionRequested(MessageAction.OpenSettings)

            FocusRing {}
        }
    }
}
