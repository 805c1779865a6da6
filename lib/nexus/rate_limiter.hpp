// An endpoint's optional rate limit: a token bucket holding one second's worth of starts (at
// least one), refilled continuously. Pure: the caller passes the engine's time.
#pragma once

#include <cstdint>

namespace perdure::detail {

class rate_limiter {
public:
    /// Microseconds until a start may go (0: now), without taking anything: an attempt that
    /// then does not go (breaker open, no worker) costs no token. `per_second` <= 0: no limit.
    std::int64_t wait_us(double per_second, std::int64_t now_us) const;
    /// Takes the token of a start that goes now, after wait_us said 0 at the same time.
    void take(double per_second, std::int64_t now_us);
    /// wait_us, then take when it is 0.
    std::int64_t acquire(double per_second, std::int64_t now_us);

private:
    /// The tokens in the bucket at `now_us`.
    double tokens_at(double per_second, std::int64_t now_us) const;

    double tokens_ = -1;   // below 0: never used, starts full
    std::int64_t last_us_ = 0;
};

}   // namespace perdure::detail
