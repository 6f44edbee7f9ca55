import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Arbor
import Arbor.Ui

/**
 * @brief Under a message: why it failed (in the error colour) with Retry and Open Settings, or
 * a notice that is not an error (a reply paused at the limit on rounds of tool calls, in the
 * muted colour) with Continue. Shows nothing when there is neither. The actions come from the
 * message's `can…` roles; the one asked for is reported as a MessageAction.
 */
ColumnLayout {
    id: outcome

    required property string messageError
    required property string messageNotice
    required property bool isRetrying
    required property int attempt
    required property int maxAttempts
    required property bool isUser
    required property bool canRetry
    required property bool canContinue
    required property bool needsSettings
    required property bool editing

    /// The user asked for @p action, a MessageAction.
    signal actionRequested(int action)

    visible: messageError.length > 0 || messageNotice.length > 0
    spacing: Theme.spacingSmall

    Label {
        objectName: "messageError"
        Layout.fillWidth: true
        visible: outcome.messageError.length > 0
        // While another attempt is due, the error is what happened last, not the end.
        text: outcome.isRetrying
              ? (outcome.maxAttempts > 0
                 ? qsTr("Attempt %1 of %2 failed: %3").arg(outcome.attempt).arg(outcome.maxAttempts).arg(outcome.messageError)
                 : qsTr("The last attempt failed: %1").arg(outcome.messageError))
              : outcome.messageError
        textFormat: Text.PlainText
        color: outcome.isRetrying ? Theme.mutedText : Theme.error
        wrapMode: Text.Wrap
        horizontalAlignment: outcome.isUser ? Text.AlignRight : Text.AlignLeft
    }

    Label {
        objectName: "messageNotice"
        Layout.fillWidth: true
        visible: outcome.messageNotice.length > 0
        text: outcome.messageNotice
        textFormat: Text.PlainText
        color: Theme.mutedText
        wrapMode: Text.Wrap
    }

    RowLayout {
        visible: (outcome.messageError.length > 0 && outcome.canRetry)
                 || (outcome.messageNotice.length > 0 && outcome.canContinue)
        spacing: Theme.spacing

        Button {
            objectName: "noticeContinueButton"
            visible: outcome.messageNotice.length > 0 && outcome.canContinue
            text: qsTr("Continue")
            enabled: !outcome.editing
            ToolTip.visible: hovered
            ToolTip.delay: Theme.toolTipDelayMs
            ToolTip.text: qsTr("Run the calls left and let the model go on (a new branch)")
            onClicked: outcome.actionRequested(MessageAction.Continue)

            FocusRing {}
        }

        Button {
            objectName: "retryButton"
            visible: outcome.messageError.length > 0 && outcome.canRetry
            text: qsTr("Retry")
            enabled: !outcome.editing
            ToolTip.visible: hovered
            ToolTip.delay: Theme.toolTipDelayMs
            ToolTip.text: qsTr("Ask again with the same model (a new branch)")
            onClicked: outcome.actionRequested(MessageAction.Retry)

            FocusRing {}
        }

        Button {
            objectName: "openSettingsButton"
            visible: outcome.messageError.length > 0 && outcome.canRetry && outcome.needsSettings
            text: qsTr("Open Settings")
            flat: true
            ToolTip.visible: hovered
            ToolTip.delay: Theme.toolTipDelayMs
            ToolTip.text: qsTr("Check the provider, its API key and the model (Ctrl+,)")
            onClicked: outcome.actionRequested(MessageAction.OpenSettings)

            FocusRing {}
        }
    }
}
