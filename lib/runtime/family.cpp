// Runs that reach other runs: children (start, outcome, parent close policies), signals and
// cancellation of external workflows, continue-as-new and workflow retries. Every message to
// another run goes through the outbox (outbox.hpp).
#include "runtime/family.hpp"

#include "codec/duration.hpp"
#include "history/fields.hpp"
#include "history/typed_attributes.hpp"
#include "runtime/retry.hpp"
#include "runtime/uuid.hpp"

#include <perdure/error.hpp>

namespace perdure::detail {
namespace {

std::chrono::milliseconds duration_of(const boost::json::object& o, const char* key) {
    return parse_duration(text(o, key)).value_or(std::chrono::milliseconds(0));
}

}   // namespace

// ---------------------------------------------------------------- children

void run_family::add_open(const run_state& r) {
    if (r.parent.run_key) children_[r.parent.run_key].insert(r.run_key);
}

void run_family::run_closed(run_state& r, const event& close, write_unit& unit) {
    notify_parent(r, close, unit);
    apply_parent_close_policy(r, unit);
}

void run_family::start_child(run_state& parent, const event& e, write_unit& unit) {
    const auto& a = e.attrs;
    const std::string wid = text(a, "workflow_id"), type = name_of(a, "workflow_type");
    boost::json::object common{{"namespace", host_.namespace_name(parent.ns_id)},
                               {"initiated_event_id", e.id},
                               {"workflow_type", {{"name", type}}}};
    if (auto* existing = host_.find_open_run(parent.ns_id, wid); existing && existing->status == run_status::running) {
        common["workflow_id"] = wid;
        common["cause"] = "WORKFLOW_ALREADY_EXISTS";
        outbox_.send(parent.run_key, event_type::start_child_workflow_execution_failed, std::move(common), unit);
        return;
    }
    run_spec spec;
    spec.id.ns_id = parent.ns_id;
    spec.id.workflow_id = wid;
    spec.id.workflow_type = type;
    spec.id.task_queue = name_of(a, "task_queue");
    spec.execution_timeout = duration_of(a, "workflow_execution_timeout");
    spec.id.run_timeout_ms = spec.execution_timeout.count();
    if (spec.execution_timeout.count() > 0)
        spec.id.execution_deadline_us = e.time_us + spec.execution_timeout.count() * 1000;
    if (const auto* p = a.if_contains("retry_policy")) spec.id.retry = retry_policy_from_json(*p);
    spec.id.parent = {parent.run_key, e.id, parent_close_policy_of(text(a, "parent_close_policy"))};
    spec.input = a.contains("input") ? a.at("input") : nullptr;
    spec.id.parent_workflow_id = parent.workflow_id;
    spec.id.parent_run_id = parent.run_id.str();
    spec.id.root_workflow_id = parent.root_workflow_id_or_own();
    spec.id.root_run_id = parent.root_run_id_or_own();
    // Typed when the parent's command was recorded (prepare_child_start).
    if (const auto* sa = a.if_contains("search_attributes"); sa && sa->is_object())
        if (const auto* f = sa->get_object().if_contains("indexed_fields"))
            spec.id.search_attributes = typed_attributes_from_json(*f);
    auto& child = host_.create_run(std::move(spec), unit);
    children_[parent.run_key].insert(child.run_key);
    common["workflow_execution"] = {{"workflow_id", wid}, {"run_id", child.run_id.str()}};
    outbox_.send(parent.run_key, event_type::child_workflow_execution_started, std::move(common), unit);
    host_.begin_run(child, unit);
}

void run_family::notify_parent(run_state& child, const event& close, write_unit& unit) {
    // A continued or retried run is not the end of the child: its last run tells the parent.
    if (!child.parent.run_key || child.status == run_status::continued_as_new ||
        close.attrs.contains("new_execution_run_id"))
        return;
    boost::json::object attrs{
        {"namespace", host_.namespace_name(child.ns_id)},
        {"workflow_execution", {{"workflow_id", child.workflow_id}, {"run_id", child.run_id.str()}}},
        {"workflow_type", {{"name", child.workflow_type}}},
        {"initiated_event_id", child.parent.initiated_event_id},
        {"started_event_id", nullptr}};
    event_type type{};
    switch (child.status) {
    case run_status::completed:
        type = event_type::child_workflow_execution_completed;
        attrs["result"] = close.attrs.contains("result") ? close.attrs.at("result") : nullptr;
        break;
    case run_status::failed:
        type = event_type::child_workflow_execution_failed;
        attrs["failure"] = close.attrs.contains("failure") ? close.attrs.at("failure") : nullptr;
        attrs["retry_state"] = close.attrs.contains("retry_state") ? close.attrs.at("retry_state") : "UNSPECIFIED";
        break;
    case run_status::canceled:
        type = event_type::child_workflow_execution_canceled;
        attrs["details"] = close.attrs.contains("details") ? close.attrs.at("details") : nullptr;
        break;
    case run_status::timed_out:
        type = event_type::child_workflow_execution_timed_out;
        attrs["retry_state"] = close.attrs.contains("retry_state") ? close.attrs.at("retry_state") : "TIMEOUT";
        break;
    default: type = event_type::child_workflow_execution_terminated; break;
    }
    if (auto it = children_.find(child.parent.run_key); it != children_.end()) it->second.erase(child.run_key);
    outbox_.send(child.parent.run_key, type, std::move(attrs), unit, "result");
}

void run_family::apply_parent_close_policy(run_state& parent, write_unit& unit) {
    auto it = children_.find(parent.run_key);
    if (it == children_.end()) return;
    const auto children = std::move(it->second);
    children_.erase(it);
    for (auto key : children) {
        auto* child = host_.find_run(key);
        if (!child || child->status != run_status::running) continue;
        switch (child->parent.close_policy) {
        case parent_close_policy::terminate:
            host_.terminate_run(*child, "the parent workflow closed (parent_close_policy terminate)", unit);
            break;
        case parent_close_policy::request_cancel:
            outbox_.send(key, event_type::workflow_execution_cancel_requested,
                         {{"cause", "the parent workflow closed (parent_close_policy request_cancel)"},
                          {"external_workflow_execution",
                           {{"workflow_id", parent.workflow_id}, {"run_id", parent.run_id.str()}}}},
                         unit);
            break;
        case parent_close_policy::abandon: break;
        }
    }
}

// ---------------------------------------------------------------- external workflows

void run_family::reach_external(run_state& r, const event& e, write_unit& unit) {
    const bool signal = e.type == event_type::signal_external_workflow_execution_initiated;
    const auto& exec = e.attrs.at("workflow_execution").as_object();
    const std::string wid = text(exec, "workflow_id"), rid = text(exec, "run_id");
    const std::string ns = host_.namespace_name(r.ns_id);
    auto* target = host_.find_open_run(r.ns_id, wid);
    const bool child_only = e.attrs.contains("child_workflow_only") && e.attrs.at("child_workflow_only").as_bool();
    const bool found = target && target->status == run_status::running && (rid.empty() || target->run_id == rid) &&
                       (!child_only || target->parent.run_key == r.run_key);
    if (!found) {
        outbox_.send(r.run_key,
                     signal ? event_type::signal_external_workflow_execution_failed
                            : event_type::request_cancel_external_workflow_execution_failed,
                     {{"cause", "EXTERNAL_WORKFLOW_EXECUTION_NOT_FOUND"},
                      {"initiated_event_id", e.id},
                      {"namespace", ns},
                      {"workflow_execution", {{"workflow_id", wid}, {"run_id", rid}}}},
                     unit);
        return;
    }
    const boost::json::object source{{"workflow_id", r.workflow_id}, {"run_id", r.run_id.str()}};
    if (signal)
        outbox_.send(target->run_key, event_type::workflow_execution_signaled,
                     {{"signal_name", e.attrs.at("signal_name")},
                      {"input", e.attrs.contains("input") ? e.attrs.at("input") : nullptr},
                      {"identity", "perdure"},
                      {"external_workflow_execution", source},
                      {"external_initiated_event_id", e.id}},
                     unit, "input");
    else
        outbox_.send(
            target->run_key, event_type::workflow_execution_cancel_requested,
            {{"external_workflow_execution", source}, {"external_initiated_event_id", e.id}, {"identity", "perdure"}},
            unit);
    outbox_.send(r.run_key,
                 signal ? event_type::external_workflow_execution_signaled
                        : event_type::external_workflow_execution_cancel_requested,
                 {{"initiated_event_id", e.id},
                  {"namespace", ns},
                  {"workflow_execution", {{"workflow_id", wid}, {"run_id", target->run_id.str()}}}},
                 unit);
}

// ---------------------------------------------------------------- continue-as-new and retries

void run_family::prepare_close(const run_state& r, command& c) const {
    if (c.kind == command_kind::continue_as_new) {
        c.attrs["new_execution_run_id"] = new_uuid();
        return;
    }
    if (c.kind != command_kind::fail_workflow) return;
    if (!r.retry) {
        c.attrs["retry_state"] = to_string(retry_state::retry_policy_not_set);
        return;
    }
    const auto f = failure::from_json(c.attrs.at("failure"));
    std::optional<std::chrono::milliseconds> remaining;
    if (r.execution_deadline_us)
        remaining = std::chrono::milliseconds((r.execution_deadline_us - host_.now_us()) / 1000);
    const auto d = decide_retry(*r.retry, r.attempt, f, remaining);
    c.attrs["retry_state"] = to_string(d.state);
    if (d.retry) {
        c.attrs["new_execution_run_id"] = new_uuid();
        c.attrs["backoff_start_interval"] = format_duration(d.delay);
    }
}

void run_family::continue_run(run_state& r, const event& close,
                              std::vector<std::pair<std::string, boost::json::value>> signals, write_unit& unit) {
    const auto& a = close.attrs;
    const bool retrying = close.type != event_type::workflow_execution_continued_as_new;
    // The closing run's start: what a retry repeats and what a continuation keeps unless it changes it.
    const boost::json::object started = host_.started_attributes(r);
    auto from = [&](const char* key) -> const boost::json::value* {
        if (!retrying)
            if (const auto* v = a.if_contains(key)) return v;
        return started.if_contains(key);
    };
    // What the chain keeps: its first run, deadline, retry policy, parent and Nexus callers
    // (callers complete from the last run of the chain).
    run_spec spec;
    spec.id.ns_id = r.ns_id;
    spec.id.workflow_id = r.workflow_id;
    spec.id.workflow_type = retrying ? r.workflow_type : name_of(a, "workflow_type");
    spec.id.task_queue = retrying ? r.task_queue : name_of(a, "task_queue");
    spec.id.run_id = text(a, "new_execution_run_id");
    spec.id.first_run_id = r.first_run_id_or_own();
    spec.id.execution_deadline_us = r.execution_deadline_us;
    spec.execution_timeout = duration_of(started, "workflow_execution_timeout");   // recorded again, as Temporal's
    spec.id.run_timeout_ms = retrying ? r.run_timeout_ms : duration_of(a, "workflow_run_timeout").count();
    // As Temporal: a retry repeats the start's memo; a continuation takes the one it gives, else
    // the memo as the run's upserts left it.
    if (const auto* m = retrying ? started.if_contains("memo") : a.if_contains("memo"); m && m->is_object())
        spec.id.memo = m->get_object();
    else if (!retrying)
        spec.id.memo = r.memo;
    spec.id.retry = r.retry;
    spec.id.attempt = retrying ? r.attempt + 1 : 1;
    spec.id.parent = r.parent;
    spec.id.parent_workflow_id = r.parent_workflow_id;
    spec.id.parent_run_id = r.parent_run_id;
    if (r.parent.run_key) spec.id.root_workflow_id = r.root_workflow_id, spec.id.root_run_id = r.root_run_id;
    spec.id.search_attributes = r.search_attributes;   // carried over, as on Temporal
    spec.id.callbacks = r.callbacks;
    spec.continued_run_id = r.run_id.str();
    if (const auto* t = from("workflow_task_timeout"); t && t->is_string())
        spec.task_timeout = parse_duration(t->get_string()).value_or(std::chrono::milliseconds(0));
    spec.initiator = retrying ? "RETRY" : "WORKFLOW";
    if (retrying) spec.first_task_backoff_ms = duration_of(a, "backoff_start_interval").count();
    const auto* input = retrying ? started.if_contains("input") : a.if_contains("input");
    spec.input = input ? *input : nullptr;
    auto& next = host_.create_run(std::move(spec), unit);
    if (next.parent.run_key) {
        children_[next.parent.run_key].erase(r.run_key);
        children_[next.parent.run_key].insert(next.run_key);
    }
    // Signals received and never read are recorded again in the new run, so none is lost.
    for (auto& [name, value] : signals) next.pending.push_back(host_.signal_event(name, std::move(value), {}, {}));
    host_.begin_run(next, unit);
}

}   // namespace perdure::detail
