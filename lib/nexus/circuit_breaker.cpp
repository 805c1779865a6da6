// The circuit breaker.
#include "nexus/circuit_breaker.hpp"

namespace perdure::detail {

circuit_breaker::state circuit_breaker::current(std::int64_t now_us) const {
    if (failures_ <= trip_after) return state::closed;
    return now_us < open_until_us_ ? state::open : state::half_open;
}

bool circuit_breaker::allow(std::int64_t now_us) {
    switch (current(now_us)) {
    case state::closed: return true;
    case state::open: return false;
    case state::half_open:
        if (probing_) return false;
        probing_ = true;
        return true;
    }
    return true;
}

void circuit_breaker::succeeded() {
    failures_ = 0;
    probing_ = false;
    if (in_flight_ > 0) --in_flight_;
}

void circuit_breaker::failed(std::int64_t now_us) {
    ++failures_;
    if (failures_ > trip_after) open_until_us_ = now_us + open_for_us;
    probing_ = false;
    if (in_flight_ > 0) --in_flight_;
}

void circuit_breaker::released() {
    probing_ = false;
    if (in_flight_ > 0) --in_flight_;
}

}  // namespace perdure::detail
