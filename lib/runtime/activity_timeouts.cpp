// Heartbeats and the activity timeouts on the strand: the latest details kept for the next
// attempt, a held heartbeat sent when its throttle interval ends, and each of Temporal's four
// timeouts (start-to-close and heartbeat retry; schedule-to-start and schedule-to-close end it).
#include "runtime/activity_dispatcher.hpp"

namespace perdure::detail {
namespace {

failure timeout_failure(timeout_type type, const boost::json::value& details) {
    failure f;
    f.message = std::string("activity ") + to_string(type) + " timeout";
    f.kind = failure_kind::timeout;
    f.info = {{"timeout_type", to_string(type)}};
    if (!details.is_null()) f.info["last_heartbeat_details"] = details;
    return f;
}

}   // namespace

void activity_dispatcher::keep_latest_details(activity_task& t) {
    if (!t.control) return;
    // Heartbeats are throttled; the attempt's last details still reach the next attempt.
    if (auto latest = t.control->latest_details()) accept_details(t, std::move(*latest));
}

bool activity_dispatcher::accept_details(activity_task& t, boost::json::value details) {
    if (t.details_too_large) return false;
    if (boost::json::serialize(details).size() > settings_.max_result_bytes) {
        // As Temporal's server: the activity fails, and its heartbeats hear a cancel request.
        t.details_too_large = true;
        if (t.control) t.control->cancel = true;
        return false;
    }
    t.heartbeat_details = std::move(details);
    return true;
}

void activity_dispatcher::on_heartbeat(task_key key, std::uint64_t generation, boost::json::value details) {
    auto it = tasks_.find(key);
    if (it == tasks_.end() || it->second.generation != generation) return;
    auto& t = it->second;
    if (!accept_details(t, std::move(details))) return;
    // An attempt on another engine heartbeats as its reports arrive.
    if (const auto hb = t.timeouts.heartbeat.count(); hb > 0)
        host_.arm(wheel_kind::activity_heartbeat, key.run_key, key.seq,
                  (t.control ? t.control->last_call_us.load() : host_.now_us()) + hb * 1000);
    // The latest details reach the task row, so an attempt after a crash gets them too.
    write_unit unit;
    unit.ops.emplace_back(upsert_task{t.row()});
    host_.commit(std::move(unit));
}

void activity_dispatcher::on_deadline(const task_key& key, wheel_kind kind) {
    auto it = tasks_.find(key);
    if (it == tasks_.end()) return;
    auto& t = it->second;
    switch (kind) {
    case wheel_kind::activity_retry: dispatch(key); return;
    case wheel_kind::activity_heartbeat_flush: {
        if (t.st != activity_task::state::running || !t.control) return;
        if (auto held = t.control->take_held(host_.now_us())) on_heartbeat(key, t.generation, std::move(*held));
        return;
    }
    case wheel_kind::activity_heartbeat:
        // Fires only when no heartbeat() call came within the timeout (held ones count).
        if (t.control)
            if (const auto due = t.control->last_call_us.load() + t.timeouts.heartbeat.count() * 1000;
                due > host_.now_us()) {
                host_.arm(wheel_kind::activity_heartbeat, key.run_key, key.seq, due);
                return;
            }
        [[fallthrough]];
    case wheel_kind::activity_start_to_close:
        if (t.st != activity_task::state::running) return;
        keep_latest_details(t);
        if (t.control) t.control->cancel = true;   // it cannot be stopped; its late result is dropped
        ++t.generation;
        for (auto k : {wheel_kind::activity_start_to_close, wheel_kind::activity_heartbeat,
                       wheel_kind::activity_heartbeat_flush})
            host_.disarm(k, key.run_key, key.seq);
        return attempt_failed(t, timeout_failure(kind == wheel_kind::activity_heartbeat ? timeout_type::heartbeat
                                                                                        : timeout_type::start_to_close,
                                                 t.heartbeat_details));
    case wheel_kind::activity_schedule_to_close:
    case wheel_kind::activity_schedule_to_start: {
        keep_latest_details(t);
        ++t.generation;
        auto f = timeout_failure(kind == wheel_kind::activity_schedule_to_close ? timeout_type::schedule_to_close
                                                                                : timeout_type::schedule_to_start,
                                 t.heartbeat_details);
        if (t.last_failure) f.cause = std::make_shared<const failure>(*t.last_failure);
        return close(t, event_type::activity_task_timed_out,
                     {{"failure", f.to_json()},
                      {"retry_state", to_string(retry_state::timeout)},
                      {"scheduled_event_id", key.seq},
                      {"started_event_id", nullptr}});
    }
    default: return;
    }
}

}   // namespace perdure::detail
