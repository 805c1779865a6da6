// Activities on the engine side: dispatch after the schedule commits, attempts on the pool,
// retries with backoff, cancellation and recovery (heartbeats and timeouts are in
// activity_timeouts.cpp). Nothing is written at
// dispatch: ActivityTaskStarted is recorded with the close event, carrying the final attempt.
#include "runtime/core.hpp"

#include "runtime/retry.hpp"
#include "runtime/failpoint.hpp"
#include "store/store.hpp"

#include <perdure/detail/async_activity.hpp>

#include <perdure/error.hpp>

#include <boost/asio/post.hpp>
#include <boost/json/parse.hpp>
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

// Temporal's SDKs: 0.8 x the heartbeat timeout, at most 60 s; 30 s without a heartbeat timeout.
constexpr std::int64_t default_heartbeat_throttle_us = 30'000'000;
constexpr std::int64_t max_heartbeat_throttle_us = 60'000'000;

/// Whether the retry policy would end the activity if this attempt timed out.
bool is_final_attempt(const retry_policy& p, int attempt) {
    failure f;
    f.kind = failure_kind::timeout;
    f.info = {{"timeout_type", to_string(timeout_type::start_to_close)}};
    return !decide_retry(p, attempt, f, std::nullopt).retry;
}

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
    t.flags = is_final_attempt(t.policy, attempt) ? task_flags::final_attempt : 0;
    const auto key = t.key;
    const auto s2c = t.timeouts.schedule_to_close.count();
    if (s2c > 0) arm(wheel_kind::activity_schedule_to_close, key.run_key, key.seq, t.scheduled_time_us + s2c * 1000);
    auto& task = activities_.insert_or_assign(key, std::move(t)).first->second;
    if (due_us > now_us()) {
        task.st = activity_task::state::backing_off;
        arm(wheel_kind::activity_retry, key.run_key, key.seq, due_us);
    }
    if (!unit) return;
    if (s2c > 0)
        unit->ops.emplace_back(insert_deadline{{key.run_key, deadline_kind::activity_schedule_to_close, key.seq,
                                                task.scheduled_time_us + s2c * 1000}});
    const bool handed = due_us <= now_us() && hand_over_with_schedule(task);
    unit->ops.emplace_back(upsert_task{task.row()});
    if (handed)
        unit->effects.emplace_back([this, key, blocking = task.in_thread](std::exception_ptr e) { start_marked(key, blocking, e); });
    else if (due_us <= now_us())
        unit->effects.emplace_back([this, key](std::exception_ptr e) {
            if (!e) dispatch_activity(key);
        });
}

bool engine_core::hand_over_with_schedule(activity_task& t) {
    // A final attempt that can start at once is handed over with its schedule: its mark rides in
    // the same commit, as Temporal records a task started once a worker has it.
    if (!(t.flags & task_flags::final_attempt) || !started_ || stopping_.load()) return false;
    const auto reg = workers_.activity(t.ns_id, t.task_queue, t.activity_type);
    if (!reg) return false;
    t.in_thread = !reg->fn.async;
    if (t.in_thread && !activity_threads_.try_reserve()) return false;
    t.flags |= task_flags::handed_to_thread;
    t.st = activity_task::state::starting;
    return true;
}

void engine_core::start_marked(const task_key& key, bool holds_thread, std::exception_ptr e) {
    auto it = activities_.find(key);
    if (!e && it != activities_.end() && it->second.st == activity_task::state::starting)
        return run_activity_attempt(it->second, holds_thread);
    if (holds_thread) release_activity_thread();   // it closed meanwhile, or the engine stopped
}

void engine_core::dispatch_activity(const task_key& key) {
    auto it = activities_.find(key);
    if (it == activities_.end() || it->second.st == activity_task::state::running ||
        it->second.st == activity_task::state::starting)
        return;
    auto& t = it->second;
    t.st = activity_task::state::waiting_for_worker;
    if (!started_ || stopping_.load() || failed_.load()) return;
    // Schedule-to-start bounds the whole wait of this attempt: for a worker, then for a thread.
    const auto s2s = t.timeouts.schedule_to_start.count(), s2c = t.timeouts.schedule_to_close.count();
    if (s2s > 0 && (s2c == 0 || s2s < s2c))
        arm(wheel_kind::activity_schedule_to_start, key.run_key, key.seq,
            (t.attempt == 1 ? t.scheduled_time_us : t.due_us) + s2s * 1000);
    auto reg = workers_.activity(t.ns_id, t.task_queue, t.activity_type);   // a registration or a test double
    if (!reg && !workers_.has_queue(t.ns_id, t.task_queue)) return;        // no worker on that queue yet
    if (!reg) {
        std::string known;
        for (const auto& n : workers_.activity_names(t.ns_id, t.task_queue)) known += (known.empty() ? "" : ", ") + n;
        failure f;
        f.message = "activity type " + t.activity_type + " is not registered on task queue " + t.task_queue +
                    " (registered there: " + (known.empty() ? "none" : known) +
                    "); register it with worker.register_activity";
        f.kind = failure_kind::application;
        f.info = {{"type", "ActivityTypeNotRegistered"}, {"non_retryable", false}};
        disarm(wheel_kind::activity_schedule_to_start, key.run_key, key.seq);
        return activity_attempt_failed(t, std::move(f));
    }
    if (reg->fn.async) return begin_attempt(t, false);
    if (!t.in_thread_queue) {
        t.in_thread_queue = true;
        activity_threads_.wait_for_thread(key);
    }
    start_queued_activities();
}

