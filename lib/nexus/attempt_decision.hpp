// Whether a Nexus start attempt goes now, and if not, what happens instead: a pure function of
// the operation's time budget, its endpoint, the endpoint's rate limit, the caller's breaker
// and whether anything on the target can handle it. No clock, no I/O: the caller gathers the
// facts, acts on the answer, and begins the attempt through caller_guards only when it says run.
#pragma once

#include "nexus/circuit_breaker.hpp"
#include "nexus/rate_limiter.hpp"

#include <perdure/failure.hpp>
#include <perdure/nexus.hpp>

#include <cstdint>

namespace perdure::detail {

/// Temporal's per-request timeout, and the least budget worth an attempt (below it the
/// operation times out instead).
inline constexpr std::int64_t nexus_request_timeout_us = 10'000'000;
inline constexpr std::int64_t nexus_min_request_timeout_us = 1'500'000;

/// What the target of an endpoint offers the operation.
enum class handler_presence {
    no_target_namespace,   ///< the endpoint's namespace was deleted
    no_worker,             ///< no worker serves Nexus on the target queue (and no test double)
    no_operation,          ///< a worker serves the queue, but not this service and operation
    ready,
};

/// The facts an attempt is decided on; pointers are null for what does not exist (yet).
struct attempt_facts {
    std::int64_t now_us = 0;
    std::int64_t scheduled_us = 0;                                     ///< when the operation was scheduled
    std::int64_t schedule_to_start_ms = 0, schedule_to_close_ms = 0;   ///< 0: none
    const nexus::endpoint* endpoint = nullptr;                         ///< null: no longer registered
    const rate_limiter* limiter = nullptr;                             ///< null: unused so far, full
    const circuit_breaker* breaker = nullptr;                          ///< null: unused so far, closed
    handler_presence handler = handler_presence::no_worker;
};

struct attempt_decision {
    enum class action {
        run,                  ///< attempt now, within request_timeout_us
        wait_for_token,       ///< the endpoint's rate limit: try again at retry_at_us
        blocked_by_breaker,   ///< "The circuit breaker is open.": try again at retry_at_us
        wait_for_worker,      ///< nothing to try until a worker or the target namespace appears
        fail,                 ///< non-retryable NOT_FOUND, see refusal
        time_out,             ///< too little time left to attempt, see timed_out
    };
    enum class refusal { none, endpoint_not_registered, operation_not_found };

    action what = action::run;
    std::int64_t request_timeout_us = 0;
    std::int64_t retry_at_us = 0;
    refusal why = refusal::none;
    timeout_type timed_out = timeout_type::unspecified;
};

/// The rules, in Temporal's order: the time left first (10 s, cut to what is left of
/// schedule-to-start, else of schedule-to-close; under 1.5 s the operation times out), then
/// the endpoint, its rate limit, the breaker, and last the target. A token due after the
/// operation's deadline is still waited for: the deadline ends the operation first.
attempt_decision decide_attempt(const attempt_facts& facts) noexcept;

/// How long after failed attempt `attempt` (1, 2, ...) the next one goes: Temporal's 1 s
/// doubling to 1 h, with its jitter (d * 0.8 + [0, 0.2 d), drawn from `random`). Only the
/// operation's timeouts end the retries.
std::int64_t nexus_retry_delay_us(int attempt, std::uint64_t random) noexcept;

}   // namespace perdure::detail
