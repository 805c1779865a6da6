// Activity state machine.
#include "machines/activity_machine.hpp"

#include "history/fields.hpp"
#include "machines/machine_host.hpp"

#include <perdure/error.hpp>

namespace perdure::detail {
namespace {

failure activity_failure(const event& e, const std::string& type, const std::string& id, std::int64_t scheduled) {
    failure f;
    f.message = "activity " + type + " (id " + id + ") ";
    f.kind = failure_kind::activity;
    std::string retry = "UNSPECIFIED";
    if (const auto* r = e.attrs.if_contains("retry_state"); r && r->is_string()) retry = r->get_string();
    f.info = {{"scheduled_event_id", scheduled},
              {"started_event_id", e.attrs.contains("started_event_id") ? e.attrs.at("started_event_id") : 0},
              {"activity_type", type},
              {"activity_id", id},
              {"retry_state", retry}};
    if (const auto* c = e.attrs.if_contains("failure"))
        f.cause = std::make_shared<const failure>(failure::from_json(*c));
    f.message += e.type == event_type::activity_task_timed_out ? "timed out" : "failed";
    if (f.cause) f.message += ": " + f.cause->message;
    return f;
}

}   // namespace

activity_machine::activity_machine(machine_host& inst, boost::json::object attrs, cancellation_type cancellation)
    : inst_(inst),
      activity_type_(name_of(attrs, "activity_type")),
      activity_id_(name_of(attrs, "activity_id")),
      cancellation_(cancellation) {
    future_ = inst.make_future(this);
    inst_.add_command(command_kind::schedule_activity, std::move(attrs), this);
}

void activity_machine::recorded(const event& e) {
    if (e.type != event_type::activity_task_scheduled) return;
    scheduled_event_id_ = e.id;
    state_ = state::scheduled;
    inst_.index_event(e.id, this);
}

void activity_machine::finish() {
    state_ = state::done;
    inst_.unindex_event(scheduled_event_id_);
    inst_.retire(this);
}

void activity_machine::apply(const event& e) {
    if (state_ == state::done || state_ == state::created) return;
    const bool already_resolved = future_->ready();
    switch (e.type) {
    case event_type::activity_task_completed:
        if (!already_resolved) {
            const auto* r = e.attrs.if_contains("result");
            inst_.resolve(*future_, r ? *r : boost::json::value{});
        }
        finish();
        break;
    case event_type::activity_task_failed:
    case event_type::activity_task_timed_out:
        if (!already_resolved)
            inst_.reject(*future_,
                         make_exception(activity_failure(e, activity_type_, activity_id_, scheduled_event_id_)));
        finish();
        break;
    case event_type::activity_task_canceled:
        if (!already_resolved) {
            // The activity's own cancel details, as it reported them (canceled_error's details).
            const auto* details = e.attrs.if_contains("details");
            inst_.reject(*future_, std::make_exception_ptr(
                                       canceled_error("activity canceled", details ? *details : boost::json::value{})));
        }
        finish();
        break;
    default: break;
    }
}

void activity_machine::request_cancel() {
    if (state_ == state::done || state_ == state::cancel_requested || future_->ready()) return;
    if (state_ == state::created) {
        inst_.drop_command(this);
        state_ = state::done;
        inst_.reject(*future_, std::make_exception_ptr(canceled_error("activity canceled before it was scheduled")));
        inst_.retire(this);
        return;
    }
    if (cancellation_ != cancellation_type::abandon) {
        inst_.add_command(command_kind::request_cancel_activity, {{"scheduled_event_id", scheduled_event_id_}},
                          nullptr);
        state_ = state::cancel_requested;
    }
    // wait_completed keeps waiting for the activity's own outcome; the others resolve now
    // (an activity has no later "cancel delivered" event, so wait_requested resolves here too).
    if (cancellation_ != cancellation_type::wait_completed) {
        inst_.reject(*future_, std::make_exception_ptr(canceled_error("activity canceled")));
        if (cancellation_ == cancellation_type::abandon) finish();
    }
}

}   // namespace perdure::detail
