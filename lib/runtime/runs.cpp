// Runs on the strand: delivering inbound events, activations (sticky or rebuilt by replay),
// workflow task failures, closing, and the bounded cache of live instances.
#include "runtime/core.hpp"

#include "codec/duration.hpp"
#include "machines/timer_machine.hpp"
#include "replay/replayer.hpp"
#include "store/store.hpp"

#include <perdure/error.hpp>

#include <algorithm>

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

}   // namespace

void engine_core::deliver(run_state& r, inbound in) {
    if (r.status != run_status::running) {
        auto e = std::make_exception_ptr(failed_precondition("workflow " + r.workflow_id + " (run " + r.run_id +
                                                             ") closed before the event was recorded"));
        for (auto& cb : in.on_recorded) cb(e);
        return;
    }
    if (in.e.type >= event_type::nexus_operation_started && in.e.type <= event_type::nexus_operation_timed_out &&
        !nexus_.on_delivered(r, in))
        return;
    r.pending.push_back(std::move(in));
    request_activation(r);
}

void engine_core::request_activation(run_state& r) {
    if (r.activation_scheduled) return;
    r.activation_scheduled = true;
    post([this, key = r.run_key] {
        if (auto* run = find_run(key)) {
            run->activation_scheduled = false;
            activate(key);
        }
    });
}

void engine_core::activate(std::int64_t run_key) {
    auto* r = find_run(run_key);
    if (!r || failed_.load()) return;
    if (r->status != run_status::running) return;   // close_run failed what was pending
    const bool messages = r->has_pending_messages();
    if (r->pending.empty() && r->tail.empty() && !r->owes_activation && !messages) return;
    if (r->backoff_until_us && now_us() < r->backoff_until_us) return append_directly(*r);
    const bool registered = workers_.workflow(r->ns_id, r->task_queue, r->workflow_type).has_value();
    if (started_ && (r->blocked || !registered)) {
        const std::string why =
            r->blocked
                ? "workflow " + r->workflow_id + " is blocked by a failing workflow task; fix the code and restart"
                : "no worker registers workflow type " + r->workflow_type + " on task queue " + r->task_queue;
        queries_updates_.fail_queries(*r, why);
        queries_updates_.fail_updates(*r, why);
    }
    if (!started_ || stopping_.load() || r->blocked || !registered) {
        // Record what arrived; an activation replays it once a worker can run the workflow. A
        // worker on the queue that does not know the type fails the task, as Temporal's do.
        if (started_ && !stopping_.load() && !r->blocked && unknown_type_failure(*r)) return;
        return append_directly(*r);
    }
    if (!r->inst) {
        if (r->loading) return;
        if (r->last_unit > pipeline_.committed_unit()) {
            r->activation_scheduled = true;   // on_committed calls activate again
            waiting_for_commit_.push_back(run_key);
            return;
        }
        return load(*r);
    }
    queries_updates_.serve(*r);
    if (!r->pending.empty() || !r->tail.empty() || r->owes_activation) run_activation(*r);
}

void engine_core::load(run_state& r) {
    r.loading = true;
    work_.add(work_tracker::reader);
    store_->post_read([self = shared_from_this(), key = r.run_key](store_reads& reads) {
        std::vector<event> history;
        std::exception_ptr err;
        try {
            history = reads.history(key);
        } catch (...) {
            err = std::current_exception();
        }
        self->post([self, key, history = std::move(history), err]() mutable {
            self->on_loaded(key, std::move(history), err);
        });
        self->work_.done(work_tracker::reader);
    });
}

