// Builds histories by hand for replay tests: events with Temporal's types and attributes,
// numbered in order, one activation boundary at a time.
#pragma once

#include "history/event.hpp"

#include <boost/json/object.hpp>

#include <string>
#include <vector>

namespace perdure::test {

class history_builder {
public:
    history_builder& started(boost::json::value input = nullptr, const std::string& type = "Test");
    /// A WorkflowTaskCompleted at `time_us` (defaults to one second after the previous one).
    history_builder& boundary(std::int64_t time_us = -1);
    history_builder& activity_scheduled(const std::string& type, const std::string& id);
    history_builder& activity_completed(std::int64_t scheduled_id, boost::json::value result);
    history_builder& activity_failed(std::int64_t scheduled_id, const std::string& message);
    history_builder& timer_started(const std::string& timer_id, const std::string& duration = "10s");
    history_builder& timer_fired(std::int64_t started_id, const std::string& timer_id);
    history_builder& marker(const std::string& name, boost::json::object details);
    history_builder& completed(boost::json::value result);
    history_builder& add(detail::event_type type, boost::json::object attrs);

    std::int64_t last_id() const { return events_.empty() ? 0 : events_.back().id; }
    const std::vector<detail::event>& events() const { return events_; }

private:
    std::vector<detail::event> events_;
    std::int64_t time_us_ = 1'735'689'600'000'000;
    std::int64_t last_boundary_ = 0;
};

}   // namespace perdure::test
