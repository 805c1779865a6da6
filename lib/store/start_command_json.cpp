#include "store/start_command_json.hpp"

#include "history/retry_policy.hpp"
#include "history/typed_attributes.hpp"

#include <perdure/error.hpp>

#include <string>

namespace perdure::detail {
namespace {

[[noreturn]] void malformed(const std::string& what) { throw invalid_argument("malformed inbox command: " + what); }

template <class Enum>
Enum enum_field(const boost::json::object& o, const char* key, Enum last) {
    const auto* v = o.if_contains(key);
    if (!v) return Enum{};
    if (!v->is_int64() || v->get_int64() < 0 || v->get_int64() > static_cast<std::int64_t>(last))
        malformed(std::string("'") + key + "' must be an integer from 0 to " + std::to_string(static_cast<int>(last)));
    return static_cast<Enum>(v->get_int64());
}

std::chrono::milliseconds ms_field(const boost::json::object& o, const char* key) {
    const auto* v = o.if_contains(key);
    if (!v) return std::chrono::milliseconds(0);
    if (!v->is_int64() || v->get_int64() < 0) malformed(std::string("'") + key + "' must be a non-negative integer");
    return std::chrono::milliseconds(v->get_int64());
}

const boost::json::object* object_field(const boost::json::object& o, const char* key) {
    const auto* v = o.if_contains(key);
    if (!v) return nullptr;
    if (!v->is_object()) malformed(std::string("'") + key + "' must be an object");
    return &v->get_object();
}

}   // namespace

void put_start_options(boost::json::object& o, const workflow_start_command& c) {
    if (c.id_reuse != id_reuse_policy{}) o["id_reuse"] = static_cast<int>(c.id_reuse);
    if (c.id_conflict != id_conflict_policy{}) o["id_conflict"] = static_cast<int>(c.id_conflict);
    if (c.execution_timeout.count() != 0) o["execution_timeout_ms"] = c.execution_timeout.count();
    if (c.run_timeout.count() != 0) o["run_timeout_ms"] = c.run_timeout.count();
    if (c.retry) o["retry"] = to_json(*c.retry);
    if (!c.memo.empty()) o["memo"] = c.memo;
    if (!c.search_attributes.empty()) o["search_attributes"] = to_json(typed_by_value(c.search_attributes));
    if (!c.signal.empty()) {
        o["signal"] = c.signal;
        o["signal_arg"] = c.signal_arg;
    }
    if (c.from_engine) o["from_engine"] = true;
}

void read_start_options(const boost::json::object& o, workflow_start_command& c) {
    c.id_reuse = enum_field(o, "id_reuse", id_reuse_policy::reject_duplicate);
    c.id_conflict = enum_field(o, "id_conflict", id_conflict_policy::terminate_existing);
    c.execution_timeout = ms_field(o, "execution_timeout_ms");
    c.run_timeout = ms_field(o, "run_timeout_ms");
    if (const auto* retry = object_field(o, "retry")) c.retry = retry_policy_from_json(*retry);
    if (const auto* memo = object_field(o, "memo")) c.memo = *memo;
    if (const auto* attributes = object_field(o, "search_attributes")) {
        const auto read = typed_attributes_from_json(*attributes);
        if (read.size() != attributes->size()) malformed("a search attribute's value cannot be read");
        c.search_attributes = values_of(read);
    }
    if (const auto* signal = o.if_contains("signal")) {
        if (!signal->is_string() || signal->get_string().empty()) malformed("'signal' must be a non-empty string");
        c.signal = std::string(signal->get_string());
        if (const auto* arg = o.if_contains("signal_arg")) c.signal_arg = *arg;
    }
    if (const auto* from = o.if_contains("from_engine")) {
        if (!from->is_bool()) malformed("'from_engine' must be a boolean");
        c.from_engine = from->get_bool();
    }
}

workflow_start_command start_command_of(std::string ns, std::string type, boost::json::value input,
                                        start_workflow_options o) {
    workflow_start_command c{std::move(ns),   std::move(type),  std::move(o.task_queue),
                             std::move(o.id), std::move(input), std::move(o.request_id)};
    c.id_reuse = o.id_reuse;
    c.id_conflict = o.id_conflict;
    c.execution_timeout = o.execution_timeout;
    c.run_timeout = o.run_timeout;
    c.retry = std::move(o.retry);
    c.memo = std::move(o.memo);
    c.search_attributes = std::move(o.search_attributes);
    return c;
}

start_workflow_options options_of(workflow_start_command& c) {
    return {.id = std::move(c.workflow_id),
            .task_queue = c.task_queue,
            .id_reuse = c.id_reuse,
            .id_conflict = c.id_conflict,
            .execution_timeout = c.execution_timeout,
            .run_timeout = c.run_timeout,
            .retry = std::move(c.retry),
            .memo = std::move(c.memo),
            .request_id = c.request_id,
            .search_attributes = std::move(c.search_attributes)};
}

}   // namespace perdure::detail
