// Retry policies as history records them: Temporal's defaults, validation and the JSON form
// of ActivityTaskScheduled, WorkflowExecutionStarted and child workflow attributes.
#pragma once

#include <perdure/options.hpp>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <optional>
#include <string>

namespace perdure::detail {

/// Fills Temporal's defaults (maximum_interval = 100 x initial_interval when 0).
retry_policy with_defaults(retry_policy);
/// A message saying what is wrong, or nullopt when valid.
std::optional<std::string> validate(const retry_policy&);

boost::json::object to_json(const retry_policy&);
retry_policy retry_policy_from_json(const boost::json::value&);

}   // namespace perdure::detail