void engine_core::start_queued_activities() {
    while (!stopping_.load()) {
        const auto key = activity_threads_.take_next([this](const task_key& k) {
            auto it = activities_.find(k);
            if (it == activities_.end() || !it->second.in_thread_queue) return false;   // closed meanwhile
            it->second.in_thread_queue = false;
            return it->second.st == activity_task::state::waiting_for_worker;
        });
        if (!key) return;
        begin_attempt(activities_.at(*key), true);
    }
}

void engine_core::release_activity_thread() {
    activity_threads_.release();
    start_queued_activities();
}

void engine_core::begin_attempt(activity_task& t, bool holds_thread) {
    disarm(wheel_kind::activity_schedule_to_start, t.key.run_key, t.key.seq);
    if (!(t.flags & task_flags::final_attempt) || (t.flags & task_flags::handed_to_thread))
        return run_activity_attempt(t, holds_thread);
    // The retry policy would not repeat this attempt: it is marked before its code runs, so after
    // a crash it is neither run twice nor counted as run when it only waited.
    t.flags |= task_flags::handed_to_thread;
    t.st = activity_task::state::starting;
    write_unit unit;
    unit.ops.emplace_back(upsert_task{t.row()});
    unit.effects.emplace_back([this, key = t.key, holds_thread](std::exception_ptr e) { start_marked(key, holds_thread, e); });
    commit(std::move(unit));
}

