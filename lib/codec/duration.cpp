// Duration and time text forms used in history JSON.
#include "codec/duration.hpp"

#include <charconv>
#include <cstdio>
#include <ctime>

namespace perdure::detail {

std::string format_duration(std::chrono::milliseconds d) {
    const auto ms = d.count();
    char buf[48];
    if (ms % 1000 == 0)
        std::snprintf(buf, sizeof buf, "%llds", static_cast<long long>(ms / 1000));
    else
        std::snprintf(buf, sizeof buf, "%s%lld.%03llds", ms < 0 ? "-" : "", static_cast<long long>(std::llabs(ms) / 1000),
                      static_cast<long long>(std::llabs(ms) % 1000));
    return buf;
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
    return std::chrono::milliseconds(static_cast<std::int64_t>(v * unit_ms + (v >= 0 ? 0.5 : -0.5)));
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

std::optional<std::int64_t> parse_time(std::string_view s) {
    std::tm tm{};
    int year, mon, day, hour, min, sec;
    char rest[40] = {};
    std::string str(s.substr(0, 60));
    if (std::sscanf(str.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%39s", &year, &mon, &day, &hour, &min, &sec, rest) < 6)
        return std::nullopt;
    tm.tm_year = year - 1900;
    tm.tm_mon = mon - 1;
    tm.tm_mday = day;
    tm.tm_hour = hour;
    tm.tm_min = min;
    tm.tm_sec = sec;
    std::int64_t us = 0;
    std::string_view r(rest);
    if (r.starts_with(".")) {
        r.remove_prefix(1);
        int digits = 0;
        while (!r.empty() && r.front() >= '0' && r.front() <= '9') {
            if (digits < 6) {
                us = us * 10 + (r.front() - '0');
                ++digits;
            }
            r.remove_prefix(1);
        }
        while (digits++ < 6) us *= 10;
    }
    if (r != "Z" && !r.empty()) return std::nullopt;
    return static_cast<std::int64_t>(timegm(&tm)) * 1'000'000 + us;
}

}  // namespace perdure::detail
