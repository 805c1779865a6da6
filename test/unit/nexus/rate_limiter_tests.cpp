// The endpoint rate limiter: a bucket of one second's worth of starts, refilled continuously.
#include "nexus/rate_limiter.hpp"

#include <boost/test/unit_test.hpp>

using perdure::detail::rate_limiter;

BOOST_AUTO_TEST_SUITE(rate_limits)

BOOST_AUTO_TEST_CASE(no_limit_never_waits) {
    rate_limiter r;
    for (int i = 0; i < 1000; ++i) BOOST_TEST(r.acquire(0, 0) == 0);
}

BOOST_AUTO_TEST_CASE(a_burst_of_one_seconds_worth_then_one_start_per_interval) {
    rate_limiter r;
    for (int i = 0; i < 4; ++i) BOOST_TEST(r.acquire(4, 0) == 0);
    BOOST_TEST(r.acquire(4, 0) == 250'000);         // the next token in a quarter second
    BOOST_TEST(r.acquire(4, 100'000) == 150'000);   // asking again earlier: the rest of the wait
    BOOST_TEST(r.acquire(4, 250'000) == 0);
    BOOST_TEST(r.acquire(4, 250'000) == 250'000);
    BOOST_TEST(r.acquire(4, 10'000'000) == 0);   // a long pause refills only up to the burst
    for (int i = 0; i < 3; ++i) BOOST_TEST(r.acquire(4, 10'000'000) == 0);
    BOOST_TEST(r.acquire(4, 10'000'000) > 0);
}

BOOST_AUTO_TEST_CASE(a_rate_below_one_per_second_still_lets_one_start_through) {
    rate_limiter r;
    BOOST_TEST(r.acquire(0.5, 0) == 0);
    BOOST_TEST(r.acquire(0.5, 0) == 2'000'000);
    BOOST_TEST(r.acquire(0.5, 2'000'000) == 0);
}

BOOST_AUTO_TEST_SUITE_END()
