// The caller guards on data: each attempt is in flight from its start to its one end, however
// it ends (an answer, a verdict, a pass dropped because nobody waits any more); the breaker
// opens, lets one probe through and closes; tokens are spent only by attempts that go.
#include "nexus/caller_guards.hpp"

#include "history/fields.hpp"

#include <boost/test/unit_test.hpp>

#include <utility>

using perdure::detail::attempt_end;
using perdure::detail::attempt_pass;
using perdure::detail::caller_guards;
using perdure::detail::circuit_breaker;

namespace {

constexpr std::int64_t caller = 7;
constexpr std::int64_t second = 1'000'000;

std::int64_t in_flight(const caller_guards& g, std::int64_t ns = caller) {
    const auto* b = g.find_breaker(ns, "ep-id");
    return b ? b->in_flight() : 0;
}

/// `n` attempts from `caller` that say the destination is down.
void fail(caller_guards& g, int n, std::int64_t when) {
    for (int i = 0; i < n; ++i) g.begin_attempt(caller, "ep-id", 0, when).end(attempt_end::destination_down, when);
}

}   // namespace

BOOST_AUTO_TEST_SUITE(nexus_caller_guards)

BOOST_AUTO_TEST_CASE(an_attempt_is_in_flight_from_its_start_until_it_ends) {
    caller_guards g;
    BOOST_TEST(!g.find_breaker(caller, "ep-id"));
    auto pass = g.begin_attempt(caller, "ep-id", 0, 0);
    BOOST_TEST(pass.in_flight());
    BOOST_TEST(in_flight(g) == 1);
    pass.end(attempt_end::succeeded, 1);
    BOOST_TEST(!pass.in_flight());
    BOOST_TEST(in_flight(g) == 0);
}

BOOST_AUTO_TEST_CASE(ending_an_attempt_twice_counts_it_once) {
    caller_guards g;
    auto other = g.begin_attempt(caller, "ep-id", 0, 0);
    auto pass = g.begin_attempt(caller, "ep-id", 0, 0);
    pass.end(attempt_end::succeeded, 1);
    pass.end(attempt_end::succeeded, 2);
    pass.end(attempt_end::destination_down, 3);
    BOOST_TEST(in_flight(g) == 1);   // the other one still runs
    BOOST_TEST(g.find_breaker(caller, "ep-id")->consecutive_failures() == 0);
    attempt_pass never_begun;
    never_begun.end(attempt_end::succeeded, 4);
    BOOST_TEST(in_flight(g) == 1);
}

BOOST_AUTO_TEST_CASE(a_pass_dropped_while_in_flight_ends_without_a_verdict) {
    caller_guards g;
    fail(g, 2, 0);
    {
        auto pass = g.begin_attempt(caller, "ep-id", 0, 0);
        BOOST_TEST(in_flight(g) == 1);
    }
    BOOST_TEST(in_flight(g) == 0);
    BOOST_TEST(g.find_breaker(caller, "ep-id")->consecutive_failures() == 2);
}

BOOST_AUTO_TEST_CASE(a_moved_pass_ends_once) {
    caller_guards g;
    auto first = g.begin_attempt(caller, "ep-id", 0, 0);
    attempt_pass second_home = std::move(first);
    BOOST_TEST(!first.in_flight());
    BOOST_TEST(in_flight(g) == 1);
    attempt_pass third_home;
    third_home = std::move(second_home);
    second_home.end(attempt_end::succeeded, 1);
    BOOST_TEST(in_flight(g) == 1);
    third_home.end(attempt_end::succeeded, 1);
    BOOST_TEST(in_flight(g) == 0);
}

