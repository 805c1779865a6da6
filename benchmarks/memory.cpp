// idle_memory: the resident memory each workflow costs while it is parked on a one-hour timer,
// as the growth of this process's RSS over many such workflows.
#include "common.hpp"
#include "client/core_access.hpp"
#include "driver.hpp"
#include "scenarios.hpp"

#include "runtime/core.hpp"

#include <perdure/perdure.hpp>

#include <malloc.h>
#include <thread>

using namespace std::chrono_literals;

namespace perdure::bench {
namespace {

perdure::workflow<int> idle_impl(perdure::workflow_context& ctx, int i) {
    co_await ctx.sleep(1h);
    co_return i;
}
const perdure::workflow_def idle_workflow{"Idle", &idle_impl};

}   // namespace

void run_idle_memory(const settings& s) {
    const std::size_t workflows = s.size(100'000, 1'000);
    const std::string path = fresh_database(s, "idle-memory");
    double growth_kib = 0, trimmed_growth_kib = 0;
    std::size_t live = 0;
    {
        perdure::engine engine(engine_options_for(s, path));
        engine.namespaces().ensure("bench");
        engine.add_worker("bench", "bench").register_workflow(idle_workflow);
        engine.start();
        auto client = engine.client_for("bench");
        // Warm up first, so the baseline holds the engine's threads, pools and statements.
        drive(client, idle_workflow,
              {.count = 200, .id_prefix = "warm-", .task_queue = "bench", .what = drive_options::mode::start_only});
        std::this_thread::sleep_for(1s);
        ::malloc_trim(0);
        const auto before = rss_kib();
        drive(
            client, idle_workflow,
            {.count = workflows, .id_prefix = "idle-", .task_queue = "bench", .what = drive_options::mode::start_only});
        // Let the writer go idle (it truncates the WAL) and the cache settle.
        std::this_thread::sleep_for(1s);
        growth_kib = static_cast<double>(rss_kib() - before);
        ::malloc_trim(0);
        trimmed_growth_kib = static_cast<double>(rss_kib() - before);
        live = perdure::detail::core_access::core(engine)->live_instances();
    }
    remove_database(path);
    const double n = static_cast<double>(workflows);
    emit({{"scenario", "idle_memory"},
          {"workflows", workflows},
          {"bytes_per_workflow", growth_kib * 1024 / n},
          {"bytes_per_workflow_after_malloc_trim", trimmed_growth_kib * 1024 / n},
          {"live_instances", live},
          {"peak_rss_mb", static_cast<double>(peak_rss_kib()) / 1024},
          {"durability", to_string(s.durability)}});
}

}   // namespace perdure::bench
