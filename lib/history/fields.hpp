// Small conversions every layer above the history needs: a string attribute of an event (or of
// any JSON object the engine stores), a recorded parent close policy, and a stored microsecond
// time as a time point.
#pragma once

#include <perdure/options.hpp>

#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <string>

namespace perdure::detail {

/// The string at `key`, or "" when it is missing or not a string.
inline std::string text(const boost::json::object& o, const char* key) {
    if (const auto* v = o.if_contains(key); v && v->is_string()) return std::string(v->get_string());
    return {};
}

/// A type's name, stored as a string or as {"name": ...} (Temporal's ActivityType, WorkflowType).
inline std::string name_of(const boost::json::object& o, const char* key) {
    if (const auto* v = o.if_contains(key); v && v->is_object()) return text(v->get_object(), "name");
    return text(o, key);
}

/// A parent close policy as StartChildWorkflowExecutionInitiated records it.
inline parent_close_policy parent_close_policy_of(const std::string& s) {
    if (s == "REQUEST_CANCEL") return parent_close_policy::request_cancel;
    if (s == "ABANDON") return parent_close_policy::abandon;
    return parent_close_policy::terminate;
}

/// A time stored as microseconds since the epoch.
inline std::chrono::system_clock::time_point from_us(std::int64_t us) {
    return std::chrono::system_clock::time_point(std::chrono::microseconds(us));
}

}   // namespace perdure::detail
