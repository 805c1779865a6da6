// What the engine keeps in memory for an open run: its identity (as the store keeps it), the
// next event id, its live instance when cached, events waiting for an activation, and clients
// waiting for its end.
#pragma once

#include "history/event.hpp"
#include "history/run_identity.hpp"
#include "replay/workflow_instance.hpp"
#include "runtime/nexus_op.hpp"
#include "store/rows.hpp"
#include "support/boxed.hpp"
#include "support/lazy_vector.hpp"
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
#include <utility>
#include <vector>

namespace perdure::detail {

/// An inbound event not yet in history, with the writes that must commit with it and who
/// waits to hear that it was recorded (called with an error if it never will be).
struct inbound {
    event e;
    std::vector<write_op> ops{};
    /// One member of the event's attributes (a workflow's input, an activity's result, a
    /// signal's argument) already serialized to check its size: the stored form takes this text
    /// as it is instead of serializing the member again. Null: none.
    const char* serialized_member = nullptr;
    std::string serialized_json{};
    std::vector<unique_function<void(std::exception_ptr)>> on_recorded{};
};

/// Hears the run's close event, or the error that ends the wait; neither (null, null) when the
/// run moved to another engine and is to be waited for there.
using result_waiter = unique_function<void(std::exception_ptr, const event*)>;
using message_callback = unique_function<void(std::exception_ptr, boost::json::value)>;
/// Clients waiting on a run: for its close, for an update's outcome, for a query's answer.
struct waiting_clients {
    /// Called with the close event.
    std::vector<result_waiter> result_waiters;
    struct update_request {
        std::string name, id;
        boost::json::value arg;
        message_callback cb;
    };
    std::vector<update_request> pending_updates;
    /// Updates of a run whose workflow another engine runs, carried by the run's offered
    /// workflow task until that engine validates them; their callers wait in update_waiters.
    struct offered_update {
        std::string name, id;
        boost::json::value arg;
    };
    std::vector<offered_update> offered_updates;
    /// Clients waiting for an accepted update's outcome, by update id.
    std::unordered_map<std::string, std::vector<message_callback>> update_waiters;
    struct query_request {
        std::string name;
        boost::json::value arg;
        message_callback cb;
    };
    std::vector<query_request> pending_queries;   ///< waiting for the instance to be rebuilt
};

/// A run in memory is its identity (public base: the engine reads `r.workflow_id` and
/// friends everywhere) plus what changes while it runs.
struct run_state : run_identity {
    run_identity& identity() noexcept { return *this; }
    const run_identity& identity() const noexcept { return *this; }

    // Ordered so that a parked run, of which an engine may hold millions, carries no padding:
    // the words first, the small fields together at the end.
    std::int64_t next_event_id = 1;
    std::uint64_t last_unit = 0;   ///< the last writer unit touching this run

    std::unique_ptr<workflow_instance> inst;   ///< null when evicted or never built
    std::list<std::int64_t>::iterator lru{};

    lazy_vector<inbound> pending;   ///< not yet in history

    /// The failure stored on the execution, while its task fails (rare: boxed).
    boxed<std::string> task_failure_message;

    /// Clients waiting on the run; most runs never have any, so a parked run holds only a null
    /// pointer for them.
    std::unique_ptr<waiting_clients> clients;
    waiting_clients& clients_or_new() {
        if (!clients) clients = std::make_unique<waiting_clients>();
        return *clients;
    }
    bool has_pending_messages() const noexcept {
        return clients && (!clients->pending_updates.empty() || !clients->pending_queries.empty());
    }
    /// The clients waiting for the close, taken out to be answered.
    std::vector<result_waiter> take_result_waiters() {
        return clients ? std::exchange(clients->result_waiters, {}) : std::vector<result_waiter>{};
    }
    /// Frees the clients' part once nobody waits any more.
    void drop_clients_if_none() noexcept {
        if (clients && clients->result_waiters.empty() && clients->pending_updates.empty() &&
            clients->update_waiters.empty() && clients->pending_queries.empty() && clients->offered_updates.empty())
            clients.reset();
    }

    run_status status = run_status::running;
    int task_attempt = 0;              ///< workflow task failures so far
    std::uint32_t counted_bytes = 0;   ///< the cached instance's size in the cache's budget
    // Bits, so that the state ends within a word of the counters above.
    bool in_lru : 1 = false;
    bool loading : 1 = false;
    bool activation_scheduled : 1 = false;
    bool owes_activation : 1 = false;   ///< its history ends with inbound events (found at open)
    bool blocked : 1 = false;           ///< nondeterminism: not retried until the process restarts
    bool in_backoff : 1 = false;        ///< a retry's first activation waits for its workflow_backoff deadline
    /// Its workflow task is offered to other engines at its history's current end.
    bool task_offered : 1 = false;
    /// A cancel request is in its history (known here once recorded, or once its instance saw it).
    bool cancel_requested : 1 = false;
};

/// What a new run is made of: a client start, a child start, a continuation or a retry. Its
/// identity is complete once create_run gives it a run key and a start time, and an id, a
/// first run id and a request id where it has none.
struct run_spec {
    run_identity id;
    boost::json::value input;
    std::string input_json;   ///< the input already serialized (a client start checks its size); empty: not yet
    std::chrono::milliseconds execution_timeout{0};   ///< recorded; the deadline is in `id`
    std::chrono::milliseconds task_timeout{0};        ///< recorded only: every task runs in this process at once
    std::string continued_run_id;
    const char* initiator = nullptr;   ///< "WORKFLOW" (continue-as-new) or "RETRY"
    std::int64_t first_task_backoff_ms = 0;
    boost::json::array links{};   ///< on WorkflowExecutionStarted (e.g. the Nexus caller)
};

}   // namespace perdure::detail
