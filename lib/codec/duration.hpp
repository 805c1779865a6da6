// Durations in history attributes use Temporal's JSON form: seconds with an "s" suffix
// ("10s", "1.5s", "0.001s").
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace perdure::detail {

std::string format_duration(std::chrono::milliseconds);
/// Parses "10s", "1.5s", "250ms", "2m", "1h"; nullopt for anything else, and for more than
/// 10,000 years either way.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view);

/// Consumes exactly `n` decimal digits from the front of `s` and returns their value; nullopt
/// (with `s` unchanged) when there are not `n` digits.
std::optional<int> take_digits(std::string_view& s, std::size_t n);
/// Consumes the first character of `s` when it is one of `any_of`.
bool take_one_of(std::string_view& s, std::string_view any_of);

/// Consumes the "YYYY-MM-DDThh:mm:ss" at the front of `s`, any of `separators` standing for
/// the T; nullopt (with `s` in any state) when it is not a valid date and time.
std::optional<std::chrono::sys_seconds> take_date_time(std::string_view& s, std::string_view separators = "T");

/// RFC 3339 with microseconds and a Z suffix: 2025-01-01T00:00:00.000000Z.
std::string format_time(std::int64_t unix_us);
/// The microseconds since the epoch of such a time (the Z and the fraction are optional);
/// nullopt for anything else, and for a time std::chrono::system_clock cannot hold.
std::optional<std::int64_t> parse_time(std::string_view);

}   // namespace perdure::detail
