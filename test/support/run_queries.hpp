// What integration tests ask about runs through the public API: the workflow ids a visibility
// query lists, a history's events of one type, and whether a message says something.
#pragma once

#include <perdure/client.hpp>

#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace perdure::test {

/// The workflow ids of the first page `query` lists.
inline std::set<std::string> listed_ids(perdure::client c, std::string_view query) {
    std::set<std::string> out;
    for (const auto& w : c.list(query).executions) out.insert(w.workflow_id);
    return out;
}

inline std::vector<perdure::history_event> events_of_type(const std::vector<perdure::history_event>& history,
                                                          std::string_view type) {
    std::vector<perdure::history_event> out;
    for (const auto& e : history)
        if (e.event_type == type) out.push_back(e);
    return out;
}

inline bool mentions(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}   // namespace perdure::test
