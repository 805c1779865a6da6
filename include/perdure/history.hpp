// History events as clients see them: Temporal's event type names and attribute names.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <cstdint>
#include <string>

namespace perdure {

struct history_event {
    std::int64_t event_id{};    ///< 1, 2, 3, ... within a run
    std::string event_type{};   ///< Temporal's name: "WorkflowExecutionStarted", ...
    std::chrono::system_clock::time_point event_time{};
    boost::json::object attributes{};   ///< Temporal's attribute names in snake_case

    /// {"event_id", "event_type", "event_time" (RFC 3339), "attributes"}; the replayer reads
    /// the same shape.
    boost::json::object to_json() const;
    /// Reads what to_json wrote; throws invalid_argument naming what is missing or malformed.
    static history_event from_json(const boost::json::value&);
    bool operator==(const history_event&) const = default;
};

}   // namespace perdure
