// Attempts run by other engines sharing the store: an attempt no worker here can take is offered
// in the shared task table; an engine serving its queue claims it and reports its start, its
// heartbeats and its end through the inbox. The owner keeps deciding everything else (timeouts,
// retries, cancellation, the close event), as Temporal's history service does for a poller.
#include "runtime/activity_dispatcher.hpp"

#include <boost/json/serialize.hpp>

namespace perdure::detail {

bool activity_dispatcher::offers(const activity_task& t) const {
    return settings_.offer_unserved && !t.offered && !workers_.has_queue(t.ns_id, t.task_queue);
}

void activity_dispatcher::offer(activity_task& t, std::vector<write_op>& ops) {
    t.offered = true;
    // A claimer that dies before its start is recorded loses the attempt for no longer than
    // Temporal would lose one whose worker died after polling it.
    const auto lost_after = t.timeouts.heartbeat.count() > 0 ? t.timeouts.heartbeat : t.timeouts.start_to_close;
    ops.emplace_back(
        offer_task{task_offer{t.key.run_key, t.key.seq, t.ns_id, t.task_queue, t.activity_type, t.attempt,
                              t.heartbeat_details.is_null() ? "" : boost::json::serialize(t.heartbeat_details),
                              task_kind::activity, lost_after.count()}});
}

void activity_dispatcher::offer(activity_task& t) {
    if (!offers(t)) return;
    write_unit unit;
    offer(t, unit.ops);
    host_.commit(std::move(unit));
}

void activity_dispatcher::withdraw_offer(activity_task& t) {
    if (!t.offered) return;
    t.offered = false;
    write_unit unit;
    unit.ops.emplace_back(withdraw_task{t.key.run_key, t.key.seq});
    host_.commit(std::move(unit));
}

activity_dispatcher::report_answer activity_dispatcher::remote_started(const task_key& key, int attempt,
                                                                       std::string identity) {
    auto it = tasks_.find(key);
    if (it == tasks_.end() || !host_.accepting_work()) return {};
    auto& t = it->second;
    // Another claimer started it first, a worker here took it, or it timed out meanwhile.
    if (!t.offered || t.attempt != attempt || t.st != activity_task::state::waiting_for_worker) return {};
    host_.disarm(wheel_kind::activity_schedule_to_start, key.run_key, key.seq);
    t.offered = false;
    t.st = activity_task::state::running;
    t.remote = true;
    t.reported_heartbeat_us = 0;
    t.worker_identity = std::move(identity);
    t.control.reset();
    t.generation = next_generation_++;
    const auto now = host_.now_us();
    t.started_us = now;
    if (const auto stc = t.timeouts.start_to_close.count(); stc > 0)
        host_.arm(wheel_kind::activity_start_to_close, key.run_key, key.seq, now + stc * 1000);
    if (const auto hb = t.timeouts.heartbeat.count(); hb > 0)
        host_.arm(wheel_kind::activity_heartbeat, key.run_key, key.seq, now + hb * 1000);
    // Committed before the answer (the inbox's answer is a later unit): a final attempt is
    // marked as run before its code runs, as a local one is.
    write_unit unit;
    unit.ops.emplace_back(withdraw_task{key.run_key, key.seq});
    if (t.flags & task_flags::final_attempt) {
        t.flags |= task_flags::handed_to_thread;
        unit.ops.emplace_back(upsert_task{t.row()});
    }
    host_.commit(std::move(unit));
    return {true, t.cancel_requested};
}

namespace {

bool runs_remotely(const activity_task& t, int attempt) {
    return t.remote && t.attempt == attempt && t.st == activity_task::state::running;
}

}   // namespace

activity_dispatcher::report_answer activity_dispatcher::remote_heartbeat(const task_key& key, int attempt,
                                                                         boost::json::value details) {
    auto it = tasks_.find(key);
    if (it == tasks_.end() || !runs_remotely(it->second, attempt)) return {false, true};
    it->second.reported_heartbeat_us = host_.now_us();
    on_heartbeat(key, it->second.generation, std::move(details));
    return {true, it->second.cancel_requested};
}

void activity_dispatcher::remote_finished(const task_key& key, int attempt, boost::json::value result,
                                          boost::json::value details, std::optional<failure> f) {
    auto it = tasks_.find(key);
    if (it == tasks_.end() || !runs_remotely(it->second, attempt)) return;
    // Heartbeats are throttled: the attempt's last details still reach the next attempt.
    if (!details.is_null()) it->second.heartbeat_details = std::move(details);
    on_result(key, it->second.generation, std::move(result), std::move(f));
}

}   // namespace perdure::detail
