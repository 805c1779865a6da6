// A Nexus operation as the calling workflow sees it: ScheduleNexusOperation -> Scheduled ->
// (Started, async only) -> Completed | Failed | Canceled | TimedOut, with two futures (started,
// result) and Temporal's four cancellation types. Every unsuccessful end, a cancellation too,
// reaches the workflow as a nexus_operation_failure naming the operation.
#pragma once

#include "machines/machine.hpp"

#include <perdure/failure.hpp>
#include <perdure/options.hpp>

#include <boost/json/object.hpp>

#include <memory>
#include <string>

namespace perdure::detail {

class nexus_machine final : public machine {
public:
    nexus_machine(machine_host& inst, boost::json::object attrs, cancellation_type cancellation);
    const std::shared_ptr<future_state>& started() const noexcept { return started_; }
    bool pending() const noexcept { return state_ != state::done; }

    void recorded(const event& e) override;
    void apply(const event& e) override;
    void request_cancel() override;

private:
    enum class state { created, scheduled, started, done };
    void finish();
    void fail_both(std::exception_ptr e);
    /// The operation's failure for `cause`, from what history says of it (so replay agrees).
    std::exception_ptr failure_of(failure cause) const;
    std::exception_ptr canceled(std::string message) const;
    machine_host& inst_;
    cancellation_type cancellation_;
    std::string endpoint_, service_, operation_, token_;
    std::int64_t scheduled_event_id_ = 0;
    bool cancel_requested_ = false;
    state state_ = state::created;
    std::shared_ptr<future_state> started_;
};

}   // namespace perdure::detail
