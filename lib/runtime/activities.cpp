// Activities on the engine side: dispatch after the schedule commits, attempts on the pool,
// retries with backoff, the four timeouts, heartbeats and cancellation. Nothing is written at
// dispatch: ActivityTaskStarted is recorded with the close event, carrying the final attempt.
#include "runtime/core.hpp"

#include "machines/retry.hpp"

#include <perdure/detail/async_activity.hpp>

#include <perdure/error.hpp>

#include <boost/asio/post.hpp>
#include <boost/json/serialize.hpp>

namespace perdure::detail {
namespace {

std::string name_of(const boost::json::object& a, const char* key) {
    if (const auto* v = a.if_contains(key)) {
        if (v->is_string()) return std::string(v->get_string());
        if (v->is_object())
            if (const auto* n = v->get_object().if_contains("name"); n && n->is_string()) return std::string(n->get_string());
    }
    return {};
}

failure timeout_failure(timeout_type type, const boost::json::value& details) {
    failure f;
    f.message = std::string("activity ") + to_string(type) + " timeout";
    f.kind = failure_kind::timeout;
    f.info = {{"timeout_type", to_string(type)}};
    if (!details.is_null()) f.info["last_heartbeat_details"] = details;
    return f;
}

constexpr std::int64_t default_heartbeat_throttle_us = 24'000'000;   // 0.8 x Temporal's 30 s default

}  // namespace

void engine_core::schedule_activity_task(run_state& r, const event& scheduled, int attempt, std::int64_t due_us,
                                         boost::json::value heartbeat_details, write_unit* unit) {
    const auto& a = scheduled.attrs;
    activity_task t;
    t.key = {r.run_key, scheduled.id};
    t.ns_id = r.ns_id;
    t.activity_type = name_of(a, "activity_type");
    t.activity_id = name_of(a, "activity_id");
    t.task_queue = name_of(a, "task_queue");
    t.workflow_id = r.workflow_id;
    t.run_id = r.run_id;
    if (const auto* in = a.if_contains("input")) t.input = *in;
    t.timeouts = activity_timeouts_from(a);
    t.policy = retry_policy_from_json(a.contains("retry_policy") ? a.at("retry_policy") : boost::json::value{});
    t.attempt = attempt;
    t.scheduled_time_us = scheduled.time_us;
    t.due_us = due_us;
    t.heartbeat_details = std::move(heartbeat_details);
    const auto key = t.key;
    const auto s2c = t.timeouts.schedule_to_close.count();
    if (unit) {
        unit->ops.emplace_back(upsert_task{{key.run_key, key.seq, task_kind::activity, attempt, due_us, ""}});
        if (s2c > 0)
            unit->ops.emplace_back(insert_deadline{{key.run_key, deadline_kind::activity_schedule_to_close, key.seq,
                                                    t.scheduled_time_us + s2c * 1000}});
    }
    if (s2c > 0) arm(wheel_kind::activity_schedule_to_close, key.run_key, key.seq, t.scheduled_time_us + s2c * 1000);
    activities_.insert_or_assign(key, std::move(t));
    if (due_us > now_us()) {
        activities_.at(key).st = activity_task::state::backing_off;
        arm(wheel_kind::activity_retry, key.run_key, key.seq, due_us);
    } else if (unit) {
        unit->effects.emplace_back([this, key](std::exception_ptr e) {
            if (!e) dispatch_activity(key);
        });
    }
}

void engine_core::dispatch_activity(const task_key& key) {
    auto it = activities_.find(key);
    if (it == activities_.end() || it->second.st == activity_task::state::running) return;
    auto& t = it->second;
    t.st = activity_task::state::waiting_for_worker;
    if (!started_ || stopping_.load() || failed_.load()) return;
    auto reg = workers_.activity(t.ns_id, t.task_queue, t.activity_type);   // a registration or a test double
    if (!reg && !workers_.has_queue(t.ns_id, t.task_queue)) {
        // No worker on that queue yet: wait (bounded by schedule-to-start).
        const auto s2s = t.timeouts.schedule_to_start.count();
        if (s2s > 0 && s2s < t.timeouts.schedule_to_close.count())
            arm(wheel_kind::activity_schedule_to_start, key.run_key, key.seq, t.scheduled_time_us + s2s * 1000);
        return;
    }
    disarm(wheel_kind::activity_schedule_to_start, key.run_key, key.seq);
    if (!reg) {
        std::string known;
        for (const auto& n : workers_.activity_names(t.ns_id, t.task_queue)) known += (known.empty() ? "" : ", ") + n;
        failure f;
        f.message = "activity type " + t.activity_type + " is not registered on task queue " + t.task_queue +
                    " (registered there: " + (known.empty() ? "none" : known) +
                    "); register it with worker.register_activity";
        f.kind = failure_kind::application;
        f.info = {{"type", "ActivityTypeNotRegistered"}, {"non_retryable", false}};
        return activity_attempt_failed(t, std::move(f));
    }
    run_activity_attempt(t, *reg);
}

void engine_core::run_activity_attempt(activity_task& t, const activity_registration& reg) {
    t.st = activity_task::state::running;
    t.generation = next_generation_++;
    const auto key = t.key;
    const auto gen = t.generation;
    const std::int64_t now = now_us();
    auto control = std::make_shared<activity_control>();
    const auto hb = t.timeouts.heartbeat.count();
    control->throttle_us = hb > 0 ? hb * 800 : default_heartbeat_throttle_us;
    control->now_us = [clk = clock_] {
        return std::chrono::duration_cast<std::chrono::microseconds>(clk->now().time_since_epoch()).count();
    };
    control->send = [weak = weak_from_this(), key, gen](boost::json::value details) {
        if (auto self = weak.lock())
            self->post([self, key, gen, details = std::move(details)]() mutable {
                self->on_activity_heartbeat(key, gen, std::move(details));
            });
    };
    if (t.cancel_requested) control->cancel = true;
    t.control = control;
    if (const auto stc = t.timeouts.start_to_close.count(); stc > 0)
        arm(wheel_kind::activity_start_to_close, key.run_key, key.seq, now + stc * 1000);
    if (hb > 0) arm(wheel_kind::activity_heartbeat, key.run_key, key.seq, now + hb * 1000);

    activity_info info{namespace_name(t.ns_id), t.activity_type, t.activity_id, t.workflow_id, t.run_id,
                       t.task_queue, t.attempt, t.heartbeat_details};
    work_.add(work_tracker::activity);
    auto done = [weak = weak_from_this(), key, gen](boost::json::value result, std::optional<failure> f) {
        if (auto self = weak.lock()) {
            self->post([self, key, gen, result = std::move(result), f = std::move(f)]() mutable {
                self->on_activity_result(key, gen, std::move(result), std::move(f));
            });
            self->work_.done(work_tracker::activity);
        }
    };
    if (reg.fn.async) {
        reg.fn.async->start(strand_, activity_context(std::move(info), control), t.input, std::move(done));
        return;
    }
    boost::asio::post(*activity_pool_, [fn = reg.fn.blocking, info = std::move(info), control, input = t.input,
                                        done = std::move(done)]() mutable {
        activity_context ctx(std::move(info), std::move(control));
        boost::json::value result;
        std::optional<failure> f;
        try {
            result = fn(ctx, input);
        } catch (...) {
            f = failure_from_exception(std::current_exception());
        }
        done(std::move(result), std::move(f));
    });
}

void engine_core::on_activity_result(task_key key, std::uint64_t generation, boost::json::value result,
                                     std::optional<failure> f) {
    auto it = activities_.find(key);
    if (it == activities_.end() || failed_.load()) return;
    auto& t = it->second;
    if (t.generation != generation || t.st != activity_task::state::running) return;   // a stale attempt
    if (t.control) {
        // Heartbeats are throttled; the attempt's last details still reach the next attempt.
        std::lock_guard lk(t.control->mutex);
        if (t.control->latest) t.heartbeat_details = std::move(*t.control->latest);
    }
    disarm(wheel_kind::activity_start_to_close, key.run_key, key.seq);
    disarm(wheel_kind::activity_heartbeat, key.run_key, key.seq);
    if (!f) {
        const auto limit = options_.limits.max_payload_bytes;
        if (boost::json::serialize(result).size() > limit) {
            failure big;
            big.message = "activity result is larger than the payload limit of " + std::to_string(limit) +
                          " bytes (engine_limits::max_payload_bytes)";
            big.info = {{"type", "PayloadTooLarge"}, {"non_retryable", true}};
            return activity_attempt_failed(t, std::move(big));
        }
        return close_activity(t, event_type::activity_task_completed,
                              {{"result", std::move(result)}, {"scheduled_event_id", key.seq}, {"started_event_id", nullptr}});
    }
    if (t.cancel_requested && f->kind == failure_kind::canceled)
        return close_activity(t, event_type::activity_task_canceled,
                              {{"details", f->info.contains("details") ? f->info.at("details") : nullptr},
                               {"scheduled_event_id", key.seq},
                               {"started_event_id", nullptr}});
    activity_attempt_failed(t, std::move(*f));
}

void engine_core::activity_attempt_failed(activity_task& t, failure f) {
    const std::int64_t now = now_us();
    std::optional<std::chrono::milliseconds> remaining;
    if (const auto s2c = t.timeouts.schedule_to_close.count(); s2c > 0)
        remaining = std::chrono::milliseconds((t.scheduled_time_us + s2c * 1000 - now) / 1000);
    retry_decision d = t.cancel_requested ? retry_decision{false, {}, retry_state::cancel_requested}
                                          : decide_retry(t.policy, t.attempt, f, remaining);
    if (!d.retry) {
        const auto type = f.kind == failure_kind::timeout ? event_type::activity_task_timed_out
                                                          : event_type::activity_task_failed;
        return close_activity(t, type,
                              {{"failure", f.to_json()},
                               {"retry_state", to_string(d.state)},
                               {"scheduled_event_id", t.key.seq},
                               {"started_event_id", nullptr}});
    }
    t.last_failure = std::move(f);
    ++t.attempt;
    t.due_us = now + d.delay.count() * 1000;
    t.st = activity_task::state::backing_off;
    t.control.reset();
    write_unit unit;
    unit.ops.emplace_back(upsert_task{{t.key.run_key, t.key.seq, task_kind::activity, t.attempt, t.due_us,
                                       boost::json::serialize(t.heartbeat_details)}});
    if (auto* r = find_run(t.key.run_key)) commit(std::move(unit));
    arm(wheel_kind::activity_retry, t.key.run_key, t.key.seq, t.due_us);
}

void engine_core::close_activity(activity_task& t, event_type type, boost::json::object attrs) {
    const auto key = t.key;
    for (auto k : {wheel_kind::activity_retry, wheel_kind::activity_start_to_close, wheel_kind::activity_heartbeat,
                   wheel_kind::activity_schedule_to_start, wheel_kind::activity_schedule_to_close})
        disarm(k, key.run_key, key.seq);
    // ActivityTaskStarted is written (with the final attempt) only for an activity that ran.
    const bool ran = t.st == activity_task::state::running || (t.attempt > 1 && type != event_type::activity_task_canceled);
    boost::json::object started{{"scheduled_event_id", key.seq}, {"attempt", t.attempt}, {"identity", "perdure"}};
    if (t.last_failure) started["last_failure"] = t.last_failure->to_json();
    if (t.control) t.control->cancel = true;
    activities_.erase(key);
    auto* r = find_run(key.run_key);
    if (!r || r->status != run_status::running) return;
    if (ran) {
        deliver(*r, inbound{event{0, event_type::activity_task_started, now_us(), std::move(started)}});
    } else {
        attrs["started_event_id"] = 0;
    }
    inbound close{event{0, type, now_us(), std::move(attrs)}};
    close.ops.emplace_back(delete_task{key.run_key, key.seq});
    close.ops.emplace_back(delete_deadline{key.run_key, deadline_kind::activity_schedule_to_close, key.seq});
    deliver(*r, std::move(close));
}

void engine_core::cancel_activity(run_state& r, std::int64_t scheduled_event_id) {
    auto it = activities_.find({r.run_key, scheduled_event_id});
    if (it == activities_.end()) return;   // it closed meanwhile
    auto& t = it->second;
    t.cancel_requested = true;
    if (t.st == activity_task::state::running) {
        if (t.control) t.control->cancel = true;   // heartbeat() throws canceled_error in the attempt
        return;
    }
    close_activity(t, event_type::activity_task_canceled,
                   {{"details", nullptr}, {"scheduled_event_id", scheduled_event_id}, {"started_event_id", nullptr}});
}

void engine_core::on_activity_heartbeat(task_key key, std::uint64_t generation, boost::json::value details) {
    auto it = activities_.find(key);
    if (it == activities_.end() || it->second.generation != generation) return;
    auto& t = it->second;
    t.heartbeat_details = std::move(details);
    if (const auto hb = t.timeouts.heartbeat.count(); hb > 0)
        arm(wheel_kind::activity_heartbeat, key.run_key, key.seq, now_us() + hb * 1000);
    // The latest details reach the task row, so an attempt after a crash gets them too.
    write_unit unit;
    unit.ops.emplace_back(upsert_task{{key.run_key, key.seq, task_kind::activity, t.attempt, t.due_us,
                                       boost::json::serialize(t.heartbeat_details)}});
    commit(std::move(unit));
}

void engine_core::on_activity_timeout(const task_key& key, wheel_kind kind) {
    auto it = activities_.find(key);
    if (it == activities_.end()) return;
    auto& t = it->second;
    switch (kind) {
    case wheel_kind::activity_retry:
        dispatch_activity(key);
        return;
    case wheel_kind::activity_start_to_close:
    case wheel_kind::activity_heartbeat:
        if (t.st != activity_task::state::running) return;
        if (t.control) t.control->cancel = true;   // it cannot be stopped; its late result is dropped
        ++t.generation;
        disarm(wheel_kind::activity_start_to_close, key.run_key, key.seq);
        disarm(wheel_kind::activity_heartbeat, key.run_key, key.seq);
        return activity_attempt_failed(
            t, timeout_failure(kind == wheel_kind::activity_heartbeat ? timeout_type::heartbeat : timeout_type::start_to_close,
                               t.heartbeat_details));
    case wheel_kind::activity_schedule_to_close:
    case wheel_kind::activity_schedule_to_start: {
        ++t.generation;
        auto f = timeout_failure(kind == wheel_kind::activity_schedule_to_close ? timeout_type::schedule_to_close
                                                                                : timeout_type::schedule_to_start,
                                 t.heartbeat_details);
        if (t.last_failure) f.cause = std::make_shared<const failure>(*t.last_failure);
        return close_activity(t, event_type::activity_task_timed_out,
                              {{"failure", f.to_json()},
                               {"retry_state", to_string(retry_state::timeout)},
                               {"scheduled_event_id", key.seq},
                               {"started_event_id", nullptr}});
    }
    default:
        return;
    }
}

void engine_core::drop_activities_of(std::int64_t run_key) {
    for (auto it = activities_.begin(); it != activities_.end();) {
        if (it->first.run_key == run_key) {
            if (it->second.control) it->second.control->cancel = true;
            it = activities_.erase(it);
        } else {
            ++it;
        }
    }
}

}  // namespace perdure::detail
