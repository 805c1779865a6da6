// Nexus operation state machine (caller side).
#include "machines/nexus_machine.hpp"

#include "replay/instance.hpp"

#include <perdure/error.hpp>

namespace perdure::detail {

nexus_machine::nexus_machine(instance& inst, boost::json::object attrs, cancellation_type cancellation)
    : inst_(inst), cancellation_(cancellation) {
    future_ = inst.make_future(this);
    started_ = inst.make_future(this);
    inst_.add_command(command_kind::schedule_nexus_operation, std::move(attrs), this);
}

void nexus_machine::recorded(const event& e) {
    if (e.type != event_type::nexus_operation_scheduled) return;
    scheduled_event_id_ = e.id;
    state_ = state::scheduled;
    inst_.index_event(e.id, this);
}

void nexus_machine::finish() {
    state_ = state::done;
    inst_.unindex_event(scheduled_event_id_);
    started_->cancel = nullptr;
    inst_.retire(this);
}

void nexus_machine::fail_both(std::exception_ptr e) {
    if (!started_->ready()) inst_.reject(*started_, e);
    if (!future_->ready()) inst_.reject(*future_, e);
}

void nexus_machine::apply(const event& e) {
    if (state_ == state::done || state_ == state::created) return;
    const auto* f = e.attrs.if_contains("failure");
    switch (e.type) {
    case event_type::nexus_operation_started:
        state_ = state::started;
        if (!started_->ready()) {
            const auto* t = e.attrs.if_contains("operation_token");
            inst_.resolve(*started_, t ? *t : boost::json::value(""));
        }
        return;
    case event_type::nexus_operation_completed:
        if (!started_->ready()) inst_.resolve(*started_, "");   // completed synchronously
        if (!future_->ready()) {
            const auto* r = e.attrs.if_contains("result");
            inst_.resolve(*future_, r ? *r : boost::json::value{});
        }
        return finish();
    case event_type::nexus_operation_canceled:
        if (cancel_requested_) {
            fail_both(std::make_exception_ptr(canceled_error("nexus operation canceled")));
            return finish();
        }
        [[fallthrough]];
    case event_type::nexus_operation_failed:
    case event_type::nexus_operation_timed_out:
        if (f) fail_both(make_exception(failure::from_json(*f)));
        return finish();
    case event_type::nexus_operation_cancel_request_completed:
        if (cancellation_ == cancellation_type::wait_requested)
            fail_both(std::make_exception_ptr(canceled_error("nexus operation cancel requested")));
        return;
    case event_type::nexus_operation_cancel_request_failed:
        if (cancellation_ == cancellation_type::wait_requested && f) fail_both(make_exception(failure::from_json(*f)));
        return;
    default:
        return;
    }
}

void nexus_machine::request_cancel() {
    if (state_ == state::done || cancel_requested_ || future_->ready()) return;
    if (state_ == state::created) {
        // Never sent: the command is dropped and nothing is recorded.
        inst_.drop_command(this);
        fail_both(std::make_exception_ptr(canceled_error("nexus operation canceled before it was scheduled")));
        state_ = state::done;
        started_->cancel = nullptr;
        inst_.retire(this);
        return;
    }
    cancel_requested_ = true;
    if (cancellation_ != cancellation_type::abandon)
        inst_.add_command(command_kind::request_cancel_nexus_operation, {{"scheduled_event_id", scheduled_event_id_}},
                          nullptr);
    if (cancellation_ == cancellation_type::abandon || cancellation_ == cancellation_type::try_cancel)
        fail_both(std::make_exception_ptr(canceled_error("nexus operation canceled")));
}

}  // namespace perdure::detail
