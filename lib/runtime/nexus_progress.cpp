// An operation's progress as its caller's history records it: the bookkeeping when a Nexus
// event reaches the caller (deadlines moved, rows retired, late messages dropped), what the
// committed history says of an operation memory no longer holds, and recovery after a restart.
#include "runtime/nexus_dispatcher.hpp"

#include "history/fields.hpp"

namespace perdure::detail {
namespace {

bool is_nexus_terminal(event_type t) {
    return t == event_type::nexus_operation_completed || t == event_type::nexus_operation_failed ||
           t == event_type::nexus_operation_canceled || t == event_type::nexus_operation_timed_out;
}

}   // namespace

nexus_progress nexus_dispatcher::recorded_progress(const task_key& key) {
    nexus_progress p;
    for (auto& e : host_.history_from(key.run_key, key.seq)) {
        if (e.id == key.seq) {
            if (e.type == event_type::nexus_operation_scheduled) p.scheduled = std::move(e);
            continue;
        }
        const auto* s = e.attrs.if_contains("scheduled_event_id");
        if (!s || !s->is_int64() || s->as_int64() != key.seq) continue;
        if (e.type == event_type::nexus_operation_started) {
            p.started = true;
            p.token = text(e.attrs, "operation_token");
        }
        p.ended = p.ended || is_nexus_terminal(e.type);
    }
    return p;
}

bool nexus_dispatcher::on_delivered(run_state& r, inbound& in) {
    const auto* s = in.e.attrs.if_contains("scheduled_event_id");
    if (!s || !s->is_int64()) return true;
    const task_key key{r.run_key, s->as_int64()};
    const bool started = in.e.type == event_type::nexus_operation_started;
    // A message that comes too late is not recorded; its outbox row is still removed.
    auto drop = [&] {
        if (!in.ops.empty()) {
            write_unit unit;
            unit.ops = std::move(in.ops);
            host_.commit(std::move(unit));
        }
        return false;
    };
    auto it = ops_.find(key);
    if (it == ops_.end()) {
        // Not tracked: it ended (its outcome may not be committed yet), or after a restart a
        // started operation lives only in history.
        if (ending_.contains(key)) return drop();
        auto seen = recorded_progress(key);
        if (!seen.scheduled || seen.ended || (started && seen.started)) return drop();
        if (started) {
            track(r, *seen.scheduled, 1, 0, nullptr);
            it = ops_.find(key);
        }
    } else if (started && it->second.started_recorded) {
        return drop();
    }
    if (started) {
        auto& op = it->second;
        op.st = nexus_op::state::started;
        op.started_recorded = true;
        op.token = text(in.e.attrs, "operation_token");
        host_.disarm(wheel_kind::nexus_schedule_to_start, key.run_key, key.seq);
        in.ops.emplace_back(delete_deadline{key.run_key, deadline_kind::nexus_schedule_to_start, key.seq});
        if (op.start_to_close_ms > 0) {
            const std::int64_t due = host_.now_us() + op.start_to_close_ms * 1000;
            in.ops.emplace_back(insert_deadline{{key.run_key, deadline_kind::nexus_start_to_close, key.seq, due}});
            host_.arm(wheel_kind::nexus_start_to_close, key.run_key, key.seq, due);
        }
        if (op.cancel_requested)
            in.on_recorded.emplace_back([this, key, requested = op.cancel_requested_event_id](std::exception_ptr e) {
                if (auto* run = host_.find_run(key.run_key); run && !e) cancel(*run, key.seq, requested);
            });
        return true;
    }
    if (!is_nexus_terminal(in.e.type)) return true;
    for (auto k : {wheel_kind::nexus_retry, wheel_kind::nexus_request_timeout, wheel_kind::nexus_schedule_to_close,
                   wheel_kind::nexus_schedule_to_start, wheel_kind::nexus_start_to_close})
        host_.disarm(k, key.run_key, key.seq);
    in.ops.emplace_back(delete_task{key.run_key, key.seq});
    outbox_.forget_cancel_request(key, in.ops);   // an operation that ended needs no cancel any more
    for (auto k : {deadline_kind::nexus_schedule_to_close, deadline_kind::nexus_schedule_to_start,
                   deadline_kind::nexus_start_to_close})
        in.ops.emplace_back(delete_deadline{key.run_key, k, key.seq});
    if (it != ops_.end()) ops_.erase(it);
    // Until the outcome is committed (and so readable from history), memory says it ended.
    ending_.insert(key);
    in.on_recorded.emplace_back([this, key](std::exception_ptr) { ending_.erase(key); });
    return true;
}

void nexus_dispatcher::recover(run_state& caller, const event& scheduled, const task_row& t,
                               std::int64_t cancel_requested_event_id) {
    // Attempts are retried at once (a handler start is deduplicated by request id).
    track(caller, scheduled, t.attempt, t.due_us, nullptr);
    if (cancel_requested_event_id) {
        auto& op = ops_.at({t.run_key, t.seq});
        op.cancel_requested = true;
        op.cancel_requested_event_id = cancel_requested_event_id;
    }
    if (t.due_us <= host_.now_us()) dispatch({t.run_key, t.seq});
}

}   // namespace perdure::detail
