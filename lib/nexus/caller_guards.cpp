// The breakers and rate limiters of Nexus callers.
#include "nexus/caller_guards.hpp"

#include "history/fields.hpp"

#include <algorithm>
#include <utility>

namespace perdure::detail {

attempt_pass::attempt_pass(attempt_pass&& other) noexcept
    : breaker_(std::exchange(other.breaker_, nullptr)), probe_(other.probe_) {}

attempt_pass& attempt_pass::operator=(attempt_pass&& other) noexcept {
    if (this != &other) {
        end(attempt_end::no_verdict, 0);
        breaker_ = std::exchange(other.breaker_, nullptr);
        probe_ = other.probe_;
    }
    return *this;
}

void attempt_pass::end(attempt_end how, std::int64_t now_us) noexcept {
    if (!breaker_) return;
    std::exchange(breaker_, nullptr)->finish(how, probe_, now_us);
}

const circuit_breaker* caller_guards::find_breaker(std::int64_t caller_ns, std::string_view endpoint_id) const {
    auto it = breakers_.find(breaker_key{caller_ns, endpoint_id});
    return it == breakers_.end() ? nullptr : &it->second;
}

const rate_limiter* caller_guards::find_limiter(std::string_view endpoint_id) const {
    auto it = limiters_.find(endpoint_id);
    return it == limiters_.end() ? nullptr : &it->second;
}

attempt_pass caller_guards::begin_attempt(std::int64_t caller_ns, std::string_view endpoint_id, double per_second,
                                          std::int64_t now_us) {
    if (per_second > 0) {
        auto limiter = limiters_.find(endpoint_id);
        if (limiter == limiters_.end()) limiter = limiters_.emplace(std::string(endpoint_id), rate_limiter{}).first;
        limiter->second.take(per_second, now_us);
    }
    auto it = breakers_.find(breaker_key{caller_ns, endpoint_id});
    if (it == breakers_.end())
        it = breakers_.emplace(stored_key{caller_ns, std::string(endpoint_id)}, circuit_breaker{}).first;
    const bool probe = it->second.start(now_us);
    return attempt_pass(it->second, probe);
}

nexus::endpoint_health caller_guards::health(std::string_view endpoint_id, std::optional<std::int64_t> caller_ns,
                                             std::int64_t now_us) const {
    nexus::endpoint_health h{"closed", 0, 0, {}};
    for (const auto& [key, b] : breakers_) {
        if (key.endpoint_id != endpoint_id || (caller_ns && key.caller_ns != *caller_ns)) continue;
        const auto st = b.current(now_us);
        if (st != circuit_breaker::state::closed || h.breaker == "closed") {
            h.breaker = st == circuit_breaker::state::open        ? "open"
                        : st == circuit_breaker::state::half_open ? "half-open"
                                                                  : "closed";
            if (st != circuit_breaker::state::closed) h.reopens_at = from_us(b.reopens_at_us());
        }
        h.consecutive_failures = std::max(h.consecutive_failures, b.consecutive_failures());
        h.in_flight += b.in_flight();
    }
    return h;
}

}   // namespace perdure::detail
