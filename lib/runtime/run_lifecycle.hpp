// The run lifecycle: what happens to a run between its start and its close. Inbound events wait
// on the run until an activation records them; an activation runs the live instance (kept in a
// bounded cache, or rebuilt by replaying the committed history) and records its commands as
// events after one WorkflowTaskCompleted; a failing task is recorded once and retried with
// backoff; closing ends what the run waits for. It owns the runs in memory; what a command sets
// going (an activity, a timer, a child, a Nexus operation) is the rest of the engine's, reached
// through the host. Strand only.
#pragma once

#include "history/event.hpp"
#include "replay/workflow_instance.hpp"
#include "runtime/commit_pipeline.hpp"
#include "runtime/deadline_wheel.hpp"
#include "runtime/queries_and_updates.hpp"
#include "runtime/run_state.hpp"
#include "runtime/run_table.hpp"
#include "runtime/worker_registry.hpp"
#include "store/inbox_command.hpp"
#include "support/unique_function.hpp"

#include <perdure/engine_options.hpp>

#include <boost/json/object.hpp>

#include <atomic>
#include <cstdint>
#include <deque>
#include <exception>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace perdure::detail {

/// Called on the strand with a run's committed history, or the read's error. The history stays
/// the reader's: what is needed of it is copied.
using history_reader = unique_function<void(std::exception_ptr, const std::vector<event>&)>;
/// Signals a run never read, by name, carried to the next run of a continue-as-new.
using unread_signals = std::vector<std::pair<std::string, boost::json::value>>;

/// Runs one live activation of `inst`, failed when the workflow code ran for 1 s without
/// yielding (Temporal's deadlock detector).
workflow_instance::activation_result activate_live(workflow_instance& inst, std::span<const event> inbound,
                                                   std::int64_t now_us);

/// What the run lifecycle needs of the engine around it, and nothing more.
class run_lifecycle_host {
public:
    virtual std::int64_t now_us() const = 0;
    /// Workers may run once the engine started; until then inbound events are only recorded.
    virtual bool started() const = 0;
    /// Neither stopping nor failed.
    virtual bool running() const = 0;
    virtual bool engine_failed() const = 0;
    /// Runs `job` on the strand later.
    virtual void post_job(unique_function<void()> job) = 0;
    virtual void fail(std::exception_ptr e) noexcept = 0;
    virtual std::uint64_t commit(write_unit&& unit) = 0;
    /// The last unit whose commit has been reported; a run is replayed only from committed history.
    virtual std::uint64_t committed_unit() const = 0;
    /// Reads the run's history off the strand; `then` is called on the strand.
    virtual void read_history(std::int64_t run_key, history_reader then) = 0;
    virtual std::string namespace_name(std::int64_t ns_id) const = 0;
    virtual void arm(wheel_kind kind, std::int64_t run_key, std::int64_t seq, std::int64_t due_us) = 0;
    /// Engines sharing the store run each other's work (PostgreSQL): a run no worker here can
    /// take has its workflow task offered to them.
    virtual bool shares_tasks() const = 0;

    /// An inbound event is about to wait on the run; false drops it (a Nexus operation's event
    /// that comes too late).
    virtual bool admits(run_state& r, inbound& in) = 0;
    /// Completes each command's attributes before it is recorded (an upsert's typed values, a
    /// child's start, a Nexus schedule, the memo's size); a failure fails the task.
    virtual std::optional<task_failure> prepare_commands(run_state& r, std::vector<command>& commands) = 0;
    /// A command's event that does not close the run is being recorded in `unit`: what it sets going.
    virtual void react_to_command(run_state& r, const event& e, write_unit& unit) = 0;
    /// The run is closing in `unit`: every other part lets go of it (deadlines, tasks, deliveries)
    /// and tells whoever hears of its end (its parent, its Nexus callers).
    virtual void run_closing(run_state& r, const event& close_event, write_unit& unit) = 0;
    /// A close that starts the next run of the chain (continue-as-new, a retry), after `r` closed.
    virtual void continue_run(run_state& r, const event& close_event, unread_signals unread, write_unit& unit) = 0;

protected:
    ~run_lifecycle_host() = default;
};

class run_lifecycle {
public:
    run_lifecycle(run_lifecycle_host& host, const worker_registry& workers, queries_and_updates& messages,
                  const engine_options& options) noexcept
        : host_(host), workers_(workers), messages_(messages), options_(options) {}

    run_table& runs() noexcept { return runs_; }
    const run_table& runs() const noexcept { return runs_; }
    /// Another engine owns the runs now: every one forgotten, with what waited for a commit.
    void forget_runs() {
        runs_.clear();
        waiting_for_commit_.clear();
        queued_loads_.clear();
        ++runs_generation_;   // reads on their way are ignored when they return, even for a run taken back
    }

    // ---- a run's events ----
    /// The event waits on the run for its next activation; one that can no longer be recorded
    /// (the run closed) fails its waiters.
    void deliver(run_state& r, inbound in);
    /// An activation is posted unless one already is.
    void request_activation(run_state& r);
    /// Records a new run's start in `unit`, with its first activation when a worker can run it.
    void begin(run_state& r, write_unit& unit);
    /// An event the engine records on its own (not an inbound one, not a command's).
    std::int64_t append_event(run_state& r, event_type type, boost::json::object attrs, write_unit& unit);

