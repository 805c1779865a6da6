// Nexus operation state machine (caller side).
#include "machines/nexus_machine.hpp"

#include "history/fields.hpp"
#include "machines/machine_host.hpp"
#include "machines/nexus_failure.hpp"

#include <perdure/error.hpp>

namespace perdure::detail {

nexus_machine::nexus_machine(machine_host& inst, boost::json::object attrs, cancellation_type cancellation)
    : inst_(inst),
      cancellation_(cancellation),
      endpoint_(text(attrs, "endpoint")),
      service_(text(attrs, "service")),
      operation_(text(attrs, "operation")) {
    future_ = inst.make_future(this);
    started_ = inst.make_future(this);
    inst_.add_command(command_kind::schedule_nexus_operation, std::move(attrs), this);
}

void nexus_machine::recorded(const event& e) {
    if (e.type != event_type::nexus_operation_scheduled) return;
    scheduled_event_id_ = e.id;
    endpoint_ = text(e.attrs, "endpoint");   // what history recorded names the operation
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

std::exception_ptr nexus_machine::failure_of(failure cause) const {
    return make_exception(
        wrap_nexus_failure(endpoint_, service_, operation_, token_, scheduled_event_id_, std::move(cause)));
}

std::exception_ptr nexus_machine::canceled(std::string message) const {
    return failure_of({std::move(message), failure_kind::canceled, {{"details", nullptr}}});
}

void nexus_machine::apply(const event& e) {
    if (state_ == state::done || state_ == state::created) return;
    const auto* f = e.attrs.if_contains("failure");
    switch (e.type) {
    case event_type::nexus_operation_started:
        state_ = state::started;
        if (const auto* t = e.attrs.if_contains("operation_token"); t && t->is_string()) token_ = t->get_string();
        if (!started_->ready()) inst_.resolve(*started_, boost::json::value(token_));
        return;
    case event_type::nexus_operation_completed:
        if (!started_->ready()) inst_.resolve(*started_, "");   // completed synchronously
        if (!future_->ready()) {
            const auto* r = e.attrs.if_contains("result");
            inst_.resolve(*future_, r ? *r : boost::json::value{});
        }
        return finish();
    case event_type::nexus_operation_canceled:
        // The recorded failure is already the operation's, wrapping the CanceledError.
        fail_both(f ? make_exception(failure::from_json(*f)) : canceled("nexus operation canceled"));
        return finish();
    case event_type::nexus_operation_failed:
    case event_type::nexus_operation_timed_out:
        if (f) fail_both(make_exception(failure::from_json(*f)));
        return finish();
    case event_type::nexus_operation_cancel_request_completed:
        if (cancellation_ == cancellation_type::wait_requested) fail_both(canceled("nexus operation cancel requested"));
        return;
    case event_type::nexus_operation_cancel_request_failed:
        if (cancellation_ == cancellation_type::wait_requested && f) {
            auto cause = failure::from_json(*f);
            fail_both(cause.kind == failure_kind::nexus_operation ? make_exception(cause)
                                                                  : failure_of(std::move(cause)));
        }
        return;
    default: return;
    }
}

void nexus_machine::request_cancel() {
    if (state_ == state::done || cancel_requested_ || future_->ready()) return;
    if (state_ == state::created) {
        // Never sent: the command is dropped and nothing is recorded.
        inst_.drop_command(this);
        fail_both(canceled("nexus operation canceled before it was scheduled"));
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
        fail_both(canceled("nexus operation canceled"));
}

}   // namespace perdure::detail
