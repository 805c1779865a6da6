// An endpoint's optional rate limit: a token bucket holding one second's worth of starts (at
// least one), refilled continuously. Pure: the caller passes the engine's time.
#pragma once

#include <cstdint>

namespace perdure::detail {

class rate_limiter {
public:
    /// 0 when an operation may start at `now_us` (taking a token); else the microseconds to
    /// wait before asking again. `per_second` <= 0 means no limit.
    std::int64_t acquire(double per_second, std::int64_t now_us);

private:
    double tokens_ = -1;   // below 0: never used, starts full
    std::int64_t last_us_ = 0;
};

}  // namespace perdure::detail
