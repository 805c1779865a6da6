// An engine standing by beside the owner of a shared store (PostgreSQL) runs the Nexus handlers
// of the operations the owner offers on the task queues its workers serve services on, as a
// Temporal worker polls a Nexus task queue: it claims an attempt (store::claim_tasks), runs the
// handler on a pool of its own, and reports what it answered through the inbox (a sync result,
// a workflow-run operation's start options, or the failure). The owner records everything.
// Strand only, except the handlers' own threads.
#pragma once

#include "runtime/claim_rounds.hpp"
#include "runtime/worker_registry.hpp"
#include "store/store.hpp"

#include <boost/asio/thread_pool.hpp>

#include <memory>

namespace perdure::detail {

class claimed_nexus_operations {
public:
    /// `threads`: how many handlers run at once (engine_options::nexus_handler_threads).
    claimed_nexus_operations(claimer_host& host, store& s, worker_registry& workers, std::size_t threads);

    /// Claims what is offered on the served queues (of namespace `ns_id` only, when not 0).
    void claim(std::int64_t ns_id = 0) { rounds_.claim(ns_id); }
    void poll_if_due() { rounds_.poll_if_due(); }
    /// Nothing more is claimed; running handlers finish and report.
    void stop() { rounds_.stop(); }
    /// Waits for the handlers still running.
    void join();

private:
    void claimed(claimed_task c);

    claimer_host& host_;
    worker_registry& workers_;
    claim_rounds rounds_;
    std::unique_ptr<boost::asio::thread_pool> pool_;   // made at the first claim: an owner never needs it
};

}   // namespace perdure::detail
