// The text forms of the values a visibility query and a search attribute take: RFC 3339
// times to the nanosecond, and durations as Temporal's ExecutionDuration accepts them.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace perdure::detail {

using sys_nanoseconds = std::chrono::time_point<std::chrono::system_clock, std::chrono::nanoseconds>;

/// An RFC 3339 time: "2025-01-31T12:00:00Z", "2025-01-31t12:00:00.123456789+02:00", or with a
/// space for the T. Up to nine fractional digits; a numeric offset or Z is required. nullopt
/// for anything else and for a time outside what a nanosecond count since 1970 holds.
std::optional<sys_nanoseconds> parse_rfc3339(std::string_view text);
/// As parse_rfc3339 for a bound in a query: a time before 1677 or after 2262, which nanoseconds
/// since 1970 cannot hold ('9999-12-31T23:59:59Z'), becomes the nearest one they can. Every time
/// perdure stores lies within, so it compares with each as the given time would.
std::optional<sys_nanoseconds> parse_rfc3339_bound(std::string_view text);

/// The time in UTC with as many fractional digits as it needs (none, 3, 6 or 9) and a Z.
std::string format_rfc3339(sys_nanoseconds t);

/// A duration in nanoseconds, as Temporal reads ExecutionDuration: an integer count of
/// nanoseconds ("90000000000"); Go's syntax ("1h30m", "1.5h", "-300ms", "2d"; units ns, us,
/// µs, ms, s, m, h and Temporal's d); or "hh:mm:ss". nullopt for anything else or on overflow.
std::optional<std::int64_t> parse_duration_nanos(std::string_view text);

}   // namespace perdure::detail