void engine_core::on_loaded(std::int64_t run_key, std::vector<event> history, std::exception_ptr error) {
    auto* r = find_run(run_key);
    if (!r) return;
    r->loading = false;
    if (error) return fail_engine(error);
    if (r->status != run_status::running || failed_.load()) return;
    auto inst = make_instance(*r);
    if (!inst) return append_directly(*r);
    replays_.fetch_add(1);
    auto result = replay(*inst, history);
    if (!result.failure && result.last_event_id + 1 != r->next_event_id)
        result.failure =
            task_failure{task_failure::cause::corrupt_history,
                         "history of run " + r->run_id + " ends at event " + std::to_string(result.last_event_id) +
                             " but " + std::to_string(r->next_event_id - 1) + " events were recorded"};
    if (result.failure) {
        write_unit unit;
        std::vector<event> appended;
        assign_ids(*r, r->pending, unit, appended);
        record_task_failure(*r, *result.failure, unit);
        r->owes_activation = true;
        commit(std::move(unit));
        return;
    }
    r->inst = std::move(inst);
    r->tail = std::move(result.tail);
    r->owes_activation = false;
    runs_.touch(*r);
    activate(run_key);
    evict_if_needed();
}

std::unique_ptr<workflow_instance> engine_core::make_instance(const run_state& r) const {
    auto reg = workers_.workflow(r.ns_id, r.task_queue, r.workflow_type);
    if (!reg) return nullptr;
    workflow_info info;
    info.ns = namespace_name(r.ns_id);
    info.workflow_id = r.workflow_id;
    info.run_id = r.run_id;
    info.workflow_type = r.workflow_type;
    info.task_queue = r.task_queue;
    info.first_execution_run_id = r.first_run_id_or_own();
    auto inst = std::make_unique<workflow_instance>(std::move(reg->fn), std::move(info), r.run_timeout_ms);
    inst->set_max_pending_nexus(options_.limits.max_pending_nexus_operations);
    return inst;
}

void engine_core::assign_ids(run_state& r, std::vector<inbound>& in, write_unit& unit, std::vector<event>& out) {
    if (!in.empty()) unit.runs.push_back(r.run_key);
    for (auto& i : in) {
        i.e.id = r.next_event_id++;
        if (r.inst) r.inst->annotate(i.e);
        // An activity's close event is written with its ActivityTaskStarted, just before it.
        if (auto* s = i.e.attrs.if_contains("started_event_id"); s && s->is_null() &&
                                                                 i.e.type >= event_type::activity_task_completed &&
                                                                 i.e.type <= event_type::activity_task_canceled)
            *s = i.e.id - 1;
        if (i.serialized_member)
            unit.ops.emplace_back(insert_event{r.run_key, i.e, i.serialized_member, i.serialized_json});
        else
            unit.ops.emplace_back(insert_event{r.run_key, i.e});
        for (auto& op : i.ops) unit.ops.push_back(std::move(op));
        for (auto& cb : i.on_recorded) unit.effects.emplace_back(std::move(cb));
        out.push_back(std::move(i.e));
    }
    std::vector<inbound>().swap(in);   // frees its buffer too: a parked run keeps no capacity for it
}

void engine_core::append_directly(run_state& r) {
    if (r.pending.empty()) return;
    write_unit unit;
    std::vector<event> appended;
    runs_.drop_instance(r);   // its view is now behind history; it is rebuilt by replay
    assign_ids(r, r.pending, unit, appended);
    r.owes_activation = true;
    commit(std::move(unit));
}

std::int64_t engine_core::append_event(run_state& r, event_type type, boost::json::object attrs, write_unit& unit) {
    event e{r.next_event_id++, type, now_us(), std::move(attrs)};
    unit.ops.emplace_back(insert_event{r.run_key, e});
    unit.runs.push_back(r.run_key);
    return e.id;
}

std::optional<task_failure> engine_core::prepare_command(run_state& r, command& c) {
    family_.prepare_close(r, c);
    if (c.kind == command_kind::upsert_search_attributes) return prepare_upsert(r, c);
    if (c.kind == command_kind::start_child_workflow) return prepare_child_start(r, c);
    if (c.kind == command_kind::schedule_nexus_operation) return nexus_.prepare_schedule(c);
    return std::nullopt;
}

