// Claiming offered attempts of one kind from the shared task table (store::claim_tasks), as a
// Temporal worker polls its task queues: at most `capacity` claimed and unfinished at once; one
// round in flight at a time, over every served queue (a round asked for meanwhile follows it),
// on the store's reader thread; each round starting at the next queue, so that a busy one does
// not take every free place. Strand only.
#pragma once

#include "runtime/activity_dispatcher.hpp"
#include "runtime/owner_link.hpp"
#include "runtime/worker_registry.hpp"
#include "store/store.hpp"

#include <boost/json/value.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace perdure::detail {

/// What an engine that claims offered attempts needs of the engine around it, and nothing more.
class claimer_host {
public:
    virtual std::int64_t now_us() const = 0;
    /// Standing by, started and not stopping: offers may be claimed.
    virtual bool claims_tasks() const = 0;
    /// Sends a report to the owner; `then` hears its answer on the strand.
    virtual void report(inbox_command report, owner_link::answered then) = 0;
    virtual std::string namespace_name(std::int64_t ns_id) const = 0;
    virtual strand_handoff handoff() = 0;
    /// A workflow instance was rebuilt from a history that had run before (the engine's replay
    /// count, as its own cache misses are).
    virtual void count_replay() = 0;
    /// Lets handler code reach the engine through its context (a client of it, say).
    virtual void attach_engine(nexus::operation_context& ctx) = 0;

protected:
    ~claimer_host() = default;
};

/// This engine's name in claims and in the events that record who ran an attempt: host:pid.
std::string claimer_name();
/// `text` parsed, or null when it is empty or not JSON.
boost::json::value parsed_or_null(const std::string& text);

class claim_rounds {
public:
    /// How often every served queue is looked at without a notice: notices are lost while the
    /// listener reconnects, and an expired claim is not announced.
    static constexpr std::chrono::seconds poll_interval{1};

    /// The queues to claim on and the types (activity types, Nexus services) each serves, of
    /// namespace `ns_id` only when not 0.
    using served_fn = std::function<std::vector<worker_registry::queue_names>(std::int64_t ns_id)>;

    claim_rounds(claimer_host& host, store& s, task_kind kind, std::chrono::milliseconds claim_ttl,
                 std::size_t capacity, served_fn served, std::function<void(claimed_task)> claimed);

    /// Claims what is offered on the served queues (of `ns_id` only, when not 0), as many as
    /// there are free places.
    void claim(std::int64_t ns_id = 0);
    /// Claims on every served queue when poll_interval has passed since the last time.
    void poll_if_due();
    /// A claimed attempt is over: its place is free, and more is claimed.
    void finished();
    /// Nothing more is claimed.
    void stop() { stopped_ = true; }
    bool stopped() const noexcept { return stopped_; }
    const std::string& claimer() const noexcept { return claimer_; }
    std::size_t capacity() const noexcept { return capacity_; }

private:
    claimer_host& host_;
    store& store_;
    task_kind kind_;
    std::chrono::milliseconds claim_ttl_;
    std::size_t capacity_;
    served_fn served_;
    std::function<void(claimed_task)> claimed_;
    std::string claimer_;
    bool stopped_ = false;
    std::size_t in_flight_ = 0;   // claimed and not finished: at most capacity_
    bool claiming_ = false;       // a round is in flight
    bool claim_again_ = false;    // another was asked for meanwhile
    std::size_t rounds_ = 0;
    std::chrono::steady_clock::time_point polled_at_{};
};

}   // namespace perdure::detail
