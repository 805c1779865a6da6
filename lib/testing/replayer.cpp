// The replayer: saved histories (JSON) against the workflow code registered now.
#include "replay/replayer.hpp"

#include "codec/duration.hpp"
#include "codec/json_parse.hpp"

#include <perdure/error.hpp>
#include <perdure/testing.hpp>

#include <fstream>
#include <sstream>

namespace perdure::testing {

boost::json::value history_to_json(const std::vector<history_event>& history) {
    boost::json::array out;
    for (const auto& e : history) out.push_back(e.to_json());
    return out;
}

void replayer::replay(const boost::json::value& history) {
    const boost::json::array* events = history.if_array();
    if (!events && history.is_object())
        if (const auto* e = history.get_object().if_contains("events")) events = e->if_array();
    if (!events)
        throw invalid_argument("a history must be a JSON array of events, or an object with an \"events\" array");
    std::vector<history_event> parsed;
    for (const auto& e : *events) parsed.push_back(history_event::from_json(e));
    replay(parsed);
}

void replayer::replay(const std::vector<history_event>& history) {
    std::vector<detail::event> events;
    for (const auto& h : history) {
        const auto type = detail::event_type_from_name(h.event_type);
        if (!type)
            throw invalid_argument("history event " + std::to_string(h.event_id) + " has an unknown event_type '" +
                                   h.event_type + "'");
        events.push_back(
            {h.event_id, *type,
             std::chrono::duration_cast<std::chrono::microseconds>(h.event_time.time_since_epoch()).count(),
             h.attributes});
    }
    if (events.empty() || events.front().type != detail::event_type::workflow_execution_started)
        throw invalid_argument("a history must begin with WorkflowExecutionStarted");
    const auto& started = events.front().attrs;
    const auto name_in = [&](const char* key) -> const boost::json::string* {
        const auto* o = started.if_contains(key);
        const auto* name = o && o->is_object() ? o->get_object().if_contains("name") : nullptr;
        return name ? name->if_string() : nullptr;
    };
    const auto* type_name = name_in("workflow_type");
    if (!type_name) throw invalid_argument("WorkflowExecutionStarted needs \"workflow_type\": {\"name\": \"...\"}");
    const std::string type(*type_name);
    auto fn = workflows_.find(type);
    if (fn == workflows_.end()) {
        std::string known;
        for (const auto& [n, f] : workflows_) known += (known.empty() ? "" : ", ") + n;
        throw not_found("the history is of workflow type " + type +
                        ", which this replayer does not register (registered: " + (known.empty() ? "none" : known) +
                        ")");
    }
    // The original run id seeds ctx.random() and ctx.uuid() as it did when the history was made.
    std::string run_id = "replay";
    if (const auto* r = started.if_contains("original_execution_run_id"); r && r->is_string()) run_id = r->get_string();
    workflow_info info{"replay", "replay", run_id, type, "", 1, run_id, ""};
    if (const auto* q = name_in("task_queue")) info.task_queue = *q;
    detail::workflow_instance inst(fn->second, std::move(info), 0);
    const auto result = detail::replay(inst, events);
    if (!result.failure) return;
    switch (result.failure->reason) {
    case detail::task_failure::cause::nondeterminism:
    case detail::task_failure::cause::corrupt_history: throw nondeterminism_error(result.failure->message);
    default: throw failed_precondition("replaying the history failed: " + result.failure->message);
    }
}

void replayer::replay_file(const std::filesystem::path& file) {
    std::ifstream in(file);
    if (!in) throw not_found("cannot read history file " + file.string());
    std::stringstream text;
    text << in.rdbuf();
    boost::system::error_code ec;
    auto v = detail::parse_json(text.str(), ec);
    if (ec) throw invalid_argument("history file " + file.string() + " is not valid JSON: " + ec.message());
    replay(v);
}

}   // namespace perdure::testing