void engine_core::run_activation(run_state& r, write_unit* outer) {
    write_unit local;
    write_unit& unit = outer ? *outer : local;
    std::vector<event> inbound_events = std::move(r.tail);
    r.tail.clear();
    assign_ids(r, r.pending, unit, inbound_events);
    const std::int64_t now = now_us();
    const auto began = std::chrono::steady_clock::now();
    auto result = r.inst->activate(inbound_events, now, false);
    if (!result.failure && std::chrono::steady_clock::now() - began > deadlock_threshold)
        result.failure =
            task_failure{task_failure::cause::workflow_error,
                         "potential deadlock detected: the workflow ran for more than 1 s without yielding "
                         "(workflow code must not block: move slow work into an activity)"};
    if (!result.failure)
        for (auto& c : *result.commands)
            if (auto f = prepare_command(r, c)) {
                result.failure = std::move(f);
                break;
            }
    if (!result.failure) result.failure = check_memo_upserts(r, *result.commands);
    if (result.failure) {
        record_task_failure(r, *result.failure, unit);
        r.owes_activation = true;
        if (!outer) commit(std::move(local));
        return;
    }
    if (!r.task_failure_message.empty()) end_task_failure(r, unit);
    // The commands become events after one WorkflowTaskCompleted; an oversized one fails the task.
    const std::int64_t boundary_id = r.next_event_id;
    std::vector<event> command_events;
    std::vector<insert_event> command_rows;   // serialized once: the size checked is the size stored
    command_events.reserve(result.commands->size());
    for (auto& c : *result.commands) {
        event e{boundary_id + 1 + static_cast<std::int64_t>(command_events.size()), event_type_of(c.kind), now,
                std::move(c.attrs)};
        e.attrs["workflow_task_completed_event_id"] = boundary_id;
        command_rows.emplace_back(r.run_key, e);
        if (command_rows.back().attrs.size() > options_.limits.max_payload_bytes + 4096) {
            record_task_failure(
                r,
                {task_failure::cause::bad_command,
                 bad_attributes_cause(c.kind) + ": " + command_name(c.kind) + " is " +
                     std::to_string(command_rows.back().attrs.size()) + " bytes; payloads are limited to " +
                     std::to_string(options_.limits.max_payload_bytes) + " bytes (engine_limits::max_payload_bytes)"},
                unit);
            r.owes_activation = true;
            if (!outer) commit(std::move(local));
            return;
        }
        command_events.push_back(std::move(e));
    }
    r.owes_activation = false;
    unit.runs.push_back(r.run_key);
    r.next_event_id = boundary_id + 1 + static_cast<std::int64_t>(command_events.size());
    unit.ops.emplace_back(insert_event{r.run_key, event{boundary_id, event_type::workflow_task_completed, now, {}}});
    for (auto& row : command_rows) unit.ops.emplace_back(std::move(row));
    r.inst->recorded(command_events);
    for (const auto& e : command_events) {
        react_to_command(r, e, unit);
        if (r.status != run_status::running) break;
    }
    if (r.status == run_status::running && r.next_event_id - 1 > options_.limits.max_history_events)
        terminate_run(r,
                      "workflow history count exceeds limit (" + std::to_string(options_.limits.max_history_events) +
                          " events, engine_limits::max_history_events); continue-as-new before a run grows this long",
                      unit);
    if (!outer) commit(std::move(local));
    if (r.inst) runs_.touch(r);
    evict_if_needed();
}

