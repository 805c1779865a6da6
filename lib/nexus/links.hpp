// Temporal's link to an event of a workflow's history, as Nexus callers and handlers exchange
// them: temporal:///namespaces/NS/workflows/WID/RID/history?referenceType=...
#pragma once

#include <cstdint>
#include <string>

namespace perdure::detail {

inline constexpr const char* workflow_event_link_type = "temporal.api.common.v1.Link.WorkflowEvent";

inline std::string workflow_event_url(const std::string& ns, const std::string& wid, const std::string& rid,
                                      std::int64_t event_id, const char* event_type) {
    return "temporal:///namespaces/" + ns + "/workflows/" + wid + "/" + rid +
           "/history?referenceType=EventReference&eventID=" + std::to_string(event_id) + "&eventType=" + event_type;
}

}  // namespace perdure::detail
