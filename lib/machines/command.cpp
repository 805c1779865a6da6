// Command to event mapping, matching, descriptions, and the form in which a command travels.
#include "machines/command.hpp"

#include "history/typed_attributes.hpp"

#include <perdure/error.hpp>

#include <boost/json/serialize.hpp>

namespace perdure::detail {
namespace {

std::string str(const boost::json::object& o, const char* key) {
    if (!o.contains(key)) {
        // workflow_id and update_id live one level down in Temporal's attributes.
        for (const char* outer : {"workflow_execution", "meta"})
            if (const auto* x = o.if_contains(outer); x && x->is_object() && x->get_object().contains(key))
                return str(x->get_object(), key);
        return {};
    }
    if (const auto* v = o.if_contains(key)) {
        if (v->is_string()) return std::string(v->get_string());
        if (v->is_object())
            if (const auto* n = v->get_object().if_contains("name"); n && n->is_string())
                return std::string(n->get_string());
        if (v->is_int64()) return std::to_string(v->get_int64());
    }
    return {};
}

bool same(const boost::json::object& a, const boost::json::object& b, const char* key) {
    return str(a, key) == str(b, key);
}

const char* key_of(event_type t) {
    using enum event_type;
    switch (t) {
    case activity_task_scheduled: return "activity_type";
    case timer_started:
    case timer_canceled: return "timer_id";
    case marker_recorded: return "marker_name";
    case start_child_workflow_execution_initiated: return "workflow_type";
    case signal_external_workflow_execution_initiated: return "signal_name";
    case request_cancel_external_workflow_execution_initiated: return "workflow_id";
    case activity_task_cancel_requested:
    case nexus_operation_cancel_requested: return "scheduled_event_id";
    case workflow_execution_update_completed: return "update_id";
    default: return nullptr;
    }
}

}   // namespace

event_type event_type_of(command_kind k) noexcept {
    using enum event_type;
    switch (k) {
    case command_kind::schedule_activity: return activity_task_scheduled;
    case command_kind::request_cancel_activity: return activity_task_cancel_requested;
    case command_kind::start_timer: return timer_started;
    case command_kind::cancel_timer: return timer_canceled;
    case command_kind::record_marker: return marker_recorded;
    case command_kind::complete_workflow: return workflow_execution_completed;
    case command_kind::fail_workflow: return workflow_execution_failed;
    case command_kind::cancel_workflow: return workflow_execution_canceled;
    case command_kind::continue_as_new: return workflow_execution_continued_as_new;
    case command_kind::start_child_workflow: return start_child_workflow_execution_initiated;
    case command_kind::signal_external: return signal_external_workflow_execution_initiated;
    case command_kind::request_cancel_external: return request_cancel_external_workflow_execution_initiated;
    case command_kind::schedule_nexus_operation: return nexus_operation_scheduled;
    case command_kind::request_cancel_nexus_operation: return nexus_operation_cancel_requested;
    case command_kind::complete_update: return workflow_execution_update_completed;
    case command_kind::upsert_search_attributes: return upsert_workflow_search_attributes;
    case command_kind::modify_workflow_properties: return workflow_properties_modified;
    }
    return workflow_task_completed;
}

const char* command_name(command_kind k) noexcept {
    switch (k) {
    case command_kind::schedule_activity: return "ScheduleActivityTask";
    case command_kind::request_cancel_activity: return "RequestCancelActivityTask";
    case command_kind::start_timer: return "StartTimer";
    case command_kind::cancel_timer: return "CancelTimer";
    case command_kind::record_marker: return "RecordMarker";
    case command_kind::complete_workflow: return "CompleteWorkflowExecution";
    case command_kind::fail_workflow: return "FailWorkflowExecution";
    case command_kind::cancel_workflow: return "CancelWorkflowExecution";
    case command_kind::continue_as_new: return "ContinueAsNewWorkflowExecution";
    case command_kind::start_child_workflow: return "StartChildWorkflowExecution";
    case command_kind::signal_external: return "SignalExternalWorkflowExecution";
    case command_kind::request_cancel_external: return "RequestCancelExternalWorkflowExecution";
    case command_kind::schedule_nexus_operation: return "ScheduleNexusOperation";
    case command_kind::request_cancel_nexus_operation: return "RequestCancelNexusOperation";
    case command_kind::complete_update: return "ProtocolMessage(UpdateCompleted)";
    case command_kind::upsert_search_attributes: return "UpsertWorkflowSearchAttributes";
    case command_kind::modify_workflow_properties: return "ModifyWorkflowProperties";
    }
    return "Unknown";
}

bool command_matches(const command& c, const event& e) {
    if (event_type_of(c.kind) != e.type) return false;
    if (e.type == event_type::nexus_operation_scheduled)
        return same(c.attrs, e.attrs, "service") && same(c.attrs, e.attrs, "operation");
    if (e.type == event_type::signal_external_workflow_execution_initiated)
        return same(c.attrs, e.attrs, "signal_name") && same(c.attrs, e.attrs, "workflow_id");
    if (const char* key = key_of(e.type)) return same(c.attrs, e.attrs, key);
    return true;
}

namespace {
std::string with_key(const char* name, event_type t, const boost::json::object& attrs) {
    std::string out = name;
    if (const char* key = key_of(t)) {
        out += "(";
        out += key;
        out += "=";
        out += str(attrs, key);
        if (t == event_type::activity_task_scheduled) out += ", activity_id=" + str(attrs, "activity_id");
        if (t == event_type::marker_recorded)
            if (const auto* d = attrs.if_contains("details"); d && d->is_object())
                out += ", details=" + boost::json::serialize(*d);
        out += ")";
    } else if (t == event_type::nexus_operation_scheduled) {
        out += "(service=" + str(attrs, "service") + ", operation=" + str(attrs, "operation") + ")";
    }
    return out;
}
}   // namespace

std::string describe(const command& c) { return with_key(command_name(c.kind), event_type_of(c.kind), c.attrs); }

std::string describe(const event& e) {
    const char* name = event_type_name(e.type);
    return "event " + std::to_string(e.id) + " " + with_key(name ? name : "Unknown", e.type, e.attrs);
}

boost::json::object command_to_json(const command& c) {
    boost::json::object o{{"kind", static_cast<int>(c.kind)}, {"attributes", c.attrs}};
    if (!c.values.empty()) o["search_attributes"] = to_json(typed_by_value(c.values));
    return o;
}

command command_from_json(const boost::json::value& v) {
    const auto bad = [](const std::string& what) { throw invalid_argument("a workflow task's command " + what); };
    const auto* o = v.if_object();
    if (!o) bad("must be an object");
    const auto* kind = o->if_contains("kind");
    if (!kind || !kind->is_int64() || kind->get_int64() < 0 ||
        kind->get_int64() > static_cast<std::int64_t>(command_kind::modify_workflow_properties))
        bad("has no known 'kind'");
    const auto* attrs = o->if_contains("attributes");
    if (!attrs || !attrs->is_object()) bad("has no 'attributes' object");
    command c{static_cast<command_kind>(kind->get_int64()), attrs->get_object()};
    if (const auto* values = o->if_contains("search_attributes")) {
        if (!values->is_object()) bad("has 'search_attributes' that are not an object");
        const auto typed = typed_attributes_from_json(*values);
        if (typed.size() != values->get_object().size()) bad("has a search attribute whose value cannot be read");
        c.values = values_of(typed);
    }
    return c;
}

}   // namespace perdure::detail
