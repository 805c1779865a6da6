// The run lifecycle: delivering inbound events, activations (sticky or rebuilt by replay),
// commands into events, closing, and the bounded cache of live instances. Task failures are in
// task_failures.cpp.
#include "runtime/run_lifecycle.hpp"

#include "replay/replayer.hpp"

#include <perdure/error.hpp>

#include <algorithm>
#include <chrono>
#include <memory>
#include <utility>

namespace perdure::detail {
namespace {

constexpr auto deadlock_threshold = std::chrono::seconds(1);   // Temporal's deadlock detector

run_status status_of_close(event_type t) {
    switch (t) {
    case event_type::workflow_execution_completed: return run_status::completed;
    case event_type::workflow_execution_failed: return run_status::failed;
    case event_type::workflow_execution_canceled: return run_status::canceled;
    case event_type::workflow_execution_terminated: return run_status::terminated;
    case event_type::workflow_execution_continued_as_new: return run_status::continued_as_new;
    case event_type::workflow_execution_timed_out: return run_status::timed_out;
    default: return run_status::running;
    }
}

/// Temporal's cause for a command whose attributes it refuses.
std::string bad_attributes_cause(command_kind k) {
    switch (k) {
    case command_kind::schedule_activity: return "BAD_SCHEDULE_ACTIVITY_ATTRIBUTES";
    case command_kind::start_timer: return "BAD_START_TIMER_ATTRIBUTES";
    case command_kind::record_marker: return "BAD_RECORD_MARKER_ATTRIBUTES";
    case command_kind::complete_workflow: return "BAD_COMPLETE_WORKFLOW_EXECUTION_ATTRIBUTES";
    case command_kind::fail_workflow: return "BAD_FAIL_WORKFLOW_EXECUTION_ATTRIBUTES";
    case command_kind::cancel_workflow: return "BAD_CANCEL_WORKFLOW_EXECUTION_ATTRIBUTES";
    case command_kind::continue_as_new: return "BAD_CONTINUE_AS_NEW_ATTRIBUTES";
    case command_kind::start_child_workflow: return "BAD_START_CHILD_EXECUTION_ATTRIBUTES";
    case command_kind::signal_external: return "BAD_SIGNAL_WORKFLOW_EXECUTION_ATTRIBUTES";
    case command_kind::schedule_nexus_operation: return "BAD_SCHEDULE_NEXUS_OPERATION_ATTRIBUTES";
    case command_kind::complete_update: return "BAD_UPDATE_WORKFLOW_EXECUTION_MESSAGE";
    case command_kind::upsert_search_attributes: return "BAD_SEARCH_ATTRIBUTES";
    case command_kind::modify_workflow_properties: return "BAD_MODIFY_WORKFLOW_PROPERTIES_ATTRIBUTES";
    default: return "UNHANDLED_COMMAND";
    }
}

/// The id of the ChildWorkflowExecutionStarted among `before` that `close` closes; null when none.
boost::json::value started_child_event(const std::vector<event>& before, const event& close) {
    const auto* initiated = close.attrs.if_contains("initiated_event_id");
    if (!initiated) return nullptr;
    for (const auto& e : before) {
        const auto* of = e.attrs.if_contains("initiated_event_id");
        if (e.type == event_type::child_workflow_execution_started && of && *of == *initiated) return e.id;
    }
    return nullptr;
}

}   // namespace

void run_lifecycle::deliver(run_state& r, inbound in) {
    if (r.status != run_status::running) {
        auto e = std::make_exception_ptr(failed_precondition("workflow " + r.workflow_id + " (run " + r.run_id.str() +
                                                             ") closed before the event was recorded"));
        for (auto& cb : in.on_recorded) cb(e);
        return;
    }
    if (!host_.admits(r, in)) return;
    if (in.e.type == event_type::workflow_execution_cancel_requested) {
        // Idempotent, as Temporal's: a second request records nothing and succeeds. Writes it
        // carries (an outbox row's delivery, done with) commit without it.
        if (r.inst && r.inst->cancel_requested()) r.cancel_requested = true;
        if (r.cancel_requested) {
            write_unit unit;
            unit.ops = std::move(in.ops);
            for (auto& cb : in.on_recorded) unit.effects.emplace_back(std::move(cb));
            host_.commit(std::move(unit));
            return;
        }
        r.cancel_requested = true;
    }
    r.pending.push_back(std::move(in));
    request_activation(r);
}

void run_lifecycle::request_activation(run_state& r) {
    if (r.activation_scheduled) return;
    r.activation_scheduled = true;
    host_.post_job([this, key = r.run_key] {
        if (auto* run = runs_.find(key)) {
            run->activation_scheduled = false;
            activate(key);
        }
    });
}

void run_lifecycle::activate(std::int64_t run_key) {
    auto* r = runs_.find(run_key);
    if (!r || host_.engine_failed()) return;
    if (r->status != run_status::running) return;   // close() failed what was pending
    const bool messages = r->has_pending_messages();
    const bool unseen = r->inst && r->inst->has_unseen();
    if (r->pending.empty() && !unseen && !r->owes_activation && !messages) return;
    if (r->in_backoff) return append_directly(*r);
    const bool started = host_.started(), running = host_.running();
    const bool registered = workers_.workflow(r->ns_id, r->task_queue, r->workflow_type).has_value();
    const bool elsewhere = !registered && offers_elsewhere(*r);
    // The engine running the workflow elsewhere answers its queries and updates.
    const bool runs_elsewhere = started && running && !r->blocked && elsewhere;
    if (started && (r->blocked || !registered) && !runs_elsewhere) {
        const std::string why =
            r->blocked
                ? "workflow " + r->workflow_id + " is blocked by a failing workflow task; fix the code and restart"
            : elsewhere
                ? "workflow " + r->workflow_id + " runs in another engine (the one whose worker registers type " +
                      r->workflow_type + " on task queue " + r->task_queue + ") and this engine is stopping"
                : "no worker registers workflow type " + r->workflow_type + " on task queue " + r->task_queue;
        messages_.fail_queries(*r, why);
        messages_.fail_updates(*r, why);
    }
    if (!started || !running || r->blocked || !registered) {
        // Record what arrived; an activation replays it once a worker can run the workflow. A
        // worker on the queue that does not know the type fails the task, as Temporal's do; with
        // no worker on the queue here, another engine's may run it.
        if (started && running && !r->blocked && unknown_type_failure(*r)) return;
        if (runs_elsewhere) {
            // A new update goes with the task, offered again to carry it.
            const bool updates = messages_.send_updates_elsewhere(*r);
            if (updates) r->task_offered = false;
            if (updates || !r->pending.empty() || r->owes_activation) hand_task_elsewhere(*r);
            return messages_.ask_elsewhere(*r);   // after the events queued before the queries
        }
        return append_directly(*r);
    }
    if (!r->inst) {
        if (r->loading) return;
        if (r->last_unit > host_.committed_unit()) {
            r->activation_scheduled = true;   // on_committed() activates it again
            waiting_for_commit_.push_back(run_key);
            return;
        }
        return load(*r);
    }
    messages_.serve(*r);
    if (!r->pending.empty() || r->inst->has_unseen() || r->owes_activation) run_activation(*r);
}

void run_lifecycle::load(run_state& r) {
    r.loading = true;
    queued_loads_.push_back(r.run_key);
    start_queued_loads();
}

void run_lifecycle::start_queued_loads() {
    while (loads_in_flight_ < max_loads_in_flight && !queued_loads_.empty()) {
        const auto key = queued_loads_.front();
        queued_loads_.pop_front();
        auto* r = runs_.find(key);
        if (!r) continue;
        if (r->status != run_status::running || host_.engine_failed()) {
            r->loading = false;
            continue;
        }
        ++loads_in_flight_;
        host_.read_history(key, [this, key, generation = runs_generation_](std::exception_ptr error,
                                                                           const std::vector<event>& history) {
            --loads_in_flight_;
            if (generation == runs_generation_) on_loaded(key, history, error);
            start_queued_loads();
        });
    }
}

void run_lifecycle::on_loaded(std::int64_t run_key, std::span<const event> history, std::exception_ptr error) {
    auto* r = runs_.find(run_key);
    if (!r) return;
    r->loading = false;
    if (error) return host_.fail(error);
    if (r->status != run_status::running || host_.engine_failed()) return;
    auto inst = make_instance(*r);
    if (!inst) return append_directly(*r);
    replays_.fetch_add(1);
    auto result = replay(*inst, history);
    if (!result.failure && result.last_event_id + 1 != r->next_event_id)
        result.failure = task_failure{task_failure::cause::corrupt_history,
                                      "history of run " + r->run_id.str() + " ends at event " +
                                          std::to_string(result.last_event_id) + " but " +
                                          std::to_string(r->next_event_id - 1) + " events were recorded"};
    if (result.failure) return fail_task(*r, *result.failure);
    inst->set_unseen(std::move(result.tail));
    r->inst = std::move(inst);
    r->owes_activation = false;
    runs_.touch(*r);
    activate(run_key);
    evict_if_needed();
}

std::unique_ptr<workflow_instance> run_lifecycle::make_instance(const run_state& r) const {
    auto reg = workers_.workflow(r.ns_id, r.task_queue, r.workflow_type);
    if (!reg) return nullptr;
    workflow_info info;
    info.ns = host_.namespace_name(r.ns_id);
    info.workflow_id = r.workflow_id;
    info.run_id = r.run_id.str();
    info.workflow_type = r.workflow_type;
    info.task_queue = r.task_queue;
    info.first_execution_run_id = r.first_run_id_or_own();
    auto inst = std::make_unique<workflow_instance>(std::move(reg->fn), std::move(info), r.run_timeout_ms);
    inst->set_max_pending_nexus(options_.limits.max_pending_nexus_operations);
    return inst;
}

void run_lifecycle::begin(run_state& r, write_unit& unit) {
    const bool may_run = host_.started() && host_.running() && !r.in_backoff;
    if (may_run && nested_begins_ < max_nested_begins && (r.inst = make_instance(r))) {
        runs_.touch(r);
        ++nested_begins_;
        const struct unnest {
            int& depth;
            ~unnest() { --depth; }
        } done{nested_begins_};
        run_activation(r, &unit);
        return;
    }
    // No worker can run it yet (or it waits for its retry backoff, or it was started that deep
    // within other runs' activations, when it is activated on its own): record the start alone.
    // A start is accepted whatever the type, as Temporal accepts it; a worker on the queue that
    // does not know the type fails the first workflow task.
    std::vector<event> appended;
    assign_ids(r, r.pending.take(), unit, appended);
    r.owes_activation = true;
    if (may_run && workers_.has_queue(r.ns_id, r.task_queue)) request_activation(r);
    if (may_run && offers_elsewhere(r)) offer_elsewhere(r, unit);
}

void run_lifecycle::assign_ids(run_state& r, std::vector<inbound> in, write_unit& unit, std::vector<event>& out) {
    if (!in.empty()) unit.runs.push_back(r.run_key);
    for (auto& i : in) {
        i.e.id = r.next_event_id++;
        if (r.inst) r.inst->annotate(i.e);
        if (auto* s = i.e.attrs.if_contains("started_event_id"); s && s->is_null()) {
            // An activity's close event is written with its ActivityTaskStarted, just before it.
            if (i.e.type >= event_type::activity_task_completed && i.e.type <= event_type::activity_task_canceled)
                *s = i.e.id - 1;
            // A child that started and closed at once: its start is among these events, not yet
            // seen by the instance that annotates the close.
            else if (i.e.type >= event_type::child_workflow_execution_completed &&
                     i.e.type <= event_type::child_workflow_execution_terminated)
                *s = started_child_event(out, i.e);
        }
        if (i.serialized_member)
            unit.ops.emplace_back(insert_event{r.run_key, i.e, i.serialized_member, i.serialized_json});
        else
            unit.ops.emplace_back(insert_event{r.run_key, i.e});
        for (auto& op : i.ops) unit.ops.push_back(std::move(op));
        for (auto& cb : i.on_recorded) unit.effects.emplace_back(std::move(cb));
        out.push_back(std::move(i.e));
    }
}

void run_lifecycle::append_directly(run_state& r) {
    if (r.pending.empty()) return;
    write_unit unit;
    std::vector<event> appended;
    runs_.drop_instance(r);   // its view is now behind history; it is rebuilt by replay
    assign_ids(r, r.pending.take(), unit, appended);
    r.owes_activation = true;
    host_.commit(std::move(unit));
}

event run_lifecycle::record(run_state& r, event_type type, boost::json::object attrs, write_unit& unit) {
    r.task_offered = false;   // the history's end moved: a task offered at the old one is stale
    event e{r.next_event_id++, type, host_.now_us(), std::move(attrs)};
    unit.ops.emplace_back(insert_event{r.run_key, e});
    unit.runs.push_back(r.run_key);
    return e;
}

std::int64_t run_lifecycle::append_event(run_state& r, event_type type, boost::json::object attrs, write_unit& unit) {
    return record(r, type, std::move(attrs), unit).id;
}

workflow_instance::activation_result activate_live(workflow_instance& inst, std::span<const event> inbound,
                                                   std::int64_t now_us) {
    const auto began = std::chrono::steady_clock::now();
    auto result = inst.activate(inbound, now_us, false);
    if (!result.failure && std::chrono::steady_clock::now() - began > deadlock_threshold)
        result.failure =
            task_failure{task_failure::cause::workflow_error,
                         "potential deadlock detected: the workflow ran for more than 1 s without yielding "
                         "(workflow code must not block: move slow work into an activity)"};
    return result;
}

void run_lifecycle::run_activation(run_state& r, write_unit* outer) {
    write_unit local;
    local.ops.reserve(8);   // an activation's usual writes in one allocation, not four
    write_unit& unit = outer ? *outer : local;
    std::vector<event> inbound_events = r.inst->take_unseen();
    assign_ids(r, r.pending.take(), unit, inbound_events);
    const std::int64_t now = host_.now_us();
    auto result = activate_live(*r.inst, inbound_events, now);
    if (!result.failure) result.failure = host_.prepare_commands(r, *result.commands);
    if (result.failure) record_task_failure(r, *result.failure, unit);
    if (result.failure || !record_commands(r, *result.commands, now, unit)) {
        r.owes_activation = true;
        if (!outer) host_.commit(std::move(local));
        return;
    }
    limit_history(r, unit);
    if (!outer) host_.commit(std::move(local));
    if (r.inst) runs_.touch(r);
    evict_if_needed(outer);
}

void run_lifecycle::limit_history(run_state& r, write_unit& unit) {
    if (r.status == run_status::running && r.next_event_id - 1 > options_.limits.max_history_events)
        terminate(r,
                  "workflow history count exceeds limit (" + std::to_string(options_.limits.max_history_events) +
                      " events, engine_limits::max_history_events); continue-as-new before a run grows this long",
                  unit);
}

bool run_lifecycle::record_commands(run_state& r, std::vector<command>& commands, std::int64_t now, write_unit& unit,
                                    unread_signals* unread, std::string_view identity) {
    if (!r.task_failure_message->empty()) end_task_failure(r, unit);
    const std::int64_t boundary_id = r.next_event_id;
    std::vector<event> command_events;
    std::vector<insert_event> command_rows;   // serialized once: the size checked is the size stored
    command_events.reserve(commands.size());
    for (auto& c : commands) {
        event e{boundary_id + 1 + static_cast<std::int64_t>(command_events.size()), event_type_of(c.kind), now,
                std::move(c.attrs)};
        e.attrs["workflow_task_completed_event_id"] = boundary_id;
        command_rows.emplace_back(r.run_key, e);
        if (const auto size = command_rows.back().attrs.size(); size > options_.limits.max_payload_bytes + 4096) {
            record_task_failure(
                r,
                {task_failure::cause::bad_command,
                 bad_attributes_cause(c.kind) + ": " + command_name(c.kind) + " is " + std::to_string(size) +
                     " bytes; payloads are limited to " + std::to_string(options_.limits.max_payload_bytes) +
                     " bytes (engine_limits::max_payload_bytes)",
                 true},
                unit);
            return false;
        }
        command_events.push_back(std::move(e));
    }
    r.owes_activation = false;
    unit.runs.push_back(r.run_key);
    r.next_event_id = boundary_id + 1 + static_cast<std::int64_t>(command_events.size());
    boost::json::object completed;
    if (!identity.empty()) completed["identity"] = identity;
    unit.ops.emplace_back(
        insert_event{r.run_key, event{boundary_id, event_type::workflow_task_completed, now, std::move(completed)}});
    for (auto& row : command_rows) unit.ops.emplace_back(std::move(row));
    if (r.inst) r.inst->recorded(command_events);
    for (const auto& e : command_events) {
        if (status_of_close(e.type) == run_status::running) {
            host_.react_to_command(r, e, unit);
            if (r.status != run_status::running) break;
            continue;
        }
        // A close the workflow asked for; continue-as-new and a retry start the next run.
        unread_signals carried;
        if (e.type == event_type::workflow_execution_continued_as_new)
            carried = r.inst ? r.inst->unread_signals() : unread ? std::move(*unread) : unread_signals{};
        close(r, e, unit);
        if (e.type == event_type::workflow_execution_continued_as_new || e.attrs.contains("new_execution_run_id"))
            host_.continue_run(r, e, std::move(carried), unit);
        break;
    }
    return true;
}

event run_lifecycle::end(run_state& r, event_type type, boost::json::object attrs, write_unit& unit) {
    auto e = record(r, type, std::move(attrs), unit);
    runs_.drop_instance(r);
    close(r, e, unit);
    return e;
}

void run_lifecycle::terminate(run_state& r, const std::string& reason, write_unit& unit) {
    end(r, event_type::workflow_execution_terminated,
        {{"reason", reason}, {"details", nullptr}, {"identity", "perdure"}}, unit);
}

void run_lifecycle::close(run_state& r, event close_event, write_unit& unit) {
    r.status = status_of_close(close_event.type);
    unit.ops.emplace_back(close_execution{r.run_key, r.status, close_event.time_us});
    unit.ops.emplace_back(clear_run_work{r.run_key});
    if (!r.pending.empty() || r.clients) {   // most closes have no one to tell
        const std::string closed = "workflow " + r.workflow_id + " (run " + r.run_id.str() + ") closed";
        const auto unrecorded = std::make_exception_ptr(failed_precondition(closed + " before the event was recorded"));
        for (auto& in : r.pending)
            for (auto& cb : in.on_recorded) cb(unrecorded);
        r.pending.clear();
        messages_.fail_queries(r, closed);
        messages_.abort_updates(r, closed);
    }
    host_.run_closing(r, close_event, unit);
    unit.effects.emplace_back(
        [this, key = r.run_key, close = std::make_shared<event>(std::move(close_event))](std::exception_ptr e) {
            if (auto* run = runs_.find(key)) {
                for (auto& w : run->take_result_waiters()) w(e, close.get());
            }
            runs_.erase(key);
        });
}

void run_lifecycle::on_committed() {
    // Runs waiting for their events to be readable can now be loaded; idle ones evicted.
    if (!waiting_for_commit_.empty()) {
        auto waiting = std::move(waiting_for_commit_);
        waiting_for_commit_.clear();
        for (auto key : waiting)
            if (auto* r = runs_.find(key)) {
                r->activation_scheduled = false;
                activate(key);
            }
    }
    evict_if_needed();
}

// ---------------------------------------------------------------- the cache

void run_lifecycle::evict_if_needed(const write_unit* unsubmitted) {
    // Only once its last event is committed, so a replay reads everything it did. The runs a unit
    // the caller has yet to submit writes to still show an older last_unit, so they stay too.
    const auto unsubmitted_writes = [unsubmitted](std::int64_t key) {
        return unsubmitted && std::ranges::find(unsubmitted->runs, key) != unsubmitted->runs.end();
    };
    runs_.evict(options_.workflow_cache_size, options_.workflow_cache_bytes, [&](const run_state& r) {
        return r.last_unit <= host_.committed_unit() && !r.activation_scheduled && r.pending.empty() && !r.loading &&
               !unsubmitted_writes(r.run_key);
    });
}

}   // namespace perdure::detail
