// Retention: closed runs older than their namespace's retention (7 days by default) are
// deleted in small units between batches, so deletion never holds the writer for long, and
// the freed pages go back to the file system.
#include "runtime/core.hpp"

#include "store/queries.hpp"

namespace perdure::detail {
namespace {
constexpr std::size_t runs_per_sweep = 200;
constexpr auto sweep_every = std::chrono::seconds(1);
constexpr int vacuum_pages = 512;
}  // namespace

void engine_core::maybe_sweep_retention() {
    // At most once a second of wall time, or a minute of engine time (virtual time in tests).
    const auto now = std::chrono::steady_clock::now();
    const std::int64_t engine_now = now_us();
    if (!started_ || stopping_.load() ||
        (now - last_sweep_ < sweep_every && engine_now - last_sweep_engine_us_ < 60'000'000))
        return;
    last_sweep_ = now;
    last_sweep_engine_us_ = engine_now;
    write_unit unit;
    for (const auto& [name, ns] : namespaces_) {
        if (ns.retention_ms <= 0) continue;
        for (auto key : expired_runs(*strand_conn_, ns.ns_id, engine_now - ns.retention_ms * 1000, runs_per_sweep)) {
            if (runs_.contains(key) || !swept_.insert(key).second) continue;   // still closing, or already queued
            unit.ops.emplace_back(delete_run{key});
        }
    }
    if (unit.ops.empty()) return;
    unit.ops.emplace_back(incremental_vacuum{vacuum_pages});
    unit.effects.emplace_back([this](std::exception_ptr) { swept_.clear(); });
    commit(std::move(unit));
}

}  // namespace perdure::detail
