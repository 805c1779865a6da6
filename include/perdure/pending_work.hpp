// What a running workflow waits for, as describe() reports it: Temporal's
// DescribeWorkflowExecution pending activities, children, Nexus operations, the callbacks the
// run owes Nexus callers, and its pending workflow task. Field names follow Temporal's.
#pragma once

#include <perdure/failure.hpp>
#include <perdure/options.hpp>

#include <boost/json/value.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace perdure {

enum class pending_activity_state {
    scheduled,          ///< waiting for a worker, a thread, or its retry backoff to end
    started,            ///< an attempt is running
    cancel_requested,   ///< the workflow asked for its cancellation; a running attempt sees it on heartbeat()
};
const char* to_string(pending_activity_state) noexcept;

struct pending_activity_info {
    std::string activity_id{}, activity_type{};
    pending_activity_state state = pending_activity_state::scheduled;
    std::int64_t scheduled_event_id = 0;
    int attempt = 1;
    int maximum_attempts = 0;   ///< 0: unlimited
    std::chrono::system_clock::time_point scheduled_time{};
    std::chrono::system_clock::time_point last_started_time{};            ///< epoch: no attempt started yet
    std::chrono::system_clock::time_point last_heartbeat_time{};          ///< epoch: no heartbeat yet
    std::chrono::system_clock::time_point next_attempt_schedule_time{};   ///< epoch: not backing off
    std::chrono::system_clock::time_point expiration_time{};              ///< schedule-to-close; epoch: none
    boost::json::value heartbeat_details{};
    std::optional<failure> last_failure{};   ///< of the previous attempt
};

struct pending_child_info {
    std::string workflow_id{}, run_id{};   ///< run_id: empty until the child has started
    std::string workflow_type{};
    std::int64_t initiated_event_id = 0;
    parent_close_policy parent_close = parent_close_policy::terminate;
};

enum class pending_nexus_operation_state {
    scheduled,     ///< its start request is on its way (or waits for a handler worker)
    backing_off,   ///< the last attempt failed and is retried at next_attempt_schedule_time
    started,       ///< asynchronous, started: its outcome comes when the handler's workflow ends
    blocked,       ///< the endpoint's circuit breaker is open, or its rate limit holds it
};
const char* to_string(pending_nexus_operation_state) noexcept;

struct pending_nexus_operation_info {
    std::string endpoint{}, service{}, operation{};
    std::string operation_token{};   ///< once started
    std::int64_t scheduled_event_id = 0;
    pending_nexus_operation_state state = pending_nexus_operation_state::scheduled;
    int attempt = 1;
    std::chrono::system_clock::time_point scheduled_time{};
    std::chrono::system_clock::time_point schedule_to_close_deadline{};   ///< epoch: none
    std::chrono::system_clock::time_point next_attempt_schedule_time{};   ///< epoch: not backing off
    std::optional<failure> last_attempt_failure{};
    std::string blocked_reason{};   ///< why it is not being attempted now, when it is not
    bool cancel_requested = false;
};

/// A completion this run owes the caller of a Nexus operation it serves: sent when it closes.
struct pending_callback_info {
    std::string endpoint{}, service{}, operation{}, operation_token{}, request_id{};
    std::string caller_workflow_id{}, caller_run_id{};   ///< empty when the caller is not in memory
    std::string state{"STANDBY"};                        ///< Temporal's CallbackState: waiting for the run to close
};

/// The run's workflow task, when one is owed: inbound events wait to be handled, or its last
/// attempt failed and it is retried.
struct pending_workflow_task_info {
    int attempt = 1;
    std::string last_failure{};   ///< empty unless an attempt failed
    bool blocked = false;         ///< nondeterminism: not retried until the process restarts
    /// Who runs it when not this engine (a shared store): "engines whose worker registers
    /// workflow type T on task queue Q", which claim it from the shared task table.
    std::string offered_to{};
};

}   // namespace perdure
