// The text forms of durations and times in history attributes: what parses, and that nothing
// out of range does.
#include "codec/duration.hpp"
#include "codec/uuid.hpp"

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
    for (const char* text :
         {"infs", "-infs", "nans", "infinityms", "87660001h", "-87660001h", "1e300s", "10", "s", ""}) {
        BOOST_TEST_INFO(text);
        BOOST_TEST(!parse_duration(text).has_value());
    }
}

BOOST_AUTO_TEST_CASE(durations_are_written_in_seconds_as_temporal_writes_them) {
    using perdure::detail::format_duration;
    BOOST_TEST(format_duration(10'000ms) == "10s");
    BOOST_TEST(format_duration(1'500ms) == "1.500s");
    BOOST_TEST(format_duration(5ms) == "0.005s");
    BOOST_TEST(format_duration(0ms) == "0s");
    BOOST_TEST(format_duration(-3'000ms) == "-3s");
    BOOST_TEST(format_duration(-1'250ms) == "-1.250s");
    BOOST_TEST(format_duration(std::chrono::milliseconds::min()) == "-9223372036854775.808s");
    for (const auto d : {1ms, 999ms, 1'001ms, 86'400'000ms, -7ms})
        BOOST_TEST((parse_duration(format_duration(d)) == std::optional(d)));
}

BOOST_AUTO_TEST_CASE(uuids_are_version_4_in_canonical_form) {
    using perdure::detail::format_uuid;
    using perdure::detail::uuid_v4;
    BOOST_TEST(uuid_v4(0, 0) == "00000000-0000-4000-8000-000000000000");
    BOOST_TEST(uuid_v4(~0ull, ~0ull) == "ffffffff-ffff-4fff-bfff-ffffffffffff");
    BOOST_TEST(uuid_v4(0x0123456789abcdefull, 0xfedcba9876543210ull) == "01234567-89ab-4def-bedc-ba9876543210");
    const std::array<unsigned char, 16> bytes{0x10, 0x32, 0x54, 0x76, 0x98, 0xba, 0x4c, 0xde,
                                              0x8f, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd};
    BOOST_TEST(format_uuid(bytes) == "10325476-98ba-4cde-8f01-23456789abcd");
}

BOOST_AUTO_TEST_CASE(times_round_trip_through_their_text) {
    for (const std::int64_t us : {std::int64_t{0}, std::int64_t{1'735'689'600'123'456}, std::int64_t{-1}})
        BOOST_TEST((parse_time(format_time(us)) == std::optional(us)));
    BOOST_TEST((parse_time("2025-01-01T00:00:00Z") == std::optional<std::int64_t>(1'735'689'600'000'000)));
    BOOST_TEST((parse_time("2025-01-01T00:00:00.5") == std::optional<std::int64_t>(1'735'689'600'500'000)));
}

BOOST_AUTO_TEST_CASE(times_out_of_the_clocks_range_or_malformed_do_not_parse) {
    for (const char* text :
         {"1012-01-01T00:00:00Z", "2262-04-12T00:00:00Z", "1677-09-21T00:00:00Z", "2024-02-30T00:00:00Z",
          "2025-00-10T00:00:00Z", "2025-01-01T12:60:00Z", "2025-01-01T12:00:60Z", "-025-01-01T00:00:00Z",
          "2025-01-01 00:00:00Z", "2025-01-01T00:00:00ZZ", "2025-01-01T00:00"}) {
        BOOST_TEST_INFO(text);
        BOOST_TEST(!parse_time(text).has_value());
    }
}

BOOST_AUTO_TEST_SUITE_END()
