// The text forms of durations and times in history attributes: what parses, and that nothing
// out of range does.
#include "codec/duration.hpp"

#include <boost/test/unit_test.hpp>

using namespace std::chrono_literals;
using perdure::detail::format_time;
using perdure::detail::parse_duration;
using perdure::detail::parse_time;

BOOST_AUTO_TEST_SUITE(duration_text)

BOOST_AUTO_TEST_CASE(durations_parse_in_each_unit) {
    BOOST_TEST((parse_duration("10s") == std::optional(10'000ms)));
    BOOST_TEST((parse_duration("1.5s") == std::optional(1'500ms)));
    BOOST_TEST((parse_duration("250ms") == std::optional(250ms)));
    BOOST_TEST((parse_duration("2m") == std::optional(120'000ms)));
    BOOST_TEST((parse_duration("-1h") == std::optional(-3'600'000ms)));
    BOOST_TEST(parse_duration("87660000h").has_value());   // 10,000 years
}

BOOST_AUTO_TEST_CASE(durations_that_are_not_finite_or_past_ten_thousand_years_do_not_parse) {
    for (const char* text : {"infs", "-infs", "nans", "infinityms", "87660001h", "-87660001h", "1e300s", "10", "s", ""}) {
        BOOST_TEST_INFO(text);
        BOOST_TEST(!parse_duration(text).has_value());
    }
}

BOOST_AUTO_TEST_CASE(times_round_trip_through_their_text) {
    for (const std::int64_t us : {std::int64_t{0}, std::int64_t{1'735'689'600'123'456}, std::int64_t{-1}})
        BOOST_TEST((parse_time(format_time(us)) == std::optional(us)));
    BOOST_TEST((parse_time("2025-01-01T00:00:00Z") == std::optional<std::int64_t>(1'735'689'600'000'000)));
    BOOST_TEST((parse_time("2025-01-01T00:00:00.5") == std::optional<std::int64_t>(1'735'689'600'500'000)));
}

BOOST_AUTO_TEST_CASE(times_out_of_the_clocks_range_or_malformed_do_not_parse) {
    for (const char* text : {"1012-01-01T00:00:00Z", "2262-04-12T00:00:00Z", "1677-09-21T00:00:00Z",
                             "2024-02-30T00:00:00Z", "2025-00-10T00:00:00Z", "2025-01-01T12:60:00Z",
                             "2025-01-01T12:00:60Z", "-025-01-01T00:00:00Z", "2025-01-01 00:00:00Z",
                             "2025-01-01T00:00:00ZZ", "2025-01-01T00:00"}) {
        BOOST_TEST_INFO(text);
        BOOST_TEST(!parse_time(text).has_value());
    }
}

BOOST_AUTO_TEST_SUITE_END()