    // ---- closing ----
    /// Records a close the engine decides (terminated, timed out) and closes the run; the event
    /// is returned for what follows it (a retry).
    event end(run_state& r, event_type type, boost::json::object attrs, write_unit& unit);
    void terminate(run_state& r, const std::string& reason, write_unit& unit);

    // ---- the commit pipeline ----
    /// Units up to the committed one are readable: runs that waited for that are loaded, and the
    /// cache trimmed.
    void on_committed();

    /// A fresh instance of the run's workflow; null when no worker registers its type on its queue.
    std::unique_ptr<workflow_instance> make_instance(const run_state& r) const;
    /// Each running workflow whose task keeps failing, as "workflow ID: failure".
    std::vector<std::string> failing_tasks() const;
    std::uint64_t replays() const noexcept { return replays_.load(); }
    /// Histories read at once to rebuild instances. When many runs need theirs together (every
    /// timer due at a reopen), reading them all ahead of the replays would hold them all in memory;
    /// a few at a time keep the reader and the strand working on the same memory.
    static constexpr std::size_t max_loads_in_flight = 64;
    /// A replay made elsewhere (a query on a closed run), counted with the cache's own.
    void count_replay() noexcept { replays_.fetch_add(1); }

    // ---- workflow tasks run by other engines (remote_workflow_tasks.cpp) ----
    /// Records what another engine's worker did with the run's offered task: its commands or its
    /// failure. False, recording nothing, when the task is not the run's current one (the run
    /// closed, its history grew since, or it is not offered): the engine that ran it drops it.
    bool complete_elsewhere(run_state& r, workflow_task_command& task);

private:
    void activate(std::int64_t run_key);
    /// Reads the run's history to rebuild its instance, or queues the read while
    /// `max_loads_in_flight` others are on their way.
    void load(run_state& r);
    void start_queued_loads();
    void on_loaded(std::int64_t run_key, std::span<const event> history, std::exception_ptr error);
    /// Runs an activation; its writes go into `outer` when given (committed by the caller).
    void run_activation(run_state& r, write_unit* outer = nullptr);
    /// Commits the run's inbound events without an activation; the next one replays them.
    void append_directly(run_state& r);
    void assign_ids(run_state& r, std::vector<inbound> in, write_unit& unit, std::vector<event>& out);
    /// An event the engine writes itself, numbered next, in `unit`.
    event record(run_state& r, event_type type, boost::json::object attrs, write_unit& unit);
    /// The commands become events after one WorkflowTaskCompleted; false when one is too large
    /// (the task failed instead).
    /// `unread`: a continue-as-new's unread signals, when no instance here knows them;
    /// `identity`: the engine that ran the task, when not this one (Temporal's worker identity).
    bool record_commands(run_state& r, std::vector<command>& commands, std::int64_t now, write_unit& unit,
                         unread_signals* unread = nullptr, std::string_view identity = {});
    /// Terminates a run whose history grew past engine_limits::max_history_events.
    void limit_history(run_state& r, write_unit& unit);
    /// No worker here serves the run's queue, and engines beside may: its task is offered.
    bool offers_elsewhere(const run_state& r) const;
    /// Offers the run's task at its history's end in `unit`, unless it is offered there already.
    void offer_elsewhere(run_state& r, write_unit& unit);
    /// Commits the run's inbound events with the offer of its task at their end.
    void hand_task_elsewhere(run_state& r);
    void close(run_state& r, event close_event, write_unit& unit);

    // workflow task failures (task_failures.cpp)
    /// Stores the failure on the execution and, for the first failure of a task, records
    /// WorkflowTaskFailed; retries the task with backoff (nondeterminism: after a restart).
    /// `elsewhere`: another engine ran the task, which is always retried (its code may be fixed
    /// there without this engine restarting).
    void record_task_failure(run_state& r, const task_failure& f, write_unit& unit, bool elsewhere = false);
    /// Records the pending events with a failed task, to be activated again.
    void fail_task(run_state& r, const task_failure& f);
    /// The run's task succeeded after failing: the stored failure goes.
    void end_task_failure(run_state& r, write_unit& unit);
    /// A worker serves the run's queue but not its type: the task fails. False when no worker serves it.
    bool unknown_type_failure(run_state& r);

    /// Drops least recently used instances over the cache's limits, keeping those a replay could
    /// not yet rebuild (`unsubmitted`: a unit the caller has still to commit).
    void evict_if_needed(const write_unit* unsubmitted = nullptr);

    run_lifecycle_host& host_;
    const worker_registry& workers_;
    queries_and_updates& messages_;
    const engine_options& options_;
    run_table runs_;
    std::vector<std::int64_t> waiting_for_commit_;   // runs to load once their last unit commits
    std::size_t loads_in_flight_ = 0;
    std::deque<std::int64_t> queued_loads_;
    std::uint64_t runs_generation_ = 0;   // bumped each time the runs are forgotten
    /// Runs begun within the activation of the run that started them (a continue-as-new, a
    /// child), nested: begin() runs a new run's first activation at once, and a chain of runs
    /// each starting the next at once would otherwise nest one call per run until the stack ends.
    int nested_begins_ = 0;
    static constexpr int max_nested_begins = 32;
    std::atomic<std::uint64_t> replays_{0};
};

}   // namespace perdure::detail
