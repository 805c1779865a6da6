// An activity as the workflow sees it: ScheduleActivityTask -> ActivityTaskScheduled ->
// Completed | Failed | TimedOut | (CancelRequested ->) Canceled, with the cancellation types.
#pragma once

#include "machines/machine.hpp"

#include <perdure/options.hpp>

#include <boost/json/object.hpp>

#include <memory>
#include <string>

namespace perdure::detail {

class activity_machine final : public machine {
public:
    activity_machine(machine_host& inst, boost::json::object attrs, cancellation_type cancellation);
    void recorded(const event& e) override;
    void apply(const event& e) override;
    void request_cancel() override;

private:
    enum class state { created, scheduled, cancel_requested, done };
    void finish();
    machine_host& inst_;
    std::string activity_type_, activity_id_;
    cancellation_type cancellation_;
    std::int64_t scheduled_event_id_ = 0;
    state state_ = state::created;
};

}   // namespace perdure::detail
