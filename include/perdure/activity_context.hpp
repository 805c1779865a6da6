// What an activity function receives: who it runs for, heartbeats, and cancellation.
#pragma once

#include <boost/json/value.hpp>

#include <memory>
#include <string>

namespace perdure {

namespace detail {
struct activity_control;
}   // namespace detail

struct activity_info {
    std::string ns{}, activity_type{}, activity_id{}, workflow_id{}, run_id{}, task_queue{};
    int attempt{1};                           ///< 1 for the first attempt
    boost::json::value heartbeat_details{};   ///< the last details heartbeated by an earlier attempt
};

class activity_context {
public:
    activity_context(activity_info info, std::shared_ptr<detail::activity_control> control);
    const activity_info& info() const noexcept { return info_; }

    /// Records progress; the latest details reach the next attempt if this one fails. Throws
    /// canceled_error once cancellation has been requested, so a heartbeating activity stops.
    void heartbeat(boost::json::value details = {});
    /// True once the workflow asked to cancel this activity (or the engine is stopping).
    bool cancel_requested() const noexcept;

private:
    activity_info info_;
    std::shared_ptr<detail::activity_control> control_;
};

}   // namespace perdure
