// Retry rules shared by activities, workflows and Nexus: Temporal's defaults, validation,
// which failures are retryable, and the backoff between attempts.
#pragma once

#include <perdure/failure.hpp>
#include <perdure/options.hpp>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <optional>
#include <string>

namespace perdure::detail {

/// Fills Temporal's defaults (maximum_interval = 100 x initial_interval when 0).
retry_policy with_defaults(retry_policy);
/// A message saying what is wrong, or nullopt when valid.
std::optional<std::string> validate(const retry_policy&);

boost::json::object to_json(const retry_policy&);
retry_policy retry_policy_from_json(const boost::json::value&);

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

}  // namespace perdure::detail
