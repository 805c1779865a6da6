// Pending work from the file alone: the history gives what is open, the run's row the callbacks
// it owes and its workflow task's failure. What only the engine's memory knows (an attempt in
// progress, its heartbeat) is the API's describe(); the CLI reads what is committed.
#include "pending_output.hpp"

#include "history/pending_work.hpp"

#include <boost/json/serialize.hpp>

#include <chrono>

namespace perdure::cli {
namespace {

std::int64_t us_of(std::chrono::system_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

boost::json::value failure_json(const std::optional<failure>& f) {
    return f ? boost::json::value(f->to_json()) : boost::json::value(nullptr);
}

boost::json::object activity_json(const pending_activity_info& a) {
    return {{"activity_id", a.activity_id},
            {"activity_type", a.activity_type},
            {"state", to_string(a.state)},
            {"scheduled_event_id", a.scheduled_event_id},
            {"attempt", a.attempt},
            {"maximum_attempts", a.maximum_attempts},
            {"scheduled_time", time_json(us_of(a.scheduled_time))},
            {"last_started_time", time_json(us_of(a.last_started_time))},
            {"last_heartbeat_time", time_json(us_of(a.last_heartbeat_time))},
            {"heartbeat_details", a.heartbeat_details},
            {"expiration_time", time_json(us_of(a.expiration_time))},
            {"last_failure", failure_json(a.last_failure)}};
}

const char* policy_name(parent_close_policy p) {
    switch (p) {
    case parent_close_policy::terminate: return "terminate";
    case parent_close_policy::request_cancel: return "request_cancel";
    default: return "abandon";
    }
}

boost::json::object child_json(const pending_child_info& c) {
    return {{"workflow_id", c.workflow_id},
            {"run_id", c.run_id},
            {"workflow_type", c.workflow_type},
            {"initiated_event_id", c.initiated_event_id},
            {"parent_close_policy", policy_name(c.parent_close)}};
}

boost::json::object nexus_json(const pending_nexus_operation_info& n) {
    return {{"endpoint", n.endpoint},
            {"service", n.service},
            {"operation", n.operation},
            {"operation_token", n.operation_token},
            {"scheduled_event_id", n.scheduled_event_id},
            {"state", to_string(n.state)},
            {"attempt", n.attempt},
            {"scheduled_time", time_json(us_of(n.scheduled_time))},
            {"schedule_to_close_deadline", time_json(us_of(n.schedule_to_close_deadline))},
            {"cancel_requested", n.cancel_requested}};
}

}   // namespace

pending_view pending_of(reading& db, const detail::execution_row& row) {
    pending_view v;
    boost::json::array activities, children, operations, callbacks;
    boost::json::value task = nullptr;
    if (row.status == detail::run_status::running) {
        const auto work = detail::pending_from_history(db.history(row.run_key));
        for (const auto& a : work.activities) {
            activities.push_back(activity_json(a));
            v.lines.emplace_back("PendingActivity",
                                 a.activity_type + " (activity id " + a.activity_id + ", " + to_string(a.state) + ")");
        }
        for (const auto& c : work.children) {
            children.push_back(child_json(c));
            v.lines.emplace_back("PendingChild", c.workflow_type + " (workflow id " + c.workflow_id +
                                                     (c.run_id.empty() ? ", not started yet" : ", run " + c.run_id) +
                                                     ")");
        }
        for (const auto& n : work.nexus_operations) {
            operations.push_back(nexus_json(n));
            v.lines.emplace_back("PendingNexusOperation", n.service + "/" + n.operation + " (endpoint " + n.endpoint +
                                                              ", " + to_string(n.state) + ")");
        }
        for (const auto& c : *row.callbacks) {
            callbacks.push_back({{"endpoint", c.endpoint},
                                 {"service", c.service},
                                 {"operation", c.operation},
                                 {"operation_token", c.token},
                                 {"request_id", c.request_id},
                                 {"state", "STANDBY"}});
            v.lines.emplace_back("PendingCallback", c.service + "/" + c.operation + " (endpoint " + c.endpoint + ")");
        }
        if (!row.task_failure.empty()) {
            task = boost::json::object{{"last_failure", row.task_failure}};
            v.lines.emplace_back("PendingWorkflowTask", "failing: " + row.task_failure);
        }
    }
    v.json = {{"pending_activities", std::move(activities)},
              {"pending_children", std::move(children)},
              {"pending_nexus_operations", std::move(operations)},
              {"callbacks", std::move(callbacks)},
              {"pending_workflow_task", std::move(task)}};
    return v;
}

}   // namespace perdure::cli
