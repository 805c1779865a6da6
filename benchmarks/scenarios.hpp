// The scenarios of perdure-bench: each runs in its own process, prints its one JSON line, and
// throws when something did not work (a smoke run checks exactly that).
#pragma once

#include "common.hpp"

namespace perdure::bench {

void run_sqlite_limit(const settings&);
void run_step_latency(const settings&);
void run_step_latency_single_attempt(const settings&);
void run_throughput(const settings&);
void run_nexus_sync(const settings&);
void run_nexus_async(const settings&);
void run_timers(const settings&);
void run_recovery(const settings&);
void run_idle_memory(const settings&);
void run_long_history(const settings&);
void run_retention(const settings&);
void run_visibility_list(const settings&);

struct scenario {
    const char* name;
    void (*run)(const settings&);
};

/// In the order `--scenario all` runs them.
inline constexpr scenario scenarios[] = {
    {"sqlite_limit", &run_sqlite_limit},
    {"step_latency", &run_step_latency},
    {"throughput", &run_throughput},
    {"nexus_sync", &run_nexus_sync},
    {"nexus_async", &run_nexus_async},
    {"timers", &run_timers},
    {"recovery", &run_recovery},
    {"idle_memory", &run_idle_memory},
    {"long_history", &run_long_history},
    {"retention", &run_retention},
    {"step_latency_single_attempt", &run_step_latency_single_attempt},
    {"visibility_list", &run_visibility_list},
};

}   // namespace perdure::bench
