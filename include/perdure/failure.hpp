// A Temporal-style failure record: what history stores for a failed activity, workflow,
// child or Nexus operation, and what the typed exceptions in error.hpp carry.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <memory>
#include <string>

namespace perdure {

/// Which of Temporal's `*_failure_info` a failure carries.
enum class failure_kind {
    application,   ///< application_failure_info {type, non_retryable, details}
    timeout,       ///< timeout_failure_info {timeout_type}
    canceled,      ///< canceled_failure_info {details}
    terminated,    ///< terminated_failure_info
    server,        ///< server_failure_info {non_retryable}
    activity,   ///< activity_failure_info {scheduled_event_id, started_event_id, activity_type, activity_id, retry_state}
    child_workflow,   ///< child_workflow_execution_failure_info {namespace, workflow_id, run_id, workflow_type, ...}
    nexus_operation,   ///< nexus_operation_execution_failure_info {endpoint, service, operation, operation_token, scheduled_event_id}
    nexus_handler,   ///< nexus_handler_failure_info {type, retry_behavior}
};

/// Why an operation timed out, as Temporal names it.
enum class timeout_type { unspecified, start_to_close, schedule_to_start, schedule_to_close, heartbeat };

/// Whether a failed operation will be retried, as Temporal reports it.
enum class retry_state {
    unspecified,
    in_progress,
    non_retryable_failure,
    timeout,
    maximum_attempts_reached,
    retry_policy_not_set,
    internal_server_error,
    cancel_requested
};

/// A failure as recorded in history: a message, a kind with its attributes (Temporal's field
/// names in snake_case) and an optional cause, forming a chain.
struct failure {
    std::string message{};
    failure_kind kind = failure_kind::application;
    boost::json::object info{};   ///< the kind's attributes, e.g. {"type": "...", "non_retryable": false}
    std::string stack_trace{};
    std::shared_ptr<const failure> cause{};

    /// The JSON shape stored in history: {"message", "stack_trace"?, "<kind>_failure_info": {...}, "cause"?}.
    boost::json::object to_json() const;
    /// Reads what to_json wrote; unknown fields are ignored. Throws payload_error on a malformed record.
    static failure from_json(const boost::json::value&);
};

const char* to_string(timeout_type) noexcept;
const char* to_string(retry_state) noexcept;

}   // namespace perdure
