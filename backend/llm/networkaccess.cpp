#include "networkaccess.h"

#include <QNetworkAccessManager>
#include <QThreadStorage>

namespace arbor::llm {

QNetworkAccessManager *networkAccess()
{
    static QThreadStorage<QNetworkAccessManager *> managers;
    if (!managers.hasLocalData()) {
        auto *nam = new QNetworkAccessManager;
        // Completions are POSTs and must never be re-sent behind the caller's back.
        nam->setAutoDeleteReplies(false);
        managers.setLocalData(nam);
    }
    return managers.localData();
}

} // namespace arbor::llm
