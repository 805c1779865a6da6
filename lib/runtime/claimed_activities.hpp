// An engine standing by beside the owner of a shared store (PostgreSQL) runs the activity
// attempts the owner offers on the task queues its workers serve, as a Temporal worker polls a
// task queue: it claims them (store::claim_tasks), has the owner record each start, runs it
// with the owner's timeouts, and reports heartbeats and the outcome through the inbox. The owner
// decides everything else. Strand only, except the attempts' own threads.
#pragma once

#include "runtime/activity_dispatcher.hpp"
#include "runtime/activity_threads.hpp"
#include "runtime/claim_rounds.hpp"
#include "runtime/worker_registry.hpp"
#include "store/store.hpp"

#include <perdure/clock.hpp>

#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>

namespace perdure::detail {

class claimed_activities {
public:
    /// How long a claim holds before the owner must have recorded the attempt's start.
    static constexpr std::chrono::seconds claim_ttl{30};

    /// `threads`: how many attempts run at once (engine_options::activity_threads).
    claimed_activities(claimer_host& host, store& s, worker_registry& workers, std::shared_ptr<clock> clock,
                       boost::asio::any_io_executor strand, std::size_t threads);

    /// Claims what is offered on the served queues (of namespace `ns_id` only, when not 0).
    void claim(std::int64_t ns_id = 0) { rounds_.claim(ns_id); }
    void poll_if_due() { rounds_.poll_if_due(); }
    /// Running attempts see cancellation through heartbeat(); nothing more is claimed.
    void stop();
    /// Waits for the attempts running on threads.
    void join();

private:
    struct attempt;
    void claimed(claimed_task c);
    void run(std::shared_ptr<attempt> a);
    void heartbeat(std::shared_ptr<attempt> a, boost::json::value details);
    /// Sends the details a throttled heartbeat held back, once their interval ended.
    void flush_held(std::shared_ptr<attempt> a);
    void finished(std::shared_ptr<attempt> a, boost::json::value result, std::optional<failure> f);
    /// The owner's answer to a start or a heartbeat; false when it did not answer.
    static activity_dispatcher::report_answer answer_of(std::exception_ptr e, const inbox_answer& answer);

    claimer_host& host_;
    worker_registry& workers_;
    std::shared_ptr<clock> clock_;
    boost::asio::any_io_executor strand_;
    claim_rounds rounds_;
    std::map<std::pair<std::int64_t, std::int64_t>, std::shared_ptr<attempt>> running_;   // by (run key, seq)
    std::unique_ptr<activity_threads> threads_;   // made at the first claim: an owner never needs them
};

}   // namespace perdure::detail
