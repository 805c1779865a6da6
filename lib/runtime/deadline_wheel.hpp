// Every deadline in one ordered set: durable timers, timeouts, retry backoffs; and what the
// engine waits for. One Asio timer (or, with a manual clock, the clock's moves) wakes the
// engine for the earliest; the wheel says when that wait must be planned again.
#pragma once

#include <boost/intrusive/set.hpp>

#include <atomic>
#include <cstdint>
#include <limits>
#include <optional>
#include <tuple>

namespace perdure::detail {

/// Persisted kinds match deadline_kind; the rest live in memory only.
enum class wheel_kind : int {
    timer = 1,
    run_timeout = 2,
    execution_timeout = 3,
    activity_schedule_to_close = 4,
    workflow_backoff = 5,
    nexus_schedule_to_close = 6,
    nexus_schedule_to_start = 7,
    nexus_start_to_close = 8,
    activity_retry = 100,
    activity_start_to_close = 101,
    activity_heartbeat = 102,
    activity_schedule_to_start = 103,
    task_retry = 104,
    nexus_retry = 105,
    nexus_request_timeout = 106,
    nexus_deferred_completion = 107,   ///< an asynchronous override's handler runs
    activity_heartbeat_flush = 108,    ///< held heartbeat details are sent
};

struct wheel_entry {
    std::int64_t due_us = 0;
    wheel_kind kind{};
    std::int64_t run_key = 0, seq = 0;
    auto tie() const { return std::tie(due_us, kind, run_key, seq); }
    bool operator<(const wheel_entry& o) const { return tie() < o.tie(); }
};

class deadline_wheel {
public:
    deadline_wheel() = default;
    deadline_wheel(const deadline_wheel&) = delete;
    deadline_wheel& operator=(const deadline_wheel&) = delete;
    ~deadline_wheel();

    /// Arms (or moves) an entry. True when it is due before what the engine waits for, which
    /// must then be planned again.
    bool arm(wheel_kind kind, std::int64_t run_key, std::int64_t seq, std::int64_t due_us);
    void disarm(wheel_kind kind, std::int64_t run_key, std::int64_t seq);
    /// Removes every deadline of a run.
    void disarm_run(std::int64_t run_key);
    /// Disarms everything.
    void clear();
    std::optional<std::int64_t> next_due() const;
    /// When an entry is due, if it is armed.
    std::optional<std::int64_t> due_of(wheel_kind kind, std::int64_t run_key, std::int64_t seq) const;
    /// Removes and returns the earliest entry due at or before `now_us`.
    std::optional<wheel_entry> pop_due(std::int64_t now_us);
    std::size_t size() const noexcept { return by_due_.size(); }

    /// The engine is about to wait for the earliest entry: returns its due time (none when the
    /// wheel is empty) and remembers it as what the engine waits for.
    std::optional<std::int64_t> plan_wait();
    /// The wait ended: nothing is waited for until the next plan.
    void woke() noexcept { waiting_for_us_ = 0; }
    /// The earliest due time, readable from any thread (the test environment moves its clock
    /// by it); INT64_MAX when none.
    std::int64_t next_due_snapshot() const noexcept { return next_due_snapshot_.load(); }

private:
    void publish_next_due() noexcept;

    // One node per deadline in two intrusive trees, by due time and by (run, kind, seq): a
    // parked workflow's timer costs one allocation, not a node in each of two maps.
    using hook = boost::intrusive::set_member_hook<boost::intrusive::optimize_size<true>>;
    struct node {
        // The entry with its kind in the top bits of its seq (event ids and outbox seqs, far
        // inside 56 bits): 72 bytes, a malloc size class below 80.
        std::int64_t due_us, run_key;
        std::int64_t seq : 56;
        std::int64_t kind : 8;
        hook by_due, by_key;
        wheel_entry entry() const noexcept { return {due_us, static_cast<wheel_kind>(kind), run_key, seq}; }
    };
    using key = std::tuple<std::int64_t, int, std::int64_t>;   // run_key, kind, seq (a run's entries are adjacent)
    struct key_of {
        using type = key;
        key operator()(const node& n) const noexcept { return {n.run_key, static_cast<int>(n.kind), n.seq}; }
    };
    struct due_order {
        bool operator()(const node& a, const node& b) const noexcept { return a.entry() < b.entry(); }
    };
    using by_due_tree = boost::intrusive::multiset<node, boost::intrusive::member_hook<node, hook, &node::by_due>,
                                                   boost::intrusive::compare<due_order>>;
    using by_key_tree = boost::intrusive::set<node, boost::intrusive::member_hook<node, hook, &node::by_key>,
                                              boost::intrusive::key_of_value<key_of>>;
    /// Unlinks a node from both trees and frees it.
    void remove(node& n) noexcept;

    by_due_tree by_due_;
    by_key_tree by_key_;
    std::int64_t waiting_for_us_ = 0;   // 0: the engine waits for nothing
    std::atomic<std::int64_t> next_due_snapshot_{std::numeric_limits<std::int64_t>::max()};
};

}   // namespace perdure::detail