void engine_core::run_activity_attempt(activity_task& t, bool holds_thread) {
    auto reg = workers_.activity(t.ns_id, t.task_queue, t.activity_type);
    if (!reg || stopping_.load() || failed_.load()) {
        t.st = activity_task::state::waiting_for_worker;
        if (holds_thread) release_activity_thread();
        return;
    }
    t.st = activity_task::state::running;
    t.generation = next_generation_++;
    const auto key = t.key;
    const auto gen = t.generation;
    const std::int64_t now = now_us();
    auto control = std::make_shared<activity_control>();
    const auto hb = t.timeouts.heartbeat.count();
    control->throttle_us = hb > 0 ? std::min(hb * 800, max_heartbeat_throttle_us) : default_heartbeat_throttle_us;
    control->last_call_us = now;   // the heartbeat timeout counts from the start until the first call
    control->now_us = [clk = clock_] {
        return std::chrono::duration_cast<std::chrono::microseconds>(clk->now().time_since_epoch()).count();
    };
    control->send = [weak = weak_from_this(), key, gen](boost::json::value details) {
        if (auto self = weak.lock())
            self->post([self, key, gen, details = std::move(details)]() mutable {
                self->on_activity_heartbeat(key, gen, std::move(details));
            });
    };
    control->flush_at = [weak = weak_from_this(), key, gen](std::int64_t at_us) {
        if (auto self = weak.lock())
            self->post([self, key, gen, at_us] {
                if (auto it = self->activities_.find(key); it != self->activities_.end() && it->second.generation == gen)
                    self->arm(wheel_kind::activity_heartbeat_flush, key.run_key, key.seq, at_us);
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
    auto done = [weak = weak_from_this(), key, gen, holds_thread](boost::json::value result, std::optional<failure> f) {
        if (auto self = weak.lock()) {
            self->post([self, key, gen, holds_thread, result = std::move(result), f = std::move(f)]() mutable {
                self->on_activity_result(key, gen, std::move(result), std::move(f));
                if (holds_thread) self->release_activity_thread();
            });
            self->work_.done(work_tracker::activity);
        }
    };
    if (reg->fn.async) {
        reg->fn.async->start(strand_, activity_context(std::move(info), control), t.input, std::move(done));
        return;
    }
    activity_threads_.run([fn = reg->fn.blocking, info = std::move(info), control, input = t.input,
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
    keep_latest_details(t);
    for (auto k : {wheel_kind::activity_start_to_close, wheel_kind::activity_heartbeat, wheel_kind::activity_heartbeat_flush})
        disarm(k, key.run_key, key.seq);
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
    t.flags = is_final_attempt(t.policy, t.attempt) ? task_flags::final_attempt : 0;
    t.due_us = now + d.delay.count() * 1000;
    t.st = activity_task::state::backing_off;
    t.control.reset();
    write_unit unit;
    unit.ops.emplace_back(upsert_task{t.row()});
    if (find_run(t.key.run_key)) commit(std::move(unit));
    arm(wheel_kind::activity_retry, t.key.run_key, t.key.seq, t.due_us);
}

void engine_core::close_activity(activity_task& t, event_type type, boost::json::object attrs) {
    const auto key = t.key;
    for (auto k : {wheel_kind::activity_retry, wheel_kind::activity_start_to_close, wheel_kind::activity_heartbeat,
                   wheel_kind::activity_heartbeat_flush, wheel_kind::activity_schedule_to_start,
                   wheel_kind::activity_schedule_to_close})
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
    forget_cancel_request(key, close.ops);
    close.ops.emplace_back(delete_deadline{key.run_key, deadline_kind::activity_schedule_to_close, key.seq});
    deliver(*r, std::move(close));
}

void engine_core::request_activity_cancel(run_state& r, const event& requested, write_unit& unit) {
    const auto sched = requested.attrs.at("scheduled_event_id").as_int64();
    if (!activities_.contains({r.run_key, sched})) return;   // it closed meanwhile: nothing to cancel
    // An outbox row committed with the request: after a crash, the attempt that runs next sees it.
    record_cancel_request(r, "activity", sched, requested.id, unit);
    unit.effects.emplace_back([this, key = r.run_key, sched](std::exception_ptr err) {
        failpoint("activity-cancel-requested");
        if (auto* run = find_run(key); run && !err) cancel_activity(*run, sched);
    });
}

void engine_core::cancel_activity(run_state& r, std::int64_t scheduled_event_id) {
    auto it = activities_.find({r.run_key, scheduled_event_id});
    if (it == activities_.end()) return;   // it closed meanwhile
    auto& t = it->second;
    t.cancel_requested = true;
    if (t.st == activity_task::state::running || t.st == activity_task::state::starting) {
        if (t.control) t.control->cancel = true;   // heartbeat() throws canceled_error in the attempt
        return;
    }
    close_activity(t, event_type::activity_task_canceled,
                   {{"details", nullptr}, {"scheduled_event_id", scheduled_event_id}, {"started_event_id", nullptr}});
}

void engine_core::recover_activity(const task_row& row, bool cancel_requested) {
    auto* r = find_run(row.run_key);
    if (!r) return;
    auto scheduled = store_->reads().event_at(row.run_key, row.seq);
    if (!scheduled) return;
    boost::json::value details;
    if (!row.details.empty()) details = boost::json::parse(row.details);
    schedule_activity_task(*r, *scheduled, row.attempt, row.due_us, std::move(details), nullptr);
    const task_key key{row.run_key, row.seq};
    auto& task = activities_.at(key);
    task.flags = row.flags;
    task.cancel_requested = cancel_requested;
    const std::int64_t now = now_us();
    const bool never_ran = (row.flags & task_flags::final_attempt) && !(row.flags & task_flags::handed_to_thread);
    if (row.due_us > now || never_ran) {
        // Backing off, or known never to have started: a cancel request ends it now, as for
        // an activity that has not started; otherwise it goes on as it would have.
        if (task.cancel_requested) return cancel_activity(*r, row.seq);
        if (never_ran) dispatch_activity(key);
        return;
    }
    // It may have been running when the process stopped: that attempt counts as timed out,
    // and a retry (if the policy allows one) starts at once; a cancel request reaches it.
    disarm(wheel_kind::activity_retry, row.run_key, row.seq);
    task.st = activity_task::state::running;
    ++task.generation;
    failure f;
    f.message = "activity attempt " + std::to_string(row.attempt) + " may have been running when the process stopped";
    f.kind = failure_kind::timeout;
    f.info = {{"timeout_type", to_string(timeout_type::start_to_close)}};
    std::optional<std::chrono::milliseconds> remaining;
    if (const auto s2c = task.timeouts.schedule_to_close.count(); s2c > 0)
        remaining = std::chrono::milliseconds((task.scheduled_time_us + s2c * 1000 - now) / 1000);
    const auto d = decide_retry(task.policy, task.attempt, f, remaining);
    if (!d.retry) return activity_attempt_failed(task, std::move(f));
    task.last_failure = std::move(f);
    ++task.attempt;
    task.flags = is_final_attempt(task.policy, task.attempt) ? task_flags::final_attempt : 0;
    task.due_us = now;
    task.st = activity_task::state::waiting_for_worker;
    write_unit unit;
    unit.ops.emplace_back(upsert_task{task.row()});
    unit.effects.emplace_back([this, key](std::exception_ptr e) {
        if (!e) dispatch_activity(key);
    });
    commit(std::move(unit));
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
