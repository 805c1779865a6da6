#include "history/pending_work.hpp"

#include "codec/duration.hpp"
#include "history/fields.hpp"
#include "history/retry_policy.hpp"

#include <map>

namespace perdure::detail {
namespace {

std::int64_t id_at(const boost::json::object& a, const char* key) {
    const auto* v = a.if_contains(key);
    return v && v->is_int64() ? v->get_int64() : 0;
}

/// The time `key` (a duration) after `from_us`, or the epoch when it is unset.
std::chrono::system_clock::time_point deadline_at(const boost::json::object& a, const char* key, std::int64_t from_us) {
    const auto d = parse_duration(text(a, key)).value_or(std::chrono::milliseconds(0));
    return d.count() > 0 ? detail::from_us(from_us + d.count() * 1000) : std::chrono::system_clock::time_point{};
}

}   // namespace

pending_work pending_from_history(const std::vector<event>& history) {
    std::map<std::int64_t, pending_activity_info> activities;
    std::map<std::int64_t, pending_child_info> children;
    std::map<std::int64_t, pending_nexus_operation_info> operations;
    for (const auto& e : history) {
        const auto& a = e.attrs;
        switch (e.type) {
        case event_type::activity_task_scheduled: {
            pending_activity_info p;
            p.activity_id = text(a, "activity_id");
            p.activity_type = name_of(a, "activity_type");
            p.scheduled_event_id = e.id;
            p.scheduled_time = from_us(e.time_us);
            p.expiration_time = deadline_at(a, "schedule_to_close_timeout", e.time_us);
            if (const auto* r = a.if_contains("retry_policy"))
                p.maximum_attempts = retry_policy_from_json(*r).maximum_attempts;
            activities.emplace(e.id, std::move(p));
            break;
        }
        case event_type::activity_task_cancel_requested:
            if (auto it = activities.find(id_at(a, "scheduled_event_id")); it != activities.end())
                it->second.state = pending_activity_state::cancel_requested;
            break;
        case event_type::activity_task_completed:
        case event_type::activity_task_failed:
        case event_type::activity_task_timed_out:
        case event_type::activity_task_canceled: activities.erase(id_at(a, "scheduled_event_id")); break;
        case event_type::start_child_workflow_execution_initiated: {
            pending_child_info p;
            p.workflow_id = text(a, "workflow_id");
            p.workflow_type = name_of(a, "workflow_type");
            p.initiated_event_id = e.id;
            p.parent_close = parent_close_policy_of(text(a, "parent_close_policy"));
            children.emplace(e.id, std::move(p));
            break;
        }
        case event_type::child_workflow_execution_started:
            if (auto it = children.find(id_at(a, "initiated_event_id")); it != children.end())
                if (const auto* x = a.if_contains("workflow_execution"); x && x->is_object())
                    it->second.run_id = text(x->get_object(), "run_id");
            break;
        case event_type::start_child_workflow_execution_failed:
        case event_type::child_workflow_execution_completed:
        case event_type::child_workflow_execution_failed:
        case event_type::child_workflow_execution_canceled:
        case event_type::child_workflow_execution_timed_out:
        case event_type::child_workflow_execution_terminated: children.erase(id_at(a, "initiated_event_id")); break;
        case event_type::nexus_operation_scheduled: {
            pending_nexus_operation_info p;
            p.endpoint = text(a, "endpoint");
            p.service = text(a, "service");
            p.operation = text(a, "operation");
            p.scheduled_event_id = e.id;
            p.scheduled_time = from_us(e.time_us);
            p.schedule_to_close_deadline = deadline_at(a, "schedule_to_close_timeout", e.time_us);
            operations.emplace(e.id, std::move(p));
            break;
        }
        case event_type::nexus_operation_started:
            if (auto it = operations.find(id_at(a, "scheduled_event_id")); it != operations.end()) {
                it->second.state = pending_nexus_operation_state::started;
                it->second.operation_token = text(a, "operation_token");
            }
            break;
        case event_type::nexus_operation_cancel_requested:
            if (auto it = operations.find(id_at(a, "scheduled_event_id")); it != operations.end())
                it->second.cancel_requested = true;
            break;
        case event_type::nexus_operation_completed:
        case event_type::nexus_operation_failed:
        case event_type::nexus_operation_canceled:
        case event_type::nexus_operation_timed_out: operations.erase(id_at(a, "scheduled_event_id")); break;
        default: break;
        }
    }
    pending_work out;
    for (auto& [id, p] : activities) out.activities.push_back(std::move(p));
    for (auto& [id, p] : children) out.children.push_back(std::move(p));
    for (auto& [id, p] : operations) out.nexus_operations.push_back(std::move(p));
    return out;
}

}   // namespace perdure::detail
