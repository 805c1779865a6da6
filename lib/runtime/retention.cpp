// Retention: closed runs older than their namespace's retention (7 days by default) are
// deleted in small units between batches, so deletion never holds the writer for long, and
// the freed pages go back to the file system.
#include "runtime/core.hpp"

#include "store/queries.hpp"

namespace perdure::detail {
namespace {
constexpr std::size_t runs_per_sweep = 100;
constexpr auto idle_sweep_every = std::chrono::seconds(1);
constexpr std::int64_t idle_sweep_every_engine_us = 60'000'000;
// While a backlog remains, the next sweep waits this many times as long as the last one took,
// so deletion takes at most a tenth of the writer's time and keeps up with ~10x the runs a
// sweep deletes per sweep duration.
constexpr int backlog_pause_factor = 9;
constexpr int vacuum_pages = 512;
}  // namespace

void engine_core::maybe_sweep_retention() {
    // One sweep at a time; with no backlog at most once a second of wall time or a minute of
    // engine time (virtual time in tests).
    const auto now = std::chrono::steady_clock::now();
    const std::int64_t engine_now = now_us();
    if (!started_ || stopping_.load() || sweeping_ ||
        (now < next_sweep_ && engine_now - last_sweep_engine_us_ < idle_sweep_every_engine_us))
        return;
    last_sweep_engine_us_ = engine_now;
    write_unit unit;
    bool backlog = false;
    for (const auto& [name, ns] : namespaces_) {
        if (ns.retention_ms <= 0) continue;
        const auto expired = expired_runs(*strand_conn_, ns.ns_id, engine_now - ns.retention_ms * 1000, runs_per_sweep);
        backlog = backlog || expired.size() == runs_per_sweep;
        for (auto key : expired)
            if (!runs_.contains(key)) unit.ops.emplace_back(delete_run{key});   // not if still closing
    }
    if (unit.ops.empty()) {
        next_sweep_ = now + idle_sweep_every;
        return;
    }
    unit.ops.emplace_back(incremental_vacuum{vacuum_pages});
    sweeping_ = true;
    unit.effects.emplace_back([this, began = now, backlog](std::exception_ptr) {
        sweeping_ = false;
        const auto done = std::chrono::steady_clock::now();
        next_sweep_ = done + (backlog ? (done - began) * backlog_pause_factor : idle_sweep_every);
    });
    commit(std::move(unit));
}

void engine_core::sweep_retention_soon() {
    next_sweep_ = {};
    last_sweep_engine_us_ = 0;
}

}  // namespace perdure::detail
