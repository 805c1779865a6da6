// Event type names and classification.
#include "history/event.hpp"

#include <array>
#include <string_view>

namespace perdure::detail {
namespace {

constexpr int max_event_type = 57;

constexpr std::array<const char*, max_event_type + 1> names = {
    nullptr,
    "WorkflowExecutionStarted",
    "WorkflowExecutionCompleted",
    "WorkflowExecutionFailed",
    "WorkflowExecutionTimedOut",
    "WorkflowTaskScheduled",
    "WorkflowTaskStarted",
    "WorkflowTaskCompleted",
    "WorkflowTaskTimedOut",
    "WorkflowTaskFailed",
    "ActivityTaskScheduled",
    "ActivityTaskStarted",
    "ActivityTaskCompleted",
    "ActivityTaskFailed",
    "ActivityTaskTimedOut",
    "ActivityTaskCancelRequested",
    "ActivityTaskCanceled",
    "TimerStarted",
    "TimerFired",
    "TimerCanceled",
    "WorkflowExecutionCancelRequested",
    "WorkflowExecutionCanceled",
    "RequestCancelExternalWorkflowExecutionInitiated",
    "RequestCancelExternalWorkflowExecutionFailed",
    "ExternalWorkflowExecutionCancelRequested",
    "MarkerRecorded",
    "WorkflowExecutionSignaled",
    "WorkflowExecutionTerminated",
    "WorkflowExecutionContinuedAsNew",
    "StartChildWorkflowExecutionInitiated",
    "StartChildWorkflowExecutionFailed",
    "ChildWorkflowExecutionStarted",
    "ChildWorkflowExecutionCompleted",
    "ChildWorkflowExecutionFailed",
    "ChildWorkflowExecutionCanceled",
    "ChildWorkflowExecutionTimedOut",
    "ChildWorkflowExecutionTerminated",
    "SignalExternalWorkflowExecutionInitiated",
    "SignalExternalWorkflowExecutionFailed",
    "ExternalWorkflowExecutionSignaled",
    "UpsertWorkflowSearchAttributes",
    "WorkflowExecutionUpdateAccepted",
    "WorkflowExecutionUpdateRejected",
    "WorkflowExecutionUpdateCompleted",
    "WorkflowPropertiesModifiedExternally",
    "ActivityPropertiesModifiedExternally",
    "WorkflowPropertiesModified",
    "WorkflowExecutionUpdateAdmitted",
    "NexusOperationScheduled",
    "NexusOperationStarted",
    "NexusOperationCompleted",
    "NexusOperationFailed",
    "NexusOperationCanceled",
    "NexusOperationTimedOut",
    "NexusOperationCancelRequested",
    "WorkflowExecutionOptionsUpdated",
    "NexusOperationCancelRequestCompleted",
    "NexusOperationCancelRequestFailed",
};

}   // namespace

const char* event_type_name(event_type t) noexcept {
    const int n = static_cast<int>(t);
    return n > 0 && n <= max_event_type ? names[static_cast<std::size_t>(n)] : nullptr;
}

std::optional<event_type> event_type_from_number(int n) noexcept {
    if (n > 0 && n <= max_event_type) return static_cast<event_type>(n);
    return std::nullopt;
}

std::optional<event_type> event_type_from_name(std::string_view name) noexcept {
    for (int n = 1; n <= max_event_type; ++n)
        if (name == names[static_cast<std::size_t>(n)]) return static_cast<event_type>(n);
    return std::nullopt;
}

bool is_command_event(event_type t) noexcept {
    using enum event_type;
    switch (t) {
    case workflow_execution_completed:
    case workflow_execution_failed:
    case workflow_execution_canceled:
    case workflow_execution_continued_as_new:
    case activity_task_scheduled:
    case activity_task_cancel_requested:
    case timer_started:
    case timer_canceled:
    case marker_recorded:
    case request_cancel_external_workflow_execution_initiated:
    case start_child_workflow_execution_initiated:
    case signal_external_workflow_execution_initiated:
    case upsert_workflow_search_attributes:
    case workflow_properties_modified:
    case workflow_execution_update_completed:
    case workflow_execution_update_rejected:
    case nexus_operation_scheduled:
    case nexus_operation_cancel_requested: return true;
    default: return false;
    }
}

bool is_activating_event(event_type t) noexcept {
    using enum event_type;
    switch (t) {
    case workflow_execution_started:
    case workflow_execution_signaled:
    case workflow_execution_cancel_requested:
    case workflow_execution_update_accepted:
    case activity_task_completed:
    case activity_task_failed:
    case activity_task_timed_out:
    case activity_task_canceled:
    case timer_fired:
    case start_child_workflow_execution_failed:
    case child_workflow_execution_started:
    case child_workflow_execution_completed:
    case child_workflow_execution_failed:
    case child_workflow_execution_canceled:
    case child_workflow_execution_timed_out:
    case child_workflow_execution_terminated:
    case request_cancel_external_workflow_execution_failed:
    case external_workflow_execution_cancel_requested:
    case signal_external_workflow_execution_failed:
    case external_workflow_execution_signaled:
    case nexus_operation_started:
    case nexus_operation_completed:
    case nexus_operation_failed:
    case nexus_operation_canceled:
    case nexus_operation_timed_out:
    case nexus_operation_cancel_request_completed:
    case nexus_operation_cancel_request_failed: return true;
    default: return false;
    }
}

bool is_close_event(event_type t) noexcept {
    using enum event_type;
    switch (t) {
    case workflow_execution_completed:
    case workflow_execution_failed:
    case workflow_execution_timed_out:
    case workflow_execution_canceled:
    case workflow_execution_terminated:
    case workflow_execution_continued_as_new: return true;
    default: return false;
    }
}

}   // namespace perdure::detail
