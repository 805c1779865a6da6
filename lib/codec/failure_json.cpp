// failure <-> the JSON stored in history, in Temporal's Failure shape.
#include <perdure/error.hpp>
#include <perdure/failure.hpp>

#include <array>
#include <utility>

namespace perdure {
namespace {

constexpr std::array<std::pair<failure_kind, const char*>, 9> info_keys = {{
    {failure_kind::application, "application_failure_info"},
    {failure_kind::timeout, "timeout_failure_info"},
    {failure_kind::canceled, "canceled_failure_info"},
    {failure_kind::terminated, "terminated_failure_info"},
    {failure_kind::server, "server_failure_info"},
    {failure_kind::activity, "activity_failure_info"},
    {failure_kind::child_workflow, "child_workflow_execution_failure_info"},
    {failure_kind::nexus_operation, "nexus_operation_execution_failure_info"},
    {failure_kind::nexus_handler, "nexus_handler_failure_info"},
}};

constexpr int max_cause_depth = 64;

failure read(const boost::json::value& v, int depth) {
    if (!v.is_object() || depth > max_cause_depth)
        throw payload_error("a failure record must be a JSON object with a \"message\" (and at most 64 causes)");
    const auto& o = v.get_object();
    failure f;
    if (const auto* m = o.if_contains("message"); m && m->is_string()) f.message = m->get_string();
    if (const auto* s = o.if_contains("stack_trace"); s && s->is_string()) f.stack_trace = s->get_string();
    for (const auto& [kind, key] : info_keys) {
        if (const auto* i = o.if_contains(key); i && i->is_object()) {
            f.kind = kind;
            f.info = i->get_object();
            break;
        }
    }
    if (const auto* c = o.if_contains("cause"); c && !c->is_null())
        f.cause = std::make_shared<const failure>(read(*c, depth + 1));
    return f;
}

}   // namespace

boost::json::object failure::to_json() const {
    boost::json::object o;
    o["message"] = message;
    if (!stack_trace.empty()) o["stack_trace"] = stack_trace;
    for (const auto& [k, key] : info_keys)
        if (k == kind) o[key] = info;
    if (cause) o["cause"] = cause->to_json();
    return o;
}

failure failure::from_json(const boost::json::value& v) { return read(v, 0); }

}   // namespace perdure
