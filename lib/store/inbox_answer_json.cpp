// Answers to and from their stored JSON. A stored answer is outside input (another process
// wrote it, perhaps another version): it is read field by field, and one that does not fit its
// command becomes a failure saying so.
#include "codec/duration.hpp"
#include "codec/json_parse.hpp"
#include "store/inbox_json.hpp"
#include "support/overloaded.hpp"

#include <boost/json/serialize.hpp>

#include <array>
#include <utility>

namespace perdure::detail {
namespace {

/// The error codes an answer can carry; any other is stored as failed_precondition.
constexpr std::array<std::pair<errc, std::string_view>, 10> code_names{{
    {errc::not_found, "not_found"},
    {errc::already_exists, "already_exists"},
    {errc::invalid_argument, "invalid_argument"},
    {errc::failed_precondition, "failed_precondition"},
    {errc::database_locked, "database_locked"},
    {errc::storage_error, "storage_error"},
    {errc::payload_error, "payload_error"},
    {errc::failure, "failure"},   // an update's handler failed, or a validator rejected it
    {errc::query_failed, "query_failed"},
    {errc::engine_stopped, "engine_stopped"},
}};

std::string_view code_name(errc code) {
    for (const auto& [c, name] : code_names)
        if (c == code) return name;
    return "failed_precondition";
}

errc code_of(std::string_view name) {
    for (const auto& [c, n] : code_names)
        if (n == name) return c;
    return errc::failed_precondition;
}

boost::json::object object_of(std::string_view text) {
    boost::system::error_code ec;
    auto v = detail::parse_json(text, ec);
    if (ec || !v.is_object()) return {};
    return std::move(v.get_object());
}

/// The result fields the engine always writes; `missing` names the first one absent or mistyped.
struct result_fields {
    const boost::json::object& o;
    std::string missing;

