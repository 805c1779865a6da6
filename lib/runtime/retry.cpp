// Retry decisions, as Temporal's retry_policy.go makes them.
#include "runtime/retry.hpp"

#include "codec/duration.hpp"

#include <algorithm>
#include <cmath>

namespace perdure::detail {

std::chrono::milliseconds backoff(const retry_policy& p, int attempt) {
    const double base = static_cast<double>(p.initial_interval.count()) *
                        std::pow(p.backoff_coefficient, static_cast<double>(std::max(attempt, 1) - 1));
    const double cap = static_cast<double>(p.maximum_interval.count());
    return std::chrono::milliseconds(static_cast<std::int64_t>(std::min(base, cap > 0 ? cap : base)));
}

namespace {

bool retryable(const retry_policy& p, const failure& f) {
    switch (f.kind) {
    case failure_kind::canceled:
    case failure_kind::terminated: return false;
    case failure_kind::timeout: {
        const auto* t = f.info.if_contains("timeout_type");
        const std::string type = t && t->is_string() ? std::string(t->get_string()) : "";
        if (type != "START_TO_CLOSE" && type != "HEARTBEAT") return false;
        const std::string listed = "TemporalTimeout:" + type;
        return std::find(p.non_retryable_error_types.begin(), p.non_retryable_error_types.end(), listed) ==
               p.non_retryable_error_types.end();
    }
    case failure_kind::server:
    case failure_kind::application:
    case failure_kind::nexus_handler: {
        if (const auto* n = f.info.if_contains("non_retryable"); n && n->is_bool() && n->get_bool()) return false;
        const auto* t = f.info.if_contains("type");
        const std::string type = t && t->is_string() ? std::string(t->get_string()) : "";
        return std::find(p.non_retryable_error_types.begin(), p.non_retryable_error_types.end(), type) ==
               p.non_retryable_error_types.end();
    }
    default: return true;
    }
}

}   // namespace

retry_decision decide_retry(const retry_policy& p, int attempt, const failure& f,
                            std::optional<std::chrono::milliseconds> remaining) {
    if (!retryable(p, f)) return {false, {}, retry_state::non_retryable_failure};
    if (p.maximum_attempts > 0 && attempt >= p.maximum_attempts)
        return {false, {}, retry_state::maximum_attempts_reached};
    auto delay = backoff(p, attempt);
    if (const auto* d = f.info.if_contains("next_retry_delay"); d && d->is_string())
        if (auto parsed = parse_duration(d->get_string())) delay = *parsed;
    if (remaining && delay >= *remaining) return {false, {}, retry_state::timeout};
    return {true, delay, retry_state::in_progress};
}

}   // namespace perdure::detail
