// Activities from schedule to close: dispatch after the schedule commits, attempts on the pool,
// retries with backoff, cancellation and recovery (heartbeats and timeouts are in
// activity_timeouts.cpp).
#include "runtime/activity_dispatcher.hpp"

#include "codec/json_parse.hpp"
#include "history/fields.hpp"
#include "runtime/retry.hpp"

#include <perdure/detail/async_activity.hpp>
#include <perdure/error.hpp>

#include <boost/json/serialize.hpp>

namespace perdure::detail {
namespace {

/// What fails an attempt whose result or heartbeat details are over the payload limit; not
/// retried, since the next attempt would send the same.
failure too_large(const std::string& what, std::size_t limit) {
    failure f;
    f.message = what + " larger than the payload limit of " + std::to_string(limit) +
                " bytes (engine_limits::max_payload_bytes)";
    f.info = {{"type", "PayloadTooLarge"}, {"non_retryable", true}};
    return f;
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

}   // namespace

std::shared_ptr<activity_control> new_attempt_control(std::shared_ptr<clock> clock,
                                                      std::chrono::milliseconds heartbeat_timeout,
                                                      std::int64_t now_us) {
    auto control = std::make_shared<activity_control>();
    const auto hb = heartbeat_timeout.count();
    control->throttle_us = hb > 0 ? std::min(hb * 800, max_heartbeat_throttle_us) : default_heartbeat_throttle_us;
    control->last_call_us = now_us;
    control->now_us = [clk = std::move(clock)] {
        return std::chrono::duration_cast<std::chrono::microseconds>(clk->now().time_since_epoch()).count();
    };
    return control;
}

void run_blocking_attempt(const blocking_activity_function& fn, activity_info info,
                          std::shared_ptr<activity_control> control, const boost::json::value& input,
                          const async_activity_function::done_fn& done) {
    activity_context ctx(std::move(info), std::move(control));
    boost::json::value result;
    std::optional<failure> f;
    try {
        result = fn(ctx, input);
    } catch (...) {
        f = failure_from_exception(std::current_exception());
    }
    done(std::move(result), std::move(f));
}

activity_dispatcher::activity_dispatcher(activity_host& host, outbox_rows& outbox, worker_registry& workers,
                                         work_tracker& work, std::shared_ptr<clock> clock,
                                         boost::asio::any_io_executor strand, settings s)
    : host_(host),
      outbox_(outbox),
      workers_(workers),
      work_(work),
      clock_(std::move(clock)),
      strand_(std::move(strand)),
      settings_(s),
      threads_(s.threads) {}

activity_task& activity_dispatcher::track(run_state& r, const event& scheduled, int attempt, std::int64_t due_us,
                                          boost::json::value heartbeat_details) {
    const auto& a = scheduled.attrs;
    activity_task t;
    t.key = {r.run_key, scheduled.id};
    t.ns_id = r.ns_id;
    t.activity_type = name_of(a, "activity_type");
    t.activity_id = name_of(a, "activity_id");
    t.task_queue = name_of(a, "task_queue");
    t.workflow_id = r.workflow_id;
    t.run_id = r.run_id.str();
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
    if (s2c > 0)
        host_.arm(wheel_kind::activity_schedule_to_close, key.run_key, key.seq, t.scheduled_time_us + s2c * 1000);
    auto& task = tasks_.insert_or_assign(key, std::move(t)).first->second;
    if (due_us > host_.now_us()) {
        task.st = activity_task::state::backing_off;
        host_.arm(wheel_kind::activity_retry, key.run_key, key.seq, due_us);
    }
    return task;
}

void activity_dispatcher::schedule(run_state& r, const event& scheduled, write_unit& unit) {
    auto& task = track(r, scheduled, 1, scheduled.time_us, {});
    const auto key = task.key;
    if (const auto s2c = task.timeouts.schedule_to_close.count(); s2c > 0)
        unit.ops.emplace_back(insert_deadline{
            {key.run_key, deadline_kind::activity_schedule_to_close, key.seq, task.scheduled_time_us + s2c * 1000}});
    const bool due = task.due_us <= host_.now_us();
    const bool handed = due && hand_over_with_schedule(task);
    unit.ops.emplace_back(upsert_task{task.row()});
    if (due && offers(task)) offer(task, unit.ops);   // committed with its schedule
    if (handed)
        unit.effects.emplace_back(
            [this, key, blocking = task.in_thread](std::exception_ptr e) { start_marked(key, blocking, e); });
    else if (due)
        unit.effects.emplace_back([this, key](std::exception_ptr e) {
            if (!e) dispatch(key);
        });
}

bool activity_dispatcher::hand_over_with_schedule(activity_task& t) {
    // A final attempt that can start at once is handed over with its schedule: its mark rides in
    // the same commit, as Temporal records a task started once a worker has it.
    if (!(t.flags & task_flags::final_attempt) || !host_.accepting_work()) return false;
    const auto reg = workers_.activity(t.ns_id, t.task_queue, t.activity_type);
    if (!reg) return false;
    t.in_thread = !reg->fn.async;
    if (t.in_thread && !threads_.try_reserve()) return false;
    t.flags |= task_flags::handed_to_thread;
    t.st = activity_task::state::starting;
    return true;
}

void activity_dispatcher::start_marked(const task_key& key, bool holds_thread, std::exception_ptr e) {
    auto it = tasks_.find(key);
    if (!e && it != tasks_.end() && it->second.st == activity_task::state::starting)
        return run_attempt(it->second, holds_thread);
    if (holds_thread) release_thread();   // it closed meanwhile, or the engine stopped
}

void activity_dispatcher::dispatch(const task_key& key) {
    auto it = tasks_.find(key);
    if (it == tasks_.end() || it->second.st == activity_task::state::running ||
        it->second.st == activity_task::state::starting)
        return;
    auto& t = it->second;
    t.st = activity_task::state::waiting_for_worker;
    if (!host_.accepting_work()) return;
    // Schedule-to-start bounds the whole wait of this attempt: for a worker, then for a thread.
    const auto s2s = t.timeouts.schedule_to_start.count(), s2c = t.timeouts.schedule_to_close.count();
    if (s2s > 0 && (s2c == 0 || s2s < s2c))
        host_.arm(wheel_kind::activity_schedule_to_start, key.run_key, key.seq,
                  (t.attempt == 1 ? t.scheduled_time_us : t.due_us) + s2s * 1000);
    auto reg = workers_.activity(t.ns_id, t.task_queue, t.activity_type);
    if (!reg && !workers_.has_queue(t.ns_id, t.task_queue)) return offer(t);   // no worker on that queue here
    if (!reg) {
        std::string known;
        for (const auto& n : workers_.activity_names(t.ns_id, t.task_queue)) known += (known.empty() ? "" : ", ") + n;
        failure f;
        f.message = "activity type " + t.activity_type + " is not registered on task queue " + t.task_queue +
                    " (registered there: " + (known.empty() ? "none" : known) +
                    "); register it with worker.register_activity";
        f.kind = failure_kind::application;
        f.info = {{"type", "ActivityTypeNotRegistered"}, {"non_retryable", false}};
        host_.disarm(wheel_kind::activity_schedule_to_start, key.run_key, key.seq);
        return attempt_failed(t, std::move(f));
    }
    if (reg->fn.async) return begin_attempt(t, false);
    if (!t.in_thread_queue) {
        t.in_thread_queue = true;
        threads_.wait_for_thread(key);
    }
    start_queued();
}

void activity_dispatcher::start_queued() {
    while (host_.accepting_work()) {
        const auto key = threads_.take_next([this](const task_key& k) {
            auto it = tasks_.find(k);
            if (it == tasks_.end() || !it->second.in_thread_queue) return false;   // closed meanwhile
            it->second.in_thread_queue = false;
            return it->second.st == activity_task::state::waiting_for_worker;
        });
        if (!key) return;
        begin_attempt(tasks_.at(*key), true);
    }
}

void activity_dispatcher::release_thread() {
    threads_.release();
    start_queued();
}

void activity_dispatcher::begin_attempt(activity_task& t, bool holds_thread) {
    host_.disarm(wheel_kind::activity_schedule_to_start, t.key.run_key, t.key.seq);
    withdraw_offer(t);
    if (!(t.flags & task_flags::final_attempt) || (t.flags & task_flags::handed_to_thread))
        return run_attempt(t, holds_thread);
    // The retry policy would not repeat this attempt: it is marked before its code runs, so after
    // a crash it is neither run twice nor counted as run when it only waited.
    t.flags |= task_flags::handed_to_thread;
    t.st = activity_task::state::starting;
    write_unit unit;
    unit.ops.emplace_back(upsert_task{t.row()});
    unit.effects.emplace_back(
        [this, key = t.key, holds_thread](std::exception_ptr e) { start_marked(key, holds_thread, e); });
    host_.commit(std::move(unit));
}

void activity_dispatcher::run_attempt(activity_task& t, bool holds_thread) {
    auto reg = workers_.activity(t.ns_id, t.task_queue, t.activity_type);
    if (!reg || !host_.accepting_work()) {
        t.st = activity_task::state::waiting_for_worker;
        if (holds_thread) release_thread();
        return;
    }
    t.st = activity_task::state::running;
    t.remote = false;
    t.worker_identity.clear();
    t.generation = next_generation_++;
    const auto key = t.key;
    const auto gen = t.generation;
    const std::int64_t now = host_.now_us();
    t.started_us = now;
    auto control = new_attempt_control(clock_, t.timeouts.heartbeat, now);
    const auto hb = t.timeouts.heartbeat.count();
    auto to_strand = host_.handoff();
    control->send = [this, to_strand, key, gen](boost::json::value details) {
        to_strand(
            [this, key, gen, details = std::move(details)]() mutable { on_heartbeat(key, gen, std::move(details)); },
            std::nullopt);
    };
    control->flush_at = [this, to_strand, key, gen](std::int64_t at_us) {
        to_strand(
            [this, key, gen, at_us] {
                if (auto it = tasks_.find(key); it != tasks_.end() && it->second.generation == gen)
                    host_.arm(wheel_kind::activity_heartbeat_flush, key.run_key, key.seq, at_us);
            },
            std::nullopt);
    };
    if (t.cancel_requested) control->cancel = true;
    t.control = control;
    if (const auto stc = t.timeouts.start_to_close.count(); stc > 0)
        host_.arm(wheel_kind::activity_start_to_close, key.run_key, key.seq, now + stc * 1000);
    if (hb > 0) host_.arm(wheel_kind::activity_heartbeat, key.run_key, key.seq, now + hb * 1000);

    activity_info info{host_.namespace_name(t.ns_id),
                       t.activity_type,
                       t.activity_id,
                       t.workflow_id,
                       t.run_id,
                       t.task_queue,
                       t.attempt,
                       t.heartbeat_details};
    work_.add(work_tracker::activity);
    // The attempt's end reaches the strand before it stops counting as running work, so the
    // engine never looks idle in between.
    auto done = [this, to_strand, key, gen, holds_thread](boost::json::value result, std::optional<failure> f) {
        to_strand(
            [this, key, gen, holds_thread, result = std::move(result), f = std::move(f)]() mutable {
                on_result(key, gen, std::move(result), std::move(f));
                if (holds_thread) release_thread();
            },
            work_tracker::activity);
    };
    if (reg->fn.async) {
        reg->fn.async->start(strand_, activity_context(std::move(info), control), t.input, std::move(done));
        return;
    }
    threads_.run([fn = reg->fn.blocking, info = std::move(info), control, input = t.input,
                  done = async_activity_function::done_fn(std::move(done))]() mutable {
        run_blocking_attempt(fn, std::move(info), std::move(control), input, done);
    });
}

void activity_dispatcher::on_result(task_key key, std::uint64_t generation, boost::json::value result,
                                    std::optional<failure> f) {
    auto it = tasks_.find(key);
    if (it == tasks_.end() || host_.engine_failed()) return;
    auto& t = it->second;
    if (t.generation != generation || t.st != activity_task::state::running) return;   // a stale attempt
    keep_latest_details(t);
    for (auto k :
         {wheel_kind::activity_start_to_close, wheel_kind::activity_heartbeat, wheel_kind::activity_heartbeat_flush})
        host_.disarm(k, key.run_key, key.seq);
    const auto limit = settings_.max_result_bytes;
    if (t.details_too_large) return attempt_failed(t, too_large("heartbeat details are", limit));
    if (!f) {
        auto result_json = boost::json::serialize(result);
        if (result_json.size() > limit) return attempt_failed(t, too_large("activity result is", limit));
        return close(t, event_type::activity_task_completed,
                     {{"result", std::move(result)}, {"scheduled_event_id", key.seq}, {"started_event_id", nullptr}},
                     std::move(result_json));
    }
    if (t.cancel_requested && f->kind == failure_kind::canceled)
        return close(t, event_type::activity_task_canceled,
                     {{"details", f->info.contains("details") ? f->info.at("details") : nullptr},
                      {"latest_cancel_requested_event_id", t.cancel_requested_event_id},
                      {"scheduled_event_id", key.seq},
                      {"started_event_id", nullptr}});
    attempt_failed(t, std::move(*f));
}

void activity_dispatcher::attempt_failed(activity_task& t, failure f) {
    const std::int64_t now = host_.now_us();
    std::optional<std::chrono::milliseconds> remaining;
    if (const auto s2c = t.timeouts.schedule_to_close.count(); s2c > 0)
        remaining = std::chrono::milliseconds((t.scheduled_time_us + s2c * 1000 - now) / 1000);
    retry_decision d = t.cancel_requested ? retry_decision{false, {}, retry_state::cancel_requested}
                                          : decide_retry(t.policy, t.attempt, f, remaining);
    if (!d.retry) {
        const auto type =
            f.kind == failure_kind::timeout ? event_type::activity_task_timed_out : event_type::activity_task_failed;
        return close(t, type,
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
    if (host_.find_run(t.key.run_key)) host_.commit(std::move(unit));
    host_.arm(wheel_kind::activity_retry, t.key.run_key, t.key.seq, t.due_us);
}

void activity_dispatcher::close(activity_task& t, event_type type, boost::json::object attrs, std::string result_json) {
    const auto key = t.key;
    for (auto k : {wheel_kind::activity_retry, wheel_kind::activity_start_to_close, wheel_kind::activity_heartbeat,
                   wheel_kind::activity_heartbeat_flush, wheel_kind::activity_schedule_to_start,
                   wheel_kind::activity_schedule_to_close})
        host_.disarm(k, key.run_key, key.seq);
    // ActivityTaskStarted is written (with the final attempt) only for an activity that ran.
    const bool ran =
        t.st == activity_task::state::running || (t.attempt > 1 && type != event_type::activity_task_canceled);
    boost::json::object started{{"scheduled_event_id", key.seq},
                                {"attempt", t.attempt},
                                {"identity", t.remote ? t.worker_identity : "perdure"}};
    if (t.last_failure) started["last_failure"] = t.last_failure->to_json();
    if (t.control) t.control->cancel = true;
    const bool offered = t.offered;
    const bool has_deadline = t.timeouts.schedule_to_close.count() > 0;   // as schedule() wrote it
    tasks_.erase(key);
    auto* r = host_.find_run(key.run_key);
    if (!r || r->status != run_status::running) return;
    if (ran) {
        host_.deliver(*r, inbound{event{0, event_type::activity_task_started, host_.now_us(), std::move(started)}});
    } else {
        attrs["started_event_id"] = 0;
    }
    inbound close{event{0, type, host_.now_us(), std::move(attrs)}};
    if (!result_json.empty()) close.serialized_member = "result", close.serialized_json = std::move(result_json);
    close.ops.emplace_back(delete_task{key.run_key, key.seq});
    if (offered) close.ops.emplace_back(withdraw_task{key.run_key, key.seq});
    outbox_.forget_cancel_request(key, close.ops);
    if (has_deadline)
        close.ops.emplace_back(delete_deadline{key.run_key, deadline_kind::activity_schedule_to_close, key.seq});
    host_.deliver(*r, std::move(close));
}

void activity_dispatcher::cancel(run_state& r, std::int64_t scheduled_event_id, std::int64_t requested_event_id) {
    auto it = tasks_.find({r.run_key, scheduled_event_id});
    if (it == tasks_.end()) return;   // it closed meanwhile
    auto& t = it->second;
    t.cancel_requested = true;
    t.cancel_requested_event_id = requested_event_id;
    if (t.st == activity_task::state::running || t.st == activity_task::state::starting) {
        if (t.control) t.control->cancel = true;   // heartbeat() throws canceled_error in the attempt
        return;
    }
    close(t, event_type::activity_task_canceled,
          {{"details", nullptr},
           {"latest_cancel_requested_event_id", requested_event_id},
           {"scheduled_event_id", scheduled_event_id},
           {"started_event_id", nullptr}});
}

void activity_dispatcher::recover(run_state& r, const event& scheduled, const task_row& row,
                                  std::int64_t cancel_requested_event_id) {
    boost::json::value details;
    if (!row.details.empty()) details = detail::parse_json(row.details);
    auto& task = track(r, scheduled, row.attempt, row.due_us, std::move(details));
    const auto key = task.key;
    task.flags = row.flags;
    task.cancel_requested = cancel_requested_event_id != 0;
    task.cancel_requested_event_id = cancel_requested_event_id;
    const std::int64_t now = host_.now_us();
    const bool never_ran = (row.flags & task_flags::final_attempt) && !(row.flags & task_flags::handed_to_thread);
    if (row.due_us > now || never_ran) {
        // Backing off, or known never to have started: a cancel request ends it now, as for
        // an activity that has not started; otherwise it goes on as it would have.
        if (task.cancel_requested) return cancel(r, row.seq, cancel_requested_event_id);
        if (never_ran) dispatch(key);
        return;
    }
    // It may have been running when the process stopped: that attempt counts as timed out,
    // and a retry (if the policy allows one) starts at once; a cancel request reaches it.
    host_.disarm(wheel_kind::activity_retry, row.run_key, row.seq);
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
    if (!d.retry) return attempt_failed(task, std::move(f));
    task.last_failure = std::move(f);
    ++task.attempt;
    task.flags = is_final_attempt(task.policy, task.attempt) ? task_flags::final_attempt : 0;
    task.due_us = now;
    task.st = activity_task::state::waiting_for_worker;
    write_unit unit;
    unit.ops.emplace_back(upsert_task{task.row()});
    unit.effects.emplace_back([this, key](std::exception_ptr e) {
        if (!e) dispatch(key);
    });
    host_.commit(std::move(unit));
}

void activity_dispatcher::dispatch_waiting() {
    std::vector<task_key> waiting;
    for (const auto& [key, t] : tasks_)
        if (t.st == activity_task::state::waiting_for_worker) waiting.push_back(key);
    for (const auto& k : waiting) dispatch(k);
}

void activity_dispatcher::describe(std::int64_t run_key, std::vector<pending_activity_info>& pending) const {
    for (auto& p : pending) {
        const auto it = tasks_.find({run_key, p.scheduled_event_id});
        if (it == tasks_.end()) continue;   // its close is on its way to the history
        const auto& t = it->second;
        p.attempt = t.attempt;
        if (t.st == activity_task::state::running && p.state != pending_activity_state::cancel_requested)
            p.state = pending_activity_state::started;
        if (t.started_us) p.last_started_time = from_us(t.started_us);
        if (t.st == activity_task::state::backing_off) p.next_attempt_schedule_time = from_us(t.due_us);
        p.heartbeat_details = t.heartbeat_details;
        if (t.remote && t.reported_heartbeat_us) p.last_heartbeat_time = from_us(t.reported_heartbeat_us);
        if (t.control) {
            std::lock_guard lk(t.control->mutex);
            if (t.control->latest) {
                p.heartbeat_details = *t.control->latest;
                p.last_heartbeat_time = from_us(t.control->last_call_us.load());
            }
        }
        p.last_failure = t.last_failure;
    }
}

void activity_dispatcher::drop_run(std::int64_t run_key) {
    const auto [first, end] = run_range(tasks_, run_key);
    for (auto it = first; it != end; ++it)
        if (it->second.control) it->second.control->cancel = true;
    tasks_.erase(first, end);
}

void activity_dispatcher::stop_attempts() {
    for (auto& [key, t] : tasks_)
        if (t.control) t.control->cancel = true;
}

}   // namespace perdure::detail
