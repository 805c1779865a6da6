#include "runtime/retention_sweeper.hpp"

namespace perdure::detail {
namespace {
constexpr std::size_t runs_per_query = 200;
constexpr auto look_every = std::chrono::seconds(1);
constexpr std::int64_t look_every_engine_us = 60'000'000;
constexpr std::size_t runs_per_carry = 8;   // carried by a batch the workflows commit anyway
constexpr auto carry_every = std::chrono::milliseconds(100);
constexpr std::int64_t carry_every_engine_us = 100'000;
constexpr std::size_t runs_per_idle_unit = 100;   // when nothing else is being committed
constexpr auto idle_after = std::chrono::milliseconds(50);
constexpr std::int64_t idle_after_engine_us = 50'000;
constexpr int vacuum_pages = 512;
}   // namespace

std::optional<std::vector<write_op>> retention_sweeper::sweep(moment now, bool writer_idle, store_reads& reads,
                                                              const namespace_table& namespaces,
                                                              const run_table& runs) {
    if (deletion_in_flight_) return std::nullopt;
    // Looks when none are queued: at once after a retention change or while the last look left
    // more behind, else at most once a second of wall time or a minute of engine time.
    if (expired_.empty() && (now.wall >= next_look_ || now.engine_us - last_look_engine_us_ >= look_every_engine_us))
        look(now, reads, namespaces);
    const bool idle = now.wall - last_commit_request_ >= idle_after ||
                      now.engine_us - last_commit_request_engine_us_ >= idle_after_engine_us;
    if (!idle || !writer_idle) return std::nullopt;
    if (expired_.empty() && !vacuum_owed_) return std::nullopt;
    std::vector<write_op> ops;
    take(ops, runs_per_idle_unit, runs);
    if (expired_.empty()) {
        ops.emplace_back(incremental_vacuum{vacuum_pages});
        vacuum_owed_ = false;
    }
    deletion_in_flight_ = true;
    return ops;
}

void retention_sweeper::look(moment now, store_reads& reads, const namespace_table& namespaces) {
    last_look_engine_us_ = now.engine_us;
    bool more = false;
    if (deleted_namespace_runs_left_) {
        const auto keys = reads.runs_of_deleted_namespaces(runs_per_query);
        expired_.insert(expired_.end(), keys.begin(), keys.end());
        deleted_namespace_runs_left_ = keys.size() == runs_per_query;
        more = deleted_namespace_runs_left_;
    }
    for (const auto& [name, ns] : namespaces.all()) {
        if (ns.retention_ms <= 0) continue;
        const auto keys = reads.expired_runs(ns.ns_id, now.engine_us - ns.retention_ms * 1000, runs_per_query);
        expired_.insert(expired_.end(), keys.begin(), keys.end());
        more = more || keys.size() == runs_per_query;
    }
    next_look_ = more ? now.wall : now.wall + look_every;
    vacuum_owed_ = vacuum_owed_ || !expired_.empty();
}

void retention_sweeper::take(std::vector<write_op>& ops, std::size_t at_most, const run_table& runs) {
    for (std::size_t n = 0; n < at_most && !expired_.empty();) {
        const auto key = expired_.front();
        expired_.pop_front();
        if (runs.contains(key)) continue;   // loaded again since (a query replays it): a later look finds it
        ops.emplace_back(delete_run{key});
        ++n;
    }
}

void retention_sweeper::carry(std::vector<write_op>& ops, moment now, const run_table& runs) {
    last_commit_request_ = now.wall;
    last_commit_request_engine_us_ = now.engine_us;
    if (expired_.empty() || (now.wall < next_carry_ && now.engine_us < next_carry_engine_us_)) return;
    next_carry_ = now.wall + carry_every;
    next_carry_engine_us_ = now.engine_us + carry_every_engine_us;
    take(ops, runs_per_carry, runs);
}

void retention_sweeper::look_soon() noexcept {
    next_look_ = {};
    last_look_engine_us_ = 0;
}

void retention_sweeper::purge_deleted_namespaces_soon() noexcept {
    deleted_namespace_runs_left_ = true;
    look_soon();
}

}   // namespace perdure::detail
