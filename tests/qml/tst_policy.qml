import QtQuick
import QtQuick.Controls
import QtTest
import Arbor
import Arbor.Ui

// Issue 16: the delegates render what the C++ policy says. A message row shows and runs only the
// actions its can… roles allow (MessagePolicy), by MessageAction value; a job row offers only
// what canRetry, canDiscard and canCancel allow (JobPolicy). Its own run and database (see
// tst_qml.cpp).
Item {
    id: root

    width: 1000
    height: 700

    ChatPage {
        id: chatPage

        anchors.fill: parent
    }

    Component {
        id: messageComponent

        MessageDelegate {
            width: 800
            index: 0
            messageId: "m1"
            messageRole: "assistant"
            messageAuthor: "Demo"
            messageContent: "Some text"
            messageStatus: MessageStatus.Complete
            messageError: ""
            messageNotice: ""
            messageModel: "demo/demo"
            messageLabel: ""
            isLive: false
            siblingIndex: 0
            siblingCount: 1
            isRetrying: false
            retryAt: 0
            attempt: 0
            maxAttempts: 0
            canRetry: false
            needsSettings: false
            canEdit: false
            canRegenerate: false
            canContinue: false
            canLabel: false
            canFork: false
            canDelete: false
            reasoning: ""
            reasoningMs: -1
            reasoningLive: false
            messageUsage: ""
            fusedFrom: []
        }
    }

    Component {
        id: jobComponent

        JobRow {
            width: 800
            jobId: 7
            kind: "chat.reply"
            queueName: "demo"
            jobState: JobState.Queued
            attempts: 1
            maxAttempts: 3
            lastError: ""
            attemptErrors: []
            runAt: 0
            finishedAt: 0
            canRetry: false
            canDiscard: false
            canCancel: false
            tags: []
        }
    }

    MessageMenu {
        id: menu
    }

    TestCase {
        name: "Policy"
        when: windowShown

        function shown(item, name: string): bool {
            const child = findChild(item, name);
            verify(child !== null, name + " not found");
            return child.visible;
        }

        // A reply paused at the limit on rounds of tool calls: a notice in the muted colour,
        // not an error, with Continue (issue 22).
        function test_noticeIsNotAnError() {
            const paused = createTemporaryObject(messageComponent, root, {
                messageNotice: "Arbor paused this reply after 8 rounds of tool calls.",
                canContinue: true
            });
            const notice = findChild(paused, "messageNotice");
            verify(notice.visible);
            compare(notice.text, "Arbor paused this reply after 8 rounds of tool calls.");
            verify(Qt.colorEqual(notice.color, Theme.mutedText), "" + notice.color);
            verify(!Qt.colorEqual(notice.color, Theme.error));
            verify(!shown(paused, "messageError"), "no error is shown");
            verify(!shown(paused, "retryButton"));
            verify(shown(paused, "noticeContinueButton"));
            const asked = [];
            paused.actionRequested.connect(action => asked.push(action));
            mouseClick(findChild(paused, "noticeContinueButton"));
            compare(asked, [MessageAction.Continue]);
            // A failure still reads as one, in the error colour, with no Continue of its own.
            const failed = createTemporaryObject(messageComponent, root, {
                y: 300,
                messageStatus: MessageStatus.Error,
                messageError: "HTTP 500",
                canRetry: true
            });
            verify(shown(failed, "messageError"));
            verify(Qt.colorEqual(findChild(failed, "messageError").color, Theme.error));
            verify(!shown(failed, "messageNotice"));
            verify(!shown(failed, "noticeContinueButton"));
            verify(shown(failed, "retryButton"));
        }

        function test_toolbarFollowsTheRoles() {
            // A reply that may be regenerated and continued, not edited.
            const reply = createTemporaryObject(messageComponent, root, {
                canRegenerate: true,
                canContinue: true
            });
            verify(!shown(reply, "editButton"));
            verify(shown(reply, "regenerateButton"));
            verify(findChild(reply, "regenerateButton").enabled);
            verify(shown(reply, "continueButton"));
            // One being written: Regenerate stays in place, disabled; no Continue.
            const live = createTemporaryObject(messageComponent, root, {
                y: 200,
                messageStatus: MessageStatus.Streaming,
                isLive: true
            });
            verify(shown(live, "regenerateButton"));
            verify(!findChild(live, "regenerateButton").enabled);
            verify(!shown(live, "continueButton"));
            compare(findChild(live, "statusChip").text, "Writing…");
            // The user's message: Edit, as its row allows.
            const question = createTemporaryObject(messageComponent, root, {
                y: 400,
                messageRole: "user",
                canEdit: true
            });
            verify(shown(question, "editButton"));
            verify(!shown(question, "regenerateButton"));
            // What the row says wins over what kind of message it is.
            const frozen = createTemporaryObject(messageComponent, root, {
                y: 600,
                messageRole: "user"
            });
            verify(!shown(frozen, "editButton"), "a user message its row does not let edit");
            const complete = createTemporaryObject(messageComponent, root, {
                y: 800
            });
            verify(shown(complete, "regenerateButton"));
            verify(!findChild(complete, "regenerateButton").enabled, "a reply its row does not let regenerate");

            // The buttons report the action as a MessageAction.
            const asked = [];
            reply.actionRequested.connect(action => asked.push(action));
            mouseClick(findChild(reply, "regenerateButton"));
            mouseClick(findChild(reply, "continueButton"));
            mouseClick(findChild(reply, "copyButton"));
            compare(JSON.stringify(asked), JSON.stringify([MessageAction.Regenerate, MessageAction.Continue, MessageAction.Copy]));
        }

        function test_menuFollowsTheRoles() {
            const reply = createTemporaryObject(messageComponent, root, {
                canRegenerate: true,
                canLabel: true,
                canDelete: true
            });
            menu.openFor(reply, true);
            tryCompare(menu, "opened", true);
            const visibleActions = [];
            for (let i = 0; i < menu.count; ++i) {
                const item = menu.itemAt(i);
                if (item !== null && item.visible && item.objectName.length > 0)
                    visibleActions.push(item.objectName);
            }
            compare(visibleActions, ["copyAction", "copyPlainAction", "regenerateAction", "labelAction", "deleteAction"]);
            menu.close();
            tryCompare(menu, "visible", false);

            const question = createTemporaryObject(messageComponent, root, {
                messageRole: "user",
                canEdit: true,
                canFork: true
            });
            menu.openFor(question, true);
            tryCompare(menu, "opened", true);
            const questionActions = [];
            for (let i = 0; i < menu.count; ++i) {
                const item = menu.itemAt(i);
                if (item !== null && item.visible && item.objectName.length > 0)
                    questionActions.push(item.objectName);
            }
            compare(questionActions, ["copyAction", "editAction", "forkAction"]);
            menu.close();
            tryCompare(menu, "visible", false);
        }

        function test_listRunsOnlyWhatTheRowAllows() {
            const list = findChild(chatPage, "messageList");
            verify(list);
            // Not editable: E, the menu or a stray call does not open the editor.
            const reply = createTemporaryObject(messageComponent, root, {});
            list.act(reply, MessageAction.Edit, "");
            compare(list.editingId, "");
            list.act(reply, MessageAction.Label, "");
            const labelDialog = findChild(chatPage, "labelDialog");
            wait(50);
            verify(!labelDialog.visible, "a row that may not be labelled opens no label dialog");
            // Editable: the editor opens for it.
            const question = createTemporaryObject(messageComponent, root, {
                messageRole: "user",
                messageId: "q1",
                canEdit: true
            });
            list.act(question, MessageAction.Edit, "");
            compare(list.editingId, "q1");
            list.cancelEdit();
            compare(list.editingId, "");
            const frozen = createTemporaryObject(messageComponent, root, {
                messageRole: "user",
                messageId: "q2"
            });
            list.act(frozen, MessageAction.Edit, "");
            compare(list.editingId, "", "a user message its row does not let edit");
        }

        function test_jobRowFollowsTheRoles() {
            const failed = createTemporaryObject(jobComponent, root, {
                jobState: JobState.Failed,
                canRetry: true,
                canDiscard: true
            });
            verify(shown(failed, "retryJobButton"));
            verify(shown(failed, "discardJobButton"));
            verify(!shown(failed, "cancelJobButton"));
            compare(findChild(failed, "jobStateLabel").text, "failed");
            compare(findChild(failed, "jobStateLabel").color, Theme.error);

            const running = createTemporaryObject(jobComponent, root, {
                jobState: JobState.Running,
                canCancel: true
            });
            verify(!shown(running, "retryJobButton"));
            verify(!shown(running, "discardJobButton"));
            verify(shown(running, "cancelJobButton"));
            compare(findChild(running, "jobStateLabel").text, "running");

            const cancelled = [];
            running.cancelRequested.connect(id => cancelled.push(id));
            mouseClick(findChild(running, "cancelJobButton"));
            compare(cancelled, [7]);
        }
    }
}
