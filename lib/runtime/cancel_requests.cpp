// The core's side of cancel requests and of recovery. An activity's cancel request is an
// outbox row committed with its ActivityTaskCancelRequested event (the outbox keeps it until
// the activity closes); at recovery the rows say which activities and operations were asked to
// cancel before a crash (recovery.cpp decides the order; this hands each task to its part).
#include "runtime/core.hpp"
#include "runtime/failpoint.hpp"

#include <map>

namespace perdure::detail {

void engine_core::request_activity_cancel(run_state& r, const event& requested, write_unit& unit) {
    const auto sched = requested.attrs.at("scheduled_event_id").as_int64();
    if (!activities_.tracks({r.run_key, sched})) return;   // it closed meanwhile: nothing to cancel
    // An outbox row committed with the request: after a crash, the attempt that runs next sees it.
    outbox_.record_cancel_request(r, "activity", sched, requested.id, unit);
    unit.effects.emplace_back([this, key = r.run_key, sched, requested = requested.id](std::exception_ptr err) {
        failpoint("activity-cancel-requested");
        if (auto* run = find_run(key); run && !err) activities_.cancel(*run, sched, requested);
    });
}

std::optional<event> engine_core::event_at(std::int64_t run_key, std::int64_t event_id) {
    return store_->reads().event_at(run_key, event_id);
}

std::map<task_key, cancel_request> engine_core::cancel_requests_among(const std::vector<task_row>& tasks) {
    return outbox_.recover_cancel_requests(tasks);
}

void engine_core::redeliver(const task_row& row) { outbox_.redeliver(row); }

void engine_core::resume_activity(run_state& r, const event& scheduled, const task_row& row,
                                  std::int64_t cancel_requested_event_id) {
    activities_.recover(r, scheduled, row, cancel_requested_event_id);
}

void engine_core::resume_operation(run_state& r, const event& scheduled, const task_row& row,
                                   std::int64_t cancel_requested_event_id) {
    nexus_.recover(r, scheduled, row, cancel_requested_event_id);
}

void engine_core::resume_operation_cancel(run_state& r, std::int64_t scheduled_event_id,
                                          std::int64_t requested_event_id) {
    nexus_.resume_cancel(r, scheduled_event_id, requested_event_id);
}

}   // namespace perdure::detail
