// The per-attempt decision on data: the time budget, a missing endpoint, the rate limit, the
// breaker (open, half-open with and without its probe out), the target, and the retry delays.
#include "nexus/attempt_decision.hpp"

#include <boost/test/unit_test.hpp>

#include <limits>

using perdure::timeout_type;
using perdure::detail::attempt_decision;
using perdure::detail::attempt_end;
using perdure::detail::attempt_facts;
using perdure::detail::circuit_breaker;
using perdure::detail::decide_attempt;
using perdure::detail::handler_presence;
using perdure::detail::nexus_retry_delay_us;
using perdure::detail::rate_limiter;
using action = attempt_decision::action;

namespace {

constexpr std::int64_t second = 1'000'000;

/// An operation scheduled at 0 on an endpoint that exists, with no rate limit, a breaker never
/// used and a worker ready, unless the case says otherwise.
struct situation {
    perdure::nexus::endpoint endpoint{
        .id = "ep-id", .version = 1, .spec = {.name = "ep", .target_namespace = "ns", .target_task_queue = "q"}};
    bool endpoint_exists = true;
    rate_limiter limiter;
    circuit_breaker breaker;
    attempt_facts facts;

    situation& at(std::int64_t now_us) {
        facts.now_us = now_us;
        return *this;
    }
    situation& schedule_to_close(std::int64_t ms) {
        facts.schedule_to_close_ms = ms;
        return *this;
    }
    situation& schedule_to_start(std::int64_t ms) {
        facts.schedule_to_start_ms = ms;
        return *this;
    }
    situation& endpoint_deleted() {
        endpoint_exists = false;
        return *this;
    }
    /// The endpoint's rate, with `spent` starts already taken at `when`.
    situation& rate(double per_second, int spent, std::int64_t when) {
        endpoint.spec.max_operations_per_second = per_second;
        for (int i = 0; i < spent; ++i) limiter.take(per_second, when);
        facts.limiter = &limiter;
        return *this;
    }
    /// `n` attempts that went at `when` and said the destination is down.
    situation& failures(int n, std::int64_t when) {
        for (int i = 0; i < n; ++i) {
            const bool probe = breaker.start(when);
            breaker.finish(attempt_end::destination_down, probe, when);
        }
        facts.breaker = &breaker;
        return *this;
    }
    situation& probe_out(std::int64_t when) {
        BOOST_REQUIRE(breaker.start(when));
        facts.breaker = &breaker;
        return *this;
    }
    situation& handler(handler_presence h) {
        facts.handler = h;
        return *this;
    }
    attempt_decision decide() {
        facts.endpoint = endpoint_exists ? &endpoint : nullptr;
        return decide_attempt(facts);
    }
};

situation ready() {
    situation s;
    s.facts.handler = handler_presence::ready;
    return s;
}

}   // namespace

BOOST_AUTO_TEST_SUITE(nexus_attempt_decision)

BOOST_AUTO_TEST_CASE(a_ready_attempt_runs_within_temporals_ten_second_request_timeout) {
    const auto d = ready().at(3 * second).decide();
    BOOST_TEST((d.what == action::run));
    BOOST_TEST(d.request_timeout_us == 10 * second);
}

