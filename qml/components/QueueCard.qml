import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Arbor.Ui

/** @brief One queue on the job dashboard: counts per state, rate-limit state, pause/resume. */
Rectangle {
    id: card

    required property var queue
    signal pauseToggled(string name, bool paused)

    function budgetText(available, perMinute) {
        if (perMinute <= 0)
            return qsTr("unlimited")
        return qsTr("%1 of %2/min").arg(Math.floor(Math.max(0, available))).arg(perMinute)
    }

    implicitWidth: 260
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
                text: card.queue.name
                font.bold: true
                elide: Text.ElideRight
                Layout.fillWidth: true
            }
            Label {
                visible: card.queue.paused
                text: qsTr("paused")
                color: Theme.error
            }
            Button {
                text: card.queue.paused ? qsTr("Resume") : qsTr("Pause")
                onClicked: card.pauseToggled(card.queue.name, !card.queue.paused)
            }
        }
        Label {
            text: qsTr("queued %1 · running %2 · done %3 · failed %4 · cancelled %5")
                .arg(card.queue.queued).arg(card.queue.running).arg(card.queue.done)
                .arg(card.queue.failed).arg(card.queue.cancelled)
            wrapMode: Text.Wrap
            Layout.fillWidth: true
        }
        Label {
            text: qsTr("requests: %1 · tokens: %2")
                .arg(card.budgetText(card.queue.requestsAvailable, card.queue.requestsPerMinute))
                .arg(card.budgetText(card.queue.tokensAvailable, card.queue.tokensPerMinute))
                + (card.queue.concurrency > 0 ? qsTr(" · at most %1 at once").arg(card.queue.concurrency) : "")
            font.pointSize: Theme.fontSizeSmall
            color: Theme.mutedText
            wrapMode: Text.Wrap
            Layout.fillWidth: true
        }
        Label {
            visible: card.queue.refillMs > 0 || card.queue.blockedMs > 0
            text: card.queue.blockedMs > 0
                  ? qsTr("held by the provider for %1 s").arg(Math.ceil(card.queue.blockedMs / 1000))
                  : qsTr("full again in %1 s").arg(Math.ceil(card.queue.refillMs / 1000))
            font.pointSize: Theme.fontSizeSmall
            color: card.queue.blockedMs > 0 ? Theme.error : Theme.mutedText
        }
    }
}
