// Workflow tasks run by other engines sharing the store, on the owner's side (the other engine's
// is claimed_workflow_tasks): a run whose task queue no worker here serves has its task offered
// at its history's end, in the shared task table; the engine whose worker runs it reports the
// activation's commands, recorded as a local activation's are, or its failure, recorded as a
// failed task and retried. A report made on a history that grew meanwhile is refused and the
// task offered again at the new end, as Temporal refuses the completion of a superseded task:
// so what a WorkflowTaskCompleted follows is always what the workflow saw.
#include "runtime/claimed_workflow_tasks.hpp"
#include "runtime/core.hpp"
#include "runtime/inbox_answers.hpp"

#include "machines/command.hpp"

#include <perdure/error.hpp>

namespace perdure::detail {
namespace {

/// The offer's seq: one offer a run, replaced as its history grows.
constexpr std::int64_t workflow_task_seq = 0;

std::optional<task_failure> failure_of(const boost::json::value& reported) {
    const auto* o = reported.if_object();
    if (!o) return std::nullopt;
    task_failure f{task_failure::cause::workflow_error, "the workflow task failed in the engine that ran it"};
    if (const auto* cause = o->if_contains("cause");
        cause && cause->is_int64() && cause->get_int64() >= 0 &&
        cause->get_int64() <= static_cast<std::int64_t>(task_failure::cause::corrupt_history))
        f.reason = static_cast<task_failure::cause>(cause->get_int64());
    if (const auto* message = o->if_contains("message"); message && message->is_string())
        f.message = message->get_string();
    return f;
}

/// [[name, input], ...]; throws invalid_argument for anything else.
unread_signals unread_of(const boost::json::array& reported) {
    unread_signals out;
    for (const auto& s : reported) {
        const auto* pair = s.if_array();
        if (!pair || pair->size() != 2 || !(*pair)[0].is_string())
            throw invalid_argument("a workflow task's unread signal must be [name, input]");
        out.emplace_back(std::string((*pair)[0].get_string()), (*pair)[1]);
    }
    return out;
}

}   // namespace

bool run_lifecycle::offers_elsewhere(const run_state& r) const {
    return host_.shares_tasks() && !workers_.has_queue(r.ns_id, r.task_queue);
}

void run_lifecycle::offer_elsewhere(run_state& r, write_unit& unit) {
    if (r.task_offered) return;
    r.task_offered = true;
    const auto claim_ms = std::chrono::milliseconds(claimed_workflow_tasks::task_timeout).count();
    unit.ops.emplace_back(
        offer_task{task_offer{r.run_key, workflow_task_seq, r.ns_id, r.task_queue, r.workflow_type, r.task_attempt + 1,
                              messages_.offered_updates_details(r), task_kind::workflow, claim_ms}});
}

void run_lifecycle::hand_task_elsewhere(run_state& r) {
    write_unit unit;
    if (!r.pending.empty()) {
        std::vector<event> appended;
        assign_ids(r, r.pending.take(), unit, appended);
        r.task_offered = false;   // offered again at the history's new end
    }
    r.owes_activation = true;
    offer_elsewhere(r, unit);
    if (!unit.ops.empty()) host_.commit(std::move(unit));
}

bool run_lifecycle::complete_elsewhere(run_state& r, workflow_task_command& task) {
    const bool open = r.status == run_status::running && !r.inst;
    if (!open || !r.task_offered || !r.pending.empty() || task.last_event_id != r.next_event_id - 1) {
        // An event recorded under the task (not an inbound one, which comes with a new offer)
        // left it stale: it is offered again at the history's end.
        if (open && !r.task_offered && r.pending.empty() && r.owes_activation && host_.started() && host_.running() &&
            offers_elsewhere(r))
            hand_task_elsewhere(r);
        // An offer left from before a worker here took the run's queue (a restart): withdrawn,
        // or engines beside would claim it again each time its claim expires.
        if (r.status == run_status::running && !r.task_offered && !offers_elsewhere(r)) {
            write_unit unit;
            unit.ops.emplace_back(withdraw_task{r.run_key, workflow_task_seq});
            host_.commit(std::move(unit));
        }
        return false;
    }
    r.task_offered = false;
    write_unit unit;
    unit.ops.emplace_back(withdraw_task{r.run_key, workflow_task_seq});
    auto failure = failure_of(task.failure);
    std::vector<command> commands;
    unread_signals unread;
    if (!failure) try {
            for (const auto& c : task.commands) commands.push_back(command_from_json(c));
            unread = unread_of(task.unread_signals);
        } catch (const error& e) {
            failure = task_failure{task_failure::cause::bad_command, e.what()};
        }
    if (!failure) failure = host_.prepare_commands(r, commands);
    // The time the workflow saw, which its replays will see too.
    const auto now = task.time_us > 0 ? task.time_us : host_.now_us();
    if (failure) {
        record_task_failure(r, *failure, unit, true);   // its updates stay offered with the retry
    } else if (auto accepted = messages_.settle_updates_elsewhere(r, task.updates, now); !accepted.empty()) {
        // Numbered as the workflow saw them, after the history it was given.
        std::vector<event> appended;
        assign_ids(r, std::move(accepted), unit, appended);
    }
    if (failure || !record_commands(r, commands, now, unit, &unread, task.identity)) {
        r.owes_activation = true;
        host_.commit(std::move(unit));
        return true;
    }
    limit_history(r, unit);
    // Updates that came after the task was claimed go with the next one.
    if (r.status == run_status::running && r.clients && !r.clients->offered_updates.empty()) {
        r.owes_activation = true;
        offer_elsewhere(r, unit);
    }
    host_.commit(std::move(unit));
    return true;
}

void engine_core::complete_workflow_task(workflow_task_command& c, const answer_sender& answer) {
    auto* r = find_run(c.run_key);
    const bool applied = r && lifecycle_.complete_elsewhere(*r, c);
    answer(nullptr, payload_answer{boost::json::object{{"applied", applied}}});
}

}   // namespace perdure::detail
