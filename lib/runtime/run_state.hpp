// What the engine keeps in memory for an open run: identity, the next event id, its live
// instance when cached, events waiting for an activation, and clients waiting for its end.
#pragma once

#include "replay/event.hpp"
#include "replay/instance.hpp"
#include "store/rows.hpp"
#include "support/unique_function.hpp"

#include <boost/json/value.hpp>

#include <cstdint>
#include <exception>
#include <functional>
#include <list>
#include <memory>
#include <string>
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

    std::unique_ptr<instance> inst;       ///< null when evicted or never built
    std::list<std::int64_t>::iterator lru{};
    bool in_lru = false;
    std::size_t counted_bytes = 0;

    bool loading = false;
    bool activation_scheduled = false;
    std::vector<inbound> pending;         ///< not yet in history
    std::vector<event> tail;              ///< in history, not yet seen by an activation (after replay)
    bool owes_activation = false;         ///< its history ends with inbound events (found at open)

    // workflow task failures
    bool task_failed = false;             ///< a failure is stored on the execution
    bool blocked = false;                 ///< nondeterminism: not retried until the process restarts
    int task_attempt = 0;

    /// Clients waiting for the run to close: called with the close event.
    std::vector<unique_function<void(std::exception_ptr, const event*)>> result_waiters;
};

struct run_id_key {
    std::int64_t ns_id;
    std::string workflow_id;
    bool operator==(const run_id_key&) const = default;
};
struct run_id_key_hash {
    std::size_t operator()(const run_id_key& k) const noexcept {
        return std::hash<std::string>{}(k.workflow_id) ^ (static_cast<std::size_t>(k.ns_id) * 0x9e3779b97f4a7c15ull);
    }
};

}  // namespace perdure::detail
