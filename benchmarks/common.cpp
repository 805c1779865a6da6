// Output, statistics, memory readings and files shared by the scenarios.
#include "common.hpp"
#include "postgres_databases.hpp"

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <sys/vfs.h>

namespace perdure::bench {
namespace {

std::string number(double v) {
    if (!std::isfinite(v)) return "null";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.2f", v);
    std::string s = buf;
    // "12.50" reads better as 12.5, and "3.00" as 3.
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
    if (s == "-0") s = "0";
    return s;
}

std::string value_text(const boost::json::value& v) {
    if (v.is_double()) return number(v.get_double());
    if (v.is_object()) {
        std::string out = "{";
        for (const auto& [k, x] : v.get_object()) {
            if (out.size() > 1) out += ',';
            out += boost::json::serialize(boost::json::value(k)) + ':' + value_text(x);
        }
        return out + '}';
    }
    return boost::json::serialize(v);
}

std::string& store_label() {
    static std::string label;
    return label;
}

std::int64_t status_kib(const char* field) {
    std::ifstream in("/proc/self/status");
    const std::string key = std::string(field) + ":";
    for (std::string line; std::getline(in, line);)
        if (line.rfind(key, 0) == 0) return std::strtoll(line.c_str() + key.size(), nullptr, 10);
    return 0;
}

}   // namespace

const char* to_string(perdure::durability d) noexcept {
    switch (d) {
    case perdure::durability::full: return "full";
    case perdure::durability::normal: return "normal";
    case perdure::durability::memory: return "memory";
    case perdure::durability::off: return "off";
    }
    return "?";
}

void emit(const boost::json::object& line) {
    if (store_label().empty()) {
        std::cout << value_text(line) << std::endl;
        return;
    }
    auto labelled = line;
    labelled["store"] = store_label();
    std::cout << value_text(labelled) << std::endl;
}

void set_store_label(std::string label) { store_label() = std::move(label); }

latency summarize(std::vector<double> samples) {
    if (samples.empty()) return {};
    std::sort(samples.begin(), samples.end());
    auto rank = [&](double p) {
        const auto i = static_cast<std::size_t>(std::ceil(p * static_cast<double>(samples.size())));
        return samples[std::clamp<std::size_t>(i, 1, samples.size()) - 1];
    };
    return {mean(samples, 0, samples.size()), rank(0.50), rank(0.99)};
}

double mean(const std::vector<double>& samples, std::size_t first, std::size_t last) {
    last = std::min(last, samples.size());
    if (first >= last) return 0;
    double sum = 0;
    for (std::size_t i = first; i < last; ++i) sum += samples[i];
    return sum / static_cast<double>(last - first);
}

std::int64_t system_now_us() {
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

double elapsed_us(steady::time_point from, steady::time_point to) {
    return std::chrono::duration<double, std::micro>(to - from).count();
}

double elapsed_ms(steady::time_point from, steady::time_point to) {
    return std::chrono::duration<double, std::milli>(to - from).count();
}

std::int64_t rss_kib() { return status_kib("VmRSS"); }
std::int64_t peak_rss_kib() { return status_kib("VmHWM"); }

std::string fresh_database(const settings& s, std::string_view name) {
    if (s.on_postgres()) return create_bench_database(s.store, name);
    const std::string path = (std::filesystem::path(s.db_dir) / (std::string(name) + ".db")).string();
    remove_database(path);
    return path;
}

void remove_database(const std::string& path) {
    for (const char* suffix : {"", "-wal", "-shm", "-journal", "-perdure.lock"}) {
        std::error_code ec;
        std::filesystem::remove(path + suffix, ec);
    }
}

void remove_database(const settings& s, const std::string& path) {
    if (s.on_postgres())
        drop_bench_database(s.store, path);
    else
        remove_database(path);
}

perdure::engine_options engine_options_for(const settings& s, const std::string& path) {
    return {.database = path, .durability = s.durability};
}

temp_dir::temp_dir() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base && *base ? base : "/tmp") + "/perdure-bench-XXXXXX";
    if (!::mkdtemp(pattern.data())) throw std::runtime_error("cannot create a directory like " + pattern);
    path_ = pattern;
}

temp_dir::~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

void warn_if_memory_backed(const std::string& dir) {
    constexpr long tmpfs_magic = 0x01021994;
    struct statfs st {};
    if (::statfs(dir.c_str(), &st) == 0 && static_cast<long>(st.f_type) == tmpfs_magic)
        std::cerr << "perdure-bench: warning: " << dir
                  << " is on tmpfs, where fsync costs nothing; pass --db-dir on a real disk\n";
}

}   // namespace perdure::bench
