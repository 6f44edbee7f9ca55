#pragma once

// The states and actions QML sees as types (STYLE rule 16): `MessageStatus.Error`,
// `JobState.Failed`, `MessageAction.Retry`, never "error" or "retry". Rows carry these values
// in their roles; which actions a row allows is computed in C++ (MessagePolicy, JobPolicy).

#include "domain/message.h"
#include "jobs/job.h"

#include <QFlags>
#include <QObject>
#include <QtQml/qqml.h>

namespace arbor::app {

/**
 * @brief domain::MessageStatus for QML: `MessageStatus.Queued`, `.Streaming`, `.Complete`,
 * `.Cancelled`, `.Error`, `.Interrupted`.
 *
 * HACK: a copy of the backend's enum, because domain::MessageStatus is not declared with
 * Q_ENUM_NS, so QML_FOREIGN_NAMESPACE has no meta-object to point at. from() names every
 * backend value in a switch, so a value added there fails the build here (-Wswitch, -Werror).
 * Once the backend declares it, this namespace becomes a QML_FOREIGN_NAMESPACE shim and QML
 * does not change.
 */
namespace MessageStatus {
Q_NAMESPACE
QML_ELEMENT
enum Value { Queued, Streaming, Complete, Cancelled, Error, Interrupted };
Q_ENUM_NS(Value)

/** @brief The QML value of @p status. */
constexpr Value from(domain::MessageStatus status)
{
    switch (status) {
    case domain::MessageStatus::Queued:
        return Queued;
    case domain::MessageStatus::Streaming:
        return Streaming;
    case domain::MessageStatus::Complete:
        return Complete;
    case domain::MessageStatus::Cancelled:
        return Cancelled;
    case domain::MessageStatus::Error:
        return Error;
    case domain::MessageStatus::Interrupted:
        return Interrupted;
    }
    return Error; // not reached: the switch names every value
}
} // namespace MessageStatus

/** @brief jobs::JobState for QML: `JobState.Queued`, `.Running`, `.Done`, `.Failed`,
 *  `.Cancelled`. HACK: a copy checked by from(), as MessageStatus and for the same reason. */
namespace JobState {
Q_NAMESPACE
QML_ELEMENT
enum Value { Queued, Running, Done, Failed, Cancelled };
Q_ENUM_NS(Value)

/** @brief The QML value of @p state. */
constexpr Value from(jobs::JobState state)
{
    switch (state) {
    case jobs::JobState::Queued:
        return Queued;
    case jobs::JobState::Running:
        return Running;
    case jobs::JobState::Done:
        return Done;
    case jobs::JobState::Failed:
        return Failed;
    case jobs::JobState::Cancelled:
        return Cancelled;
    }
    return Failed; // not reached: the switch names every value
}
} // namespace JobState

/** @brief What the user can do with a message of the thread. Each has a `can…` role on
 *  ThreadModel, computed by MessagePolicy; the view asks for one by this value. */
namespace MessageAction {
Q_NAMESPACE
QML_ELEMENT
enum Action {
    Copy = 0x1,            ///< its text to the clipboard
    Edit = 0x2,            ///< a new sibling with other text (the user's messages)
    Regenerate = 0x4,      ///< a new reply beside it, with this or another model
    Continue = 0x8,        ///< a new reply that carries on from its text (one that stopped early)
    Retry = 0x10,          ///< ask again after a failure, the same model
    OpenSettings = 0x20,   ///< the failure is fixed in Settings (key, model, quota)
    Label = 0x40,          ///< set or remove its bookmark label
    Fork = 0x80,           ///< copy the path to it into a new conversation
    Delete = 0x100,        ///< tombstone it and everything under it (undoable)
    CopyPlainText = 0x200, ///< what it shows to the clipboard, without Markdown
};
Q_ENUM_NS(Action)
Q_DECLARE_FLAGS(Actions, Action)
} // namespace MessageAction

/** @brief What the user can do with a job on the dashboard (JobPolicy, JobListModel roles). */
namespace JobAction {
Q_NAMESPACE
QML_ELEMENT
enum Action {
    Retry = 0x1,   ///< queue it again
    Discard = 0x2, ///< delete it from the lists
    Cancel = 0x4,  ///< stop it before or while it runs
};
Q_ENUM_NS(Action)
Q_DECLARE_FLAGS(Actions, Action)
} // namespace JobAction

} // namespace arbor::app

Q_DECLARE_OPERATORS_FOR_FLAGS(arbor::app::MessageAction::Actions)
Q_DECLARE_OPERATORS_FOR_FLAGS(arbor::app::JobAction::Actions)
