// An engine standing by beside the owner of a shared store (PostgreSQL) runs the activity
// attempts the owner offers on the task queues its workers serve, as a Temporal worker polls a
// task queue: it claims them (store::claim_tasks), has the owner record each start, runs it
// with the owner's timeouts, and reports heartbeats and the outcome through the inbox. The owner
// decides everything else. Strand only, except the attempts' own threads.
#pragma once

#include "runtime/activity_dispatcher.hpp"
#include "runtime/activity_threads.hpp"
#include "runtime/owner_link.hpp"
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

/// What the claimer needs of the engine around it, and nothing more.
class claimed_activity_host {
public:
    virtual std::int64_t now_us() const = 0;
    /// Standing by, started and not stopping: offers may be claimed.
    virtual bool claims_tasks() const = 0;
    /// Sends a report to the owner; `then` hears its answer on the strand.
    virtual void report(inbox_command report, owner_link::answered then) = 0;
    virtual std::string namespace_name(std::int64_t ns_id) const = 0;
    virtual strand_handoff handoff() = 0;

protected:
    ~claimed_activity_host() = default;
};

class claimed_activities {
public:
    /// How long a claim holds before the owner must have recorded the attempt's start.
    static constexpr std::chrono::seconds claim_ttl{30};
    /// How often every served queue is looked at without a notice: offers whose claim expired
    /// are not announced, and notices are lost while the listener reconnects.
    static constexpr std::chrono::seconds poll_interval{1};

    /// `threads`: how many attempts run at once (engine_options::activity_threads).
    claimed_activities(claimed_activity_host& host, store& s, worker_registry& workers, std::shared_ptr<clock> clock,
                       boost::asio::any_io_executor strand, std::size_t threads);

    /// Claims what is offered on the served queues (of namespace `ns_id` only, when not 0), as
    /// many as there are free places, in one round on the store's reader thread.
    void claim(std::int64_t ns_id = 0);
    /// Claims on every served queue when poll_interval has passed since the last time.
    void poll_if_due();
    /// Running attempts see cancellation through heartbeat(); nothing more is claimed.
    void stop();
    /// Waits for the attempts running on threads.
    void join();

private:
    struct attempt;
    struct served_queue {
        std::int64_t ns_id;
        std::string task_queue;
        std::vector<std::string> types;
    };
    void claimed(claimed_task c);
    void run(std::shared_ptr<attempt> a);
    void heartbeat(std::shared_ptr<attempt> a, boost::json::value details);
    /// Sends the details a throttled heartbeat held back, once their interval ended.
    void flush_held(std::shared_ptr<attempt> a);
    void finished(std::shared_ptr<attempt> a, boost::json::value result, std::optional<failure> f);
    /// The owner's answer to a start or a heartbeat; false when it did not answer.
    static activity_dispatcher::report_answer answer_of(std::exception_ptr e, const inbox_answer& answer);

    claimed_activity_host& host_;
    store& store_;
    worker_registry& workers_;
    std::shared_ptr<clock> clock_;
    boost::asio::any_io_executor strand_;
    std::size_t capacity_;
    std::string claimer_;   // this engine's name in the claims
    bool stopped_ = false;
    std::size_t in_flight_ = 0;   // claimed and not finished: at most capacity_
    bool claiming_ = false;       // a round of claims is in flight
    bool claim_again_ = false;    // another was asked for meanwhile
    std::size_t rounds_ = 0;
    std::chrono::steady_clock::time_point polled_at_{};
    std::map<std::pair<std::int64_t, std::int64_t>, std::shared_ptr<attempt>> running_;   // by (run key, seq)
    std::unique_ptr<activity_threads> threads_;   // made at the first claim: an owner never needs them
};

}   // namespace perdure::detail
