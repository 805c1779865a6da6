#include "runtime/recovery.hpp"

#include "runtime/nexus_op.hpp"
#include "store/store.hpp"

#include <set>

namespace perdure::detail {

void load_index(store_reads& reads, index_parts parts) {
    parts.namespaces.load(reads.namespaces(), reads.max_namespace_id());
    for (const auto& e : reads.endpoints()) parts.endpoints.put(endpoint_of(e));
    parts.messages.continue_seqs_below(reads.min_task_seq());
    reads.open_runs([&](open_run_row row) {
        auto r = recovered_run(std::move(row));
        parts.family.add_open(*r);
        parts.runs.add(std::move(r));
    });
}

std::unique_ptr<run_state> recovered_run(open_run_row row) {
    auto r = std::make_unique<run_state>();
    r->task_failure_message = std::move(row.exec.task_failure);
    r->identity() = std::move(row.exec);   // the store gives the identity back as it was written
    r->forget_own_ids();
    r->next_event_id = row.last_event_id + 1;
    const auto last = static_cast<event_type>(row.last_event_type);
    r->owes_activation = last != event_type::workflow_task_completed && !is_command_event(last);
    return r;
}

namespace {

void resume_tasks(recovery_host& host, const std::vector<task_row>& tasks) {
    const std::map<task_key, cancel_request> cancels = host.cancel_requests_among(tasks);
    std::set<task_key> unstarted_operations;
    for (const auto& t : tasks)
        if (t.kind == task_kind::nexus) unstarted_operations.insert({t.run_key, t.seq});
    // An operation that had started (or whose Started is still in the outbox) hears its cancel
    // once its Started is recorded; one that has not started, when it starts.
    for (const auto& [key, c] : cancels)
        if (auto* r = host.find_run(key.run_key);
            r && c.target == "nexus" && r->status == run_status::running && !unstarted_operations.contains(key))
            host.resume_operation_cancel(*r, key.seq, c.requested_event_id);
    for (const auto& t : tasks) {
        const auto c = cancels.find({t.run_key, t.seq});
        const bool cancel =
            c != cancels.end() && c->second.target == (t.kind == task_kind::nexus ? "nexus" : "activity");
        switch (t.kind) {
        case task_kind::delivery: host.redeliver(t); break;
        case task_kind::nexus:
        case task_kind::activity:
            if (auto* r = host.find_run(t.run_key))
                if (auto scheduled = host.event_at(t.run_key, t.seq)) {
                    const std::int64_t requested = cancel ? c->second.requested_event_id : 0;
                    if (t.kind == task_kind::nexus)
                        host.resume_operation(*r, *scheduled, t, requested);
                    else
                        host.resume_activity(*r, *scheduled, t, requested);
                }
            break;
        case task_kind::cancel:
        case task_kind::workflow:
        case task_kind::query: break;
        }
    }
}

}   // namespace

void resume_work(recovery_host& host, const std::vector<deadline_row>& deadlines, const std::vector<task_row>& tasks,
                 const run_table& runs) {
    for (const auto& d : deadlines)
        if (auto* r = host.find_run(d.run_key)) {
            host.arm(static_cast<wheel_kind>(d.kind), d.run_key, d.seq, d.due_us);
            if (d.kind == deadline_kind::workflow_backoff) r->in_backoff = true;
        }
    resume_tasks(host, tasks);
    for (const auto& [key, r] : runs.all())
        if (r->owes_activation) host.request_activation(*r);
}

}   // namespace perdure::detail
