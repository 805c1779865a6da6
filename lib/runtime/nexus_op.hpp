// Nexus on the engine side: an operation a caller run scheduled (until it has started or
// ended) and endpoints as the store keeps them. The completion callback a handler run owes its
// callers is part of the run's identity (history/run_identity.hpp).
#pragma once

#include "machines/nexus_failure.hpp"
#include "history/event.hpp"
#include "nexus/caller_guards.hpp"
#include "runtime/activity_task.hpp"
#include "store/rows.hpp"

#include <perdure/failure.hpp>
#include <perdure/nexus.hpp>
#include <perdure/options.hpp>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <exception>
#include <map>
#include <optional>
#include <string>

namespace perdure::detail {

struct nexus_op {
    task_key key;             ///< caller run, NexusOperationScheduled event id
    std::int64_t ns_id = 0;   ///< the caller's namespace
    std::string endpoint, endpoint_id, service, operation, request_id;
    boost::json::value input;
    boost::json::object header;
    std::int64_t scheduled_us = 0, schedule_to_close_ms = 0, schedule_to_start_ms = 0, start_to_close_ms = 0;
    int attempt = 1;
    enum class state { scheduled, backing_off, running, blocked, started } st = state::scheduled;
    std::uint64_t generation = 0;   ///< results of attempts that timed out are dropped
    bool handler_running = false;   ///< a sync handler that overran its request timeout still runs
    std::optional<failure> last_failure;
    std::int64_t next_attempt_us = 0;   ///< while backing off
    std::string waiting_for;            ///< why no attempt runs now (describe's blocked reason); empty when one may
    attempt_pass pass;                  ///< the start attempt the breaker counts in flight, if any
    std::string token;
    /// The attempt is offered to the engines sharing the store, and an answer from the one that
    /// claims it is awaited.
    bool offered = false;
    /// Where the last attempt was offered (handler namespace, target queue); empty when it was not.
    std::int64_t offered_ns_id = 0;
    std::string offered_queue;
    bool started_recorded = false;   ///< NexusOperationStarted reached the caller's history
    bool cancel_requested = false;
    std::int64_t cancel_requested_event_id = 0;
};

/// A workflow-run operation's start, once its options callback ran on the handler pool.
struct handler_start {
    nexus::operation_context ctx;
    std::string workflow_type, task_queue;   ///< task_queue: the one the handler's worker serves
    std::int64_t ns_id = 0;                  ///< the handler namespace
    std::optional<start_workflow_options> options{};
    std::optional<failure> error{};   ///< what the callback's exception means instead
};

/// An operation as its caller's committed history records it.
struct nexus_progress {
    std::optional<event> scheduled;   ///< NexusOperationScheduled, when it exists
    bool started = false, ended = false;
    std::string token;   ///< from NexusOperationStarted
};

/// The failure the caller records: NexusOperationFailureInfo naming the operation, wrapping `cause`.
failure caller_failure(const nexus_op& op, failure cause);

endpoint_row row_of(const nexus::endpoint&);
nexus::endpoint endpoint_of(const endpoint_row&);

}   // namespace perdure::detail
