// One circuit breaker per (caller namespace, endpoint), as Temporal's outbound queue has:
// more than 5 consecutive retryable failures open it for 60 s; then one probe is let through;
// its success closes the breaker, its failure opens it again.
#pragma once

#include <cstdint>

namespace perdure::detail {

/// How an attempt ended, as far as the destination's health goes.
enum class attempt_end {
    succeeded,          ///< the handler answered (a result, or a start)
    destination_down,   ///< a retryable handler error or a request timeout
    no_verdict,         ///< a non-retryable answer, or the caller stopped waiting: nothing about health
};

class circuit_breaker {
public:
    static constexpr int trip_after = 5;
    static constexpr std::int64_t open_for_us = 60'000'000;

    enum class state { closed, open, half_open };

    /// Whether an attempt may go now: closed, or half-open with its one probe not yet out.
    bool admits(std::int64_t now_us) const;
    /// An attempt goes (after admits said yes): it counts as in flight until finish. Returns
    /// whether it is the half-open breaker's probe.
    bool start(std::int64_t now_us);
    /// Ends an attempt start counted; called exactly once for each start.
    void finish(attempt_end how, bool was_probe, std::int64_t now_us);

    state current(std::int64_t now_us) const;
    int consecutive_failures() const noexcept { return failures_; }
    std::int64_t reopens_at_us() const noexcept { return open_until_us_; }
    std::int64_t in_flight() const noexcept { return in_flight_; }

private:
    int failures_ = 0;
    std::int64_t open_until_us_ = 0;
    bool probing_ = false;
    std::int64_t in_flight_ = 0;
};

}   // namespace perdure::detail
