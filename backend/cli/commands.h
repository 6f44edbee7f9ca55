#pragma once

#include <QStringList>

namespace arbor::cli {

/** @brief Exit codes of arbord: scripts can tell a stopped reply from a failed one. */
enum ExitCode { Ok = 0, Failure = 1, Usage = 2, Stopped = 3 };

/** @brief `arbord chat`: sends TEXT and streams the reply. @p args excludes the program name. */
int runChat(const QStringList &args);
/** @brief `arbord list`: conversations, newest first. */
int runList(const QStringList &args);
/** @brief `arbord bench SCENARIO`: prints performance figures. */
int runBench(const QStringList &args);
/** @brief `arbord show`: the visible path of one conversation. */
int runShow(const QStringList &args);

} // namespace arbor::cli
