// The history builder.
#include "support/history_builder.hpp"

namespace perdure::test {

using detail::event_type;

history_builder& history_builder::add(event_type type, boost::json::object attrs) {
    events_.push_back({static_cast<std::int64_t>(events_.size()) + 1, type, time_us_, std::move(attrs)});
    if (detail::is_command_event(type)) events_.back().attrs["workflow_task_completed_event_id"] = last_boundary_;
    return *this;
}

history_builder& history_builder::started(boost::json::value input, const std::string& type) {
    return add(
        event_type::workflow_execution_started,
        {{"workflow_type", {{"name", type}}}, {"task_queue", {{"name", "q"}}}, {"input", input}, {"attempt", 1}});
}

history_builder& history_builder::boundary(std::int64_t time_us) {
    time_us_ = time_us >= 0 ? time_us : time_us_ + 1'000'000;
    add(event_type::workflow_task_completed, {});
    last_boundary_ = last_id();
    return *this;
}

history_builder& history_builder::activity_scheduled(const std::string& type, const std::string& id) {
    return add(event_type::activity_task_scheduled, {{"activity_id", id},
                                                     {"activity_type", {{"name", type}}},
                                                     {"task_queue", {{"name", "q"}}},
                                                     {"input", nullptr},
                                                     {"start_to_close_timeout", "10s"}});
}

history_builder& history_builder::activity_completed(std::int64_t scheduled_id, boost::json::value result) {
    add(event_type::activity_task_started, {{"scheduled_event_id", scheduled_id}, {"attempt", 1}});
    return add(event_type::activity_task_completed,
               {{"scheduled_event_id", scheduled_id}, {"started_event_id", last_id()}, {"result", result}});
}

history_builder& history_builder::activity_failed(std::int64_t scheduled_id, const std::string& message) {
    add(event_type::activity_task_started, {{"scheduled_event_id", scheduled_id}, {"attempt", 1}});
    return add(event_type::activity_task_failed,
               {{"scheduled_event_id", scheduled_id},
                {"started_event_id", last_id()},
                {"retry_state", "NON_RETRYABLE_FAILURE"},
                {"failure",
                 {{"message", message}, {"application_failure_info", {{"type", "Boom"}, {"non_retryable", true}}}}}});
}

history_builder& history_builder::timer_started(const std::string& timer_id, const std::string& duration) {
    return add(event_type::timer_started, {{"timer_id", timer_id}, {"start_to_fire_timeout", duration}});
}

history_builder& history_builder::timer_fired(std::int64_t started_id, const std::string& timer_id) {
    return add(event_type::timer_fired, {{"timer_id", timer_id}, {"started_event_id", started_id}});
}

history_builder& history_builder::marker(const std::string& name, boost::json::object details) {
    return add(event_type::marker_recorded, {{"marker_name", name}, {"details", details}});
}

history_builder& history_builder::completed(boost::json::value result) {
    return add(event_type::workflow_execution_completed, {{"result", result}});
}

}   // namespace perdure::test
