// A child workflow as its parent sees it: StartChildWorkflowExecution -> Initiated -> Started
// -> Completed | Failed | Canceled | TimedOut | Terminated (or StartChildWorkflowExecutionFailed),
// cancelled through RequestCancelExternalWorkflowExecution per its cancellation type.
#pragma once

#include "machines/machine.hpp"
#include "machines/command.hpp"

#include <perdure/options.hpp>

#include <boost/json/object.hpp>

#include <string>

namespace perdure::detail {

class child_machine final : public machine {
public:
    child_machine(machine_host& inst, boost::json::object attrs, cancellation_type cancellation);

    void recorded(const event& e) override;
    void apply(const event& e) override;
    void request_cancel() override;
    void annotate(event& e) const override;

private:
    enum class state { created, initiated, started, done };
    void finish();
    machine_host& inst_;
    std::string ns_, workflow_id_, workflow_type_, run_id_;
    cancellation_type cancellation_;
    std::int64_t initiated_event_id_ = 0, started_event_id_ = 0, cancel_event_id_ = 0;
    bool cancel_requested_ = false;
    state state_ = state::created;
};

/// Signalling or cancelling another workflow: *Initiated -> External*(Signaled|CancelRequested)
/// or *Failed.
class external_machine final : public machine {
public:
    external_machine(machine_host& inst, command_kind kind, boost::json::object attrs);

    void recorded(const event& e) override;
    void apply(const event& e) override;
    void request_cancel() override;

private:
    machine_host& inst_;
    std::int64_t initiated_event_id_ = 0;
    bool recorded_ = false;
};

}   // namespace perdure::detail
