// The circuit breaker.
#include "nexus/circuit_breaker.hpp"

#include <cassert>

namespace perdure::detail {

circuit_breaker::state circuit_breaker::current(std::int64_t now_us) const {
    if (failures_ <= trip_after) return state::closed;
    return now_us < open_until_us_ ? state::open : state::half_open;
}

bool circuit_breaker::admits(std::int64_t now_us) const {
    switch (current(now_us)) {
    case state::closed: return true;
    case state::open: return false;
    case state::half_open: return !probing_;
    }
    return true;
}

bool circuit_breaker::start(std::int64_t now_us) {
    ++in_flight_;
    if (current(now_us) != state::half_open) return false;
    probing_ = true;
    return true;
}

void circuit_breaker::finish(attempt_end how, bool was_probe, std::int64_t now_us) {
    assert(in_flight_ > 0);
    --in_flight_;
    // Only the probe frees the probe's slot: an older attempt ending meanwhile lets no second one through.
    if (was_probe) probing_ = false;
    switch (how) {
    case attempt_end::succeeded: failures_ = 0; break;
    case attempt_end::destination_down:
        if (++failures_ > trip_after) open_until_us_ = now_us + open_for_us;
        break;
    case attempt_end::no_verdict: break;
    }
}

}   // namespace perdure::detail
