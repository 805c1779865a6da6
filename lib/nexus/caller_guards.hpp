// What stands between Nexus callers and an endpoint: a circuit breaker per (caller namespace,
// endpoint) and a rate limiter per endpoint, shared by all callers. An attempt that goes
// holds an attempt_pass until its answer, so the breaker hears of each attempt exactly once.
#pragma once

#include "nexus/circuit_breaker.hpp"
#include "nexus/rate_limiter.hpp"

#include <perdure/nexus.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace perdure::detail {

/// One attempt that went through the guards: in flight from caller_guards::begin_attempt until
/// end. Ending it twice, or ending an empty pass, does nothing. A pass dropped while still
/// in flight (its operation ended, its caller closed) ends with no verdict.
class attempt_pass {
public:
    attempt_pass() = default;
    attempt_pass(attempt_pass&& other) noexcept;
    attempt_pass& operator=(attempt_pass&& other) noexcept;
    ~attempt_pass() { end(attempt_end::no_verdict, 0); }

    bool in_flight() const noexcept { return breaker_ != nullptr; }
    void end(attempt_end how, std::int64_t now_us) noexcept;

private:
    friend class caller_guards;
    attempt_pass(circuit_breaker& b, bool probe) noexcept : breaker_(&b), probe_(probe) {}

    circuit_breaker* breaker_ = nullptr;
    bool probe_ = false;
};

class caller_guards {
public:
    caller_guards() = default;
    caller_guards(const caller_guards&) = delete;   // passes point into it
    caller_guards& operator=(const caller_guards&) = delete;

    /// Null until an attempt from that caller namespace went to the endpoint (then: closed).
    const circuit_breaker* find_breaker(std::int64_t caller_ns, std::string_view endpoint_id) const;
    /// Null until an attempt went to the endpoint (then: a full bucket).
    const rate_limiter* find_limiter(std::string_view endpoint_id) const;

    /// An attempt goes now: it spends a token of the endpoint's rate (`per_second`) and passes
    /// the breaker, as its probe when half-open. Its pass must outlive no caller_guards.
    attempt_pass begin_attempt(std::int64_t caller_ns, std::string_view endpoint_id, double per_second,
                               std::int64_t now_us);

    /// The endpoint's breakers together (the most open state, the longest failure streak, all
    /// attempts in flight); of one caller namespace when `caller_ns` is given.
    nexus::endpoint_health health(std::string_view endpoint_id, std::optional<std::int64_t> caller_ns,
                                  std::int64_t now_us) const;

private:
    struct breaker_key {
        std::int64_t caller_ns;
        std::string_view endpoint_id;
    };
    struct stored_key {
        std::int64_t caller_ns;
        std::string endpoint_id;
    };
    struct key_order {
        using is_transparent = void;
        template <class A, class B>
        bool operator()(const A& a, const B& b) const noexcept {
            if (a.caller_ns != b.caller_ns) return a.caller_ns < b.caller_ns;
            return std::string_view(a.endpoint_id) < std::string_view(b.endpoint_id);
        }
    };

    std::map<stored_key, circuit_breaker, key_order> breakers_;
    std::map<std::string, rate_limiter, std::less<>> limiters_;
};

}   // namespace perdure::detail
