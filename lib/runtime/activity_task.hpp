// An activity the engine owes a run: scheduled, waiting, backing off or running an attempt.
#pragma once

#include "machines/activity_options.hpp"
#include "store/rows.hpp"

#include <perdure/activity_context.hpp>
#include <perdure/failure.hpp>
#include <perdure/options.hpp>
#include <perdure/pending_work.hpp>

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <limits>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

namespace perdure::detail {

struct task_key {
    std::int64_t run_key = 0, seq = 0;
    auto operator<=>(const task_key&) const = default;
};
/// The entries of one run in a map keyed by task_key, which orders a run's tasks together: the
/// range [first, second), for dropping a closing run's entries without scanning the others.
template <class Map>
auto run_range(Map& by_task, std::int64_t run_key) {
    constexpr auto lowest = std::numeric_limits<std::int64_t>::min();
    return std::pair{by_task.lower_bound(task_key{run_key, lowest}),
                     by_task.lower_bound(task_key{run_key + 1, lowest})};
}

struct task_key_hash {
    std::size_t operator()(const task_key& k) const noexcept {
        return static_cast<std::size_t>(k.run_key * 1000003 + k.seq);
    }
};

/// Shared between the engine and one running attempt: cancellation and heartbeats. As
/// Temporal's SDKs do, heartbeats are sent at most once per throttle interval; details held
/// back are sent when the interval ends, and the heartbeat timeout counts from the last call.
struct activity_control {
    std::atomic<bool> cancel{false};
    std::atomic<std::int64_t> last_call_us{0};   ///< the last heartbeat() call, engine time
    std::mutex mutex;
    std::int64_t last_sent_us = 0;
    std::int64_t throttle_us = 0;
    bool flush_pending = false;                     ///< held details wait for the interval's end
    std::optional<boost::json::value> latest;       ///< the last details given, sent or not
    std::function<std::int64_t()> now_us;           ///< the engine's clock
    std::function<void(boost::json::value)> send;   ///< posts a heartbeat to the engine
    std::function<void(std::int64_t)> flush_at;     ///< asks the engine to send held details then

    /// The details held back by the throttle, now sent (at `now_us`); none when nothing waits.
    std::optional<boost::json::value> take_held(std::int64_t now_us) {
        std::lock_guard lk(mutex);
        if (!flush_pending || !latest) return std::nullopt;
        flush_pending = false;
        last_sent_us = now_us;
        return *latest;
    }
    /// The last details given, sent or held.
    std::optional<boost::json::value> latest_details() {
        std::lock_guard lk(mutex);
        return latest;
    }
};

struct activity_task {
    task_key key;
    std::int64_t ns_id = 0;
    std::string activity_type, activity_id, task_queue, workflow_id, run_id;
    boost::json::value input;
    activity_timeouts timeouts;
    retry_policy policy;
    int attempt = 1;
    std::int64_t scheduled_time_us = 0;
    std::int64_t due_us = 0;   ///< when the current attempt may start
    boost::json::value heartbeat_details;
    std::optional<failure> last_failure;

    /// waiting: for a worker on its queue or a free activity thread; starting: its attempt's
    /// handed_to_thread mark is being committed; running: its code runs.
    enum class state { waiting_for_worker, backing_off, starting, running } st = state::waiting_for_worker;
    int flags = 0;                               ///< task_flags of its row
    bool in_thread_queue = false;                ///< waits for a free activity thread
    bool in_thread = false;                      ///< its hand-over with the schedule reserved a thread
    std::uint64_t generation = 0;                ///< results of older attempts are dropped
    std::int64_t started_us = 0;                 ///< when the last attempt began running
    std::shared_ptr<activity_control> control;   ///< none for an attempt running on another engine
    bool cancel_requested = false;
    std::int64_t cancel_requested_event_id = 0;   ///< its ActivityTaskCancelRequested, once recorded
    /// The attempt heartbeated details over the payload limit: it fails, whatever it returns.
    bool details_too_large = false;
    /// Its waiting attempt is offered to the engines sharing the store (no worker here serves
    /// its queue); the offer is withdrawn when an attempt starts or the activity closes.
    bool offered = false;
    /// Its running attempt was claimed by another engine, which reports on it (remote_*).
    bool remote = false;
    std::int64_t reported_heartbeat_us = 0;   ///< when that engine's last heartbeat arrived
    std::string worker_identity;              ///< that engine's name, for ActivityTaskStarted

    /// Its outbox row: what recovery needs to dispatch it again.
    task_row row() const {
        return {key.run_key, key.seq, task_kind::activity, attempt, due_us, boost::json::serialize(heartbeat_details),
                flags};
    }
};

}   // namespace perdure::detail
