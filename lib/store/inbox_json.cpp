// Commands and answers to and from their stored JSON. Stored rows are outside input (another
// process wrote them, perhaps another version), so every field is checked before it is used.
#include "store/inbox_json.hpp"

#include "codec/duration.hpp"
#include "store/start_command_json.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <array>
#include <limits>
#include <utility>

namespace perdure::detail {
namespace {

template <class... F>
struct overloaded : F... {
    using F::operator()...;
};
template <class... F>
overloaded(F...) -> overloaded<F...>;

[[noreturn]] void malformed(const std::string& what) { throw invalid_argument("malformed inbox command: " + what); }

/// The fields of a stored command: a missing field takes its default (older senders left empty
/// ones out); a field of the wrong type makes the whole command malformed.
class command_fields {
public:
    explicit command_fields(const boost::json::object& o) : o_(o) {}

    std::string text(const char* key) const { return optional_text(key).value_or(""); }
    std::optional<std::string> optional_text(const char* key) const {
        const auto* v = o_.if_contains(key);
        if (!v) return std::nullopt;
        if (!v->is_string()) malformed(std::string("'") + key + "' must be a string");
        return std::string(v->get_string());
    }
    std::optional<double> optional_number(const char* key) const {
        const auto* v = o_.if_contains(key);
        if (!v) return std::nullopt;
        if (!v->is_number()) malformed(std::string("'") + key + "' must be a number");
        return v->to_number<double>();
    }
    std::chrono::milliseconds retention() const {
        const auto* v = o_.if_contains("retention_ms");
        if (!v) return std::chrono::milliseconds(0);
        if (!v->is_int64()) throw invalid_argument("an inbox command's retention_ms must be an integer");
        return std::chrono::milliseconds(v->get_int64());
    }
    std::int64_t integer(const char* key) const { return optional_integer(key).value_or(0); }
    std::optional<std::int64_t> optional_integer(const char* key) const {
        const auto* v = o_.if_contains(key);
        if (!v) return std::nullopt;
        if (!v->is_int64()) malformed(std::string("'") + key + "' must be an integer");
        return v->get_int64();
    }
    workflow_target run() const { return {text("namespace"), text("workflow_id"), text("run_id")}; }
    const boost::json::object& object() const { return o_; }
    boost::json::value value(const char* key) const {
        const auto* v = o_.if_contains(key);
        return v ? *v : boost::json::value();
    }

private:
    const boost::json::object& o_;
};

void put_run(boost::json::object& o, const workflow_target& run) {
    o["namespace"] = run.ns;
    o["workflow_id"] = run.workflow_id;
    o["run_id"] = run.run_id;
}

template <class T>
void put_if(boost::json::object& o, const char* key, const std::optional<T>& v) {
    if (v) o[key] = *v;
}

/// Adds a command's own fields after its "op".
struct command_writer {
    boost::json::object& o;

