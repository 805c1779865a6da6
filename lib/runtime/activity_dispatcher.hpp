// The engine's activities: each scheduled activity from its schedule to its close event,
// dispatched after the schedule commits, its attempts on the activity pool (or started on the
// strand when async), retried with backoff, timed out, cancelled and recovered. Nothing is
// written at dispatch: ActivityTaskStarted is recorded with the close event, carrying the
// final attempt. Strand only, except the attempts' own threads.
#pragma once

#include "runtime/activity_task.hpp"
#include "runtime/activity_threads.hpp"
#include "runtime/commit_pipeline.hpp"
#include "runtime/deadline_wheel.hpp"
#include "runtime/outbox.hpp"
#include "runtime/run_state.hpp"
#include "runtime/work_tracker.hpp"
#include "runtime/worker_registry.hpp"
#include "support/unique_function.hpp"

#include <perdure/clock.hpp>
#include <perdure/definitions.hpp>
#include <perdure/detail/async_activity.hpp>

#include <boost/asio/any_io_executor.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace perdure::detail {

/// Runs a job on the engine's strand from any thread for as long as the engine lives (a job
/// handed over later is dropped); `ends`, when set, is work that is done once the job is posted.
using strand_handoff = std::function<void(unique_function<void()> job, std::optional<work_tracker::kind> ends)>;

/// A new attempt's control, timed by `clock`: heartbeats throttled as Temporal's SDKs throttle
/// them, the heartbeat timeout counting from `now_us` until the first call. The engine sets
/// `send` and `flush_at`.
std::shared_ptr<activity_control> new_attempt_control(std::shared_ptr<clock> clock,
                                                      std::chrono::milliseconds heartbeat_timeout, std::int64_t now_us);
/// Runs a blocking attempt on the calling thread; `done` hears its result or its failure.
void run_blocking_attempt(const blocking_activity_function& fn, activity_info info,
                          std::shared_ptr<activity_control> control, const boost::json::value& input,
                          const async_activity_function::done_fn& done);

/// What the dispatcher needs of the engine around it, and nothing more.
class activity_host {
public:
    virtual std::int64_t now_us() const = 0;
    /// Started, not stopping, not failed: attempts may begin.
    virtual bool accepting_work() const = 0;
    virtual bool engine_failed() const = 0;
    virtual void arm(wheel_kind kind, std::int64_t run_key, std::int64_t seq, std::int64_t due_us) = 0;
    virtual void disarm(wheel_kind kind, std::int64_t run_key, std::int64_t seq) = 0;
    virtual std::uint64_t commit(write_unit&& unit) = 0;
    /// The run, while the engine tracks it.
    virtual run_state* find_run(std::int64_t run_key) = 0;
    /// An event for a run: recorded in its next activation.
    virtual void deliver(run_state& r, inbound in) = 0;
    virtual std::string namespace_name(std::int64_t ns_id) const = 0;
    virtual strand_handoff handoff() = 0;

protected:
    ~activity_host() = default;
};

class activity_dispatcher {
public:
    struct settings {
        std::size_t threads = 1;            ///< the activity pool
        std::size_t max_result_bytes = 0;   ///< engine_limits::max_payload_bytes
        /// Attempts on queues no worker here serves are offered to the engines sharing the
        /// store (store::shares_tasks).
        bool offer_unserved = false;
    };
    /// The owner's answer to an engine reporting on an attempt it claimed: whether the attempt
    /// is (still) to run, and whether its activity's cancellation was requested.
    struct report_answer {
        bool run = false, cancel_requested = false;
    };
    /// `outbox` holds the cancel request rows; a closing activity's goes with its close.
    activity_dispatcher(activity_host& host, outbox_rows& outbox, worker_registry& workers, work_tracker& work,
                        std::shared_ptr<clock> clock, boost::asio::any_io_executor strand, settings s);