void engine_core::react_to_command(run_state& r, const event& e, write_unit& unit) {
    switch (e.type) {
    case event_type::activity_task_scheduled: activities_.schedule(r, e, unit); break;
    case event_type::activity_task_cancel_requested: request_activity_cancel(r, e, unit); break;
    case event_type::timer_started: {
        const auto d =
            parse_duration(e.attrs.at("start_to_fire_timeout").as_string()).value_or(std::chrono::milliseconds(0));
        const std::int64_t due = e.time_us + d.count() * 1000;
        unit.ops.emplace_back(insert_deadline{{r.run_key, deadline_kind::timer, e.id, due}});
        arm(wheel_kind::timer, r.run_key, e.id, due);
        break;
    }
    case event_type::timer_canceled: {
        const auto started = e.attrs.at("started_event_id").as_int64();
        unit.ops.emplace_back(delete_deadline{r.run_key, deadline_kind::timer, started});
        disarm(wheel_kind::timer, r.run_key, started);
        break;
    }
    case event_type::start_child_workflow_execution_initiated: family_.start_child(r, e, unit); break;
    case event_type::signal_external_workflow_execution_initiated:
    case event_type::request_cancel_external_workflow_execution_initiated: family_.reach_external(r, e, unit); break;
    case event_type::workflow_execution_update_completed: queries_updates_.update_completed(r, e, unit); break;
    case event_type::nexus_operation_scheduled: nexus_.schedule(r, e, unit); break;
    case event_type::nexus_operation_cancel_requested: nexus_.request_cancel(r, e, unit); break;
    case event_type::upsert_workflow_search_attributes: upserted(r, e, unit); break;
    case event_type::workflow_properties_modified: memo_modified(r, e, unit); break;
    case event_type::workflow_execution_continued_as_new: {
        auto signals = r.inst ? r.inst->unread_signals() : std::vector<std::pair<std::string, boost::json::value>>{};
        close_run(r, e, unit);
        family_.continue_run(r, e, std::move(signals), unit);
        break;
    }
    case event_type::workflow_execution_failed:
        close_run(r, e, unit);
        if (e.attrs.contains("new_execution_run_id"))
            family_.continue_run(r, e, {}, unit);   // the retry policy allows another run
        break;
    case event_type::workflow_execution_completed:
    case event_type::workflow_execution_canceled: close_run(r, e, unit); break;
    default: break;
    }
}

void engine_core::close_run(run_state& r, event close_event, write_unit& unit) {
    r.status = status_of_close(close_event.type);
    unit.ops.emplace_back(close_execution{r.run_key, r.status, close_event.time_us});
    unit.ops.emplace_back(clear_run_work{r.run_key});
    timer_.disarm_run(r.run_key);
    activities_.drop_run(r.run_key);
    outbox_.drop_run(r.run_key);
    auto closed = std::make_exception_ptr(failed_precondition("workflow " + r.workflow_id + " (run " + r.run_id +
                                                              ") closed before the event was recorded"));
    for (auto& in : r.pending)
        for (auto& cb : in.on_recorded) cb(closed);
    r.pending.clear();
    r.tail.clear();
    const std::string why = "workflow " + r.workflow_id + " (run " + r.run_id + ") closed";
    queries_updates_.fail_queries(r, why);
    queries_updates_.fail_updates(r, why + " before the update completed");
    family_.run_closed(r, close_event, unit);
    nexus_.notify_callers(r, close_event, unit);
    nexus_.drop_run(r.run_key);
    unit.effects.emplace_back(
        [this, key = r.run_key, close = std::make_shared<event>(std::move(close_event))](std::exception_ptr e) {
            if (auto* run = find_run(key)) {
                for (auto& w : run->take_result_waiters()) w(e, close.get());
            }
            finish_closed_run(key);
        });
}

void engine_core::finish_closed_run(std::int64_t run_key) { runs_.erase(run_key); }

// ---------------------------------------------------------------- the cache

void engine_core::evict_if_needed() {
    // Only once its last event is committed, so a replay reads everything it did.
    runs_.evict(options_.workflow_cache_size, options_.workflow_cache_bytes, [this](const run_state& r) {
        return r.last_unit <= pipeline_.committed_unit() && !r.activation_scheduled && r.pending.empty() && !r.loading;
    });
}

}   // namespace perdure::detail
