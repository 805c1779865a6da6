// History events as the engine records them: Temporal's event types and numbers, an id within
// the run, a time, and Temporal's attribute names in snake_case.
#pragma once

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string_view>

namespace perdure::detail {

/// Temporal's event types, with Temporal's numbers (they are stored in the history table).
enum class event_type : int {
    workflow_execution_started = 1,
    workflow_execution_completed = 2,
    workflow_execution_failed = 3,
    workflow_execution_timed_out = 4,
    workflow_task_scheduled = 5,
    workflow_task_started = 6,
    workflow_task_completed = 7,
    workflow_task_timed_out = 8,
    workflow_task_failed = 9,
    activity_task_scheduled = 10,
    activity_task_started = 11,
    activity_task_completed = 12,
    activity_task_failed = 13,
    activity_task_timed_out = 14,
    activity_task_cancel_requested = 15,
    activity_task_canceled = 16,
    timer_started = 17,
    timer_fired = 18,
    timer_canceled = 19,
    workflow_execution_cancel_requested = 20,
    workflow_execution_canceled = 21,
    request_cancel_external_workflow_execution_initiated = 22,
    request_cancel_external_workflow_execution_failed = 23,
    external_workflow_execution_cancel_requested = 24,
    marker_recorded = 25,
    workflow_execution_signaled = 26,
    workflow_execution_terminated = 27,
    workflow_execution_continued_as_new = 28,
    start_child_workflow_execution_initiated = 29,
    start_child_workflow_execution_failed = 30,
    child_workflow_execution_started = 31,
    child_workflow_execution_completed = 32,
    child_workflow_execution_failed = 33,
    child_workflow_execution_canceled = 34,
    child_workflow_execution_timed_out = 35,
    child_workflow_execution_terminated = 36,
    signal_external_workflow_execution_initiated = 37,
    signal_external_workflow_execution_failed = 38,
    external_workflow_execution_signaled = 39,
    upsert_workflow_search_attributes = 40,
    workflow_execution_update_accepted = 41,
    workflow_execution_update_rejected = 42,
    workflow_execution_update_completed = 43,
    workflow_properties_modified_externally = 44,
    activity_properties_modified_externally = 45,
    workflow_properties_modified = 46,
    workflow_execution_update_admitted = 47,
    nexus_operation_scheduled = 48,
    nexus_operation_started = 49,
    nexus_operation_completed = 50,
    nexus_operation_failed = 51,
    nexus_operation_canceled = 52,
    nexus_operation_timed_out = 53,
    nexus_operation_cancel_requested = 54,
    workflow_execution_options_updated = 55,
    nexus_operation_cancel_request_completed = 56,
    nexus_operation_cancel_request_failed = 57,
};

/// Temporal's name, e.g. "ActivityTaskScheduled"; nullptr for a number perdure does not know.
const char* event_type_name(event_type) noexcept;
std::optional<event_type> event_type_from_name(std::string_view) noexcept;
std::optional<event_type> event_type_from_number(int) noexcept;

/// Events that workflow commands produce (they follow a WorkflowTaskCompleted).
bool is_command_event(event_type) noexcept;
/// Inbound events that start an activation of the workflow.
bool is_activating_event(event_type) noexcept;
/// Events that close a run.
bool is_close_event(event_type) noexcept;

struct event {
    std::int64_t id = 0;   ///< 1, 2, 3, ... within a run
    event_type type{};
    std::int64_t time_us = 0;   ///< microseconds since the Unix epoch
    boost::json::object attrs{};
};

}   // namespace perdure::detail
