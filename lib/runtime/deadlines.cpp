// Deadlines on the strand: one Asio timer for the earliest entry of the wheel (re-checked at
// least every second so wall-clock jumps behave), or clock notifications for a manual clock.
// Also recovery at start(): deadlines, pending tasks and runs that owe an activation.
#include "runtime/core.hpp"

#include "codec/duration.hpp"
#include "runtime/retry.hpp"
#include "store/store.hpp"

#include <perdure/error.hpp>

#include <algorithm>

namespace perdure::detail {
namespace {
constexpr std::int64_t max_timer_wait_us = 1'000'000;
}   // namespace

void engine_core::arm(wheel_kind kind, std::int64_t run_key, std::int64_t seq, std::int64_t due_us) {
    if (wheel_.arm(kind, run_key, seq, due_us) && started_) schedule_tick();
}

void engine_core::disarm(wheel_kind kind, std::int64_t run_key, std::int64_t seq) { wheel_.disarm(kind, run_key, seq); }

void engine_core::schedule_tick() {
    if (stopping_.load() || failed_.load()) return;
    const auto next = wheel_.plan_wait();
    if (!next) {
        tick_timer_.cancel();
        return;
    }
    const std::int64_t now = now_us();
    if (clock_->manual()) {
        // Time moves only by hand: check now, and again whenever the clock is moved.
        if (*next <= now) post([this] { on_tick(); });
        return;
    }
    const auto wait = std::clamp<std::int64_t>(*next - now, 0, max_timer_wait_us);
    tick_timer_.expires_after(std::chrono::microseconds(wait));
    tick_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
        if (ec || self->failed_.load()) return;
        try {
            self->on_tick();
        } catch (...) {
            self->fail_engine(std::current_exception());
        }
    });
}

void engine_core::on_tick() {
    wheel_.woke();
    const std::int64_t now = now_us();
    while (auto e = wheel_.pop_due(now)) fire(*e);
    schedule_tick();
    maybe_sweep_retention();
}

void engine_core::on_clock_changed() {
    if (started_) on_tick();
}

void engine_core::fire(const wheel_entry& e) {
    switch (e.kind) {
    case wheel_kind::timer: {
        auto* r = find_run(e.run_key);
        if (!r || r->status != run_status::running) return;
        inbound in{event{0, event_type::timer_fired, now_us(), {{"started_event_id", e.seq}}}};
        in.ops.emplace_back(delete_deadline{e.run_key, deadline_kind::timer, e.seq});
        deliver(*r, std::move(in));
        return;
    }
    case wheel_kind::run_timeout:
    case wheel_kind::execution_timeout: {
        auto* r = find_run(e.run_key);
        if (!r || r->status != run_status::running) return;
        boost::json::object attrs{{"retry_state", to_string(retry_state::timeout)}};
        if (e.kind == wheel_kind::run_timeout && r->retry) {
            // As Temporal: a run that times out is retried under the workflow's retry policy (the
            // execution timeout ends the whole chain).
            failure f{"workflow run timed out",
                      failure_kind::timeout,
                      {{"timeout_type", to_string(timeout_type::start_to_close)}}};
            std::optional<std::chrono::milliseconds> remaining;
            if (r->execution_deadline_us)
                remaining = std::chrono::milliseconds((r->execution_deadline_us - now_us()) / 1000);
            const auto d = decide_retry(*r->retry, r->attempt, f, remaining);
            attrs["retry_state"] = to_string(d.state);
            if (d.retry) {
                attrs["new_execution_run_id"] = new_uuid();
                attrs["backoff_start_interval"] = format_duration(d.delay);
            }
        }
        write_unit unit;
        event timed_out{r->next_event_id++, event_type::workflow_execution_timed_out, now_us(), std::move(attrs)};
        unit.ops.emplace_back(insert_event{r->run_key, timed_out});
        unit.runs.push_back(r->run_key);
        const bool retried = timed_out.attrs.contains("new_execution_run_id");
        runs_.drop_instance(*r);
        close_run(*r, timed_out, unit);
        if (retried) family_.continue_run(*r, timed_out, {}, unit);
        commit(std::move(unit));
        return;
    }
    case wheel_kind::workflow_backoff: {
        auto* r = find_run(e.run_key);
        if (!r || r->status != run_status::running) return;
        r->backoff_until_us = 0;
        r->owes_activation = true;
        write_unit unit;
        unit.ops.emplace_back(delete_deadline{e.run_key, deadline_kind::workflow_backoff, 0});
        commit(std::move(unit));
        request_activation(*r);
        return;
    }
    case wheel_kind::task_retry: {
        auto* r = find_run(e.run_key);
        if (!r || r->status != run_status::running) return;
        r->owes_activation = true;
        request_activation(*r);
        return;
    }
    case wheel_kind::nexus_retry:
    case wheel_kind::nexus_request_timeout:
    case wheel_kind::nexus_deferred_completion:
    case wheel_kind::nexus_schedule_to_close:
    case wheel_kind::nexus_schedule_to_start:
    case wheel_kind::nexus_start_to_close: nexus_.on_deadline({e.run_key, e.seq}, e.kind); return;
    default: activities_.on_deadline({e.run_key, e.seq}, e.kind); return;
    }
}

void engine_core::recover() {
    if (clock_->manual()) {
        clock_subscription_ = clock_->subscribe([weak = weak_from_this()] {
            if (auto self = weak.lock()) self->post([self] { self->on_clock_changed(); });
        });
    }
    for (const auto& d : store_->reads().deadlines())
        if (auto* r = find_run(d.run_key)) {
            wheel_.arm(static_cast<wheel_kind>(d.kind), d.run_key, d.seq, d.due_us);
            if (d.kind == deadline_kind::workflow_backoff) r->backoff_until_us = d.due_us;
        }
    recover_tasks(store_->reads().tasks());
    for (auto& [key, r] : runs_.all())
        if (r->owes_activation) request_activation(*r);
    schedule_tick();
}

void engine_core::on_workers_changed() {
    post([this] {
        if (!started_) return;
        for (auto& [key, r] : runs_.all())
            if (r->owes_activation && r->status == run_status::running) request_activation(*r);
        activities_.dispatch_waiting();
        nexus_.dispatch_waiting();
    });
}

}   // namespace perdure::detail
