// Duration and time text forms used in history JSON.
#include "codec/duration.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <ctime>

namespace perdure::detail {
namespace {

constexpr double max_duration_ms = 315'576'000'000'000.0;   // 10,000 years

}   // namespace

std::optional<int> take_digits(std::string_view& s, std::size_t n) {
    if (s.size() < n) return std::nullopt;
    int v = 0;
    for (std::size_t i = 0; i < n; ++i) {
        if (s[i] < '0' || s[i] > '9') return std::nullopt;
        v = v * 10 + (s[i] - '0');
    }
    s.remove_prefix(n);
    return v;
}

bool take_one_of(std::string_view& s, std::string_view any_of) {
    if (s.empty() || any_of.find(s.front()) == std::string_view::npos) return false;
    s.remove_prefix(1);
    return true;
}

std::string format_duration(std::chrono::milliseconds d) {
    // "90s", "1.500s": Temporal's JSON form of a duration, written without printf (it is on
    // every scheduled activity's path).
    const auto ms = d.count();
    char buf[32];
    char* p = buf;
    if (ms < 0) *p++ = '-';
    const auto magnitude = static_cast<unsigned long long>(ms < 0 ? -(ms + 1) + 1ull : ms);
    p = std::to_chars(p, buf + sizeof buf, magnitude / 1000).ptr;
    if (const auto frac = magnitude % 1000; frac != 0) {
        *p++ = '.';
        *p++ = static_cast<char>('0' + frac / 100);
        *p++ = static_cast<char>('0' + frac / 10 % 10);
        *p++ = static_cast<char>('0' + frac % 10);
    }
    *p++ = 's';
    return std::string(buf, p);
}

std::optional<std::chrono::milliseconds> parse_duration(std::string_view s) {
    double unit_ms = 0;
    if (s.ends_with("ms")) {
        unit_ms = 1;
        s.remove_suffix(2);
    } else if (s.ends_with("s")) {
        unit_ms = 1000;
        s.remove_suffix(1);
    } else if (s.ends_with("m")) {
        unit_ms = 60'000;
        s.remove_suffix(1);
    } else if (s.ends_with("h")) {
        unit_ms = 3'600'000;
        s.remove_suffix(1);
    } else {
        return std::nullopt;
    }
    double v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || p != s.data() + s.size() || s.empty()) return std::nullopt;
    // Also refuses inf and nan, which from_chars reads. The bound is Temporal's (that of
    // google.protobuf.Duration), and keeps any deadline computed from a duration in range.
    const double ms = v * unit_ms;
    if (!(std::fabs(ms) <= max_duration_ms)) return std::nullopt;
    return std::chrono::milliseconds(static_cast<std::int64_t>(ms + (v >= 0 ? 0.5 : -0.5)));
}

std::string format_time(std::int64_t unix_us) {
    std::int64_t secs = unix_us / 1'000'000;
    std::int64_t us = unix_us % 1'000'000;
    if (us < 0) {
        us += 1'000'000;
        --secs;
    }
    std::time_t t = static_cast<std::time_t>(secs);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<long long>(us));
    return buf;
}

std::optional<std::chrono::sys_seconds> take_date_time(std::string_view& s, std::string_view separators) {
    using namespace std::chrono;
    const auto year = take_digits(s, 4);
    if (!year || !take_one_of(s, "-")) return std::nullopt;
    const auto mon = take_digits(s, 2);
    if (!mon || !take_one_of(s, "-")) return std::nullopt;
    const auto day = take_digits(s, 2);
    if (!day || !take_one_of(s, separators)) return std::nullopt;
    const auto hour = take_digits(s, 2);
    if (!hour || *hour > 23 || !take_one_of(s, ":")) return std::nullopt;
    const auto min = take_digits(s, 2);
    if (!min || *min > 59 || !take_one_of(s, ":")) return std::nullopt;
    const auto sec = take_digits(s, 2);
    if (!sec || *sec > 59) return std::nullopt;
    const year_month_day date{std::chrono::year(*year), month(static_cast<unsigned>(*mon)),
                              std::chrono::day(static_cast<unsigned>(*day))};
    if (!date.ok()) return std::nullopt;
    return sys_days(date) + hours(*hour) + minutes(*min) + seconds(*sec);
}

std::optional<std::int64_t> parse_time(std::string_view s) {
    using namespace std::chrono;
    const auto whole = take_date_time(s);
    if (!whole) return std::nullopt;
    std::int64_t us = 0;
    if (take_one_of(s, ".")) {
        int digits = 0;
        while (!s.empty() && s.front() >= '0' && s.front() <= '9') {
            if (digits < 6) {
                us = us * 10 + (s.front() - '0');
                ++digits;
            }
            s.remove_prefix(1);
        }
        if (digits == 0) return std::nullopt;
        while (digits++ < 6) us *= 10;
    }
    if (s != "Z" && !s.empty()) return std::nullopt;
    // Years 0000-9999 fit in microseconds; system_clock's nanoseconds span only 1677-2262.
    const auto t = *whole + microseconds(us);
    if (t < time_point_cast<microseconds>(system_clock::time_point::min()) ||
        t > time_point_cast<microseconds>(system_clock::time_point::max()))
        return std::nullopt;
    return t.time_since_epoch().count();
}

}   // namespace perdure::detail
