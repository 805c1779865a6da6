// Commands to and from their stored JSON (answers: inbox_answer_json.cpp). Stored rows are
// outside input (another process wrote them, perhaps another version), so every field is
// checked before it is used.
#include "store/inbox_json.hpp"

#include "codec/json_parse.hpp"
#include "store/start_command_json.hpp"
#include "support/overloaded.hpp"

#include <boost/json/serialize.hpp>

#include <limits>
#include <utility>

namespace perdure::detail {
namespace {

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
    void operator()(const endpoint_health_command& c) const {
        o["name"] = c.name;
        if (!c.caller_ns.empty()) o["caller_namespace"] = c.caller_ns;
    }
    void operator()(const engine_handover_command&) const {}
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
    void operator()(const workflow_task_command& c) const {
        o["run_key"] = c.run_key;
        o["last_event_id"] = c.last_event_id;
        o["time_us"] = c.time_us;
        if (!c.commands.empty()) o["commands"] = c.commands;
        if (!c.failure.is_null()) o["failure"] = c.failure;
        if (!c.unread_signals.empty()) o["unread_signals"] = c.unread_signals;
        if (!c.identity.empty()) o["identity"] = c.identity;
        if (!c.updates.empty()) o["updates"] = c.updates;
    }
    void operator()(const workflow_query_answer_command& c) const {
        o["run_key"] = c.run_key;
        o["query_id"] = c.query_id;
        if (c.failure.empty())
            o["answer"] = c.answer;
        else
            o["failure"] = c.failure;
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

boost::json::array array_field(const command_fields& f, const char* key) {
    const auto v = f.value(key);
    if (v.is_null()) return {};
    if (!v.is_array()) malformed(std::string("'") + key + "' must be an array");
    return v.get_array();
}

workflow_task_command workflow_task(const command_fields& f) {
    workflow_task_command c{f.integer("run_key"),       f.integer("last_event_id"), f.integer("time_us"),
                            array_field(f, "commands"), f.value("failure"),         array_field(f, "unread_signals"),
                            f.text("identity"),         array_field(f, "updates")};
    if (!c.failure.is_null() && !c.failure.is_object()) malformed("'failure' must be an object");
    return c;
}

workflow_query_answer_command query_answer(const command_fields& f) {
    workflow_query_answer_command c{f.integer("run_key"), f.text("query_id"), f.value("answer"), f.text("failure")};
    if (c.query_id.empty()) malformed("'query_id' must not be empty");
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
    if (op == "endpoint.health") return endpoint_health_command{f.text("name"), f.text("caller_namespace")};
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
    if (op == "engine.handover") return engine_handover_command{};
    if (op == "workflow.task") return workflow_task(f);
    if (op == "workflow.query-answer") return query_answer(f);
    throw invalid_argument("unknown inbox command '" + std::string(op) + "'");
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
                                 [](const nexus_report_command&) { return "nexus.handled"; },
                                 [](const endpoint_health_command&) { return "endpoint.health"; },
                                 [](const engine_handover_command&) { return "engine.handover"; },
                                 [](const workflow_task_command&) { return "workflow.task"; },
                                 [](const workflow_query_answer_command&) { return "workflow.query-answer"; }},
                      command);
}

std::string stored_command(const inbox_command& command) {
    boost::json::object o{{"op", inbox_op_name(command)}};
    std::visit(command_writer{o}, command);
    return boost::json::serialize(o);
}

inbox_command parse_stored_command(std::string_view text) {
    boost::system::error_code ec;
    auto v = detail::parse_json(text, ec);
    if (ec) malformed(ec.message());
    if (!v.is_object()) malformed("an inbox command must be a JSON object");
    const command_fields fields(v.get_object());
    return command_of(fields.text("op"), fields);
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
