// The scenarios of perdure-bench: each runs in its own process, prints its one JSON line, and
// throws when something did not work (a smoke run checks exactly that).
#pragma once

#include "common.hpp"

namespace perdure::bench {

void run_postgres_limit(const settings&);
void run_sqlite_limit(const settings&);
void run_step_latency(const settings&);
void run_step_latency_single_attempt(const settings&);
void run_throughput(const settings&);
void run_nexus_sync(const settings&);
void run_nexus_async(const settings&);
void run_timers(const settings&);
void run_recovery(const settings&);
void run_failover(const settings&);
void run_standby_calls(const settings&);
void run_processes(const settings&);
void run_idle_memory(const settings&);
void run_long_history(const settings&);
void run_retention(const settings&);
void run_visibility_list(const settings&);

/// The stores a scenario measures something on.
enum class stores {
    sqlite,     ///< SQLite only: it writes SQLite itself, or reads the file or the process
    postgres,   ///< only with --store postgresql://...
    both,       ///< an engine scenario whose database may be either
};

struct scenario {
    const char* name;
    void (*run)(const settings&);
    stores on = stores::sqlite;

    bool runs_on(const settings& s) const noexcept {
        return on == stores::both || (on == stores::postgres) == s.on_postgres();
    }
};

/// In the order `--scenario all` runs them: each store's floor first.
inline constexpr scenario scenarios[] = {
    {"postgres_limit", &run_postgres_limit, stores::postgres},
    {"sqlite_limit", &run_sqlite_limit},
    {"step_latency", &run_step_latency, stores::both},
    {"throughput", &run_throughput, stores::both},
    {"nexus_sync", &run_nexus_sync, stores::both},
    {"nexus_async", &run_nexus_async, stores::both},
    {"timers", &run_timers},
    {"recovery", &run_recovery, stores::both},
    {"failover", &run_failover, stores::postgres},
    {"standby_calls", &run_standby_calls, stores::postgres},
    {"processes", &run_processes, stores::postgres},
    {"idle_memory", &run_idle_memory},
    {"long_history", &run_long_history},
    {"retention", &run_retention},
    {"step_latency_single_attempt", &run_step_latency_single_attempt},
    {"visibility_list", &run_visibility_list},
};

}   // namespace perdure::bench
