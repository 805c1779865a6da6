// Turning activity_options into the ActivityTaskScheduled attributes, with Temporal's
// timeout normalization and validation.
#pragma once

#include <perdure/options.hpp>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace perdure::detail {

/// Builds the attributes, or returns a message saying what is wrong with the options.
std::optional<std::string> activity_schedule_attrs(std::string_view type, std::string_view activity_id,
                                                   boost::json::value input, const activity_options&,
                                                   std::string_view workflow_task_queue,
                                                   std::chrono::milliseconds run_timeout, boost::json::object& out);

/// The timeouts recorded in ActivityTaskScheduled attributes (0 where none).
struct activity_timeouts {
    std::chrono::milliseconds schedule_to_close{0}, schedule_to_start{0}, start_to_close{0}, heartbeat{0};
};
activity_timeouts activity_timeouts_from(const boost::json::object& scheduled_attrs);

}   // namespace perdure::detail
