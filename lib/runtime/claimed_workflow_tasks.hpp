// An engine standing by beside the owner of a shared store (PostgreSQL) runs the workflow tasks
// the owner offers for runs whose type only this engine's workers register, as a Temporal worker
// polls a task queue for workflow tasks: it claims one (store::claim_tasks), reads the run's
// history, replays it into an instance of its own and runs the activation the history's tail
// asks for, then reports the commands (or the task's failure) through the inbox. The owner
// records them, or refuses them when the run's history grew meanwhile. The queries of those runs
// come the same way, each its own offer (task_kind::query), answered from the replayed state.
// As a Temporal worker's sticky cache, the instance is kept after its report: the run's next
// task reads only the history since, and goes on from it when that history holds the report as
// it was made (else it replays the whole history). Strand only.
#pragma once

#include "replay/workflow_instance.hpp"
#include "runtime/claim_rounds.hpp"
#include "runtime/worker_registry.hpp"
#include "store/store.hpp"

#include <perdure/engine_options.hpp>

#include <chrono>
#include <memory>
#include <unordered_map>
#include <vector>

namespace perdure::detail {

class claimed_workflow_tasks {
public:
    /// How long a claim holds before another engine may claim the task: Temporal's default
    /// workflow task timeout.
    static constexpr std::chrono::seconds task_timeout{10};
    /// Tasks claimed at once (their histories read while the strand runs the one before).
    static constexpr std::size_t capacity = 8;
    /// Instances kept between tasks, the least recently used dropped first.
    static constexpr std::size_t sticky_capacity = 1000;

    claimed_workflow_tasks(claimer_host& host, store& s, worker_registry& workers, const engine_limits& limits);

    /// Claims what is offered on the served queues (of namespace `ns_id` only, when not 0).
    void claim(std::int64_t ns_id = 0) {
        tasks_.claim(ns_id);
        queries_.claim(ns_id);
    }
    void poll_if_due() {
        tasks_.poll_if_due();
        queries_.poll_if_due();
    }
    /// The updates a task's offer carries (`details`), validated against the replayed state:
    /// each accepted one's WorkflowExecutionUpdateAccepted joins the activation's `inbound`
    /// events, numbered after the history `report` was made on, and `report` says what was done
    /// with each.
    static void take_updates(workflow_instance& inst, const std::string& details, workflow_task_command& report,
                             std::vector<event>& inbound);
    /// Nothing more is claimed.
    void stop() {
        tasks_.stop();
        queries_.stop();
    }
    /// Instances kept between tasks.
    std::size_t kept() const noexcept { return sticky_.size(); }
    /// Drops them: this engine took the data over, and its own run table keeps what it runs.
    void forget_instances() noexcept { sticky_.clear(); }

private:
    /// An instance whose task was reported, and the events its report becomes once recorded.
    struct sticky_run {
        std::unique_ptr<workflow_instance> inst;
        std::int64_t reported_last = 0, time_us = 0;   ///< the history's end it saw; the time it saw
        std::vector<event_type> expected;              ///< accepted updates, WorkflowTaskCompleted, commands
        std::uint64_t used = 0;
    };
    using step = void (claimed_workflow_tasks::*)(const claimed_task&, const std::vector<event>&);

    /// Reads the run's committed history from `first_event_id`, then calls `then` with it on the
    /// strand (empty when the server is away: the task's claim expires and it is claimed again).
    void read_then(claimed_task c, step then, std::int64_t first_event_id = 1);
    /// A fresh instance of the run's workflow from this engine's registration; null when none.
    std::unique_ptr<workflow_instance> instance_for(const claimed_task& c, const std::vector<event>& history);
    /// A task claimed: goes on from the run's kept instance, or replays its whole history.
    void claimed(claimed_task c);
    /// Runs the task on the strand over the run's committed history and reports it.
    void run(const claimed_task& c, const std::vector<event>& history);
    /// Runs the task from the run's kept instance over the history since its report; replays the
    /// whole history instead when that does not hold the report as it was made.
    void go_on(const claimed_task& c, const std::vector<event>& since);
    /// Runs the activation on `tail` (the history's end is `last_event_id`), reports it, and
    /// keeps the instance for the next task unless it failed or closed the run.
    void activate_and_report(const claimed_task& c, std::unique_ptr<workflow_instance> inst, std::vector<event> tail,
                             std::int64_t last_event_id);
    void keep(std::int64_t run_key, sticky_run kept);
    /// Answers the query over the run's committed history and reports the answer.
    void answer(const claimed_task& c, const std::vector<event>& history);

    claimer_host& host_;
    store& store_;
    worker_registry& workers_;
    const engine_limits& limits_;
    claim_rounds tasks_, queries_;
    std::unordered_map<std::int64_t, sticky_run> sticky_;   // by run key
    std::uint64_t uses_ = 0;
};

}   // namespace perdure::detail
