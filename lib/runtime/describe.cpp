// describe(): a running run's pending work as its owner knows it. The committed history says
// what is open (history/pending_work); memory adds attempts, running attempts, failures of
// attempts, why a Nexus operation waits, the callbacks owed, and the workflow task (and who it
// is offered to, when another engine runs it).
#include "runtime/core.hpp"

namespace perdure::detail {

void engine_core::describe_live(std::int64_t run_key, workflow_execution_info info,
                                callback<workflow_execution_info> cb) {
    post([this, run_key, info = std::move(info), cb = std::move(cb)]() mutable {
        if (auto e = unavailable()) return cb(e, {});
        const auto* r = find_run(run_key);
        if (r && r->status == run_status::running) {
            activities_.describe(run_key, info.pending_activities);
            nexus_.describe(run_key, info.pending_nexus_operations);   // its tokens are history once answered (below)
            for (const auto& c : *r->callbacks) {
                pending_callback_info p{c.endpoint, c.service, c.operation, c.token, c.request_id};
                if (const auto* caller = find_run(c.caller_run_key)) {
                    p.caller_workflow_id = caller->workflow_id;
                    p.caller_run_id = caller->run_id.str();
                }
                info.callbacks.push_back(std::move(p));
            }
            if (r->task_attempt > 0 || !r->pending.empty() || r->owes_activation) {
                auto& task = info.pending_workflow_task.emplace(
                    pending_workflow_task_info{r->task_attempt + 1, *r->task_failure_message, r->blocked, {}});
                if (r->task_offered)
                    task.offered_to = "engines whose worker registers workflow type " + r->workflow_type +
                                      " on task queue " + r->task_queue;
            }
        }
        // Answered after the last unit in flight commits: nothing reported is still uncommitted.
        write_unit unit;
        unit.effects.emplace_back([cb = std::move(cb), info = std::move(info)](std::exception_ptr e) mutable {
            cb(e, e ? workflow_execution_info{} : std::move(info));
        });
        commit(std::move(unit));
    });
}

}   // namespace perdure::detail
