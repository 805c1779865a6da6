// Counting through a reader store opened for the count and closed after it.
#include "store_counts.hpp"

#include "store/store.hpp"

#include <perdure/error.hpp>

#include <algorithm>
#include <limits>
#include <memory>

namespace perdure::bench {
namespace {

using namespace perdure::detail;

constexpr std::size_t every_run = std::numeric_limits<std::int32_t>::max();

std::unique_ptr<store> open_reader(const std::string& path) {
    return open_store({.database = path, .durability = perdure::durability::normal}, open_mode::reader);
}

}   // namespace

std::int64_t count_runs(const std::string& path, std::optional<run_status> status, const std::string& ns) {
    const auto db = open_reader(path);
    std::int64_t ns_id = 0;
    if (!ns.empty()) {
        const auto namespaces = db->reads().namespaces();
        const auto it = std::find_if(namespaces.begin(), namespaces.end(), [&](const auto& n) { return n.name == ns; });
        if (it == namespaces.end()) return 0;
        ns_id = it->ns_id;
    }
    return static_cast<std::int64_t>(db->reads().list_runs(ns_id, status, every_run, 0).size());
}

std::int64_t count_events(const std::string& path) {
    const auto db = open_reader(path);
    const auto snapshot = db->snapshot();
    std::int64_t events = 0;
    for (const auto& run : snapshot->list_runs(0, std::nullopt, every_run, 0))
        events += snapshot->history_length(run.run_key);
    return events;
}

std::optional<pending_timers> read_pending_timers(const std::string& path) {
    try {
        pending_timers timers;
        for (const auto& d : open_reader(path)->reads().deadlines()) {
            if (d.kind != deadline_kind::timer) continue;
            ++timers.count;
            timers.last_due_us = std::max(timers.last_due_us, d.due_us);
        }
        return timers;
    } catch (const perdure::error&) {
        return std::nullopt;   // the engine has not made the file or its schema yet
    }
}

}   // namespace perdure::bench
