// timers: many workflows each sleeping on a durable timer, started together; completion is
// measured from the last start's acknowledgement, and the peak RSS is the whole process's.
#include "common.hpp"
#include "driver.hpp"
#include "scenarios.hpp"

#include <perdure/perdure.hpp>

namespace perdure::bench {
namespace {

perdure::workflow<int> sleep_impl(perdure::workflow_context& ctx, int i, int sleep_ms) {
    co_await ctx.sleep(std::chrono::milliseconds(sleep_ms));
    co_return i;
}

/// The workflow's sleep is fixed by the run's size, not passed with each start.
struct sleeper {
    int sleep_ms;
    perdure::workflow<int> operator()(perdure::workflow_context& ctx, int i) const {
        return sleep_impl(ctx, i, sleep_ms);
    }
};

}   // namespace

void run_timers(const settings& s) {
    const std::size_t workflows = s.size(1000, 20);
    const int sleep_ms = static_cast<int>(s.size(1000, 100));
    const perdure::workflow_def<int, int> timer_workflow{"Timer", sleeper{sleep_ms}};
    const std::string path = fresh_database(s, "timers");
    drive_result r;
    {
        perdure::engine engine(engine_options_for(s, path));
        engine.namespaces().ensure("bench");
        engine.add_worker("bench", "bench").register_workflow(timer_workflow);
        engine.start();
        r = drive(engine.client_for("bench"), timer_workflow,
                  {.count = workflows, .in_flight = workflows, .id_prefix = "timer-", .task_queue = "bench"});
    }
    remove_database(path);
    emit({{"scenario", "timers"},
          {"workflows", workflows},
          {"sleep_ms", sleep_ms},
          {"completion_ms", elapsed_ms(r.last_started, r.last_closed)},
          {"peak_rss_mb", static_cast<double>(peak_rss_kib()) / 1024},
          {"starts_ms", elapsed_ms(r.first_start, r.last_started)},
          {"durability", to_string(s.durability)}});
}

}   // namespace perdure::bench
