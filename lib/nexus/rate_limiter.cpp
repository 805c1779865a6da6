// The endpoint rate limiter's token bucket.
#include "nexus/rate_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace perdure::detail {

double rate_limiter::tokens_at(double per_second, std::int64_t now_us) const {
    const double capacity = std::max(1.0, per_second);
    if (tokens_ < 0) return capacity;
    if (now_us <= last_us_) return tokens_;
    return std::min(capacity, tokens_ + static_cast<double>(now_us - last_us_) * per_second / 1e6);
}

std::int64_t rate_limiter::wait_us(double per_second, std::int64_t now_us) const {
    if (per_second <= 0) return 0;
    const double tokens = tokens_at(per_second, now_us);
    if (tokens >= 1) return 0;
    return std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil((1 - tokens) / per_second * 1e6)));
}

void rate_limiter::take(double per_second, std::int64_t now_us) {
    if (per_second <= 0) return;
    tokens_ = tokens_at(per_second, now_us) - 1;
    last_us_ = std::max(last_us_, now_us);
}

std::int64_t rate_limiter::acquire(double per_second, std::int64_t now_us) {
    const auto wait = wait_us(per_second, now_us);
    if (wait == 0) take(per_second, now_us);
    return wait;
}

}   // namespace perdure::detail
