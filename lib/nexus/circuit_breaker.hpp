// One circuit breaker per (caller namespace, endpoint), as Temporal's outbound queue has:
// more than 5 consecutive retryable failures open it for 60 s; then one probe is let through;
// its success closes the breaker, its failure opens it again.
#pragma once

#include <cstdint>

namespace perdure::detail {

class circuit_breaker {
public:
    static constexpr int trip_after = 5;
    static constexpr std::int64_t open_for_us = 60'000'000;

    enum class state { closed, open, half_open };

    /// Whether an attempt may go now; in half-open, only one (the probe) may.
    bool allow(std::int64_t now_us);
    void succeeded();
    /// A failure that says the destination is down (retryable handler errors, timeouts).
    void failed(std::int64_t now_us);
    /// An attempt that ended without saying anything about the destination.
    void released();

    state current(std::int64_t now_us) const;
    int consecutive_failures() const noexcept { return failures_; }
    std::int64_t reopens_at_us() const noexcept { return open_until_us_; }
    std::int64_t in_flight() const noexcept { return in_flight_; }
    void started() noexcept { ++in_flight_; }

private:
    int failures_ = 0;
    std::int64_t open_until_us_ = 0;
    bool probing_ = false;
    std::int64_t in_flight_ = 0;
};

}  // namespace perdure::detail
