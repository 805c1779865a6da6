// Retention: closed runs older than their namespace's retention (7 days by default) are
// deleted without costing the running workflows a commit of their own. While the writer is
// busy, one batch every 100 ms carries the deletion of a few expired runs: under 1% of the
// workflows' commits grow, so their p99 does not move, and about 80 runs a second go. Once the
// writer has been idle for 50 ms, larger units delete the rest and give the freed pages back
// to the file system. The runs of deleted namespaces go the same way.
#include "runtime/core.hpp"

#include "store/store.hpp"

namespace perdure::detail {
namespace {
// Each wall-time rule also holds in engine time, so virtual time in tests deletes as a day would.
constexpr std::size_t runs_per_query = 200;
constexpr auto look_every = std::chrono::seconds(1);
constexpr std::int64_t look_every_engine_us = 60'000'000;
constexpr std::size_t runs_per_carry = 8;          // carried by a batch the workflows commit anyway
constexpr auto carry_every = std::chrono::milliseconds(100);
constexpr std::int64_t carry_every_engine_us = 100'000;
constexpr std::size_t runs_per_idle_unit = 100;    // when nothing else is being committed
constexpr auto idle_after = std::chrono::milliseconds(50);
constexpr std::int64_t idle_after_engine_us = 50'000;
constexpr int vacuum_pages = 512;
}  // namespace

void engine_core::maybe_sweep_retention() {
    if (!started_ || stopping_.load() || idle_delete_in_flight_) return;
    const auto now = std::chrono::steady_clock::now();
    const std::int64_t engine_now = now_us();
    // Looks for expired runs when none are queued: at once after a retention change or while
    // the last look left more behind, else at most once a second of wall time or a minute of
    // engine time (virtual time in tests).
    if (expired_.empty() && (now >= next_retention_look_ || engine_now - last_look_engine_us_ >= look_every_engine_us)) {
        last_look_engine_us_ = engine_now;
        bool more = false;
        if (deleted_namespace_runs_left_) {
            const auto keys = store_->reads().runs_of_deleted_namespaces(runs_per_query);
            expired_.insert(expired_.end(), keys.begin(), keys.end());
            deleted_namespace_runs_left_ = keys.size() == runs_per_query;
            more = deleted_namespace_runs_left_;
        }
        for (const auto& [name, ns] : namespaces_.all()) {
            if (ns.retention_ms <= 0) continue;
            const auto keys = store_->reads().expired_runs(ns.ns_id, engine_now - ns.retention_ms * 1000, runs_per_query);
            expired_.insert(expired_.end(), keys.begin(), keys.end());
            more = more || keys.size() == runs_per_query;
        }
        next_retention_look_ = more ? now : now + look_every;
        vacuum_owed_ = vacuum_owed_ || !expired_.empty();
    }
    const bool idle = now - last_commit_request_ >= idle_after ||
                      engine_now - last_commit_request_engine_us_ >= idle_after_engine_us;
    if (!idle || !pipeline_.idle()) return;
    if (expired_.empty() && !vacuum_owed_) return;
    write_unit unit;
    take_expired(unit, runs_per_idle_unit);
    if (expired_.empty()) {
        unit.ops.emplace_back(incremental_vacuum{vacuum_pages});
        vacuum_owed_ = false;
    }
    idle_delete_in_flight_ = true;
    unit.effects.emplace_back([this](std::exception_ptr) { idle_delete_in_flight_ = false; });
    commit(std::move(unit));
}

void engine_core::take_expired(write_unit& unit, std::size_t at_most) {
    for (std::size_t n = 0; n < at_most && !expired_.empty();) {
        const auto key = expired_.front();
        expired_.pop_front();
        if (find_run(key)) continue;   // loaded again since (a query replays it): a later look finds it
        unit.ops.emplace_back(delete_run{key});
        ++n;
    }
}

void engine_core::carry_expired(write_unit& unit) {
    const auto now = std::chrono::steady_clock::now();
    const std::int64_t engine_now = now_us();
    last_commit_request_ = now;
    last_commit_request_engine_us_ = engine_now;
    if (expired_.empty() || (now < next_carry_ && engine_now < next_carry_engine_us_)) return;
    next_carry_ = now + carry_every;
    next_carry_engine_us_ = engine_now + carry_every_engine_us;
    take_expired(unit, runs_per_carry);
}

void engine_core::sweep_retention_soon() {
    next_retention_look_ = {};
    last_look_engine_us_ = 0;
}

void engine_core::purge_deleted_namespaces_soon() {
    deleted_namespace_runs_left_ = true;
    sweep_retention_soon();
}

}  // namespace perdure::detail
