import QtQuick
import QtQuick.Controls
import QtTest
import Arbor
import Arbor.Ui

// Issue 17: the thread follows a streaming reply; scrolling up stops that and shows "Jump to
// latest" (Ctrl+End), which goes back to the end and follows again, as does scrolling back down.
// Its own run and database (see tst_qml.cpp).
Item {
    id: root

    width: 900
    height: 480

    ChatPage {
        id: chatPage

        anchors.fill: parent
    }

    ChatTestCase {
        page: chatPage
        name: "Follow"
        when: windowShown

        function jumpButton() {
            const button = findChild(page, "jumpToLatestButton");
            verify(button !== null, "jumpToLatestButton not found");
            return button;
        }

        // How far the view is above the end of its content (0 at the end).
        function distanceToEnd(): real {
            const list = messageList();
            return list.originY + list.contentHeight + list.bottomMargin - list.height - list.contentY;
        }

        function wheel(notches: int) {
            const list = messageList();
            // Positive: towards the top (the content moves down).
            for (let i = 0; i < Math.abs(notches); ++i)
                mouseWheel(list, list.width / 2, list.height / 2, 0, notches > 0 ? 120 : -120);
            tryVerify(() => !list.moving, 5000, "the view comes to rest");
        }

        // A thread taller than the view, which sits at its end.
        function fillThread() {
            sendAndWait("A first question, for a long answer");
            sendAndWait("And a second one", 4);
            const list = messageList();
            tryVerify(() => list.contentHeight > 2 * list.height, 5000, "the thread is taller than the view: "
                      + list.contentHeight);
            tryVerify(() => Math.abs(distanceToEnd()) < 2, 5000, "the view is at the end: " + distanceToEnd());
            verify(list.followTail);
            verify(!jumpButton().visible);
        }

        function test_followsAStreamingReply() {
            fillThread();
            const list = messageList();
            const input = composerInput();
            input.forceActiveFocus();
            typeText("Stream this");
            keyClick(Qt.Key_Return);
            tryVerify(() => Chat.busy, 5000);
            // While the reply grows, the view keeps its newest text in sight: never further from
            // the end than the follower's animation lets it lag (less than the slack).
            let worst = 0;
            while (Chat.busy) {
                worst = Math.max(worst, distanceToEnd());
                wait(16);
            }
            verify(worst < list.height / 2, "the view followed the reply; it fell behind by " + worst);
            tryVerify(() => Math.abs(distanceToEnd()) < 2, 5000, "and settles on the end: " + distanceToEnd());
            verify(list.followTail);
        }

        function test_scrollingUpStopsFollowingUntilJump() {
            fillThread();
            const list = messageList();
            wheel(3);
            verify(distanceToEnd() > list.height / 4, "the wheel scrolled up: " + distanceToEnd());
            verify(!list.followTail, "scrolling up stops following");
            tryVerify(() => jumpButton().visible, 5000, "Jump to latest shows");
            compare(jumpButton().Accessible.name, "Jump to latest");
            verify(jumpButton().ToolTip.text.indexOf("Ctrl+End") >= 0, jumpButton().ToolTip.text);

            // A new reply streams in below (sent by a teammate, a test or another window): the
            // view stays where the reader is.
            const readingAt = list.contentY;
            verify(Chat.send("While you read above"));
            tryCompare(Chat.thread, "count", 6, replyTimeout);
            tryVerify(() => !Chat.busy, replyTimeout);
            wait(100);
            verify(Math.abs(list.contentY - readingAt) < 2, "the view did not move: " + readingAt + " → " + list.contentY);
            verify(jumpButton().visible);

            // Ctrl+End: back to the end, following again.
            keyClick(Qt.Key_End, Qt.ControlModifier);
            tryVerify(() => Math.abs(distanceToEnd()) < 2, 5000, "Ctrl+End goes to the end: " + distanceToEnd());
            verify(list.followTail);
            tryVerify(() => !jumpButton().visible, 5000, "and the button goes");

            // The button does the same.
            wheel(3);
            tryVerify(() => jumpButton().visible, 5000);
            mouseClick(jumpButton());
            tryVerify(() => Math.abs(distanceToEnd()) < 2, 5000, "the button goes to the end: " + distanceToEnd());
            verify(list.followTail);
            verify(!jumpButton().visible);

            // Then a new reply is followed again.
            verify(Chat.send("Follow me again"));
            tryCompare(Chat.thread, "count", 8, replyTimeout);
            tryVerify(() => !Chat.busy, replyTimeout);
            tryVerify(() => Math.abs(distanceToEnd()) < 2, 5000, "the new reply is followed: " + distanceToEnd());
        }

        function test_scrollingBackDownResumesFollowing() {
            fillThread();
            const list = messageList();
            wheel(3);
            verify(!list.followTail);
            tryVerify(() => jumpButton().visible, 5000);
            // Back down with the wheel, past the end: following resumes, the button goes.
            wheel(-12);
            tryVerify(() => list.nearEnd, 5000, "the wheel reached the end: " + distanceToEnd());
            verify(list.followTail, "at the end the view follows again");
            tryVerify(() => !jumpButton().visible, 5000);
            verify(Chat.send("Now followed"));
            tryCompare(Chat.thread, "count", 6, replyTimeout);
            tryVerify(() => !Chat.busy, replyTimeout);
            tryVerify(() => Math.abs(distanceToEnd()) < 2, 5000, "the reply is followed: " + distanceToEnd());
        }
    }
}
