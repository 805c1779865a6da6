// The core's side of cancel requests and the order of recovery. An activity's cancel request
// is an outbox row committed with its ActivityTaskCancelRequested event (the outbox keeps it
// until the activity closes); at recovery the rows say which activities and operations were
// asked to cancel before a crash.
#include "runtime/core.hpp"
#include "runtime/failpoint.hpp"

#include <map>
#include <set>

namespace perdure::detail {

void engine_core::request_activity_cancel(run_state& r, const event& requested, write_unit& unit) {
    const auto sched = requested.attrs.at("scheduled_event_id").as_int64();
    if (!activities_.tracks({r.run_key, sched})) return;   // it closed meanwhile: nothing to cancel
    // An outbox row committed with the request: after a crash, the attempt that runs next sees it.
    outbox_.record_cancel_request(r, "activity", sched, requested.id, unit);
    unit.effects.emplace_back([this, key = r.run_key, sched](std::exception_ptr err) {
        failpoint("activity-cancel-requested");
        if (auto* run = find_run(key); run && !err) activities_.cancel(*run, sched);
    });
}

void engine_core::recover_tasks(const std::vector<task_row>& tasks) {
    // Cancel requests first, so the activity or operation they address knows of them.
    const std::map<task_key, cancel_request> cancels = outbox_.recover_cancel_requests(tasks);
    std::set<task_key> unstarted_operations;
    for (const auto& t : tasks)
        if (t.kind == task_kind::nexus) unstarted_operations.insert({t.run_key, t.seq});
    // An operation that had started (or whose Started is still in the outbox) hears its cancel
    // once its Started is recorded; one that has not started, when it starts.
    for (const auto& [key, c] : cancels)
        if (auto* r = find_run(key.run_key);
            r && c.target == "nexus" && r->status == run_status::running && !unstarted_operations.contains(key))
            nexus_.resume_cancel(*r, key.seq, c.requested_event_id);
    for (const auto& t : tasks) {
        const auto c = cancels.find({t.run_key, t.seq});
        const bool cancel =
            c != cancels.end() && c->second.target == (t.kind == task_kind::nexus ? "nexus" : "activity");
        switch (t.kind) {
        case task_kind::delivery: outbox_.redeliver(t); break;
        case task_kind::nexus:
        case task_kind::activity:
            if (auto* r = find_run(t.run_key))
                if (auto scheduled = store_->reads().event_at(t.run_key, t.seq)) {
                    if (t.kind == task_kind::nexus)
                        nexus_.recover(*r, *scheduled, t, cancel ? c->second.requested_event_id : 0);
                    else
                        activities_.recover(*r, *scheduled, t, cancel);
                }
            break;
        case task_kind::cancel: break;
        }
    }
}

}   // namespace perdure::detail
