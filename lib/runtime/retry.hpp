// Retry arithmetic shared by activities, workflow runs and their callers: which failures are
// retryable under a policy, and the backoff before the next attempt, as Temporal computes them.
#pragma once

#include "history/retry_policy.hpp"

#include <perdure/failure.hpp>

#include <chrono>
#include <optional>

namespace perdure::detail {

struct retry_decision {
    bool retry = false;
    std::chrono::milliseconds delay{0};
    retry_state state = retry_state::unspecified;   ///< when not retried: why
};

/// Whether `f`, the failure of attempt `attempt`, is retried and after what delay.
/// `remaining` is the time left before the schedule-to-close deadline (nullopt: none).
retry_decision decide_retry(const retry_policy&, int attempt, const failure& f,
                            std::optional<std::chrono::milliseconds> remaining);

/// The backoff before attempt `attempt + 1`: initial x coefficient^(attempt-1), capped.
std::chrono::milliseconds backoff(const retry_policy&, int attempt);

}   // namespace perdure::detail
