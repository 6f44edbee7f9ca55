#pragma once

#include "runlistmodel.h"

#include <QFuture>
#include <QObject>
#include <QUrl>
#include <QVariantList>
#include <QtQml/qqml.h>

namespace arbor::core {
class Backend;
}

namespace arbor::app {

class ErrorController;

/**
 * @brief The Runs page: batch runs with their progress (pushed by batch::BatchMonitor, which
 * reads every second while a run runs), their actions, a new run from a template and a CSV or
 * JSONL file, and the selected run's results, rows × models, filtered (all / failed / rows where
 * the models differ) and searched, a page at a time. GUI thread only.
 */
class BatchRuns : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("BatchRuns belongs to App")
    /** @brief The runs, newest first. */
    Q_PROPERTY(arbor::app::RunListModel *runs READ runs CONSTANT)
    /** @brief The run whose results show (0: none). */
    Q_PROPERTY(int selectedRun READ selectedRun WRITE setSelectedRun NOTIFY selectionChanged)
    /** @brief Its models ("provider/model"), the results' columns. */
    Q_PROPERTY(QStringList models READ models NOTIFY selectionChanged)
    /** @brief Its columns (the input's). */
    Q_PROPERTY(QStringList columns READ columns NOTIFY selectionChanged)
    /** @brief 0 all rows, 1 rows with a failed result, 2 rows where the models' texts differ. */
    Q_PROPERTY(int filter READ filter WRITE setFilter NOTIFY rowsChanged)
    Q_PROPERTY(QString search READ search WRITE setSearch NOTIFY rowsChanged)
    /** @brief The page of results: {rowNo, line, input: [values], fields: ["column: value"],
     *  results: [{model, status, failed, text, error, tokens, cost, canOpen}]} per row. */
    Q_PROPERTY(QVariantList rows READ rows NOTIFY rowsChanged)
    /** @brief An import under way: "Imported 20,000 rows (12 %)"; "" otherwise. */
    Q_PROPERTY(QString importText READ importText NOTIFY importTextChanged)

public:
    /** @brief Rows per page of results. */
    static constexpr int PageRows = 200;

    BatchRuns(core::Backend *backend, ErrorController *errors, QObject *parent = nullptr);

    RunListModel *runs() const { return m_runs; }
    int selectedRun() const { return int(m_selected); }
    void setSelectedRun(int id);
    QStringList models() const;
    QStringList columns() const;
    int filter() const { return m_filter; }
    void setFilter(int filter);
    QString search() const { return m_search; }
    void setSearch(const QString &search);
    QVariantList rows() const { return m_rows; }
    QString importText() const { return m_importText; }

    Q_INVOKABLE void start(int id);
    Q_INVOKABLE void pause(int id);
    Q_INVOKABLE void resume(int id);
    Q_INVOKABLE void cancel(int id);
    Q_INVOKABLE void retryFailed(int id);
    /** @brief Imports @p inputPath (a local path or file: URL) into a new run and starts it.
     *  @p models: "provider/model" keys, comma-separated. */
    Q_INVOKABLE void create(const QString &name, const QString &templateText,
                            const QString &inputPath, const QString &models,
                            const QString &systemPrompt);
    /** @brief The local path of a file the file picker chose (what the path field shows). */
    Q_INVOKABLE QString localPath(const QUrl &url) const { return url.toLocalFile(); }
    /** @brief Opens row @p rowNo's result of model @p modelIdx as a conversation (made once). */
    Q_INVOKABLE void openRow(int rowNo, int modelIdx);
    Q_INVOKABLE void reloadRows();

Q_SIGNALS:
    void selectionChanged();
    void rowsChanged();
    void importTextChanged();
    /** @brief A run was created (its id), or an action failed (message). */
    void created(int id);
    void actionFailed(const QString &message);
    /** @brief The conversation a row was opened as: the window shows it. */
    void openConversation(const QString &conversationId);

private:
    void act(qint64 id, QFuture<batch::Run> future);

    core::Backend *m_backend;
    ErrorController *m_errors;
    RunListModel *m_runs;
    qint64 m_selected = 0;
    int m_filter = 0;
    QString m_search;
    QVariantList m_rows;
    quint64 m_rowsGeneration = 0; ///< of the latest rows request
    QString m_importText;
};

} // namespace arbor::app