    /// ActivityTaskScheduled is being recorded in `unit`: the activity's rows go with it and
    /// its first attempt is dispatched once it commits.
    void schedule(run_state& r, const event& scheduled, write_unit& unit);
    /// After a restart: the activity as its task row left it. An attempt that may have been
    /// running counts as timed out; the retry policy decides what follows.
    void recover(run_state& r, const event& scheduled, const task_row& row, std::int64_t cancel_requested_event_id);
    /// Whether the activity is still open (a cancel request has something to reach).
    bool tracks(const task_key& key) const { return tasks_.contains(key); }
    /// The cancel request committed: a running attempt sees it through heartbeat(), a waiting
    /// one ends canceled now.
    void cancel(run_state& r, std::int64_t scheduled_event_id, std::int64_t requested_event_id);
    /// A worker registration changed: activities waiting for one try again.
    void dispatch_waiting();
    /// One of the activity deadlines (retry, the four timeouts, a held heartbeat) is due.
    void on_deadline(const task_key& key, wheel_kind kind);
    // Attempts run by another engine sharing the store (activity_offers.cpp): it claimed the
    // offer, and reports through the inbox. Stale reports (an attempt that timed out, an
    // activity that closed) change nothing and are answered `run = false`.

    /// The claimer starts `attempt`: it runs now, timed as a local attempt is.
    report_answer remote_started(const task_key& key, int attempt, std::string identity);
    report_answer remote_heartbeat(const task_key& key, int attempt, boost::json::value details);
    /// The attempt ended with `result`, or with `f`; `details`: its last heartbeat details.
    void remote_finished(const task_key& key, int attempt, boost::json::value result, boost::json::value details,
                         std::optional<failure> f);
    /// Adds what only memory knows (attempt, running, the last attempt's failure, heartbeats,
    /// the next attempt's time) to the open activities the history lists for a run.
    void describe(std::int64_t run_key, std::vector<pending_activity_info>& pending) const;
    /// The run closed: its activities are forgotten, running attempts told to stop.
    void drop_run(std::int64_t run_key);
    /// Running attempts see cancellation through heartbeat(); the engine stops or failed.
    void stop_attempts();
    /// Another engine owns the runs now: running attempts told to stop, every task forgotten
    /// (an attempt that ends later is stale, as its generation says).
    void forget_all() {
        stop_attempts();
        tasks_.clear();
    }
    /// Waits for the pool's running attempts; none may start afterwards.
    void join_threads() { threads_.join(); }

private:
    activity_task& track(run_state& r, const event& scheduled, int attempt, std::int64_t due_us,
                         boost::json::value heartbeat_details);
    void dispatch(const task_key& key);
    /// Whether the attempt is to be offered to the engines sharing the store: no worker here
    /// serves its queue, and it is not offered yet.
    bool offers(const activity_task& t) const;
    /// Offers the waiting attempt in `ops`, or in a unit of its own.
    void offer(activity_task& t, std::vector<write_op>& ops);
    void offer(activity_task& t);
    /// An attempt starts here: an offer of it is withdrawn.
    void withdraw_offer(activity_task& t);
    void start_queued();
    void release_thread();
    void begin_attempt(activity_task& t, bool holds_thread);
    void run_attempt(activity_task& t, bool holds_thread);
    bool hand_over_with_schedule(activity_task& t);
    void start_marked(const task_key& key, bool holds_thread, std::exception_ptr e);
    void keep_latest_details(activity_task& t);
    /// Keeps heartbeat details for the next attempt, unless they are over the payload limit.
    bool accept_details(activity_task& t, boost::json::value details);
    void on_result(task_key key, std::uint64_t generation, boost::json::value result, std::optional<failure> f);
    void on_heartbeat(task_key key, std::uint64_t generation, boost::json::value details);
    void attempt_failed(activity_task& t, failure f);
    /// Records the activity's close event; `result_json`, when not empty, is its result
    /// already serialized (to check its size).
    void close(activity_task& t, event_type type, boost::json::object attrs, std::string result_json = {});

    activity_host& host_;
    outbox_rows& outbox_;
    worker_registry& workers_;
    work_tracker& work_;
    std::shared_ptr<clock> clock_;
    boost::asio::any_io_executor strand_;
    settings settings_;
    std::map<task_key, activity_task> tasks_;   // ordered: a run's tasks are one range
    std::uint64_t next_generation_ = 1;
    activity_threads threads_;   // last: its destructor joins the attempts still running
};

}   // namespace perdure::detail
