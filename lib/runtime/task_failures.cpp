// The run lifecycle's workflow task failures: recorded once as Temporal records them, retried
// with backoff, ended by the next task that succeeds, and listed for whoever waits in a test.
#include "runtime/run_lifecycle.hpp"

#include <algorithm>

namespace perdure::detail {
namespace {

constexpr std::int64_t max_task_retry_ms = 10 * 60 * 1000;

/// Temporal's WorkflowTaskFailedCause for a failed activation. Failing commands name their
/// cause at the start of the message ("BAD_SCHEDULE_ACTIVITY_ATTRIBUTES: ...").
std::string workflow_task_failed_cause(const task_failure& f) {
    if (f.reason == task_failure::cause::nondeterminism) return "WORKFLOW_TASK_FAILED_CAUSE_NON_DETERMINISTIC_ERROR";
    if (f.reason == task_failure::cause::bad_command)
        if (const auto colon = f.message.find(':');
            colon != std::string::npos && colon > 0 &&
            std::all_of(f.message.begin(), f.message.begin() + static_cast<std::ptrdiff_t>(colon),
                        [](char c) { return (c >= 'A' && c <= 'Z') || c == '_'; }))
            return "WORKFLOW_TASK_FAILED_CAUSE_" + f.message.substr(0, colon);
    return "WORKFLOW_TASK_FAILED_CAUSE_WORKFLOW_WORKER_UNHANDLED_FAILURE";
}

const char* failure_type_of(const task_failure& f) {
    switch (f.reason) {
    case task_failure::cause::nondeterminism: return "NondeterminismError";
    case task_failure::cause::corrupt_history: return "CorruptHistory";
    case task_failure::cause::bad_command: return "BadCommand";
    case task_failure::cause::workflow_error: break;
    }
    return "WorkflowError";
}

boost::json::object task_failed_attributes(const task_failure& f) {
    const failure cause{f.message, failure_kind::application, {{"type", failure_type_of(f)}, {"non_retryable", false}}};
    return {{"cause", workflow_task_failed_cause(f)}, {"failure", cause.to_json()}, {"identity", "perdure"}};
}

}   // namespace

void run_lifecycle::record_task_failure(run_state& r, const task_failure& f, write_unit& unit, bool elsewhere) {
    if (f.terminates) {
        append_event(r, event_type::workflow_task_failed, task_failed_attributes(f), unit);
        return terminate(r, f.message, unit);
    }
    const bool first = r.task_failure_message->empty();
    r.task_failure_message = std::string(to_string(f.reason)) + ": " + f.message;
    unit.ops.emplace_back(set_task_failure{r.run_key, *r.task_failure_message});
    if (first) {
        // Recorded once per failing task, as Temporal does: its retries write nothing more.
        append_event(r, event_type::workflow_task_failed, task_failed_attributes(f), unit);
    }
    runs_.drop_instance(r);
    if (!elsewhere &&
        (f.reason == task_failure::cause::nondeterminism || f.reason == task_failure::cause::corrupt_history)) {
        r.blocked = true;   // retried when the process restarts with fixed code
        return;
    }
    ++r.task_attempt;
    const std::int64_t delay_ms = std::min<std::int64_t>(max_task_retry_ms, 1000LL << std::min(r.task_attempt - 1, 20));
    host_.arm(wheel_kind::task_retry, r.run_key, 0, host_.now_us() + delay_ms * 1000);
}

void run_lifecycle::fail_task(run_state& r, const task_failure& f) {
    write_unit unit;
    std::vector<event> appended;
    runs_.drop_instance(r);
    assign_ids(r, r.pending.take(), unit, appended);
    record_task_failure(r, f, unit);
    r.owes_activation = true;
    host_.commit(std::move(unit));
}

bool run_lifecycle::unknown_type_failure(run_state& r) {
    if (!workers_.has_queue(r.ns_id, r.task_queue)) return false;   // no worker yet: the task waits
    std::string known;
    for (const auto& n : workers_.workflow_names(r.ns_id, r.task_queue)) known += (known.empty() ? "" : ", ") + n;
    fail_task(
        r, {task_failure::cause::workflow_error,
            "workflow type " + r.workflow_type + " is not registered on task queue " + r.task_queue +
                " (registered there: " + (known.empty() ? "none" : known) + "); register it with engine.add_worker(\"" +
                host_.namespace_name(r.ns_id) + "\", \"" + r.task_queue + "\").register_workflow(def)"});
    return true;
}

void run_lifecycle::end_task_failure(run_state& r, write_unit& unit) {
    unit.ops.emplace_back(set_task_failure{r.run_key, ""});
    r.task_failure_message = std::string();
    r.task_attempt = 0;
}

std::vector<std::string> run_lifecycle::failing_tasks() const {
    std::vector<std::string> failing;
    for (const auto& [key, r] : runs_.all())
        if (r->status == run_status::running && !r->task_failure_message->empty())
            failing.push_back("workflow " + r->workflow_id + ": " + *r->task_failure_message);
    return failing;
}

}   // namespace perdure::detail
