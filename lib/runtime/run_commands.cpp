// The run lifecycle's host: what a recorded command sets going in the other parts, what is
// checked before it is recorded, and what the other parts let go of when a run closes.
#include "runtime/core.hpp"

#include "codec/duration.hpp"

namespace perdure::detail {

bool engine_core::admits(run_state& r, inbound& in) {
    const bool nexus_progress =
        in.e.type >= event_type::nexus_operation_started && in.e.type <= event_type::nexus_operation_timed_out;
    return !nexus_progress || nexus_.on_delivered(r, in);
}

std::optional<task_failure> engine_core::prepare_commands(run_state& r, std::vector<command>& commands) {
    for (auto& c : commands) {
        family_.prepare_close(r, c);
        std::optional<task_failure> f;
        if (c.kind == command_kind::upsert_search_attributes) f = prepare_upsert(namespaces_.find_id(r.ns_id), c);
        if (c.kind == command_kind::start_child_workflow) f = prepare_child_start(namespaces_.find_id(r.ns_id), c);
        if (c.kind == command_kind::schedule_nexus_operation) f = nexus_.prepare_schedule(c);
        if (f) return f;
    }
    return check_memo_upserts(r, commands, options_.limits.max_payload_bytes);
}

void engine_core::react_to_command(run_state& r, const event& e, write_unit& unit) {
    switch (e.type) {
    case event_type::activity_task_scheduled: activities_.schedule(r, e, unit); break;
    case event_type::activity_task_cancel_requested: request_activity_cancel(r, e, unit); break;
    case event_type::timer_started: {
        const auto d =
            parse_duration(e.attrs.at("start_to_fire_timeout").as_string()).value_or(std::chrono::milliseconds(0));
        const std::int64_t due = e.time_us + d.count() * 1000;
        unit.ops.emplace_back(insert_deadline{{r.run_key, deadline_kind::timer, e.id, due}});
        arm(wheel_kind::timer, r.run_key, e.id, due);
        break;
    }
    case event_type::timer_canceled: {
        const auto started = e.attrs.at("started_event_id").as_int64();
        unit.ops.emplace_back(delete_deadline{r.run_key, deadline_kind::timer, started});
        disarm(wheel_kind::timer, r.run_key, started);
        break;
    }
    case event_type::start_child_workflow_execution_initiated: family_.start_child(r, e, unit); break;
    case event_type::signal_external_workflow_execution_initiated:
    case event_type::request_cancel_external_workflow_execution_initiated: family_.reach_external(r, e, unit); break;
    case event_type::workflow_execution_update_completed: queries_updates_.update_completed(r, e, unit); break;
    case event_type::nexus_operation_scheduled: nexus_.schedule(r, e, unit); break;
    case event_type::nexus_operation_cancel_requested: nexus_.request_cancel(r, e, unit); break;
    case event_type::upsert_workflow_search_attributes:
        if (auto write = apply_search_attributes(r, e)) unit.ops.emplace_back(std::move(*write));
        break;
    case event_type::workflow_properties_modified:
        if (auto write = apply_memo(r, e)) unit.ops.emplace_back(std::move(*write));
        break;
    default: break;
    }
}

void engine_core::run_closing(run_state& r, const event& close_event, write_unit& unit) {
    timer_.disarm_run(r.run_key);
    activities_.drop_run(r.run_key);
    outbox_.drop_run(r.run_key);
    family_.run_closed(r, close_event, unit);
    nexus_.notify_callers(r, close_event, unit);
    nexus_.drop_run(r.run_key);
}

}   // namespace perdure::detail
