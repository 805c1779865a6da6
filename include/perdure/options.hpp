// Options for starting workflows and scheduling activities and children, with Temporal's
// defaults. All are aggregates: name the fields you set with designated initializers.
#pragma once

#include <perdure/search_attributes.hpp>

#include <boost/json/object.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace perdure {

/// What a new run may do when a closed run with the same workflow id exists.
enum class id_reuse_policy { allow_duplicate, allow_duplicate_failed_only, reject_duplicate };
/// What a start does when a run with the same workflow id is still running.
enum class id_conflict_policy { fail, use_existing, terminate_existing };
/// How cancelling an activity, child or Nexus operation resolves its future.
enum class cancellation_type { abandon, try_cancel, wait_requested, wait_completed };
/// What happens to a child when its parent closes.
enum class parent_close_policy { terminate, request_cancel, abandon };

/// Exponential retry with Temporal's defaults: 1 s, x2.0, at most 100 x initial, unlimited attempts.
struct retry_policy {
    std::chrono::milliseconds initial_interval{1000};
    double backoff_coefficient = 2.0;
    std::chrono::milliseconds maximum_interval{0};          ///< 0: 100 x initial_interval
    int maximum_attempts = 0;                               ///< 0: unlimited; 1: no retries
    std::vector<std::string> non_retryable_error_types{};   ///< exact application error types
    bool operator==(const retry_policy&) const = default;
};

struct start_workflow_options {
    std::string id{};           ///< required: the business id
    std::string task_queue{};   ///< required
    id_reuse_policy id_reuse = id_reuse_policy::allow_duplicate;
    id_conflict_policy id_conflict = id_conflict_policy::fail;
    std::chrono::milliseconds execution_timeout{0};   ///< whole chain (retries, continue-as-new); 0: none
    std::chrono::milliseconds run_timeout{0};         ///< one run; 0: the execution timeout
    std::optional<retry_policy> retry{};              ///< workflows are not retried by default
    boost::json::object memo{};
    std::string request_id{};   ///< a retried start with the same id returns the same run
    /// Values of search attributes registered in the namespace, recorded on
    /// WorkflowExecutionStarted and indexed in the same commit. A start with an unknown name or
    /// a value of the wrong type throws invalid_argument.
    perdure::search_attributes search_attributes{};
};

struct activity_options {
    std::chrono::milliseconds schedule_to_close_timeout{0};   ///< all attempts; 0: none
    std::chrono::milliseconds schedule_to_start_timeout{0};   ///< waiting for a worker; never retried
    std::chrono::milliseconds start_to_close_timeout{0};      ///< one attempt
    std::chrono::milliseconds heartbeat_timeout{0};
    std::optional<retry_policy> retry{};   ///< default: the retry_policy defaults
    std::string task_queue{};              ///< default: the workflow's
    cancellation_type cancellation = cancellation_type::try_cancel;
};

struct child_workflow_options {
    std::string id{};           ///< default: derived from the parent run
    std::string task_queue{};   ///< default: the parent's
    parent_close_policy parent_close = parent_close_policy::terminate;
    std::chrono::milliseconds execution_timeout{0};
    std::optional<retry_policy> retry{};
    cancellation_type cancellation = cancellation_type::wait_completed;
    /// The child's search attributes, recorded on StartChildWorkflowExecutionInitiated and indexed
    /// when the child starts. Typed against the namespace's registered attributes when the
    /// command is recorded: an unknown name or a value of the wrong type fails the parent's
    /// workflow task (BAD_START_CHILD_EXECUTION_ATTRIBUTES, naming the attribute).
    perdure::search_attributes search_attributes{};
};

/// What a continue-as-new changes for the next run, as Temporal's ContinueAsNewWorkflowExecution
/// command allows; what is left empty (or 0) stays as the current run has it.
struct continue_as_new_options {
    std::string task_queue{};
    std::chrono::milliseconds run_timeout{0};
    std::chrono::milliseconds task_timeout{0};   ///< recorded; one process runs every task at once
    std::optional<boost::json::object> memo{};   ///< nullopt: the current run's memo
};

}   // namespace perdure