    void operator()(const namespace_create_command& c) const {
        o["namespace"] = c.name;
        o["description"] = c.description;
        if (c.retention.count() != 0) o["retention_ms"] = c.retention.count();
    }
    void operator()(const namespace_update_command& c) const {
        o["namespace"] = c.name;
        o["retention_ms"] = c.retention.count();
    }
    void operator()(const namespace_delete_command& c) const { o["namespace"] = c.name; }
    void operator()(const endpoint_create_command& c) const {
        o["name"] = c.name;
        o["target_namespace"] = c.target_namespace;
        o["target_task_queue"] = c.target_task_queue;
        o["description"] = c.description;
        o["max_operations_per_second"] = c.max_operations_per_second;
    }
    void operator()(const endpoint_update_command& c) const {
        o["name"] = c.name;
        put_if(o, "new_name", c.new_name);
        put_if(o, "target_namespace", c.target_namespace);
        put_if(o, "target_task_queue", c.target_task_queue);
        put_if(o, "description", c.description);
        put_if(o, "max_operations_per_second", c.max_operations_per_second);
        put_if(o, "expected_version", c.expected_version);
    }
    void operator()(const endpoint_delete_command& c) const { o["name"] = c.name; }
    void operator()(const workflow_signal_command& c) const {
        put_run(o, c.run);
        o["signal"] = c.signal;
        o["input"] = c.input;
    }
    void operator()(const workflow_cancel_command& c) const {
        put_run(o, c.run);
        if (!c.first_run_id.empty()) o["first_run_id"] = c.first_run_id;
    }
    void operator()(const workflow_terminate_command& c) const {
        put_run(o, c.run);
        o["reason"] = c.reason;
        if (!c.first_run_id.empty()) o["first_run_id"] = c.first_run_id;
    }
    void operator()(const workflow_delete_command& c) const { put_run(o, c.run); }
    void operator()(const search_attribute_create_command& c) const {
        o["namespace"] = c.ns;
        o["name"] = c.name;
        o["type"] = to_string(c.type);
    }
    void operator()(const search_attribute_remove_command& c) const {
        o["namespace"] = c.ns;
        o["name"] = c.name;
    }
    void operator()(const workflow_start_command& c) const {
        o["namespace"] = c.ns;
        o["workflow_type"] = c.workflow_type;
        o["task_queue"] = c.task_queue;
        o["workflow_id"] = c.workflow_id;
        o["input"] = c.input;
        o["request_id"] = c.request_id;
        put_start_options(o, c);
    }
    void operator()(const workflow_query_command& c) const {
        put_run(o, c.run);
        o["query"] = c.query;
        o["arg"] = c.arg;
    }
    void operator()(const workflow_update_command& c) const {
        put_run(o, c.run);
        o["update"] = c.update;
        o["arg"] = c.arg;
        o["update_id"] = c.update_id;
    }
    void operator()(const activity_report_command& c) const {
        o["run_key"] = c.run_key;
        o["seq"] = c.seq;
        o["attempt"] = c.attempt;
        if (!c.value.is_null()) o["value"] = c.value;
        if (!c.failure.is_null()) o["failure"] = c.failure;
        if (!c.details.is_null()) o["details"] = c.details;
        if (!c.identity.empty()) o["identity"] = c.identity;
    }
    void operator()(const nexus_report_command& c) const {
        o["run_key"] = c.run_key;
        o["seq"] = c.seq;
        o["attempt"] = c.attempt;
        if (!c.result.is_null()) o["result"] = c.result;
        if (!c.failure.is_null()) o["failure"] = c.failure;
        if (!c.links.empty()) o["links"] = c.links;
        if (c.start) command_writer{o["start"].emplace_object()}(*c.start);
    }
};

int positive_attempt(const command_fields& f) {
    const auto attempt = f.integer("attempt");
    if (attempt < 1 || attempt > std::numeric_limits<int>::max()) malformed("'attempt' must be a positive integer");
    return static_cast<int>(attempt);
}

workflow_start_command start_command(const command_fields& f) {
    workflow_start_command c{f.text("namespace"),   f.text("workflow_type"), f.text("task_queue"),
                             f.text("workflow_id"), f.value("input"),        f.text("request_id")};
    read_start_options(f.object(), c);
    return c;
}

nexus_report_command nexus_report(const command_fields& f) {
    nexus_report_command c{f.integer("run_key"), f.integer("seq"), positive_attempt(f), f.value("result"),
                           f.value("failure")};
    if (const auto links = f.value("links"); !links.is_null()) {
        if (!links.is_array()) malformed("'links' must be an array");
        for (const auto& l : links.get_array()) {
            if (!l.is_object() || !l.get_object().contains("url") || !l.get_object().at("url").is_string())
                malformed("each of 'links' must be an object with a string 'url'");
            c.links.push_back(l);
        }
    }
    if (const auto start = f.value("start"); !start.is_null()) {
        if (!start.is_object()) malformed("'start' must be an object");
        c.start = start_command(command_fields(start.get_object()));
    }
    return c;
}

activity_report_command activity_report(activity_report_command::stage at, const command_fields& f) {
    return {at,
            f.integer("run_key"),
            f.integer("seq"),
            positive_attempt(f),
            f.value("value"),
            f.value("failure"),
            f.value("details"),
            f.text("identity")};
}

inbox_command command_of(std::string_view op, const command_fields& f) {
    if (op == "namespace.create")
        return namespace_create_command{f.text("namespace"), f.text("description"), f.retention()};
    if (op == "namespace.update") return namespace_update_command{f.text("namespace"), f.retention()};
    if (op == "namespace.delete") return namespace_delete_command{f.text("namespace")};
    if (op == "endpoint.create")
        return endpoint_create_command{f.text("name"), f.text("target_namespace"), f.text("target_task_queue"),
                                       f.text("description"),
                                       f.optional_number("max_operations_per_second").value_or(0)};
    if (op == "endpoint.update")
        return endpoint_update_command{f.text("name"),
                                       f.optional_text("new_name"),
                                       f.optional_text("target_namespace"),
                                       f.optional_text("target_task_queue"),
                                       f.optional_text("description"),
                                       f.optional_number("max_operations_per_second"),
                                       f.optional_integer("expected_version")};
    if (op == "endpoint.delete") return endpoint_delete_command{f.text("name")};
    if (op == "workflow.signal") return workflow_signal_command{f.run(), f.text("signal"), f.value("input")};
    if (op == "workflow.cancel") return workflow_cancel_command{f.run(), f.text("first_run_id")};
    if (op == "workflow.terminate")
        return workflow_terminate_command{f.run(), f.text("reason"), f.text("first_run_id")};
    if (op == "workflow.delete") return workflow_delete_command{f.run()};
    if (op == "search-attribute.create")   // an unknown type name makes the command unreadable
        return search_attribute_create_command{f.text("namespace"), f.text("name"),
                                               parse_search_attribute_type(f.text("type"))};
    if (op == "search-attribute.remove") return search_attribute_remove_command{f.text("namespace"), f.text("name")};
    if (op == "workflow.start") return start_command(f);
    if (op == "workflow.query") return workflow_query_command{f.run(), f.text("query"), f.value("arg")};
    if (op == "workflow.update")
        return workflow_update_command{f.run(), f.text("update"), f.value("arg"), f.text("update_id")};
    using stage = activity_report_command::stage;
    if (op == "activity.started") return activity_report(stage::started, f);
    if (op == "activity.heartbeat") return activity_report(stage::heartbeat, f);
    if (op == "activity.finished") return activity_report(stage::finished, f);
    if (op == "nexus.handled") return nexus_report(f);
    throw invalid_argument("unknown inbox command '" + std::string(op) + "'");
}

// ---------------------------------------------------------------- answers

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
    auto v = boost::json::parse(text, ec);
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

std::string_view inbox_op_name(const inbox_command& command) {
    return std::visit(overloaded{[](const namespace_create_command&) { return "namespace.create"; },
                                 [](const namespace_update_command&) { return "namespace.update"; },
                                 [](const namespace_delete_command&) { return "namespace.delete"; },
                                 [](const endpoint_create_command&) { return "endpoint.create"; },
                                 [](const endpoint_update_command&) { return "endpoint.update"; },
                                 [](const endpoint_delete_command&) { return "endpoint.delete"; },
                                 [](const workflow_signal_command&) { return "workflow.signal"; },
                                 [](const workflow_cancel_command&) { return "workflow.cancel"; },
                                 [](const workflow_terminate_command&) { return "workflow.terminate"; },
                                 [](const workflow_start_command&) { return "workflow.start"; },
                                 [](const workflow_query_command&) { return "workflow.query"; },
                                 [](const workflow_update_command&) { return "workflow.update"; },
                                 [](const workflow_delete_command&) { return "workflow.delete"; },
                                 [](const search_attribute_create_command&) { return "search-attribute.create"; },
                                 [](const search_attribute_remove_command&) { return "search-attribute.remove"; },
                                 [](const activity_report_command& c) {
                                     using stage = activity_report_command::stage;
                                     return c.at == stage::started     ? "activity.started"
                                            : c.at == stage::heartbeat ? "activity.heartbeat"
                                                                       : "activity.finished";
                                 },
                                 [](const nexus_report_command&) { return "nexus.handled"; }},
                      command);
}

std::string stored_command(const inbox_command& command) {
    boost::json::object o{{"op", inbox_op_name(command)}};
    std::visit(command_writer{o}, command);
    return boost::json::serialize(o);
}

inbox_command parse_stored_command(std::string_view text) {
    boost::system::error_code ec;
    auto v = boost::json::parse(text, ec);
    if (ec) malformed(ec.message());
    if (!v.is_object()) malformed("an inbox command must be a JSON object");
    const command_fields fields(v.get_object());
    return command_of(fields.text("op"), fields);
}

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

pending_command stored_pending(std::int64_t id, std::string_view command) {
    pending_command pending{id, {}, {}};
    try {
        pending.command = parse_stored_command(command);
    } catch (const error& e) {
        pending.unreadable = e.what();
    }
    return pending;
}

}   // namespace perdure::detail
