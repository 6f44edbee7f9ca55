import QtQuick
import QtQuick.Controls
import QtQuick.Controls.impl
import QtQuick.Layouts
import Arbor
import Arbor.Ui

/**
 * @brief Light, dark, or as the desktop says (ColorScheme.preference, kept between runs). The
 * window changes at once; nothing restarts.
 */
RowLayout {
    id: chooser

    spacing: Theme.spacing

    component SchemeButton: RadioButton {
        id: button

        required property int preference
        required property string iconName

        checked: ColorScheme.preference === preference
        focusPolicy: Qt.StrongFocus
        onClicked: ColorScheme.preference = preference

        // The style's indicator, then the icon and the text (the style draws no icon here).
        contentItem: RowLayout {
            spacing: Theme.spacingSmall

            Item {
                implicitWidth: button.indicator ? button.indicator.width : 0
            }

            IconImage {
                source: Theme.icon(button.iconName)
                sourceSize.width: Theme.iconSizeSmall
                sourceSize.height: Theme.iconSizeSmall
                color: Theme.text
            }

            Label {
                text: button.text
                color: Theme.text
            }
        }

        FocusRing {}
    }

    Label {
        id: heading

        text: qsTr("Appearance")
        Accessible.role: Accessible.StaticText
    }

    SchemeButton {
        objectName: "schemeSystem"
        preference: ColorScheme.System
        iconName: "monitor"
        text: ColorScheme.source === ColorScheme.Portal
              ? (ColorScheme.systemDark ? qsTr("System (dark)") : qsTr("System (light)"))
              : qsTr("System")
        Accessible.description: qsTr("Follow the desktop's light or dark setting")
    }

    SchemeButton {
        objectName: "schemeLight"
        preference: ColorScheme.Light
        iconName: "sun"
        text: qsTr("Light")
    }

    SchemeButton {
        objectName: "schemeDark"
        preference: ColorScheme.Dark
        iconName: "moon"
        text: qsTr("Dark")
    }

    Item {
        Layout.fillWidth: true
    }
}
