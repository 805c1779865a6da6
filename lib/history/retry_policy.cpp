// Retry policies: defaults and validation as Temporal's retry_policy.go defines them, and JSON.
#include "history/retry_policy.hpp"

#include "codec/duration.hpp"

#include <algorithm>
#include <cmath>

namespace perdure::detail {

retry_policy with_defaults(retry_policy p) {
    if (p.initial_interval.count() <= 0) p.initial_interval = std::chrono::seconds(1);
    if (p.backoff_coefficient == 0) p.backoff_coefficient = 2.0;
    if (p.maximum_interval.count() == 0) p.maximum_interval = p.initial_interval * 100;
    return p;
}

std::optional<std::string> validate(const retry_policy& p) {
    if (p.initial_interval.count() < 0) return "retry_policy.initial_interval must not be negative";
    if (p.backoff_coefficient != 0 && p.backoff_coefficient < 1.0)
        return "retry_policy.backoff_coefficient must be at least 1.0";
    if (p.maximum_interval.count() < 0) return "retry_policy.maximum_interval must not be negative";
    if (p.maximum_interval.count() > 0 && p.maximum_interval < p.initial_interval)
        return "retry_policy.maximum_interval must be at least initial_interval";
    if (p.maximum_attempts < 0) return "retry_policy.maximum_attempts must not be negative (0 means unlimited)";
    return std::nullopt;
}

boost::json::object to_json(const retry_policy& p) {
    boost::json::array types;
    for (const auto& t : p.non_retryable_error_types) types.emplace_back(t);
    return {{"initial_interval", format_duration(p.initial_interval)},
            {"backoff_coefficient", p.backoff_coefficient},
            {"maximum_interval", format_duration(p.maximum_interval)},
            {"maximum_attempts", p.maximum_attempts},
            {"non_retryable_error_types", std::move(types)}};
}

retry_policy retry_policy_from_json(const boost::json::value& v) {
    retry_policy p;
    if (!v.is_object()) return with_defaults(p);
    const auto& o = v.get_object();
    auto dur = [&](const char* key, std::chrono::milliseconds& out) {
        if (const auto* x = o.if_contains(key); x && x->is_string())
            if (auto d = parse_duration(x->get_string())) out = *d;
    };
    dur("initial_interval", p.initial_interval);
    dur("maximum_interval", p.maximum_interval);
    if (const auto* x = o.if_contains("backoff_coefficient"); x && x->is_number())
        p.backoff_coefficient = x->to_number<double>();
    if (const auto* x = o.if_contains("maximum_attempts"); x && x->is_int64())
        p.maximum_attempts = static_cast<int>(x->get_int64());
    if (const auto* x = o.if_contains("non_retryable_error_types"); x && x->is_array())
        for (const auto& t : x->get_array())
            if (t.is_string()) p.non_retryable_error_types.emplace_back(t.get_string());
    return with_defaults(p);
}

}   // namespace perdure::detail
