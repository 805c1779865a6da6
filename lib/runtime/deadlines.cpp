// What a due deadline does: a durable timer fires, a run times out (and may be retried), a
// backoff or a task retry ends; activity and Nexus deadlines go to their dispatchers.
#include "runtime/core.hpp"

#include "codec/duration.hpp"
#include "runtime/retry.hpp"
#include "store/store.hpp"

#include <perdure/error.hpp>

namespace perdure::detail {

void engine_core::fire(const wheel_entry& e) {
    switch (e.kind) {
    case wheel_kind::timer: {
        auto* r = find_run(e.run_key);
        if (!r || r->status != run_status::running) return;
        inbound in{event{0, event_type::timer_fired, now_us(), {{"started_event_id", e.seq}}}};
        in.ops.emplace_back(delete_deadline{e.run_key, deadline_kind::timer, e.seq});
        deliver(*r, std::move(in));
        return;
    }
    case wheel_kind::run_timeout:
    case wheel_kind::execution_timeout: {
        auto* r = find_run(e.run_key);
        if (!r || r->status != run_status::running) return;
        boost::json::object attrs{{"retry_state", to_string(retry_state::timeout)}};
        const bool expired = r->execution_deadline_us && r->execution_deadline_us <= now_us();
        if (e.kind == wheel_kind::run_timeout && !expired && !r->retry) {
            attrs["retry_state"] = to_string(retry_state::retry_policy_not_set);   // as Temporal records it
        } else if (e.kind == wheel_kind::run_timeout && !expired) {
            // As Temporal: a run that times out is retried under the workflow's retry policy (the
            // execution timeout ends the whole chain).
            failure f{"workflow run timed out",
                      failure_kind::timeout,
                      {{"timeout_type", to_string(timeout_type::start_to_close)}}};
            std::optional<std::chrono::milliseconds> remaining;
            if (r->execution_deadline_us)
                remaining = std::chrono::milliseconds((r->execution_deadline_us - now_us()) / 1000);
            const auto d = decide_retry(*r->retry, r->attempt, f, remaining);
            attrs["retry_state"] = to_string(d.state);
            if (d.retry) {
                attrs["new_execution_run_id"] = new_uuid();
                attrs["backoff_start_interval"] = format_duration(d.delay);
            }
        }
        write_unit unit;
        const auto timed_out = lifecycle_.end(*r, event_type::workflow_execution_timed_out, std::move(attrs), unit);
        if (timed_out.attrs.contains("new_execution_run_id")) family_.continue_run(*r, timed_out, {}, unit);
        commit(std::move(unit));
        return;
    }
    case wheel_kind::workflow_backoff: {
        auto* r = find_run(e.run_key);
        if (!r || r->status != run_status::running) return;
        r->in_backoff = false;
        r->owes_activation = true;
        write_unit unit;
        unit.ops.emplace_back(delete_deadline{e.run_key, deadline_kind::workflow_backoff, 0});
        commit(std::move(unit));
        request_activation(*r);
        return;
    }
    case wheel_kind::task_retry: {
        auto* r = find_run(e.run_key);
        if (!r || r->status != run_status::running) return;
        r->owes_activation = true;
        request_activation(*r);
        return;
    }
    case wheel_kind::nexus_retry:
    case wheel_kind::nexus_request_timeout:
    case wheel_kind::nexus_deferred_completion:
    case wheel_kind::nexus_schedule_to_close:
    case wheel_kind::nexus_schedule_to_start:
    case wheel_kind::nexus_start_to_close: nexus_.on_deadline({e.run_key, e.seq}, e.kind); return;
    default: activities_.on_deadline({e.run_key, e.seq}, e.kind); return;
    }
}

void engine_core::on_workers_changed() {
    post([this] {
        claimed_.claim();
        if (!started_) return;
        for (auto& [key, r] : lifecycle_.runs().all())
            if (r->owes_activation && r->status == run_status::running) request_activation(*r);
        activities_.dispatch_waiting();
        nexus_.dispatch_waiting();
    });
}

}   // namespace perdure::detail
