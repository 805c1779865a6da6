// An engine standing by beside the owner of a shared store (PostgreSQL) runs the workflow tasks
// the owner offers for runs whose type only this engine's workers register, as a Temporal worker
// polls a task queue for workflow tasks: it claims one (store::claim_tasks), reads the run's
// history, replays it into an instance of its own and runs the activation the history's tail
// asks for, then reports the commands (or the task's failure) through the inbox. The owner
// records them, or refuses them when the run's history grew meanwhile. The queries of those runs
// come the same way, each its own offer (task_kind::query), answered from the replayed state. No
// instance is kept between tasks: each replays the whole history. Strand only.
#pragma once

#include "replay/workflow_instance.hpp"
#include "runtime/claim_rounds.hpp"
#include "runtime/worker_registry.hpp"
#include "store/store.hpp"

#include <perdure/engine_options.hpp>

#include <chrono>
#include <memory>
#include <vector>

namespace perdure::detail {

class claimed_workflow_tasks {
public:
    /// How long a claim holds before another engine may claim the task: Temporal's default
    /// workflow task timeout.
    static constexpr std::chrono::seconds task_timeout{10};
    /// Tasks claimed at once (their histories read while the strand runs the one before).
    static constexpr std::size_t capacity = 8;

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

private:
    /// Reads the run's committed history, then calls `then` with it on the strand (empty when
    /// the server is away: the task's claim expires and it is claimed again).
    void read_then(claimed_task c,
                   void (claimed_workflow_tasks::*then)(const claimed_task&, const std::vector<event>&));
    /// A fresh instance of the run's workflow from this engine's registration; null when none.
    std::unique_ptr<workflow_instance> instance_for(const claimed_task& c, const std::vector<event>& history);
    /// Runs the task on the strand over the run's committed history and reports it.
    void run(const claimed_task& c, const std::vector<event>& history);
    /// Answers the query over the run's committed history and reports the answer.
    void answer(const claimed_task& c, const std::vector<event>& history);

    claimer_host& host_;
    store& store_;
    worker_registry& workers_;
    const engine_limits& limits_;
    claim_rounds tasks_, queries_;
};

}   // namespace perdure::detail
