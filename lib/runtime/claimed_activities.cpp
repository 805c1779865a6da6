#include "runtime/claimed_activities.hpp"

#include "history/fields.hpp"
#include "machines/activity_options.hpp"

#include <boost/asio/steady_timer.hpp>

namespace perdure::detail {
namespace {

using stage = activity_report_command::stage;

}   // namespace

struct claimed_activities::attempt {
    attempt(claimed_task t, boost::asio::any_io_executor strand) : task(std::move(t)), flush(std::move(strand)) {}

    claimed_task task;
    std::string activity_type, activity_id, task_queue;
    boost::json::value input;
    activity_timeouts timeouts;
    std::shared_ptr<activity_control> control;
    boost::asio::steady_timer flush;   // sends held heartbeat details when their interval ends

    std::pair<std::int64_t, std::int64_t> key() const { return {task.run_key, task.seq}; }
    activity_report_command report(stage at) const { return {at, task.run_key, task.seq, task.attempt}; }
};

claimed_activities::claimed_activities(claimer_host& host, store& s, worker_registry& workers,
                                       std::shared_ptr<clock> clock, boost::asio::any_io_executor strand,
                                       std::size_t threads)
    : host_(host),
      workers_(workers),
      clock_(std::move(clock)),
      strand_(std::move(strand)),
      rounds_(
          host, s, task_kind::activity, claim_ttl, threads,
          [&workers](std::int64_t ns_id) { return workers.registered(worker_registry::kind::activities, ns_id); },
          [this](claimed_task c) { claimed(std::move(c)); }) {}

void claimed_activities::claimed(claimed_task c) {
    auto a = std::make_shared<attempt>(std::move(c), strand_);
    const auto scheduled = parsed_or_null(a->task.scheduled_attrs);
    if (!scheduled.is_object()) return rounds_.finished();   // its run was deleted meanwhile
    const auto& attrs = scheduled.get_object();
    a->activity_type = name_of(attrs, "activity_type");
    a->activity_id = name_of(attrs, "activity_id");
    a->task_queue = name_of(attrs, "task_queue");
    if (const auto* in = attrs.if_contains("input")) a->input = *in;
    a->timeouts = activity_timeouts_from(attrs);
    // The owner records the start (and may refuse it: the attempt timed out, or another claimer
    // started it after this claim expired) before the code runs.
    auto started = a->report(stage::started);
    started.identity = rounds_.claimer();
    host_.report(std::move(started), [this, a](std::exception_ptr e, inbox_answer answer) {
        const auto owner_says = answer_of(e, answer);
        if (!owner_says.run || rounds_.stopped()) return rounds_.finished();
        run(a);
        if (owner_says.cancel_requested) a->control->cancel = true;
    });
}

void claimed_activities::run(std::shared_ptr<attempt> a) {
    const auto& t = a->task;
    a->control = new_attempt_control(clock_, a->timeouts.heartbeat, host_.now_us());
    auto to_strand = host_.handoff();
    // The attempt's control lives as long as the attempt, so what it calls back holds the
    // attempt weakly: the attempt is running_'s and its code's until it finishes.
    const std::weak_ptr<attempt> weak = a;
    a->control->send = [this, to_strand, weak](boost::json::value details) {
        to_strand(
            [this, weak, details = std::move(details)]() mutable {
                if (auto a = weak.lock()) heartbeat(a, std::move(details));
            },
            std::nullopt);
    };
    a->control->flush_at = [this, to_strand, weak](std::int64_t at_us) {
        to_strand(
            [this, to_strand, weak, at_us] {
                const auto a = weak.lock();
                if (!a) return;
                a->flush.expires_after(std::chrono::microseconds(at_us - host_.now_us()));
                a->flush.async_wait([this, to_strand, weak](boost::system::error_code ec) {
                    if (!ec) to_strand([this, weak] { flush_held(weak.lock()); }, std::nullopt);
                });
            },
            std::nullopt);
    };
    running_[a->key()] = a;
    auto done = [this, to_strand, a](boost::json::value result, std::optional<failure> f) {
        to_strand([this, a, result = std::move(result),
                   f = std::move(f)]() mutable { finished(a, std::move(result), std::move(f)); },
                  std::nullopt);
    };
    const auto reg = workers_.activity(t.ns_id, a->task_queue, a->activity_type);
    if (!reg) {   // unregistered since the claim
        failure f;
        f.message = "activity type " + a->activity_type + " is no longer registered on task queue " + a->task_queue +
                    " of the engine that claimed it";
        f.info = {{"type", "ActivityTypeNotRegistered"}, {"non_retryable", false}};
        return done({}, std::move(f));
    }
    activity_info info{host_.namespace_name(t.ns_id),
                       a->activity_type,
                       a->activity_id,
                       t.workflow_id,
                       t.run_id,
                       a->task_queue,
                       t.attempt,
                       parsed_or_null(t.details)};
    if (reg->fn.async)
        return reg->fn.async->start(strand_, activity_context(std::move(info), a->control), a->input, done);
    if (!threads_) threads_ = std::make_unique<activity_threads>(rounds_.capacity());
    threads_->run([fn = reg->fn.blocking, info = std::move(info), control = a->control, input = a->input,
                   done = async_activity_function::done_fn(std::move(done))]() mutable {
        run_blocking_attempt(fn, std::move(info), std::move(control), input, done);
    });
}

void claimed_activities::flush_held(std::shared_ptr<attempt> a) {
    if (!a) return;
    if (auto held = a->control->take_held(host_.now_us())) heartbeat(a, std::move(*held));
}

void claimed_activities::heartbeat(std::shared_ptr<attempt> a, boost::json::value details) {
    auto report = a->report(stage::heartbeat);
    report.value = std::move(details);
    // The answer carries the activity's cancellation, as Temporal's heartbeat response does; an
    // attempt the owner no longer waits for (it timed out) is cancelled too.
    host_.report(std::move(report), [a](std::exception_ptr e, inbox_answer answer) {
        const auto owner_says = answer_of(e, answer);
        if (!e && (!owner_says.run || owner_says.cancel_requested)) a->control->cancel = true;
    });
}

void claimed_activities::finished(std::shared_ptr<attempt> a, boost::json::value result, std::optional<failure> f) {
    running_.erase(a->key());
    a->flush.cancel();
    auto report = a->report(stage::finished);
    report.value = std::move(result);
    if (f) report.failure = f->to_json();
    if (auto latest = a->control->latest_details()) report.details = std::move(*latest);
    // Unheard (the owner is away), the owner's start-to-close timeout retries the attempt.
    host_.report(std::move(report), [](std::exception_ptr, inbox_answer) {});
    rounds_.finished();
}

void claimed_activities::stop() {
    rounds_.stop();
    for (auto& [key, a] : running_) {
        a->control->cancel = true;
        a->flush.cancel();
    }
}

void claimed_activities::join() {
    if (threads_) threads_->join();
}

activity_dispatcher::report_answer claimed_activities::answer_of(std::exception_ptr e, const inbox_answer& answer) {
    const auto* p = std::get_if<payload_answer>(&answer);
    if (e || !p || !p->value.is_object()) return {};
    const auto& o = p->value.get_object();
    const auto flag = [&](const char* key) {
        const auto* v = o.if_contains(key);
        return v && v->is_bool() && v->get_bool();
    };
    return {flag("run"), flag("cancel_requested")};
}

}   // namespace perdure::detail
