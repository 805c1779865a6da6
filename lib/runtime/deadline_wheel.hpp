// Every deadline in one ordered set: durable timers, timeouts, retry backoffs; and what the
// engine waits for. One Asio timer (or, with a manual clock, the clock's moves) wakes the
// engine for the earliest; the wheel says when that wait must be planned again.
#pragma once

#include <atomic>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <set>
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
    /// Arms (or moves) an entry. True when it is due before what the engine waits for, which
    /// must then be planned again.
    bool arm(wheel_kind kind, std::int64_t run_key, std::int64_t seq, std::int64_t due_us);
    void disarm(wheel_kind kind, std::int64_t run_key, std::int64_t seq);
    /// Removes every deadline of a run.
    void disarm_run(std::int64_t run_key);
    std::optional<std::int64_t> next_due() const;
    /// When an entry is due, if it is armed.
    std::optional<std::int64_t> due_of(wheel_kind kind, std::int64_t run_key, std::int64_t seq) const;
    /// Removes and returns the earliest entry due at or before `now_us`.
    std::optional<wheel_entry> pop_due(std::int64_t now_us);
    std::size_t size() const noexcept { return entries_.size(); }

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

    using key = std::tuple<std::int64_t, int, std::int64_t>;   // run_key, kind, seq (a run's entries are adjacent)
    std::set<wheel_entry> entries_;
    std::map<key, std::int64_t> due_of_;
    std::int64_t waiting_for_us_ = 0;   // 0: the engine waits for nothing
    std::atomic<std::int64_t> next_due_snapshot_{std::numeric_limits<std::int64_t>::max()};
};

}   // namespace perdure::detail