BOOST_AUTO_TEST_CASE(the_request_timeout_is_cut_to_what_is_left_of_schedule_to_close) {
    const auto d = ready().schedule_to_close(30'000).at(24 * second).decide();
    BOOST_TEST((d.what == action::run));
    BOOST_TEST(d.request_timeout_us == 6 * second);
}

BOOST_AUTO_TEST_CASE(schedule_to_start_governs_the_budget_when_it_is_set) {
    // Schedule-to-close would leave a second; schedule-to-start, which governs, leaves 19.
    const auto d = ready().schedule_to_start(20'000).schedule_to_close(2'000).at(1 * second).decide();
    BOOST_TEST((d.what == action::run));
    BOOST_TEST(d.request_timeout_us == 10 * second);
}

BOOST_AUTO_TEST_CASE(under_one_and_a_half_seconds_left_the_operation_times_out_instead_of_attempting) {
    auto by_close = ready().schedule_to_close(10'000).at(8'600'000).decide();
    BOOST_TEST((by_close.what == action::time_out));
    BOOST_TEST((by_close.timed_out == timeout_type::schedule_to_close));
    auto by_start = ready().schedule_to_start(5'000).schedule_to_close(60'000).at(4 * second).decide();
    BOOST_TEST((by_start.what == action::time_out));
    BOOST_TEST((by_start.timed_out == timeout_type::schedule_to_start));
}

BOOST_AUTO_TEST_CASE(exactly_one_and_a_half_seconds_left_is_still_worth_an_attempt) {
    const auto d = ready().schedule_to_close(10'000).at(8'500'000).decide();
    BOOST_TEST((d.what == action::run));
    BOOST_TEST(d.request_timeout_us == 1'500'000);
}

BOOST_AUTO_TEST_CASE(a_deleted_endpoint_fails_the_operation_as_not_registered) {
    const auto d = ready().endpoint_deleted().decide();
    BOOST_TEST((d.what == action::fail));
    BOOST_TEST((d.why == attempt_decision::refusal::endpoint_not_registered));
}

BOOST_AUTO_TEST_CASE(time_running_out_comes_before_a_deleted_endpoint) {
    const auto d = ready().endpoint_deleted().schedule_to_close(1'000).decide();
    BOOST_TEST((d.what == action::time_out));
}

BOOST_AUTO_TEST_CASE(an_empty_bucket_waits_until_the_next_token) {
    const auto d = ready().rate(2, 2, 0).at(100'000).decide();
    BOOST_TEST((d.what == action::wait_for_token));
    BOOST_TEST(d.retry_at_us == 500'000);
}

BOOST_AUTO_TEST_CASE(a_bucket_with_a_token_left_lets_the_attempt_run) {
    BOOST_TEST((ready().rate(2, 1, 0).decide().what == action::run));
    BOOST_TEST((ready().rate(2, 2, 0).at(500'000).decide().what == action::run));
}

BOOST_AUTO_TEST_CASE(a_budget_that_ends_before_the_token_still_waits_for_it) {
    // The next token is 10 s away, the operation's deadline 4 s: the deadline ends it first.
    const auto d = ready().rate(0.1, 1, 0).schedule_to_close(5'000).at(1 * second).decide();
    BOOST_TEST((d.what == action::wait_for_token));
    BOOST_TEST(d.retry_at_us == 10 * second);
}

BOOST_AUTO_TEST_CASE(the_rate_limit_is_asked_before_the_breaker) {
    const auto d = ready().rate(1, 1, 0).failures(6, 0).at(1).decide();
    BOOST_TEST((d.what == action::wait_for_token));
}

BOOST_AUTO_TEST_CASE(a_breaker_with_five_failures_is_still_closed) {
    BOOST_TEST((ready().failures(5, 0).at(1).decide().what == action::run));
}

BOOST_AUTO_TEST_CASE(an_open_breaker_blocks_the_attempt_until_it_half_opens) {
    const auto d = ready().failures(6, 2 * second).at(3 * second).decide();
    BOOST_TEST((d.what == action::blocked_by_breaker));
    BOOST_TEST(d.retry_at_us == 62 * second);
}

BOOST_AUTO_TEST_CASE(a_half_open_breaker_lets_one_probe_run) {
    const auto d = ready().failures(6, 0).at(60 * second).decide();
    BOOST_TEST((d.what == action::run));
}

BOOST_AUTO_TEST_CASE(a_half_open_breaker_with_its_probe_out_blocks_and_looks_again_soon) {
    const auto d = ready().failures(6, 0).probe_out(60 * second).at(61 * second).decide();
    BOOST_TEST((d.what == action::blocked_by_breaker));
    BOOST_TEST(d.retry_at_us == 61 * second + 1000);
}

BOOST_AUTO_TEST_CASE(the_breaker_is_asked_before_the_target) {
    const auto d = ready().failures(6, 0).handler(handler_presence::no_worker).at(1).decide();
    BOOST_TEST((d.what == action::blocked_by_breaker));
}

BOOST_AUTO_TEST_CASE(no_worker_or_no_target_namespace_waits_for_one_without_a_deadline_of_its_own) {
    for (auto h : {handler_presence::no_worker, handler_presence::no_target_namespace}) {
        const auto d = ready().handler(h).decide();
        BOOST_TEST((d.what == action::wait_for_worker));
        BOOST_TEST(d.retry_at_us == 0);
    }
}

BOOST_AUTO_TEST_CASE(a_worker_without_the_operation_fails_it_as_not_found) {
    const auto d = ready().handler(handler_presence::no_operation).decide();
    BOOST_TEST((d.what == action::fail));
    BOOST_TEST((d.why == attempt_decision::refusal::operation_not_found));
}

BOOST_AUTO_TEST_CASE(retries_back_off_from_one_second_doubling_to_an_hour_with_jitter) {
    constexpr auto most = std::numeric_limits<std::uint64_t>::max();
    BOOST_TEST(nexus_retry_delay_us(1, 0) == 800'000);
    BOOST_TEST(nexus_retry_delay_us(1, 200'000) == 1'000'000);   // the top of [0.8 d, d]
    BOOST_TEST(nexus_retry_delay_us(2, 0) == 1'600'000);
    BOOST_TEST(nexus_retry_delay_us(3, 0) == 3'200'000);
    for (int attempt : {13, 31, 1000}) {
        BOOST_TEST(nexus_retry_delay_us(attempt, 0) == 2'880'000'000);
        BOOST_TEST(nexus_retry_delay_us(attempt, most) <= 3'600'000'000);
    }
}

BOOST_AUTO_TEST_SUITE_END()
