// history_event <-> the JSON the replayer and the CLI read.
#include "codec/duration.hpp"

#include <perdure/error.hpp>
#include <perdure/history.hpp>

namespace perdure {

boost::json::object history_event::to_json() const {
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(event_time.time_since_epoch()).count();
    return {{"event_id", event_id},
            {"event_type", event_type},
            {"event_time", detail::format_time(us)},
            {"attributes", attributes}};
}

history_event history_event::from_json(const boost::json::value& v) {
    if (!v.is_object()) throw invalid_argument("a history event must be a JSON object");
    const auto& o = v.get_object();
    history_event e;
    const auto* id = o.if_contains("event_id");
    if (!id || !id->is_int64() || id->get_int64() < 1)
        throw invalid_argument("a history event needs a positive integer \"event_id\"");
    e.event_id = id->get_int64();
    const auto* type = o.if_contains("event_type");
    if (!type || !type->is_string())
        throw invalid_argument("history event " + std::to_string(e.event_id) + " needs a string \"event_type\"");
    e.event_type = type->get_string();
    if (const auto* t = o.if_contains("event_time"); t && t->is_string()) {
        auto us = detail::parse_time(t->get_string());
        if (!us)
            throw invalid_argument("history event " + std::to_string(e.event_id) +
                                   " has an \"event_time\" that is not RFC 3339");
        e.event_time = std::chrono::system_clock::time_point(std::chrono::microseconds(*us));
    }
    if (const auto* a = o.if_contains("attributes")) {
        if (!a->is_object())
            throw invalid_argument("history event " + std::to_string(e.event_id) + " has non-object \"attributes\"");
        e.attributes = a->get_object();
    }
    return e;
}

}   // namespace perdure
