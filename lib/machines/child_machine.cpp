// Child workflow and external signal / cancel machines.
#include "machines/child_machine.hpp"

#include "history/fields.hpp"
#include "machines/machine_host.hpp"

#include <perdure/error.hpp>

namespace perdure::detail {
namespace {

failure cause_of(const event& e) {
    failure f;
    switch (e.type) {
    case event_type::child_workflow_execution_failed:
        if (const auto* x = e.attrs.if_contains("failure")) return failure::from_json(*x);
        f.message = "child workflow failed";
        break;
    case event_type::child_workflow_execution_canceled:
        f.message = "child workflow canceled";
        f.kind = failure_kind::canceled;
        f.info = {{"details", e.attrs.contains("details") ? e.attrs.at("details") : nullptr}};
        break;
    case event_type::child_workflow_execution_timed_out:
        f.message = "child workflow timed out";
        f.kind = failure_kind::timeout;
        f.info = {{"timeout_type", to_string(timeout_type::start_to_close)}};
        break;
    case event_type::child_workflow_execution_terminated:
        f.message = "child workflow terminated";
        f.kind = failure_kind::terminated;
        break;
    default:
        f.message = "the child workflow could not start: " + text(e.attrs, "cause");
        f.info = {{"type", "ChildWorkflowExecutionAlreadyStarted"}, {"non_retryable", true}};
        break;
    }
    return f;
}

}   // namespace

child_machine::child_machine(machine_host& inst, boost::json::object attrs, cancellation_type cancellation)
    : inst_(inst),
      ns_(text(attrs, "namespace")),
      workflow_id_(text(attrs, "workflow_id")),
      workflow_type_(attrs.at("workflow_type").at("name").as_string().c_str()),
      cancellation_(cancellation) {
    future_ = inst.make_future(this);
    inst_.add_command(command_kind::start_child_workflow, std::move(attrs), this);
}

void child_machine::recorded(const event& e) {
    if (e.type == event_type::start_child_workflow_execution_initiated) {
        initiated_event_id_ = e.id;
        state_ = state::initiated;
        inst_.index_event(e.id, this);
    } else if (e.type == event_type::request_cancel_external_workflow_execution_initiated && state_ != state::done) {
        // Once the child has closed (in the activation that asked to cancel it) the machine is
        // retired: nothing may reach it through the cancel request's outcome.
        cancel_event_id_ = e.id;
        inst_.index_event(e.id, this);
    }
}

void child_machine::annotate(event& e) const {
    if (auto* s = e.attrs.if_contains("started_event_id"); s && s->is_null() && started_event_id_)
        *s = started_event_id_;
}

void child_machine::finish() {
    state_ = state::done;
    inst_.unindex_event(initiated_event_id_);
    if (cancel_event_id_) inst_.unindex_event(cancel_event_id_);
    inst_.retire(this);
}

void child_machine::apply(const event& e) {
    if (state_ == state::done || state_ == state::created) return;
    switch (e.type) {
    case event_type::child_workflow_execution_started:
        state_ = state::started;
        started_event_id_ = e.id;
        if (const auto* x = e.attrs.if_contains("workflow_execution"); x && x->is_object())
            run_id_ = text(x->get_object(), "run_id");
        return;
    case event_type::external_workflow_execution_cancel_requested:
        if (cancellation_ == cancellation_type::wait_requested)
            inst_.reject(*future_, std::make_exception_ptr(canceled_error("child workflow cancel requested")));
        return;
    case event_type::child_workflow_execution_completed:
        if (!future_->ready()) {
            const auto* r = e.attrs.if_contains("result");
            inst_.resolve(*future_, r ? *r : boost::json::value{});
        }
        return finish();
    case event_type::child_workflow_execution_canceled:
        if (cancel_requested_ && !future_->ready())
            inst_.reject(*future_, std::make_exception_ptr(canceled_error("child workflow canceled")));
        [[fallthrough]];
    case event_type::start_child_workflow_execution_failed:
    case event_type::child_workflow_execution_failed:
    case event_type::child_workflow_execution_timed_out:
    case event_type::child_workflow_execution_terminated:
        if (!future_->ready()) {
            failure f;
            f.kind = failure_kind::child_workflow;
            f.info = {{"namespace", text(e.attrs, "namespace")},
                      {"workflow_id", workflow_id_},
                      {"run_id", run_id_},
                      {"workflow_type", workflow_type_},
                      {"initiated_event_id", initiated_event_id_},
                      {"started_event_id", started_event_id_}};
            f.cause = std::make_shared<const failure>(cause_of(e));
            f.message = "child workflow " + workflow_type_ + " (" + workflow_id_ + "): " + f.cause->message;
            inst_.reject(*future_, make_exception(f));
        }
        return finish();
    default: return;
    }
}

void child_machine::request_cancel() {
    if (state_ == state::done || cancel_requested_ || future_->ready()) return;
    if (state_ == state::created) {
        inst_.drop_command(this);
        state_ = state::done;
        inst_.reject(*future_, std::make_exception_ptr(canceled_error("child workflow canceled before it started")));
        inst_.retire(this);
        return;
    }
    cancel_requested_ = true;
    if (cancellation_ != cancellation_type::abandon)
        inst_.add_command(command_kind::request_cancel_external,
                          {{"namespace", ns_},
                           {"workflow_execution", {{"workflow_id", workflow_id_}, {"run_id", run_id_}}},
                           {"child_workflow_only", true}},
                          this);
    if (cancellation_ == cancellation_type::abandon || cancellation_ == cancellation_type::try_cancel)
        inst_.reject(*future_, std::make_exception_ptr(canceled_error("child workflow canceled")));
}

external_machine::external_machine(machine_host& inst, command_kind kind, boost::json::object attrs) : inst_(inst) {
    future_ = inst.make_future(this);
    inst_.add_command(kind, std::move(attrs), this);
}

void external_machine::recorded(const event& e) {
    initiated_event_id_ = e.id;
    recorded_ = true;
    inst_.index_event(e.id, this);
}

void external_machine::apply(const event& e) {
    switch (e.type) {
    case event_type::external_workflow_execution_signaled:
    case event_type::external_workflow_execution_cancel_requested: inst_.resolve(*future_, {}); break;
    case event_type::signal_external_workflow_execution_failed:
    case event_type::request_cancel_external_workflow_execution_failed: {
        const auto* wx = e.attrs.if_contains("workflow_execution");
        const std::string wid = wx && wx->is_object() ? text(wx->get_object(), "workflow_id") : "";
        inst_.reject(*future_, std::make_exception_ptr(application_error(
                                   "workflow " + wid + " was not found (" + text(e.attrs, "cause") + ")",
                                   "ExternalWorkflowExecutionNotFound", true)));
        break;
    }
    default: return;
    }
    inst_.unindex_event(initiated_event_id_);
    inst_.retire(this);
}

void external_machine::request_cancel() {
    if (future_->ready()) return;
    if (!recorded_) inst_.drop_command(this);
    inst_.reject(*future_, std::make_exception_ptr(canceled_error("canceled")));
    if (!recorded_) inst_.retire(this);
}

}   // namespace perdure::detail
