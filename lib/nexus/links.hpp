// Temporal's link to an event of a workflow's history, as Nexus callers and handlers exchange
// them: temporal:///namespaces/NS/workflows/WID/RID/history?referenceType=...; and the links a
// handler returns, as history records them.
#pragma once

#include <perdure/nexus.hpp>

#include <boost/json/array.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace perdure::detail {

inline constexpr const char* workflow_event_link_type = "temporal.api.common.v1.Link.WorkflowEvent";

/// A link to event `event_id` of a run: temporal:///namespaces/NS/workflows/WID/RID/history?
/// eventID=..&eventType=..&referenceType=EventReference. The names are escaped as path segments
/// and the query's keys sorted, as Temporal's SDKs write them, so any id reads back exactly.
std::string workflow_event_url(std::string_view ns, std::string_view wid, std::string_view rid, std::int64_t event_id,
                               std::string_view event_type);
/// A link to the event that took request `request_id` (referenceType=RequestIdReference).
std::string request_id_url(std::string_view ns, std::string_view wid, std::string_view rid, std::string_view request_id,
                           std::string_view event_type);

/// Appends links in history's shape, {"url", "type"}.
inline void append_links(boost::json::array& out, const std::vector<nexus::link>& links) {
    for (const auto& l : links) out.push_back(boost::json::object{{"url", l.url}, {"type", l.type}});
}

/// Why a handler's links cannot be recorded, if they cannot: each needs a url and a type.
inline std::optional<std::string> invalid_handler_links(const std::vector<nexus::link>& links) {
    for (std::size_t i = 0; i < links.size(); ++i)
        if (links[i].url.empty() || links[i].type.empty())
            return "handler link " + std::to_string(i) + " has no " + (links[i].url.empty() ? "url" : "type") +
                   "; give every operation_context::handler_links entry a url and a type";
    return std::nullopt;
}

}   // namespace perdure::detail
