// The time a store stamps leases, sweeps and expiries with: the engine's clock when it has one
// (a test's manual clock), the system clock otherwise, in microseconds since the epoch.
#pragma once

#include <perdure/clock.hpp>

#include <chrono>
#include <cstdint>
#include <memory>

namespace perdure::detail {

inline std::int64_t clock_us(const std::shared_ptr<perdure::clock>& clock) {
    const auto t = clock ? clock->now() : std::chrono::system_clock::now();
    return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

}   // namespace perdure::detail