BOOST_AUTO_TEST_CASE(more_than_five_failures_open_the_breaker_for_a_minute) {
    caller_guards g;
    fail(g, 5, 0);
    BOOST_TEST(g.find_breaker(caller, "ep-id")->admits(1));
    fail(g, 1, 2 * second);
    const auto& b = *g.find_breaker(caller, "ep-id");
    BOOST_TEST(!b.admits(3 * second));
    BOOST_TEST((b.current(61 * second) == circuit_breaker::state::open));
    BOOST_TEST((b.current(62 * second) == circuit_breaker::state::half_open));
    const auto h = g.health("ep-id", caller, 3 * second);
    BOOST_TEST(h.breaker == "open");
    BOOST_TEST(h.consecutive_failures == 6);
    BOOST_TEST((h.reopens_at == perdure::detail::from_us(62 * second)));
}

BOOST_AUTO_TEST_CASE(a_half_open_breaker_lets_one_probe_through_and_its_success_closes_it) {
    caller_guards g;
    auto older = g.begin_attempt(caller, "ep-id", 0, 0);   // went while the breaker was closed
    fail(g, 6, 0);
    const auto& b = *g.find_breaker(caller, "ep-id");
    auto probe = g.begin_attempt(caller, "ep-id", 0, 60 * second);
    BOOST_TEST(!b.admits(60 * second));
    older.end(attempt_end::no_verdict, 61 * second);   // not the probe: no second one goes
    BOOST_TEST(!b.admits(61 * second));
    probe.end(attempt_end::succeeded, 62 * second);
    BOOST_TEST((b.current(62 * second) == circuit_breaker::state::closed));
    BOOST_TEST(b.in_flight() == 0);
}

BOOST_AUTO_TEST_CASE(a_probe_that_fails_opens_the_breaker_again) {
    caller_guards g;
    fail(g, 6, 0);
    g.begin_attempt(caller, "ep-id", 0, 60 * second).end(attempt_end::destination_down, 60 * second);
    const auto& b = *g.find_breaker(caller, "ep-id");
    BOOST_TEST((b.current(61 * second) == circuit_breaker::state::open));
    BOOST_TEST(b.reopens_at_us() == 120 * second);
}

BOOST_AUTO_TEST_CASE(a_probe_dropped_without_an_answer_lets_the_next_one_through) {
    caller_guards g;
    fail(g, 6, 0);
    { auto probe = g.begin_attempt(caller, "ep-id", 0, 60 * second); }
    BOOST_TEST(g.find_breaker(caller, "ep-id")->admits(60 * second));
}

BOOST_AUTO_TEST_CASE(an_attempt_that_goes_spends_a_token_of_the_endpoints_rate) {
    caller_guards g;
    BOOST_TEST(!g.find_limiter("ep-id"));
    g.begin_attempt(caller, "ep-id", 1, 0).end(attempt_end::succeeded, 0);
    BOOST_REQUIRE(g.find_limiter("ep-id"));
    BOOST_TEST(g.find_limiter("ep-id")->wait_us(1, 0) == second);
    g.begin_attempt(caller + 1, "other-id", 0, 0).end(attempt_end::succeeded, 0);
    BOOST_TEST(!g.find_limiter("other-id"));   // no limit: nothing to keep
}

BOOST_AUTO_TEST_CASE(health_adds_up_the_endpoints_breakers_or_reports_one_callers) {
    caller_guards g;
    fail(g, 6, 0);
    auto a = g.begin_attempt(caller + 1, "ep-id", 0, 0);
    auto b = g.begin_attempt(caller + 2, "ep-id", 0, 0);
    auto elsewhere = g.begin_attempt(caller, "other-id", 0, 0);
    const auto all = g.health("ep-id", std::nullopt, second);
    BOOST_TEST(all.breaker == "open");
    BOOST_TEST(all.in_flight == 2);
    const auto one = g.health("ep-id", caller + 1, second);
    BOOST_TEST(one.breaker == "closed");
    BOOST_TEST(one.consecutive_failures == 0);
    BOOST_TEST(one.in_flight == 1);
    BOOST_TEST(g.health("ep-id", 99, second).in_flight == 0);
}

BOOST_AUTO_TEST_SUITE_END()
