// RFC 3339 times and Go-style durations, parsed strictly and with overflow checks, since both
// come from users' queries.
#include "visibility/literals.hpp"

#include "codec/duration.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>

namespace perdure::detail {
namespace {

__extension__ typedef __int128 wide;   // products of a count and a unit fit before the range check
constexpr wide ns_per_second = 1'000'000'000;
constexpr wide int64_max = INT64_MAX;
constexpr wide int64_min = INT64_MIN;

/// Seconds east of UTC of a "Z" or "+hh:mm" suffix, the whole rest of the text.
std::optional<int> utc_offset(std::string_view s) {
    if (s == "Z" || s == "z") return 0;
    if (s.size() != 6 || (s[0] != '+' && s[0] != '-') || s[3] != ':') return std::nullopt;
    const int sign = s[0] == '-' ? -1 : 1;
    s.remove_prefix(1);
    const auto h = take_digits(s, 2);
    s.remove_prefix(1);
    const auto m = take_digits(s, 2);
    if (!h || !m || *h > 23 || *m > 59) return std::nullopt;
    return sign * (*h * 3600 + *m * 60);
}

struct unit_scale {
    std::string_view name;
    wide nanos;
};

constexpr unit_scale units[] = {
    {"ns", 1},
    {"us", 1'000},
    {"\xC2\xB5s", 1'000},   // U+00B5 micro sign
    {"\xCE\xBCs", 1'000},   // U+03BC Greek small letter mu
    {"ms", 1'000'000},
    {"s", ns_per_second},
    {"m", 60 * ns_per_second},
    {"h", 3600 * ns_per_second},
    {"d", 86'400 * ns_per_second},
};

/// Go's time.ParseDuration with Temporal's extra unit "d".
std::optional<std::int64_t> go_duration(std::string_view s) {
    bool negative = false;
    if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
        negative = s.front() == '-';
        s.remove_prefix(1);
    }
    if (s == "0") return 0;
    if (s.empty()) return std::nullopt;
    wide total = 0;
    while (!s.empty()) {
        wide whole = 0;
        std::size_t whole_digits = 0;
        while (!s.empty() && s.front() >= '0' && s.front() <= '9') {
            whole = whole * 10 + (s.front() - '0');
            if (whole > int64_max) return std::nullopt;
            s.remove_prefix(1);
            ++whole_digits;
        }
        wide fraction = 0, fraction_scale = 1;
        std::size_t fraction_digits = 0;
        if (take_one_of(s, ".")) {
            while (!s.empty() && s.front() >= '0' && s.front() <= '9') {
                if (fraction_scale < wide(1'000'000'000'000'000'000)) {   // further digits are below a nanosecond
                    fraction = fraction * 10 + (s.front() - '0');
                    fraction_scale *= 10;
                }
                s.remove_prefix(1);
                ++fraction_digits;
            }
        }
        if (whole_digits + fraction_digits == 0) return std::nullopt;
        const unit_scale* unit = nullptr;
        for (const auto& u : units)
            if (s.starts_with(u.name) && (!unit || u.name.size() > unit->name.size())) unit = &u;
        if (!unit) return std::nullopt;
        s.remove_prefix(unit->name.size());
        total += whole * unit->nanos + fraction * unit->nanos / fraction_scale;
        if (total > int64_max + 1) return std::nullopt;
    }
    if (negative) total = -total;
    if (total > int64_max || total < int64_min) return std::nullopt;
    return static_cast<std::int64_t>(total);
}

/// The digits at the front of `s` up to `stop` (or its end), as a number; nullopt for none,
/// anything else, or more than an int64 holds.
std::optional<std::int64_t> take_number(std::string_view& s, char stop) {
    const auto at = std::min(s.find(stop), s.size());
    std::int64_t n = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + at, n);
    if (at == 0 || ec != std::errc{} || end != s.data() + at || n < 0) return std::nullopt;
    s.remove_prefix(at);
    return n;
}

/// "h:m:s" with any number of digits in each (Temporal's "%d:%d:%d"), minutes and seconds
/// under 60.
std::optional<std::int64_t> clock_duration(std::string_view s) {
    const auto hours = take_number(s, ':');
    if (!hours || !take_one_of(s, ":")) return std::nullopt;
    const auto m = take_number(s, ':');
    if (!m || *m > 59 || !take_one_of(s, ":")) return std::nullopt;
    const auto sec = take_number(s, ':');
    if (!sec || *sec > 59 || !s.empty()) return std::nullopt;
    const wide total = (wide(*hours) * 3600 + *m * 60 + *sec) * ns_per_second;
    if (total > int64_max) return std::nullopt;
    return static_cast<std::int64_t>(total);
}

}   // namespace

namespace {

/// Nanoseconds since 1970, unbounded.
std::optional<wide> rfc3339_nanos(std::string_view s) {
    const auto whole = take_date_time(s, "Tt ");
    if (!whole) return std::nullopt;
    wide nanos = 0;
    if (take_one_of(s, ".")) {
        int n = 0;
        while (!s.empty() && s.front() >= '0' && s.front() <= '9' && n < 9) {
            nanos = nanos * 10 + (s.front() - '0');
            s.remove_prefix(1);
            ++n;
        }
        if (n == 0) return std::nullopt;
        for (int i = n; i < 9; ++i) nanos *= 10;
    }
    const auto offset = utc_offset(s);
    if (!offset) return std::nullopt;
    return (wide(whole->time_since_epoch().count()) - *offset) * ns_per_second + nanos;
}

sys_nanoseconds from_nanos(wide n) { return sys_nanoseconds(std::chrono::nanoseconds(static_cast<std::int64_t>(n))); }

}   // namespace

std::optional<sys_nanoseconds> parse_rfc3339(std::string_view s) {
    const auto total = rfc3339_nanos(s);
    if (!total || *total > int64_max || *total < int64_min) return std::nullopt;
    return from_nanos(*total);
}

std::optional<sys_nanoseconds> parse_rfc3339_bound(std::string_view s) {
    const auto total = rfc3339_nanos(s);
    if (!total) return std::nullopt;
    // Two days inside the ends, so that printing it (rounded down to its day) cannot overflow.
    constexpr wide margin = wide(2) * 86'400 * ns_per_second;
    return from_nanos(std::clamp<wide>(*total, int64_min + margin, int64_max - margin));
}

std::string format_rfc3339(sys_nanoseconds t) {
    using namespace std::chrono;
    const auto day_start = floor<days>(t);
    const year_month_day date(day_start);
    const hh_mm_ss<nanoseconds> clock(t - day_start);
    char buf[64];
    int n = std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d", static_cast<int>(date.year()),
                          static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                          static_cast<int>(clock.hours().count()), static_cast<int>(clock.minutes().count()),
                          static_cast<int>(clock.seconds().count()));
    const auto frac = clock.subseconds().count();
    if (frac % 1'000'000'000 != 0) {
        if (frac % 1'000'000 == 0)
            n += std::snprintf(buf + n, sizeof buf - n, ".%03lld", static_cast<long long>(frac / 1'000'000));
        else if (frac % 1'000 == 0)
            n += std::snprintf(buf + n, sizeof buf - n, ".%06lld", static_cast<long long>(frac / 1'000));
        else
            n += std::snprintf(buf + n, sizeof buf - n, ".%09lld", static_cast<long long>(frac));
    }
    return std::string(buf, static_cast<std::size_t>(n)) + "Z";
}

std::optional<std::int64_t> parse_duration_nanos(std::string_view text) {
    std::int64_t nanos = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), nanos);
    if (!text.empty() && ec == std::errc{} && end == text.data() + text.size()) return nanos;
    if (auto d = go_duration(text)) return d;
    return clock_duration(text);
}

}   // namespace perdure::detail
