import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Arbor.Ui

/** @brief One queue on the job dashboard: counts per state, rate-limit state, pause/resume. */
Rectangle {
    id: card

    // One per QueueListModel role.
    required property string queueName
    required property bool paused
    required property int queued
    required property int running
    required property int done
    required property int failed
    required property int cancelled
    required property int concurrency
    required property real requestsPerMinute
    required property real requestsAvailable
    required property real tokensPerMinute
    required property real tokensAvailable
    required property real refillMs
    required property real blockedMs
    signal pauseToggled(string name, bool paused)

    function budgetText(available, perMinute) {
        if (perMinute <= 0)
            return qsTr("unlimited")
        return qsTr("%1 of %2/min").arg(Math.floor(Math.max(0, available))).arg(perMinute)
    }

    implicitWidth: Theme.queueCardWidth
    implicitHeight: column.implicitHeight + 2 * Theme.spacing
    radius: Theme.radius
    color: Theme.base
    border.color: Theme.separator

    ColumnLayout {
        id: column
        anchors.fill: parent
        anchors.margins: Theme.spacing
        spacing: Theme.spacingSmall

        RowLayout {
            Layout.fillWidth: true
            Label {
                text: card.queueName
                font.bold: true
                elide: Text.ElideRight
                Layout.fillWidth: true
            }
            Label {
                visible: card.paused
                text: qsTr("paused")
                color: Theme.error
            }
            Button {
                text: card.paused ? qsTr("Resume") : qsTr("Pause")
                onClicked: card.pauseToggled(card.queueName, !card.paused)

                FocusRing {}
            }
        }
        Label {
            text: qsTr("queued %1 · running %2 · done %3 · failed %4 · cancelled %5")
                .arg(card.queued).arg(card.running).arg(card.done)
                .arg(card.failed).arg(card.cancelled)
            wrapMode: Text.Wrap
            Layout.fillWidth: true
        }
        Label {
            text: qsTr("requests: %1 · tokens: %2")
                .arg(card.budgetText(card.requestsAvailable, card.requestsPerMinute))
                .arg(card.budgetText(card.tokensAvailable, card.tokensPerMinute))
                + (card.concurrency > 0 ? qsTr(" · at most %1 at once").arg(card.concurrency) : "")
            font.pointSize: Theme.fontSizeSmall
            color: Theme.mutedText
            wrapMode: Text.Wrap
            Layout.fillWidth: true
        }
        Label {
            visible: card.refillMs > 0 || card.blockedMs > 0
            text: card.blockedMs > 0
                  ? qsTr("held by the provider for %1 s").arg(Math.ceil(card.blockedMs / 1000))
                  : qsTr("full again in %1 s").arg(Math.ceil(card.refillMs / 1000))
            font.pointSize: Theme.fontSizeSmall
            color: card.blockedMs > 0 ? Theme.error : Theme.mutedText
        }
    }
}
