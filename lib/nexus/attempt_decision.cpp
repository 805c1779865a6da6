// The per-attempt decision.
#include "nexus/attempt_decision.hpp"

#include <algorithm>

namespace perdure::detail {
namespace {

using action = attempt_decision::action;

constexpr std::int64_t first_retry_us = 1'000'000;
constexpr std::int64_t max_retry_us = 3'600'000'000;

/// Retrying a blocked attempt sooner than this would only find the breaker still open.
constexpr std::int64_t min_blocked_wait_us = 1000;

}   // namespace

attempt_decision decide_attempt(const attempt_facts& f) noexcept {
    attempt_decision d;
    d.request_timeout_us = nexus_request_timeout_us;
    if (f.schedule_to_start_ms > 0 || f.schedule_to_close_ms > 0) {
        const bool by_start = f.schedule_to_start_ms > 0;
        const std::int64_t ms = by_start ? f.schedule_to_start_ms : f.schedule_to_close_ms;
        d.request_timeout_us = std::min(d.request_timeout_us, f.scheduled_us + ms * 1000 - f.now_us);
        if (d.request_timeout_us < nexus_min_request_timeout_us) {
            d.what = action::time_out;
            d.timed_out = by_start ? timeout_type::schedule_to_start : timeout_type::schedule_to_close;
            return d;
        }
    }
    if (!f.endpoint) {
        d.what = action::fail;
        d.why = attempt_decision::refusal::endpoint_not_registered;
        return d;
    }
    if (f.limiter) {
        if (const auto wait = f.limiter->wait_us(f.endpoint->spec.max_operations_per_second, f.now_us); wait > 0) {
            d.what = action::wait_for_token;
            d.retry_at_us = f.now_us + wait;
            return d;
        }
    }
    if (f.breaker && !f.breaker->admits(f.now_us)) {
        d.what = action::blocked_by_breaker;
        d.retry_at_us = std::max(f.breaker->reopens_at_us(), f.now_us + min_blocked_wait_us);
        return d;
    }
    switch (f.handler) {
    case handler_presence::no_target_namespace:
    case handler_presence::no_worker: d.what = action::wait_for_worker; return d;
    case handler_presence::no_operation:
        d.what = action::fail;
        d.why = attempt_decision::refusal::operation_not_found;
        return d;
    case handler_presence::ready: break;
    }
    d.what = action::run;
    return d;
}

std::int64_t nexus_retry_delay_us(int attempt, std::uint64_t random) noexcept {
    const std::int64_t base = std::min<std::int64_t>(max_retry_us, first_retry_us << std::clamp(attempt - 1, 0, 30));
    return base * 8 / 10 + static_cast<std::int64_t>(random % static_cast<std::uint64_t>(base / 5 + 1));
}

}   // namespace perdure::detail
