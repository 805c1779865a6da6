#include "nexus/rate_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace perdure::detail {

std::int64_t rate_limiter::wait_us(double per_second, std::int64_t now_us) {
    if (per_second <= 0) return 0;
    const double capacity = std::max(1.0, per_second);
    if (tokens_ < 0) {
        tokens_ = capacity;
    } else if (now_us > last_us_) {
        tokens_ = std::min(capacity, tokens_ + static_cast<double>(now_us - last_us_) * per_second / 1e6);
    }
    last_us_ = std::max(last_us_, now_us);
    if (tokens_ >= 1) return 0;
    return std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil((1 - tokens_) / per_second * 1e6)));
}

void rate_limiter::take(double per_second) {
    if (per_second > 0) tokens_ -= 1;
}

std::int64_t rate_limiter::acquire(double per_second, std::int64_t now_us) {
    const auto wait = wait_us(per_second, now_us);
    if (wait == 0) take(per_second);
    return wait;
}

}  // namespace perdure::detail
