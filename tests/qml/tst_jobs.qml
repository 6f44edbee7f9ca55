import QtQuick
import QtQuick.Controls
import QtTest
import Arbor
import Arbor.Ui

// Issue 21, the jobs dashboard grown up: tiles, per-queue history charts (an hour, two days,
// 90 days), a reply's job with its tags (a click filters by one), its attempts on a timeline, and
// the bulk actions. Updates are pushed by the engine's job signals while the page is shown.
Item {
    id: root

    width: 1200
    height: 2000

    ChatPage {
        id: chatPage

        anchors.fill: parent
    }

    ChatTestCase {
        page: chatPage
        name: "Jobs"
        when: windowShown

        function tileValue(name) {
            const tile = findChild(page, name);
            verify(tile !== null, name + " not found");
            return findChild(tile, "tileValue").text;
        }

        function test_1_theDashboardFollowsAReply() {
            sendAndWait("What do the jobs say?");
            keyClick(Qt.Key_J, Qt.ControlModifier);
            tryVerify(() => chatPage.jobsVisible, 5000, "Ctrl+J shows the jobs");
            // The reply's job ended before the page was shown: the history kept it.
            tryVerify(() => Number(tileValue("jobsPastHourTile")) >= 1, 10000,
                      "jobs past hour: " + tileValue("jobsPastHourTile"));
            verify(Number(tileValue("jobsPerMinuteTile")) > 0, tileValue("jobsPerMinuteTile"));
            compare(tileValue("failuresTile"), "0");
            compare(tileValue("longestWaitTile"), "none waiting");
            // "All queues" and the demo provider's own charts.
            tryVerify(() => shownChildren(page, "queueCharts").length >= 2, 5000);
            const series = App.jobs.queueSeries;
            compare(series[0].queue, "");
            compare(series[0].buckets.length, 60);
            const demo = series.find(s => s.queue === "demo");
            verify(demo !== undefined, "the demo queue has a chart");
            verify(demo.buckets.reduce((n, b) => n + b.done, 0) >= 1);

            // Pushed, not polled: another reply shows up without any timer of the page's.
            const before = App.jobs.overview.jobsPastHour;
            keyClick(Qt.Key_J, Qt.ControlModifier);
            tryVerify(() => !chatPage.jobsVisible, 5000);
            sendAndWait("And another one", 4);
            keyClick(Qt.Key_J, Qt.ControlModifier);
            tryVerify(() => App.jobs.overview.jobsPastHour >= before + 1, 5000);

            // Two days and 90 days: wider buckets from the same history.
            App.jobs.range = 1;
            tryVerify(() => App.jobs.queueSeries.length > 0 && App.jobs.queueSeries[0].buckets.length === 96, 5000);
            App.jobs.range = 2;
            tryVerify(() => App.jobs.queueSeries.length > 0 && App.jobs.queueSeries[0].buckets.length === 90, 5000);
            verify(App.jobs.queueSeries[0].buckets[89].done >= 2);
            App.jobs.range = 0;
        }

        function test_2_tagsFilterAndTheTimeline() {
            // The newest job is the last reply: its tags name the conversation, provider, model.
            const tags = shownChildren(page, "jobTag");
            verify(tags.length >= 3, "tags shown: " + tags.length);
            const texts = tags.map(t => t.children[0].text);
            verify(texts.some(t => t === "provider: demo"), texts.join(", "));
            verify(texts.some(t => t === "model: demo"), texts.join(", "));
            const conversationTag = tags.find(t => t.children[0].text.startsWith("conversation: "));
            verify(conversationTag !== undefined, texts.join(", "));
            mouseClick(conversationTag);
            tryVerify(() => App.jobs.filterTag === "conversation", 5000);
            tryVerify(() => findChild(page, "filterBar").visible, 5000);
            tryCompare(App.jobs.recentJobs, "count", 2, 5000, "the conversation's two replies");
            mouseClick(findChild(page, "clearFilterButton"));
            tryVerify(() => App.jobs.filterTag === "", 5000);

            // The timeline: the reply's single attempt, done.
            const detailButtons = shownChildren(page, "jobDetailButton");
            verify(detailButtons.length > 0);
            mouseClick(detailButtons[0]);
            const panel = findChild(chatPage, "jobDetailPanel");
            tryVerify(() => panel.visible, 5000, "the job's attempts open");
            tryVerify(() => shownChildren(panel.contentItem, "attemptBar").length === 1, 5000);
            compare(App.jobs.jobDetail.attempts[0].outcome, "done");
            verify(shownChildren(panel.contentItem, "attemptBar")[0].width > 0);
            panel.close();
            tryVerify(() => !panel.visible, 5000);
            tryVerify(() => App.jobs.jobDetail.found !== true, 5000);
        }

        function test_3_bulkActionsNeedFailedJobs() {
            const retryAll = findChild(page, "retryAllFailedButton");
            const retrySelected = findChild(page, "retrySelectedButton");
            verify(!retryAll.enabled, "nothing failed, nothing to retry");
            verify(!retrySelected.enabled);
        }

        // The new-run form: a file picker beside the typed path; what it picks fills the path.
        function test_4_theListFileIsPickedOrTyped() {
            mouseClick(findChild(page, "runsTab"));
            const choose = findChild(page, "chooseInputButton");
            tryVerify(() => choose.visible, 5000);
            const dialog = findChild(page, "runInputDialog");
            verify(dialog !== null, "runInputDialog not found");
            mouseClick(choose);
            tryVerify(() => dialog.visible, 5000, "Choose… opens the file picker");
            // A file that exists (the picker refuses others): this test's own.
            const picked = Qt.resolvedUrl("tst_jobs.qml");
            dialog.selectedFile = picked;
            // What the picker's own view does when a file is chosen there (Qt 6.4's accept()
            // takes the view's selection, which a test cannot make): the choice, then accepted.
            compare(dialog.selectedFile, picked);
            dialog.accepted();
            dialog.close();
            tryCompare(findChild(page, "runInput"), "text", decodeURIComponent(String(picked).replace("file://", "")));
            keyClick(Qt.Key_J, Qt.ControlModifier);
            tryVerify(() => !chatPage.jobsVisible, 5000);
        }
    }
}
