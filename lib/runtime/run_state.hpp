// What the engine keeps in memory for an open run: identity, the next event id, its live
// instance when cached, events waiting for an activation, and clients waiting for its end.
#pragma once

#include "history/event.hpp"
#include "replay/workflow_instance.hpp"
#include "runtime/nexus_op.hpp"
#include "store/rows.hpp"
#include "support/unique_function.hpp"

#include <perdure/options.hpp>

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace perdure::detail {

/// An inbound event not yet in history, with the writes that must commit with it and who
/// waits to hear that it was recorded (called with an error if it never will be).
struct inbound {
    event e;
    std::vector<write_op> ops{};
    std::vector<unique_function<void(std::exception_ptr)>> on_recorded{};
};

struct run_state {
    std::int64_t run_key = 0, ns_id = 0;
    std::string workflow_id, run_id, workflow_type, task_queue;
    run_status status = run_status::running;
    std::int64_t start_time_us = 0;
    std::int64_t run_timeout_ms = 0;
    std::string first_run_id;
    std::string request_id;               ///< of the start that created it (retried starts dedupe on it)
    std::int64_t next_event_id = 1;
    std::uint64_t last_unit = 0;          ///< the last writer unit touching this run

    std::unique_ptr<workflow_instance> inst;       ///< null when evicted or never built
    std::list<std::int64_t>::iterator lru{};
    bool in_lru = false;
    std::size_t counted_bytes = 0;

    bool loading = false;
    bool activation_scheduled = false;
    std::vector<inbound> pending;         ///< not yet in history
    std::vector<event> tail;              ///< in history, not yet seen by an activation (after replay)
    bool owes_activation = false;         ///< its history ends with inbound events (found at open)

    // workflow task failures
    std::string task_failure_message;     ///< the failure stored on the execution, while its task fails
    bool blocked = false;                 ///< nondeterminism: not retried until the process restarts
    int task_attempt = 0;

    /// Clients waiting for the run to close: called with the close event.
    std::vector<unique_function<void(std::exception_ptr, const event*)>> result_waiters;

    // chain and family
    std::int64_t execution_deadline_us = 0;   ///< absolute, carried over continue-as-new and retries
    std::optional<retry_policy> retry{};      ///< the workflow's own retry policy
    int attempt = 1;
    std::int64_t parent_run_key = 0, parent_initiated_event_id = 0;
    parent_close_policy parent_close = parent_close_policy::terminate;
    std::int64_t backoff_until_us = 0;        ///< a retry run's first activation waits until then

    // messages
    struct update_request {
        std::string name, id;
        boost::json::value arg;
        unique_function<void(std::exception_ptr, boost::json::value)> cb;
    };
    std::vector<update_request> pending_updates;
    /// Clients waiting for an accepted update's outcome, by update id.
    std::unordered_map<std::string, std::vector<unique_function<void(std::exception_ptr, boost::json::value)>>>
        update_waiters;
    struct query_request {
        std::string name;
        boost::json::value arg;
        unique_function<void(std::exception_ptr, boost::json::value)> cb;
    };
    std::vector<query_request> pending_queries;   ///< waiting for the instance to be rebuilt

    /// Callers of Nexus operations this run serves: told when it closes.
    std::vector<nexus_callback> callbacks;
};

/// What a new run is made of: a client start, a child start, a continuation or a retry.
struct run_spec {
    std::int64_t ns_id = 0;
    std::string workflow_id, workflow_type, task_queue;
    boost::json::value input;
    std::string run_id;                       ///< empty: a new one
    std::string first_run_id, continued_run_id, request_id;
    std::int64_t execution_deadline_us = 0;   ///< absolute; 0: none
    std::chrono::milliseconds execution_timeout{0}, run_timeout{0};
    std::chrono::milliseconds task_timeout{0};   ///< recorded only: every task runs in this process at once
    std::optional<retry_policy> retry{};
    int attempt = 1;
    boost::json::object memo{};
    const char* initiator = nullptr;          ///< "WORKFLOW" (continue-as-new) or "RETRY"
    std::int64_t first_task_backoff_ms = 0;
    std::int64_t parent_run_key = 0, parent_initiated_event_id = 0;
    std::string parent_workflow_id, parent_run_id;
    parent_close_policy parent_close = parent_close_policy::terminate;
    std::vector<nexus_callback> callbacks{};
    boost::json::array links{};               ///< on WorkflowExecutionStarted (e.g. the Nexus caller)
};

}  // namespace perdure::detail