    std::string text(const char* key) {
        if (const auto* v = o.if_contains(key); v && v->is_string()) return std::string(v->get_string());
        if (missing.empty()) missing = key;
        return {};
    }
    std::int64_t integer(const char* key) {
        if (const auto* v = o.if_contains(key); v && v->is_int64()) return v->get_int64();
        if (missing.empty()) missing = key;
        return 0;
    }
    double number(const char* key) {
        if (const auto* v = o.if_contains(key); v && v->is_number()) return v->to_number<double>();
        if (missing.empty()) missing = key;
        return 0;
    }
};

/// What kind of answer each command gets.
enum class answer_kind { none, a_namespace, an_endpoint, a_start, a_payload };

answer_kind kind_of(const inbox_command* asked) {
    if (!asked) return answer_kind::none;
    return std::visit(overloaded{[](const namespace_create_command&) { return answer_kind::a_namespace; },
                                 [](const namespace_update_command&) { return answer_kind::a_namespace; },
                                 [](const endpoint_create_command&) { return answer_kind::an_endpoint; },
                                 [](const endpoint_update_command&) { return answer_kind::an_endpoint; },
                                 [](const workflow_start_command&) { return answer_kind::a_start; },
                                 [](const workflow_query_command&) { return answer_kind::a_payload; },
                                 [](const workflow_update_command&) { return answer_kind::a_payload; },
                                 [](const endpoint_health_command&) { return answer_kind::a_payload; },
                                 [](const engine_handover_command&) { return answer_kind::a_payload; },
                                 [](const workflow_task_command&) { return answer_kind::a_payload; },
                                 [](const activity_report_command& c) {
                                     return c.at == activity_report_command::stage::finished ? answer_kind::none
                                                                                             : answer_kind::a_payload;
                                 },
                                 [](const auto&) { return answer_kind::none; }},
                      *asked);
}

inbox_answer result_of(answer_kind kind, const boost::json::object& o) {
    result_fields f{o, {}};
    inbox_answer answer;
    if (kind == answer_kind::a_namespace) {
        namespace_answer n{f.text("name"), f.text("description"), {}};
        const auto retention = parse_duration(f.text("retention"));
        if (!retention && f.missing.empty()) f.missing = "retention";
        n.retention = retention.value_or(std::chrono::milliseconds(0));
        answer = std::move(n);
    } else if (kind == answer_kind::an_endpoint) {
        answer = endpoint_answer{f.text("id"),
                                 f.integer("version"),
                                 f.text("name"),
                                 f.text("target_namespace"),
                                 f.text("target_task_queue"),
                                 f.text("description"),
                                 f.number("max_operations_per_second")};
    } else if (kind == answer_kind::a_start) {
        workflow_started_answer started{f.text("workflow_id"), f.text("run_id"), {}};
        if (const auto* first = o.if_contains("first_execution_run_id"); first && first->is_string())
            started.first_execution_run_id = first->get_string();
        answer = std::move(started);
    } else if (kind == answer_kind::a_payload) {
        if (const auto* v = o.if_contains("value"))
            answer = payload_answer{*v};
        else
            f.missing = "value";
    }
    if (f.missing.empty()) return answer;
    return inbox_failure{errc::storage_error,
                         "the running engine applied the command, but its answer cannot be read (no valid '" +
                             f.missing + "'); check the result with a read command (list or describe)"};
}

}   // namespace

const char* stored_state(const inbox_answer& answer) {
    return std::holds_alternative<inbox_failure>(answer) ? "failed" : "done";
}

boost::json::object answer_json(const inbox_answer& answer) {
    return std::visit(overloaded{[](std::monostate) { return boost::json::object{}; },
                                 [](const namespace_answer& n) {
                                     return boost::json::object{{"name", n.name},
                                                                {"description", n.description},
                                                                {"retention", format_duration(n.retention)}};
                                 },
                                 [](const endpoint_answer& e) {
                                     return boost::json::object{
                                         {"id", e.id},
                                         {"version", e.version},
                                         {"name", e.name},
                                         {"target_namespace", e.target_namespace},
                                         {"target_task_queue", e.target_task_queue},
                                         {"description", e.description},
                                         {"max_operations_per_second", e.max_operations_per_second}};
                                 },
                                 [](const inbox_failure& f) {
                                     boost::json::object o{{"error", f.message}, {"code", code_name(f.code)}};
                                     if (!f.run_id.empty()) o["run_id"] = f.run_id;
                                     if (!f.failure.is_null()) o["failure"] = f.failure;
                                     if (f.rejected) o["rejected"] = true;
                                     if (f.unfinished) o["unfinished"] = true;
                                     return o;
                                 },
                                 [](const workflow_started_answer& a) {
                                     boost::json::object o{{"workflow_id", a.workflow_id}, {"run_id", a.run_id}};
                                     // Only when the chain began before this run (a start that found one).
                                     if (!a.first_execution_run_id.empty() && a.first_execution_run_id != a.run_id)
                                         o["first_execution_run_id"] = a.first_execution_run_id;
                                     return o;
                                 },
                                 [](const payload_answer& a) {
                                     return boost::json::object{{"value", a.value}};
                                 }},
                      answer);
}

std::string stored_answer(const inbox_answer& answer) { return boost::json::serialize(answer_json(answer)); }

inbox_answer parse_stored_answer(const inbox_command* asked, bool failed, std::string_view result) {
    const auto o = object_of(result);
    if (!failed) return result_of(kind_of(asked), o);
    inbox_failure failure{errc::failed_precondition, "the engine failed the command"};
    if (const auto* m = o.if_contains("error"); m && m->is_string()) failure.message = m->get_string();
    if (const auto* c = o.if_contains("code"); c && c->is_string()) failure.code = code_of(c->get_string());
    if (const auto* r = o.if_contains("run_id"); r && r->is_string()) failure.run_id = r->get_string();
    if (const auto* f = o.if_contains("failure"); f && f->is_object()) failure.failure = *f;
    if (const auto* r = o.if_contains("rejected"); r && r->is_bool()) failure.rejected = r->get_bool();
    if (const auto* u = o.if_contains("unfinished"); u && u->is_bool()) failure.unfinished = u->get_bool();
    return failure;
}

namespace {

inbox_status::stage stage_of(std::string_view state) {
    if (state == "pending") return inbox_status::stage::pending;
    if (state == "done" || state == "failed") return inbox_status::stage::answered;
    if (state == "withdrawn") return inbox_status::stage::withdrawn;
    return inbox_status::stage::claimed;   // "running", or a state a newer engine uses while it works
}

}   // namespace

inbox_status stored_status(std::string_view command, std::string_view state, std::string_view result) {
    inbox_status status{stage_of(state), {}};
    if (status.at != inbox_status::stage::answered) return status;
    // The answer's shape follows the command's kind; our own command always reads back.
    std::optional<inbox_command> asked;
    try {
        asked = parse_stored_command(command);
    } catch (const error&) {
    }
    status.answer = parse_stored_answer(asked ? &*asked : nullptr, state == "failed", result);
    return status;
}

}   // namespace perdure::detail
